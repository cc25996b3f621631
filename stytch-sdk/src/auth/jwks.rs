//! The per-client cache of the project's signing keys (JWKS).
//!
//! Reads go through an [`ArcSwap`]: looking a key up is an atomic load and a
//! hash lookup, with no lock, so any number of concurrent verifications
//! proceed in parallel. Only fetches take a (async) mutex, which both
//! serializes them and lets waiting tasks see the result of the fetch that
//! ran while they waited instead of fetching again.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use jsonwebtoken::DecodingKey;
use tokio::sync::Mutex;

use super::{AuthError, Vertical};
use crate::consumer::models::sessions::Jwk;
use crate::runtime::Transport;

/// How a cached key may be used.
pub(crate) enum KeyUse {
    /// An RSA signature key for RS256.
    Rs256(DecodingKey),
    /// Some other key (or one whose numbers do not decode); what it declares.
    Unusable(String),
}

/// One key of the set, ready to verify with.
pub(crate) struct VerifyingKey {
    pub(crate) usage: KeyUse,
}

impl VerifyingKey {
    fn from_jwk(jwk: &Jwk) -> Self {
        let declared = || format!("kty={} alg={} use={}", jwk.kty, jwk.alg, jwk.r#use);
        let rsa = jwk.kty == "RSA";
        let alg_ok = jwk.alg.is_empty() || jwk.alg == "RS256";
        let use_ok = jwk.r#use.is_empty() || jwk.r#use == "sig";
        let ops_ok = jwk.key_ops.is_empty() || jwk.key_ops.iter().any(|op| op == "verify");
        let usage = if rsa && alg_ok && use_ok && ops_ok {
            match DecodingKey::from_rsa_components(&jwk.n, &jwk.e) {
                Ok(key) => KeyUse::Rs256(key),
                Err(_) => {
                    KeyUse::Unusable(format!("{} (modulus or exponent unreadable)", declared()))
                }
            }
        } else {
            KeyUse::Unusable(declared())
        };
        Self { usage }
    }
}

/// One fetched key set.
struct KeySet {
    keys: HashMap<String, Arc<VerifyingKey>>,
    /// When it was fetched; `None` for the empty set a cache starts with.
    fetched_at: Option<Instant>,
}

impl KeySet {
    fn is_fresh(&self, now: Instant, max_age: Duration) -> bool {
        self.fetched_at
            .is_some_and(|at| now.saturating_duration_since(at) < max_age)
    }
}

/// Bookkeeping of fetches, guarded by the fetch mutex.
#[derive(Default)]
struct FetchState {
    /// Start of the latest fetch, successful or not.
    last_attempt: Option<Instant>,
}

/// The key set of one product (consumer or B2B) of one client.
pub(crate) struct JwksCache {
    current: ArcSwap<KeySet>,
    fetch: Mutex<FetchState>,
}

impl JwksCache {
    pub(crate) fn new() -> Self {
        Self {
            current: ArcSwap::from_pointee(KeySet {
                keys: HashMap::new(),
                fetched_at: None,
            }),
            fetch: Mutex::new(FetchState::default()),
        }
    }

    /// The key with id `kid`.
    ///
    /// Served from the cache while it is younger than the configured max age.
    /// A stale or empty cache is fetched again. An unknown `kid` in a fresh
    /// cache causes a fetch only when none started within the refresh
    /// interval, so a flood of made-up key ids costs at most one call per
    /// interval.
    pub(crate) async fn key(
        &self,
        transport: &Transport,
        vertical: Vertical,
        kid: &str,
    ) -> Result<Arc<VerifyingKey>, AuthError> {
        let config = &transport.auth().config;
        {
            let set = self.current.load();
            if set.is_fresh(Instant::now(), config.jwks_max_age)
                && let Some(key) = set.keys.get(kid)
            {
                return Ok(Arc::clone(key));
            }
        }

        let mut state = self.fetch.lock().await;
        // Another task may have fetched while this one waited for the lock.
        let now = Instant::now();
        let set = self.current.load_full();
        if set.is_fresh(now, config.jwks_max_age) {
            if let Some(key) = set.keys.get(kid) {
                return Ok(Arc::clone(key));
            }
            let recently = state
                .last_attempt
                .is_some_and(|at| now.saturating_duration_since(at) < config.jwks_refresh_interval);
            if recently {
                return Err(AuthError::UnknownKey {
                    kid: kid.to_owned(),
                });
            }
        }
        state.last_attempt = Some(now);
        let jwks = fetch(transport, vertical)
            .await
            .map_err(|source| AuthError::Fetch {
                what: "key set",
                source: Box::new(source),
            })?;
        let keys = jwks
            .iter()
            .filter(|jwk| !jwk.kid.is_empty())
            .map(|jwk| (jwk.kid.clone(), Arc::new(VerifyingKey::from_jwk(jwk))))
            .collect();
        let fresh = Arc::new(KeySet {
            keys,
            fetched_at: Some(Instant::now()),
        });
        self.current.store(Arc::clone(&fresh));
        drop(state);
        fresh
            .keys
            .get(kid)
            .cloned()
            .ok_or_else(|| AuthError::UnknownKey {
                kid: kid.to_owned(),
            })
    }
}

/// Calls the JWKS endpoint of `vertical`.
async fn fetch(transport: &Transport, vertical: Vertical) -> Result<Vec<Jwk>, crate::Error> {
    let project_id = transport.project_id();
    match vertical {
        #[cfg(feature = "consumer")]
        Vertical::Consumer => {
            let request = crate::consumer::sessions::GetJwksRequest::new(project_id);
            Ok(transport.send(&request).await?.keys)
        }
        #[cfg(feature = "b2b")]
        Vertical::B2b => {
            let request = crate::b2b::sessions::GetJwksRequest::new(project_id);
            Ok(transport.send(&request).await?.keys)
        }
        #[allow(unreachable_patterns)]
        _ => Err(crate::Error::Config(format!(
            "the {vertical:?} product is not compiled in"
        ))),
    }
}
