//! M2M access tokens: local verification and scope checks.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::AuthError;
#[cfg(any(feature = "consumer", feature = "b2b"))]
use super::verify::{self, TimeRules};
#[cfg(any(feature = "consumer", feature = "b2b"))]
use super::{M2mTokenOptions, claims};
#[cfg(any(feature = "consumer", feature = "b2b"))]
use crate::client::Core;
use crate::runtime::VerifyingProduct;

/// What a verified M2M access token says.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct M2mClaims {
    /// The M2M client the token was issued to (`sub`).
    pub client_id: String,
    /// The scopes granted, from the space-separated `scope` claim.
    pub scopes: Vec<String>,
    /// Claims that are neither registered JWT claims, `scope`, nor Stytch's own.
    pub custom_claims: Map<String, Value>,
    /// When the token was issued (`iat`).
    pub issued_at: OffsetDateTime,
    /// When the token expires (`exp`).
    pub expires_at: OffsetDateTime,
}

impl M2mClaims {
    /// Decodes [`custom_claims`](Self::custom_claims) into `T` (any
    /// [`serde::Deserialize`] type); a claim of the wrong shape fails with
    /// [`AuthError::CustomClaims`] naming its path.
    #[cfg(any(feature = "consumer", feature = "b2b"))]
    pub fn custom_claims_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, AuthError> {
        claims::decode_custom_claims(&Value::Object(self.custom_claims.clone()))
    }
}

/// Whether the `granted` scope covers the `required` one.
///
/// Scopes are either `action:resource` or a plain name. A granted scope
/// covers an identical required one, and a granted `action:*` covers
/// `action:<any resource>`. A plain name is covered only by itself, and
/// nothing but `action:*` covers `action:*`.
///
/// ```
/// use stytch_sdk::auth::scope_grants;
///
/// assert!(scope_grants("read:users", "read:users"));
/// assert!(scope_grants("read:*", "read:invoices"));
/// assert!(!scope_grants("read:*", "write:invoices"));
/// assert!(!scope_grants("read:users", "read:*"));
/// assert!(scope_grants("admin", "admin"));
/// assert!(!scope_grants("read:*", "read"));
/// ```
pub fn scope_grants(granted: &str, required: &str) -> bool {
    if granted == required {
        return true;
    }
    match (granted.split_once(':'), required.split_once(':')) {
        (Some((granted_action, "*")), Some((required_action, _))) => {
            granted_action == required_action
        }
        _ => false,
    }
}

/// Checks that the `granted` scopes cover every `required` one (see
/// [`scope_grants`]), failing with [`AuthError::MissingScope`] naming the
/// first that is not covered.
///
/// ```
/// use stytch_sdk::auth::{AuthError, check_scopes};
///
/// let granted = ["read:*", "write:users"];
/// assert!(check_scopes(&granted, &["read:invoices", "write:users"]).is_ok());
/// let err = check_scopes(&granted, &["write:invoices"]).unwrap_err();
/// assert!(matches!(err, AuthError::MissingScope { scope } if scope == "write:invoices"));
/// ```
pub fn check_scopes<G: AsRef<str>, R: AsRef<str>>(
    granted: &[G],
    required: &[R],
) -> Result<(), AuthError> {
    for required in required {
        let required = required.as_ref();
        if !granted
            .iter()
            .any(|granted| scope_grants(granted.as_ref(), required))
        {
            return Err(AuthError::MissingScope {
                scope: required.to_owned(),
            });
        }
    }
    Ok(())
}

/// Verifies an M2M access token with the key set of product `P`.
#[cfg(any(feature = "consumer", feature = "b2b"))]
pub(crate) async fn authenticate<P: VerifyingProduct>(
    core: &Core,
    token: &str,
    options: &M2mTokenOptions,
) -> Result<M2mClaims, AuthError> {
    let rules = TimeRules {
        max_age: options.max_token_age,
        tolerance: options.clock_tolerance,
    };
    let verified = verify::verify::<P, claims::M2mParts>(core, token, rules).await?;
    let parts = verified.claims;
    // A genuine session JWT or user access token is signed with the same
    // keys; it must not pass for a machine's credentials.
    if let Some(found) =
        claims::user_bound_kind(parts.has_session, parts.has_organization, &verified.subject)
    {
        return Err(AuthError::WrongTokenType {
            expected: "an M2M access token",
            found,
        });
    }
    let scopes = match parts.scope {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(scope)) => scope.split_whitespace().map(str::to_owned).collect(),
        Some(_) => return Err(AuthError::malformed("`scope` is not a string")),
    };
    check_scopes(&scopes, &options.required_scopes)?;
    Ok(M2mClaims {
        client_id: verified.subject,
        scopes,
        custom_claims: parts.custom,
        issued_at: verified.issued_at,
        expires_at: verified.expires_at,
    })
}

macro_rules! m2m_impl {
    ($feature:literal, $handle:ty, $product:ty) => {
        #[cfg(feature = $feature)]
        impl $handle {
            /// Verifies an M2M access token locally and checks that it grants
            /// every scope in `options.required_scopes`.
            ///
            /// Only M2M access tokens pass: a session JWT (consumer or B2B) or
            /// an access token issued for a user or member, though signed with
            /// the same keys, fails with [`AuthError::WrongTokenType`], with or
            /// without required scopes.
            ///
            /// The token must be signed with one of the project's keys (fetched
            /// and cached on first use), be issued by the project for the
            /// project, and be within its validity period. A missing scope
            /// fails with [`AuthError::MissingScope`] naming it.
            ///
            /// Get tokens to send with the `token` endpoint of this handle.
            pub fn authenticate_token<'a>(
                &'a self,
                access_token: &'a str,
                options: &'a M2mTokenOptions,
            ) -> crate::auth::AuthFuture<'a, M2mClaims> {
                Box::pin(async move {
                    Ok(authenticate::<$product>(self.core, access_token, options).await?)
                })
            }
        }
    };
}

m2m_impl!(
    "consumer",
    crate::consumer::m2m::M2m<'_>,
    crate::consumer::ConsumerProduct
);
m2m_impl!("b2b", crate::b2b::m2m::M2m<'_>, crate::b2b::B2bProduct);
