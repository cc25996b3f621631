//! A cached M2M access token for the calling side of machine-to-machine auth.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::AuthError;
use super::DecodeAs;
use super::cache::{Backoff, Gate, Outcome, RefreshCell};
use crate::client::Core;
use crate::runtime::VerifyingProduct;

/// A token is replaced once less than this (or less than half its
/// lifetime, whichever is shorter) remains before it expires.
pub const TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// One token from the `m2m.token` endpoint.
struct Token {
    access_token: String,
    /// When the token stops being accepted.
    expires_at: Instant,
    /// When a new one is fetched.
    refresh_at: Instant,
}

/// Fetches one token through the token endpoint of the provider's product.
type FetchToken =
    fn(Arc<Inner>) -> Pin<Box<dyn Future<Output = Result<Token, crate::Error>> + Send>>;

struct Inner {
    core: Core,
    /// [`fetch`] for the provider's product.
    fetch: FetchToken,
    client_id: String,
    client_secret: String,
    scopes: Vec<String>,
    cell: Arc<RefreshCell<Token>>,
}

/// Hands out an M2M access token for one client and set of scopes,
/// fetching a new one only when needed.
///
/// - The first call fetches a token from the `m2m.token` endpoint; later
///   calls return it from memory (a lock-free load) until less than
///   [`TOKEN_REFRESH_MARGIN`] (or half the token's lifetime, if shorter)
///   remains, then the next call fetches a new one.
/// - Concurrent callers that need a new token share one fetch.
/// - A failed fetch is returned to the callers that awaited it, and the next
///   call tries again (no backoff). While the previous token has not
///   actually expired yet, it is returned instead of the error.
///
/// Cloning is cheap and clones share the token. Get one with
/// `client.m2m().token_provider(..)`.
#[derive(Clone)]
pub struct M2mTokenProvider {
    inner: Arc<Inner>,
}

impl fmt::Debug for M2mTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("M2mTokenProvider")
            .field("client_id", &self.inner.client_id)
            .field("client_secret", &"<redacted>")
            .field("scopes", &self.inner.scopes)
            .finish_non_exhaustive()
    }
}

/// Retries right away after a failure.
const NO_BACKOFF: Backoff = Backoff {
    initial: Duration::ZERO,
    max: Duration::ZERO,
};

impl M2mTokenProvider {
    /// A provider that fetches its tokens from the token endpoint of product `P`.
    pub(crate) fn new<P: VerifyingProduct>(
        core: Core,
        client_id: String,
        client_secret: String,
        scopes: Vec<String>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                core,
                fetch: |inner| Box::pin(async move { fetch::<P>(&inner).await }),
                client_id,
                client_secret,
                scopes,
                cell: Arc::new(RefreshCell::new("M2M access token")),
            }),
        }
    }

    /// A valid access token, to send as `Authorization: Bearer <token>`.
    pub async fn access_token(&self) -> Result<String, crate::Error> {
        let now = Instant::now();
        let cached = self.inner.cell.with(|current| {
            current
                .filter(|snapshot| now < snapshot.value.refresh_at)
                .map(|snapshot| snapshot.value.access_token.clone())
        });
        if let Some(token) = cached {
            return Ok(token);
        }
        let seen = self.inner.cell.load();
        let fetch = {
            let inner = Arc::clone(&self.inner);
            let fetch = inner.fetch;
            move || fetch(inner)
        };
        let error = match self
            .inner
            .cell
            .refresh(seen.as_ref(), Gate::Stale, NO_BACKOFF, fetch)
            .await
        {
            Outcome::Fetched(snapshot) => return Ok(snapshot.value.access_token.clone()),
            Outcome::Failed(error) | Outcome::Skipped(Some(error)) => Some(error),
            // Only a minimum-interval gate skips without an error; not used here.
            Outcome::Skipped(None) => None,
        };
        match (seen, error) {
            (Some(snapshot), _) if Instant::now() < snapshot.value.expires_at => {
                Ok(snapshot.value.access_token.clone())
            }
            (_, Some(source)) => Err(AuthError::Fetch {
                what: "M2M access token",
                source,
            }
            .into()),
            (_, None) => Err(crate::Error::Config(
                "no M2M token could be requested".into(),
            )),
        }
    }

    /// The M2M client id tokens are requested for.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }
}

/// What the provider reads of a token answer.
#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: i64,
}

/// Asks the token endpoint for a new token, once: like the key and policy
/// caches, the provider handles a failure itself (the current token is kept
/// while it is valid, and the next call tries again).
async fn fetch<P: VerifyingProduct>(inner: &Inner) -> Result<Token, crate::Error> {
    let started = Instant::now();
    let core = super::for_fetch(&inner.core);
    let scopes = (!inner.scopes.is_empty()).then(|| inner.scopes.clone());
    let request = P::token(&inner.client_id, &inner.client_secret, scopes);
    let TokenAnswer {
        access_token,
        expires_in,
    } = core.send(&DecodeAs::<_, TokenAnswer>::new(request)).await?;
    // Lifetimes count from the request, not the answer, to stay on the safe side.
    let lifetime = Duration::from_secs(u64::try_from(expires_in).unwrap_or(0));
    let margin = TOKEN_REFRESH_MARGIN.min(lifetime / 2);
    Ok(Token {
        access_token,
        expires_at: started + lifetime,
        refresh_at: started + lifetime - margin,
    })
}

macro_rules! provider_impl {
    ($feature:literal, $handle:ty, $product:ty) => {
        #[cfg(feature = $feature)]
        impl $handle {
            /// A provider of access tokens for the M2M client `client_id`,
            /// with `scopes` (none: the client's default scopes).
            ///
            /// It fetches a token through [`token`](Self::token) on first use
            /// and reuses it until shortly before it expires; see
            /// [`M2mTokenProvider`]. Build one per client and scope set and
            /// keep it (clones share the token).
            pub fn token_provider<I, S>(
                &self,
                client_id: impl Into<String>,
                client_secret: impl Into<String>,
                scopes: I,
            ) -> M2mTokenProvider
            where
                I: IntoIterator<Item = S>,
                S: Into<String>,
            {
                M2mTokenProvider::new::<$product>(
                    self.core.clone(),
                    client_id.into(),
                    client_secret.into(),
                    scopes.into_iter().map(Into::into).collect(),
                )
            }
        }
    };
}

provider_impl!(
    "consumer",
    crate::consumer::m2m::M2m<'_>,
    crate::consumer::ConsumerProduct
);
provider_impl!("b2b", crate::b2b::m2m::M2m<'_>, crate::b2b::B2bProduct);
