//! The error of local token and permission checks.
//!
//! It lives with the other errors, not in `auth`, so that the error types
//! (part of the runtime) depend on nothing above them; `auth` re-exports it.

use std::time::Duration;

use time::OffsetDateTime;

/// Why a token, permission or scope check failed.
///
/// It reaches callers wrapped in [`crate::Error::Auth`]. Each variant is one
/// distinct reason, so a handler can tell "log in again" (for example
/// [`Expired`](AuthError::Expired)) from "not allowed"
/// ([`PermissionDenied`](AuthError::PermissionDenied)) from "try later"
/// ([`Fetch`](AuthError::Fetch)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token is not a well-formed JWT: wrong number of segments, bad
    /// base64url, a header or claims set that is not a JSON object, a missing
    /// or mistyped claim, or Stytch claims that do not decode.
    #[error("malformed token: {0}")]
    Malformed(String),

    /// The token is longer than `auth::MAX_TOKEN_LEN` and was not decoded.
    #[error("token is {size} bytes long; at most {limit} are accepted")]
    TooLarge {
        /// Length of the token received.
        size: usize,
        /// The limit it broke.
        limit: usize,
    },

    /// The token's header names an algorithm other than `RS256` (such as
    /// `none` or `HS256`), or carries critical extensions this SDK does not know.
    #[error("token algorithm `{alg}` is not accepted; only RS256 is")]
    UnsupportedAlgorithm {
        /// The `alg` of the token header.
        alg: String,
    },

    /// The key the token names is not an RSA signing key for the token's algorithm.
    #[error("token algorithm `{token}` does not match its key, which is declared as {key}")]
    AlgorithmMismatch {
        /// The `alg` of the token header.
        token: String,
        /// What the key declares (`kty`, `alg`, `use`).
        key: String,
    },

    /// The token's `kid` is not in the project's key set, even after a
    /// refresh (or a refresh was not allowed yet by the rate limit).
    #[error("no key with id `{kid}` in the project's key set")]
    UnknownKey {
        /// The `kid` of the token header.
        kid: String,
    },

    /// The signature does not match the token's contents.
    #[error("token signature is invalid")]
    InvalidSignature,

    /// The token was issued by someone other than this project.
    #[error("token issuer {issuer:?} is not this project")]
    WrongIssuer {
        /// The `iss` claim, when present.
        issuer: Option<String>,
    },

    /// The token's audience does not include this project.
    #[error("token audience {audience:?} does not include this project")]
    WrongAudience {
        /// The `aud` claim as a list (empty when absent).
        audience: Vec<String>,
    },

    /// The token's `exp` has passed.
    #[error("token expired at {expired_at}")]
    Expired {
        /// The `exp` claim.
        expired_at: OffsetDateTime,
    },

    /// The token's `nbf` or `iat` lies in the future.
    #[error("token is not valid before {valid_from}")]
    NotYetValid {
        /// The later of `nbf` and `iat`.
        valid_from: OffsetDateTime,
    },

    /// The token has not expired but is older than the maximum age allowed
    /// for local verification (an expired token is [`Expired`](Self::Expired)
    /// whatever its age). `authenticate_jwt` answers this by asking the API.
    #[error("token issued at {issued_at} is older than {max_age:?}, too old to verify locally")]
    TooOld {
        /// The `iat` claim.
        issued_at: OffsetDateTime,
        /// The maximum age in force.
        max_age: Duration,
    },

    /// Nothing the session or token holds (its roles, or its scopes for
    /// access tokens) grants the action on the resource.
    #[error("permission denied: `{action}` on `{resource_id}` is not granted")]
    PermissionDenied {
        /// The resource that was checked.
        resource_id: String,
        /// The action that was checked.
        action: String,
    },

    /// Token introspection answered that the token is not active: it expired,
    /// was revoked, or was never issued by this project.
    #[error("the token is not active")]
    InactiveToken,

    /// An M2M token lacks a scope the caller requires.
    #[error("token lacks the required scope `{scope}`")]
    MissingScope {
        /// The first required scope that no granted scope covers.
        scope: String,
    },

    /// A B2B authorization check named an organization other than the member's own.
    #[error(
        "tenancy mismatch: the check is for organization `{requested}` but the member belongs to `{actual}`"
    )]
    TenancyMismatch {
        /// The organization of the authorization check.
        requested: String,
        /// The organization of the member session.
        actual: String,
    },

    /// Fetching the key set, the RBAC policy or an organization's policy
    /// failed (network error, error status, or an answer that does not
    /// decode), and no cached copy within its grace period could stand in.
    ///
    /// Callers that joined the same fetch, or arrived during the backoff
    /// after it, share one error, hence the [`Arc`](std::sync::Arc).
    #[error("could not fetch the {what}: {source}")]
    Fetch {
        /// What was being fetched: `key set`, `RBAC policy` or
        /// `organization RBAC policy`.
        what: &'static str,
        /// The underlying SDK error.
        #[source]
        source: std::sync::Arc<crate::Error>,
    },

    /// The token is a valid Stytch token of another kind than the call
    /// accepts, such as a session JWT given where an M2M or OAuth access
    /// token is expected.
    #[error("expected {expected}, got {found}")]
    WrongTokenType {
        /// The kind of token the call accepts.
        expected: &'static str,
        /// What the token looks like instead.
        found: &'static str,
    },

    /// The token is opaque (not a JWT), such as an OAuth refresh token; only
    /// the API can tell whether it is active.
    #[error(
        "the token is opaque (not a JWT), such as a refresh token; introspect it with `introspect_token_network` instead"
    )]
    OpaqueToken,

    /// The custom claims do not decode into the type asked for.
    #[error("custom claim at `{path}` does not decode: {message}")]
    CustomClaims {
        /// Path of the claim that did not fit, such as `limits.seats` (`.`
        /// for the claims object itself).
        path: String,
        /// What was wrong with it.
        message: String,
    },
}

impl AuthError {
    #[cfg(any(feature = "consumer", feature = "b2b"))]
    pub(crate) fn malformed(message: impl Into<String>) -> Self {
        AuthError::Malformed(message.into())
    }
}
