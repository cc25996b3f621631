//! The per-client cache of the project's signing keys (JWKS).
//!
//! Looking a key up is an atomic load and a hash lookup, with no lock, so
//! any number of concurrent verifications proceed in parallel. Fetches go
//! through a [`RefreshCell`]: one at a time, shared by every caller that
//! needs it, with a backoff after failures.
//!
//! The key set is decoded with the tolerant types of this module rather
//! than the generated response type: RFC 7517 only requires `kty` of a key,
//! so a set holding an EC or symmetric key, or an RSA key without `x5c`,
//! `key_ops` or `x5tS256`, still yields its usable RSA keys. Keys that
//! cannot verify RS256 signatures are kept (so a token naming one gets a
//! precise error) but never used; keys without a `kid` are skipped, since
//! tokens select keys by id. RSA keys are parsed into aws-lc public keys
//! when a set is fetched, so checking a signature does not rebuild the key.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use jsonwebtoken::{DecodingKey, DecodingKeyKind};
use serde::Deserialize;
use serde_json::Value;

use super::cache::{Gate, Outcome, RefreshCell, Snapshot};
use super::{AuthConfig, AuthError};
use crate::client::Core;
use crate::runtime::{Endpoint, VerifyingProduct};

/// How a cached key may be used.
pub(crate) enum KeyUse {
    /// An RSA signature key for RS256, parsed when the key set was fetched
    /// so that checking a signature does not rebuild the key.
    Rs256(ParsedPublicKey),
    /// An RSA signature key for RS256 whose modulus and exponent are valid
    /// base64url but do not form a public key aws-lc takes (an empty number
    /// or one with a leading zero byte). No signature verifies with it, as
    /// none did when such a key was rebuilt for every check.
    Rs256Rejected,
    /// Some other key (or one whose numbers do not decode); what it declares.
    Unusable(String),
}

/// One key of the set, ready to verify with.
pub(crate) struct VerifyingKey {
    pub(crate) usage: KeyUse,
}

/// The fields of a JWK looked at; everything but `kty` may be absent, and
/// members this SDK does not use are ignored whatever their form.
#[derive(Debug, Deserialize)]
struct Jwk {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default, rename = "use")]
    usage: Option<String>,
    #[serde(default)]
    key_ops: Option<Vec<String>>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
}

/// A JWKS document: the `keys` list, each key left as JSON until looked at.
#[derive(Debug, Deserialize)]
pub(crate) struct JwkSet {
    keys: Vec<Value>,
}

impl VerifyingKey {
    /// Builds the cache entry of one JWK: an RS256 key (parsed once here)
    /// when it is an RSA key that allows RS256 signatures, otherwise what it
    /// declares, for the error of a token that names it.
    fn from_jwk(jwk: &Jwk) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let declared = || {
            format!(
                "kty={} alg={} use={}",
                jwk.kty,
                text(&jwk.alg),
                text(&jwk.usage)
            )
        };
        let rsa = jwk.kty == "RSA";
        let alg_ok = jwk
            .alg
            .as_deref()
            .is_none_or(|alg| alg.is_empty() || alg == "RS256");
        let use_ok = jwk
            .usage
            .as_deref()
            .is_none_or(|u| u.is_empty() || u == "sig");
        let ops_ok = jwk
            .key_ops
            .as_ref()
            .is_none_or(|ops| ops.is_empty() || ops.iter().any(|op| op == "verify"));
        let usage = match (&jwk.n, &jwk.e) {
            (Some(n), Some(e)) if rsa && alg_ok && use_ok && ops_ok => {
                match DecodingKey::from_rsa_components(n, e) {
                    Ok(key) => rs256(&key),
                    Err(_) => {
                        KeyUse::Unusable(format!("{} (modulus or exponent unreadable)", declared()))
                    }
                }
            }
            (None, _) | (_, None) if rsa => {
                KeyUse::Unusable(format!("{} (modulus or exponent missing)", declared()))
            }
            _ => KeyUse::Unusable(declared()),
        };
        Self { usage }
    }
}

/// Parses the modulus and exponent of `key` (decoded from base64url by
/// jsonwebtoken, as they always were) into the public key that checks
/// RS256 signatures: PKCS#1 v1.5 with SHA-256 and a 2048 to 8192-bit
/// modulus, the parameters jsonwebtoken verifies RS256 with.
fn rs256(key: &DecodingKey) -> KeyUse {
    let DecodingKeyKind::RsaModulusExponent { n, e } = key.kind() else {
        return KeyUse::Rs256Rejected;
    };
    let components = RsaPublicKeyComponents {
        n: n.as_slice(),
        e: e.as_slice(),
    };
    match components.to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256) {
        Ok(parsed) => KeyUse::Rs256(parsed),
        Err(_) => KeyUse::Rs256Rejected,
    }
}

/// The keys of one fetched set by id.
pub(crate) type KeySet = HashMap<String, Arc<VerifyingKey>>;

/// Builds the key map of a set; keys that do not decode or have no `kid` are skipped.
fn index(set: &JwkSet) -> KeySet {
    set.keys
        .iter()
        .filter_map(|raw| Jwk::deserialize(raw).ok())
        .filter_map(|jwk| {
            let kid = jwk.kid.clone().filter(|kid| !kid.is_empty())?;
            Some((kid, Arc::new(VerifyingKey::from_jwk(&jwk))))
        })
        .collect()
}

/// Where a looked-up key came from, which decides whether an unknown key
/// may be asked about elsewhere.
pub(crate) enum Lookup {
    /// The key.
    Found(Arc<VerifyingKey>),
    /// No such key, according to a key set fetched for this lookup (or a
    /// fetch it joined): the project does not hold it right now.
    AbsentAfterRefresh,
    /// No such key in the cached set, which was not refreshed (the minimum
    /// interval since the previous fetch had not passed).
    AbsentCached,
}

/// The key set of one product (consumer or B2B) of one client.
pub(crate) struct JwksCache {
    cell: Arc<RefreshCell<KeySet>>,
}

impl JwksCache {
    pub(crate) fn new() -> Self {
        Self {
            cell: Arc::new(RefreshCell::new("key set")),
        }
    }

    /// The key with id `kid`.
    ///
    /// - Served from the cache while it is younger than `jwks_max_age`.
    /// - A stale or empty cache is fetched again (one fetch shared by every
    ///   caller). If that fails, keys of the last good set keep being served
    ///   until it is `jwks_max_age + cache_grace_period` old; after that the
    ///   fetch error is returned.
    /// - An unknown `kid` in a fresh cache causes a fetch only when none
    ///   started within `jwks_refresh_interval`, so a flood of made-up key
    ///   ids costs at most one call per interval.
    /// - After a failed fetch no fetch starts before the backoff has passed.
    pub(crate) async fn key<P: VerifyingProduct>(
        &self,
        core: &Core,
        kid: &str,
    ) -> Result<Lookup, AuthError> {
        let config = &core.auth().config;
        let now = Instant::now();
        // Fast path: a guard, no reference count on the set changes.
        let cached = self.cell.with(|current| {
            current
                .filter(|snapshot| snapshot.age(now) < config.jwks_max_age)
                .and_then(|snapshot| snapshot.value.get(kid).cloned())
        });
        if let Some(key) = cached {
            return Ok(Lookup::Found(key));
        }
        let seen = self.cell.load();
        let gate = match &seen {
            Some(snapshot) if snapshot.age(now) < config.jwks_max_age => {
                Gate::Miss(config.jwks_refresh_interval)
            }
            _ => Gate::Stale,
        };
        let fetch = || {
            let core = core.clone();
            async move { fetch::<P>(&core).await }
        };
        let outcome = self
            .cell
            .refresh(seen.as_ref(), gate, config.fetch_backoff, fetch)
            .await;
        resolve(outcome, seen.as_ref(), kid, config)
    }
}

/// Turns the outcome of a refresh into the answer for `kid`.
fn resolve(
    outcome: Outcome<KeySet>,
    seen: Option<&Arc<Snapshot<KeySet>>>,
    kid: &str,
    config: &AuthConfig,
) -> Result<Lookup, AuthError> {
    let error = match outcome {
        Outcome::Fetched(snapshot) => {
            return Ok(match snapshot.value.get(kid) {
                Some(key) => Lookup::Found(Arc::clone(key)),
                None => Lookup::AbsentAfterRefresh,
            });
        }
        Outcome::Skipped(None) => return Ok(Lookup::AbsentCached),
        Outcome::Failed(error) | Outcome::Skipped(Some(error)) => error,
    };
    // The refresh failed: a key of the last good set is still served within the grace period.
    if let Some(snapshot) = seen
        && snapshot.age(Instant::now()) < config.jwks_max_age + config.cache_grace
        && let Some(key) = snapshot.value.get(kid)
    {
        return Ok(Lookup::Found(Arc::clone(key)));
    }
    Err(AuthError::Fetch {
        what: "key set",
        source: error,
    })
}

/// Path of the key set that Stytch serves without credentials on the
/// project domain (a verification-only client's API base URL).
pub(crate) const PUBLIC_JWKS_PATH: &str = "/.well-known/jwks.json";

/// `GET /.well-known/jwks.json` on the project domain: the project's key
/// set, public, for clients built for verification only. Not an endpoint of
/// the API reference, so it lives here rather than in the spec.
#[derive(serde::Serialize)]
struct PublicJwks;

impl Endpoint for PublicJwks {
    type Response = JwkSet;
    const ID: &'static str = "project_domain.jwks";
    const METHOD: reqwest::Method = reqwest::Method::GET;
    const ENCODING: crate::runtime::Encoding = crate::runtime::Encoding::Query;
    fn path(&self, _project_id: &str) -> Result<String, crate::Error> {
        Ok(PUBLIC_JWKS_PATH.to_owned())
    }
}

/// Calls the JWKS endpoint of product `P`, or the project domain's public
/// key set on a client built for verification only.
async fn fetch<P: VerifyingProduct>(core: &Core) -> Result<KeySet, crate::Error> {
    let core = &super::for_fetch(core);
    if core.auth().config.verification_only {
        return Ok(index(&core.send(&PublicJwks).await?));
    }
    let request = P::key_set(core.project_id());
    let set = core
        .send(&super::DecodeAs::<_, JwkSet>::new(request))
        .await?;
    Ok(index(&set))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_any_shape_are_indexed_or_skipped() {
        let set: JwkSet = serde_json::from_value(serde_json::json!({"keys": [
            {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
            {"kty": "oct", "kid": "oct", "k": "c2VjcmV0"},
            {"kty": "RSA", "kid": "no-n", "e": "AQAB"},
            {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
            {"kty": 7, "kid": "odd"},
            {"kid": "no-kty"},
        ]}))
        .unwrap();
        let keys = index(&set);
        let mut ids: Vec<&str> = keys.keys().map(String::as_str).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["ec", "no-n", "oct"]);
        assert!(
            keys.values()
                .all(|key| matches!(key.usage, KeyUse::Unusable(_)))
        );
    }

    #[test]
    fn rsa_keys_are_parsed_once_when_indexed() {
        use aws_lc_rs::rsa::KeySize;
        use aws_lc_rs::signature::{KeyPair as _, RsaKeyPair};
        use base64::Engine as _;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;

        let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let public = pair.public_key();
        let n = public.modulus().big_endian_without_leading_zero();
        let e = public.exponent().big_endian_without_leading_zero();
        let mut padded = vec![0];
        padded.extend_from_slice(n);
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        let set: JwkSet = serde_json::from_value(serde_json::json!({"keys": [
            {"kty": "RSA", "kid": "good", "alg": "RS256", "n": b64(n), "e": b64(e)},
            {"kty": "RSA", "kid": "zero", "alg": "RS256", "n": b64(&padded), "e": b64(e)},
            {"kty": "RSA", "kid": "not-b64", "alg": "RS256", "n": "n+/=", "e": b64(e)},
        ]}))
        .unwrap();
        let keys = index(&set);
        assert!(matches!(keys["good"].usage, KeyUse::Rs256(_)));
        // Base64url numbers aws-lc refuses as a key: kept as an RS256 key
        // that verifies nothing, not as a key of another kind.
        assert!(matches!(keys["zero"].usage, KeyUse::Rs256Rejected));
        assert!(matches!(keys["not-b64"].usage, KeyUse::Unusable(_)));
    }
}
