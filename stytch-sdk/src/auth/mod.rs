//! Local verification of session JWTs, M2M access tokens and RBAC permissions.
//!
//! Stytch signs every session JWT and M2M access token with one of the
//! project's RSA keys. Checking such a token needs only the public half of
//! that key, so once the project's key set (JWKS) is cached a backend can
//! authenticate each request without a network call. This module holds the
//! pieces that make that work:
//!
//! - [`consumer::sessions::Sessions::authenticate_jwt`](crate::consumer::sessions::Sessions::authenticate_jwt)
//!   and its B2B twin verify a session JWT locally and ask the
//!   `sessions.authenticate` endpoint only about genuine tokens that are
//!   expired, older than the caller's maximum age, or signed by a key the
//!   freshly fetched key set lacks (never about forged or malformed ones);
//!   the `authenticate_jwt_local` variants never call the API.
//! - `m2m().authenticate_token` verifies an M2M access token and checks the
//!   scopes it must carry (see [`check_scopes`]).
//! - An optional authorization check (resource and action, plus the
//!   organization for B2B) is evaluated against the project's RBAC policy,
//!   fetched once and cached (see [`RbacPolicy`]); B2B checks add the
//!   organization's own roles.
//! - `idp().introspect_token_local` verifies an OAuth access token issued to
//!   a Connected App and returns its claims ([`AccessTokenClaims`]), with an
//!   optional scope-based check ([`RbacPolicy::scopes_grant`]);
//!   `idp().introspect_token_network` asks the identity provider instead
//!   (catching revoked and opaque tokens) and returns the same claims type,
//!   with the same check applied to the answer whenever the request sets one.
//! - `m2m().token_provider(..)` hands out a cached M2M access token for the
//!   calling side ([`M2mTokenProvider`]).
//!
//! Every client keeps its own key and policy caches; clone the client (cheap)
//! rather than building a new one per request so the caches stay warm. Their
//! lifetimes are set on the [`ClientBuilder`](crate::ClientBuilder):
//! `jwks_max_age`, `jwks_refresh_interval`, `rbac_policy_max_age`,
//! `cache_grace_period`, `fetch_backoff`, `org_policy_cache_capacity`, and
//! `custom_domain` for projects that issue tokens under their own domain.
//!
//! # Least privilege
//!
//! The project secret can administer the whole Stytch project; give it only
//! to services that need it.
//!
//! - **Calling services** (that only fetch M2M access tokens) need the
//!   project id and their M2M client's id and secret, nothing more. Build
//!   the provider with
//!   [`ClientBuilder::build_token_provider`](crate::ClientBuilder::build_token_provider)
//!   and an empty project secret: the token endpoint
//!   `/v1/public/{project_id}/oauth2/token` is public, takes the client
//!   credentials in the body, and the provider sends no `Authorization`
//!   header.
//! - **Verifying services** (local session JWT, M2M and access token
//!   checks) need the key set. Stytch serves the project's key set without
//!   any credentials at `https://<project domain>/.well-known/jwks.json`
//!   (the same keys as the sessions key set endpoint; the project domain is
//!   the default `….customers.stytch.dev` one shown in the dashboard, or
//!   your custom domain). Build such a client with
//!   [`ClientBuilder::build_verifier`](crate::ClientBuilder::build_verifier)
//!   from the project id and that domain, with an empty secret: it fetches
//!   the keys from there, sends no `Authorization` header and accepts the
//!   domain as an issuer. It supports the `_local` checks
//!   (`authenticate_jwt_local`, `m2m().authenticate_token`,
//!   `idp().introspect_token_local`) without authorization checks: the RBAC
//!   policy endpoints need the project secret, so a check that needs the
//!   policy fails with [`Error::Config`](crate::Error::Config) before any
//!   request. Calls to API endpoints (including the API fallback of
//!   `authenticate_jwt`) are sent without credentials and Stytch refuses
//!   them.
//! - **Services that also authorize** (RBAC checks of sessions or M2M
//!   tokens) need the policy, and so a client built with the project
//!   secret; keep that secret out of services that only verify.
//!

//! The key sets, the project RBAC policies and the organizations' own roles
//! follow the same rules:
//!
//! - A cached value is read without a lock while it is younger than its max
//!   age.
//! - Refreshing is single-flight: the first caller that needs a fetch starts
//!   it and every caller arriving meanwhile awaits the same fetch. No lock is
//!   held across it, so when the endpoint hangs, all of them fail together
//!   after one transport timeout.
//! - A fetch belongs to the client, not to the caller that started it: it
//!   uses the client's configured timeout (a `with_timeout` handle changes
//!   only its own calls), makes one attempt (the backoff below replaces
//!   retries), and runs as a task of its own, so a caller that gives up
//!   (for example under a request timeout) does not cancel it; later callers
//!   join it or find its result in the cache.
//! - After a failed fetch, no new one starts for the backoff (default 1 s,
//!   doubled after each further failure in a row, at most 30 s); callers
//!   meanwhile get the last error at once, and unknown key ids cause no
//!   fetch.
//! - While refreshes fail, the last good value keeps being served until it
//!   is `max age + cache_grace_period` old (default grace 30 minutes); after
//!   that, checks that need it fail with [`AuthError::Fetch`].
//! - Organization roles are cached per organization for the policy max age,
//!   for at most `org_policy_cache_capacity` organizations (default 1024,
//!   least recently used dropped first).
//!
//! # Verification rules
//!
//! A token is accepted only when all of these hold, checked in this order;
//! the first that fails decides the [`AuthError`]:
//!
//! 1. it is at most [`MAX_TOKEN_LEN`] bytes and has three base64url segments
//!    whose header and claims are JSON objects;
//! 2. its header names `RS256` (`none`, `HS256` and everything else are
//!    refused) and a `kid` that is in the project's key set, and that key is
//!    an RSA signing key for `RS256`;
//! 3. the signature verifies;
//! 4. `iss` is `stytch.com/<project_id>`, the configured custom domain (bare
//!    or with `https://`) or the configured API base URL without trailing
//!    slash, and `aud` contains the project id;
//! 5. `exp` has not passed, give or take the caller's clock tolerance (zero
//!    by default): a token past its `exp` fails with [`AuthError::Expired`]
//!    whatever its age;
//! 6. the token is not older than the maximum age (when one is set): only an
//!    unexpired token fails with [`AuthError::TooOld`];
//! 7. `nbf` and `iat` are not in the future, give or take the clock
//!    tolerance.
//!
//! Header fields that point at keys elsewhere (`jku`, `x5u`, `jwk`) are
//! ignored: keys only ever come from the project's own JWKS endpoint.

#[cfg(any(feature = "consumer", feature = "b2b"))]
mod access_token;
mod cache;
#[cfg(any(feature = "consumer", feature = "b2b"))]
mod claims;
#[cfg(any(feature = "consumer", feature = "b2b"))]
mod introspect;
#[cfg(any(feature = "consumer", feature = "b2b"))]
mod jwks;
mod m2m;
mod options;
#[cfg(any(feature = "consumer", feature = "b2b"))]
mod provider;
mod rbac;
mod sessions;
#[cfg(any(feature = "consumer", feature = "b2b"))]
mod verify;

use std::time::Duration;

#[cfg(any(feature = "consumer", feature = "b2b"))]
use crate::client::Core;
#[cfg(any(feature = "consumer", feature = "b2b"))]
use crate::generated::VERIFYING_PRODUCTS;
#[cfg(any(feature = "consumer", feature = "b2b"))]
use crate::runtime::VerifyingProduct;

pub use crate::error::AuthError;
#[cfg(any(feature = "consumer", feature = "b2b"))]
pub use access_token::{AccessTokenClaims, OrganizationClaim};
#[cfg(feature = "b2b")]
pub use introspect::ORGANIZATION_CLAIM;
pub use m2m::{M2mClaims, check_scopes, scope_grants};
pub use options::{
    AccessTokenOptions, AuthorizationCheck, M2mTokenOptions, MemberSessionJwtOptions,
    OrganizationAccessTokenOptions, OrganizationAuthorizationCheck, SessionJwtOptions,
};
#[cfg(any(feature = "consumer", feature = "b2b"))]
pub use provider::{M2mTokenProvider, TOKEN_REFRESH_MARGIN};
pub use rbac::RbacPolicy;
pub use sessions::Authenticated;

/// The future the local checks return (`authenticate_jwt_local`,
/// `introspect_token_local`, `authenticate_token`, the cached policies);
/// await it like any other. It is `Send`.
///
/// Each is one boxed future built inside this crate, so a program that
/// awaits it compiles a call through a pointer rather than its own copy of
/// the whole check: key-set and policy caches, claim decoding, policy
/// evaluation. The box costs one small allocation per check. Methods that
/// may call an endpoint (such as `authenticate_jwt`) stay `async fn`s: their
/// answer's decoder compiles where they are called, like every endpoint's.
pub type AuthFuture<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, crate::Error>> + Send + 'a>>;

#[cfg(any(feature = "consumer", feature = "b2b"))]
pub(crate) use jwks::JwksCache;
#[cfg(all(feature = "test-util", any(feature = "consumer", feature = "b2b")))]
pub(crate) use jwks::PUBLIC_JWKS_PATH;
#[cfg(feature = "b2b")]
pub(crate) use rbac::OrgPolicyCache;
#[cfg(any(feature = "consumer", feature = "b2b"))]
pub(crate) use rbac::PolicyCache;

/// Longest token, in bytes, that is looked at at all. Longer ones fail with
/// [`AuthError::TooLarge`] before any decoding.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Default maximum age of a session JWT for local verification (five minutes).
pub const DEFAULT_MAX_TOKEN_AGE: Duration = Duration::from_secs(300);

/// Default time after which the cached key set is fetched again.
pub const DEFAULT_JWKS_MAX_AGE: Duration = Duration::from_secs(600);

/// Default shortest time between two key set fetches caused by an unknown `kid`.
pub const DEFAULT_JWKS_REFRESH_INTERVAL: Duration = Duration::from_secs(30);

/// Default time after which the cached RBAC policy is fetched again.
pub const DEFAULT_RBAC_POLICY_MAX_AGE: Duration = Duration::from_secs(300);

/// Default grace period: how long past its max age a cached key set or
/// policy is still used while fetching a new one fails.
pub const DEFAULT_CACHE_GRACE_PERIOD: Duration = Duration::from_secs(30 * 60);

/// Default wait after a failed key set or policy fetch before the next one.
pub const DEFAULT_FETCH_BACKOFF: Duration = Duration::from_secs(1);

/// Default longest wait between fetches while they keep failing.
pub const DEFAULT_FETCH_BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Default number of organizations whose RBAC roles are cached.
pub const DEFAULT_ORG_POLICY_CACHE_CAPACITY: usize = 1024;

/// Cache lifetimes and accepted issuers of one client.
#[derive(Debug, Clone)]
pub(crate) struct AuthConfig {
    pub(crate) jwks_max_age: Duration,
    pub(crate) jwks_refresh_interval: Duration,
    pub(crate) policy_max_age: Duration,
    pub(crate) custom_domain: Option<String>,
    /// The API base URL without trailing slash, accepted as an issuer.
    pub(crate) api_issuer: Option<String>,
    pub(crate) cache_grace: Duration,
    pub(crate) fetch_backoff: cache::Backoff,
    pub(crate) org_policy_capacity: usize,
    /// The client's configured per-attempt timeout, which every shared fetch
    /// uses whichever handle started it.
    pub(crate) fetch_timeout: Duration,
    /// Built for verification only (no project secret): keys come from the
    /// project domain's public key set, and nothing that needs the secret
    /// (the RBAC policy) is fetched.
    pub(crate) verification_only: bool,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            jwks_max_age: DEFAULT_JWKS_MAX_AGE,
            jwks_refresh_interval: DEFAULT_JWKS_REFRESH_INTERVAL,
            policy_max_age: DEFAULT_RBAC_POLICY_MAX_AGE,
            custom_domain: None,
            api_issuer: None,
            cache_grace: DEFAULT_CACHE_GRACE_PERIOD,
            fetch_backoff: cache::Backoff {
                initial: DEFAULT_FETCH_BACKOFF,
                max: DEFAULT_FETCH_BACKOFF_MAX,
            },
            org_policy_capacity: DEFAULT_ORG_POLICY_CACHE_CAPACITY,
            fetch_timeout: crate::client::DEFAULT_TIMEOUT,
            verification_only: false,
        }
    }
}

impl AuthConfig {
    #[cfg(any(feature = "consumer", feature = "b2b"))]
    pub(crate) fn policy_lifetimes(&self) -> cache::Lifetimes {
        cache::Lifetimes {
            max_age: self.policy_max_age,
            grace: self.cache_grace,
            backoff: self.fetch_backoff,
        }
    }
}

/// Per-client verification state, owned by the client beside its transport.
#[cfg_attr(not(any(feature = "consumer", feature = "b2b")), allow(dead_code))]
pub(crate) struct AuthState {
    pub(crate) config: AuthConfig,
    /// Every `iss` value accepted for this project.
    pub(crate) issuers: Vec<String>,
    /// One key set cache per verifying product, at its `SLOT`.
    #[cfg(any(feature = "consumer", feature = "b2b"))]
    jwks: [JwksCache; VERIFYING_PRODUCTS],
    /// One policy cache per verifying product, at its `SLOT`.
    #[cfg(any(feature = "consumer", feature = "b2b"))]
    policies: [PolicyCache; VERIFYING_PRODUCTS],
    #[cfg(feature = "b2b")]
    org_policies: OrgPolicyCache,
}

impl AuthState {
    pub(crate) fn new(project_id: &str, config: AuthConfig) -> Self {
        let mut issuers = vec![format!("stytch.com/{project_id}")];
        if let Some(domain) = &config.custom_domain {
            issuers.push(domain.clone());
            issuers.push(format!("https://{domain}"));
        }
        if let Some(base) = &config.api_issuer
            && !issuers.contains(base)
        {
            issuers.push(base.clone());
        }
        Self {
            config,
            issuers,
            #[cfg(any(feature = "consumer", feature = "b2b"))]
            jwks: std::array::from_fn(|_| JwksCache::new()),
            #[cfg(any(feature = "consumer", feature = "b2b"))]
            policies: std::array::from_fn(|_| PolicyCache::new()),
            #[cfg(feature = "b2b")]
            org_policies: OrgPolicyCache::new(),
        }
    }

    #[cfg(feature = "b2b")]
    pub(crate) fn org_policies(&self) -> &OrgPolicyCache {
        &self.org_policies
    }

    /// The key set cache of product `P`.
    #[cfg(any(feature = "consumer", feature = "b2b"))]
    pub(crate) fn jwks<P: VerifyingProduct>(&self) -> &JwksCache {
        &self.jwks[P::SLOT]
    }

    /// The policy cache of product `P`.
    #[cfg(any(feature = "consumer", feature = "b2b"))]
    pub(crate) fn policy<P: VerifyingProduct>(&self) -> &PolicyCache {
        &self.policies[P::SLOT]
    }
}

/// The handle a shared fetch (key set, policy, organization policy, M2M
/// token) sends with: the client's configured timeout and no extra headers,
/// whatever the handle that started the fetch was given (`with_options`,
/// `with_timeout`, `with_retry`), and one attempt, because the caches answer
/// failures themselves (single flight, backoff, grace period); retries on
/// top would keep every waiting verification blocked for several timeouts.
#[cfg(any(feature = "consumer", feature = "b2b"))]
pub(crate) fn for_fetch(core: &Core) -> Core {
    let timeout = core.auth().config.fetch_timeout;
    core.with_options(crate::runtime::RequestOptions::new(
        timeout,
        crate::retry::RetryPolicy::disabled(),
    ))
}

/// Refuses, before any request, a fetch that needs the project secret on a
/// client built for verification only.
#[cfg(any(feature = "consumer", feature = "b2b"))]
pub(crate) fn needs_secret(core: &Core, what: &str) -> Result<(), crate::Error> {
    if !core.auth().config.verification_only {
        return Ok(());
    }
    Err(crate::Error::Config(format!(
        "the {what} is served only to clients holding the project secret; this client was \
         built with `build_verifier` for local token checks without it, so checks that \
         need the {what} (authorization checks) are not available"
    )))
}

/// Sends a generated request but decodes the answer as `T`.
///
/// Used where auth reads an answer with its own types rather than the
/// generated response type: the tolerant key set, and the parts of policy
/// and token answers that every product shares. Path, method, headers and
/// error handling stay those of the generated request.
pub(crate) struct DecodeAs<R, T>(R, std::marker::PhantomData<fn() -> T>);

impl<R: serde::Serialize, T> serde::Serialize for DecodeAs<R, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<R: crate::runtime::Endpoint, T: serde::de::DeserializeOwned + Send> crate::runtime::Endpoint
    for DecodeAs<R, T>
{
    type Response = T;
    const ID: &'static str = R::ID;
    const METHOD: reqwest::Method = R::METHOD;
    const HOST: crate::runtime::Host = R::HOST;
    const ENCODING: crate::runtime::Encoding = R::ENCODING;
    const IDEMPOTENT: bool = R::IDEMPOTENT;
    fn path(&self, project_id: &str) -> Result<String, crate::Error> {
        self.0.path(project_id)
    }
    fn check(&self) -> Result<(), crate::Error> {
        self.0.check()
    }
    fn headers(&self, out: &mut reqwest::header::HeaderMap) -> Result<(), crate::Error> {
        self.0.headers(out)
    }
}

impl<R, T> DecodeAs<R, T> {
    pub(crate) fn new(request: R) -> Self {
        Self(request, std::marker::PhantomData)
    }
}

/// The backoff of the caches, for the client builder.
pub(crate) fn cache_backoff(initial: Duration, max: Duration) -> cache::Backoff {
    cache::Backoff { initial, max }
}

/// Checks a custom domain given to the client builder and returns it in the
/// form used in issuers: the bare host (and port), without scheme or slash.
pub(crate) fn normalize_domain(domain: &str) -> Result<String, String> {
    let trimmed = domain.trim();
    let host = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .unwrap_or(trimmed)
        .trim_end_matches('/');
    if host.is_empty() || host.contains(['/', ' ', '?', '#', '@']) {
        return Err(format!(
            "custom domain `{domain}` must be a host name such as `login.example.com`"
        ));
    }
    Ok(host.to_ascii_lowercase())
}
