//! Local introspection of OAuth access tokens issued to Connected Apps
//! (Stytch as identity provider), the local twin of the
//! `idp.introspect_token_network` endpoint.

use serde::Deserialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::AuthError;
use super::claims::{self, ORGANIZATION_CLAIM};
use super::verify::{self, TimeRules};
use crate::client::Core;
use crate::runtime::VerifyingProduct;

/// The organization an access token was issued in (B2B), from the
/// `https://stytch.com/organization` claim.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct OrganizationClaim {
    /// The organization id.
    pub organization_id: String,
    /// The organization's slug (empty when the claim has none).
    #[serde(default)]
    pub slug: String,
}

/// What an OAuth access token says, named as in an RFC 7662 introspection
/// response: the answer of both `introspect_token_local` (verified here) and
/// `introspect_token_network` (as the identity provider reports it).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AccessTokenClaims {
    /// Always `true`: a token that is not active fails verification instead.
    pub active: bool,
    /// The user or member the token acts for.
    pub sub: String,
    /// The granted scopes, space-separated as in the token.
    pub scope: String,
    /// The audiences (the project id among them).
    pub aud: Vec<String>,
    /// Expiry.
    pub exp: OffsetDateTime,
    /// Issue time.
    pub iat: OffsetDateTime,
    /// Issuer (`stytch.com/<project_id>`, the custom domain or API base URL).
    pub iss: String,
    /// Start of validity, when the token names one.
    pub nbf: Option<OffsetDateTime>,
    /// The Connected App client the token was issued to.
    pub client_id: String,
    /// Always `access_token`.
    pub token_type: String,
    /// The organization (B2B tokens).
    pub organization: Option<OrganizationClaim>,
    /// Every other claim of the token (including `jti` when present), keyed
    /// by name.
    pub custom_claims: Map<String, Value>,
}

impl AccessTokenClaims {
    /// Claims of an active access token for `sub`, issued to the Connected
    /// App `client_id` now and valid for an hour, with no scope, no
    /// organization and no custom claims; for tests of code that receives
    /// claims. Change the public fields to shape the token:
    ///
    /// ```
    /// use stytch_sdk::auth::AccessTokenClaims;
    ///
    /// let mut claims = AccessTokenClaims::for_test("user-test-1", "connected-app-test-1");
    /// claims.scope = "openid read:documents".into();
    /// assert_eq!(claims.scopes(), ["openid", "read:documents"]);
    /// assert!(claims.exp > claims.iat);
    /// ```
    #[cfg(feature = "test-util")]
    pub fn for_test(sub: impl Into<String>, client_id: impl Into<String>) -> Self {
        let iat = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        Self {
            active: true,
            sub: sub.into(),
            scope: String::new(),
            aud: Vec::new(),
            exp: iat + time::Duration::hours(1),
            iat,
            iss: String::new(),
            nbf: None,
            client_id: client_id.into(),
            token_type: "access_token".to_owned(),
            organization: None,
            custom_claims: Map::new(),
        }
    }

    /// The granted scopes, one by one.
    pub fn scopes(&self) -> Vec<&str> {
        self.scope.split_whitespace().collect()
    }

    /// Decodes [`custom_claims`](Self::custom_claims) into `T`; a claim of
    /// the wrong shape fails with [`AuthError::CustomClaims`] naming its path.
    pub fn custom_claims_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, AuthError> {
        claims::decode_custom_claims(&Value::Object(self.custom_claims.clone()))
    }
}

/// Verifies an access token with the key set of product `P` and reads its claims.
async fn verify_access_token<P: VerifyingProduct>(
    core: &Core,
    token: &str,
    tolerance: std::time::Duration,
) -> Result<AccessTokenClaims, AuthError> {
    if !token.contains('.') {
        return Err(AuthError::OpaqueToken);
    }
    let rules = TimeRules {
        max_age: None,
        tolerance,
    };
    // The registered claims come back checked and apart from the rest.
    let verified = verify::verify::<P, claims::AccessTokenParts>(core, token, rules).await?;
    let parts = verified.claims;
    if parts.has_session {
        return Err(AuthError::WrongTokenType {
            expected: "an OAuth access token",
            found: "a session JWT",
        });
    }
    let scope = match parts.scope {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(scope)) => scope,
        Some(_) => return Err(AuthError::malformed("`scope` is not a string")),
    };
    let client_id = match parts.client_id {
        Some(Value::String(id)) if !id.is_empty() => id,
        _ => {
            return Err(AuthError::malformed(
                "`client_id` is missing or not a string; not an OAuth access token",
            ));
        }
    };
    let organization = match parts.organization {
        None | Some(Value::Null) => None,
        Some(value) => Some(OrganizationClaim::deserialize(value).map_err(|e| {
            AuthError::malformed(format!("`{ORGANIZATION_CLAIM}` does not decode: {e}"))
        })?),
    };
    Ok(AccessTokenClaims {
        active: true,
        sub: verified.subject,
        scope,
        aud: verified.audience,
        exp: verified.expires_at,
        iat: verified.issued_at,
        iss: verified.issuer,
        nbf: verified.not_before,
        client_id,
        token_type: "access_token".to_owned(),
        organization,
        // What is left once the fields above have been taken out.
        custom_claims: parts.rest,
    })
}

/// Checks that one of the token's scopes grants `action` on `resource_id`
/// under the cached project policy of product `P` (local and network
/// introspection alike).
pub(crate) async fn authorize<P: VerifyingProduct>(
    core: &Core,
    claims: &AccessTokenClaims,
    resource_id: &str,
    action: &str,
) -> Result<(), AuthError> {
    let policy = core.auth().policy::<P>().get::<P>(core).await?;
    policy.check_scopes(&claims.scopes(), resource_id, action)
}

/// The B2B check of a token (local and network introspection alike): the
/// token's organization (none counts as empty) must be `organization_id`,
/// checked before any policy lookup, and then one of its scopes must grant
/// `action` on `resource_id`.
#[cfg(feature = "b2b")]
pub(crate) async fn authorize_in_organization(
    core: &Core,
    claims: &AccessTokenClaims,
    organization_id: &str,
    resource_id: &str,
    action: &str,
) -> Result<(), AuthError> {
    let actual = claims
        .organization
        .as_ref()
        .map(|org| org.organization_id.as_str())
        .unwrap_or_default();
    if organization_id != actual {
        return Err(AuthError::TenancyMismatch {
            requested: organization_id.to_owned(),
            actual: actual.to_owned(),
        });
    }
    authorize::<crate::b2b::B2bProduct>(core, claims, resource_id, action).await
}

#[cfg(feature = "consumer")]
impl crate::consumer::idp::Idp<'_> {
    /// Verifies an OAuth access token issued to a Connected App locally and
    /// returns its claims, with no API call once the key set is cached.
    ///
    /// The token must be an RS256 JWT signed with one of the project's keys,
    /// issued by the project (`stytch.com/<project_id>`, the custom domain or
    /// the configured API base URL), for the project (`aud`), and within
    /// `exp`/`nbf`/`iat` give or take `options.clock_tolerance`. A session
    /// JWT fails with [`AuthError::WrongTokenType`]; an opaque token (such
    /// as a refresh token) with [`AuthError::OpaqueToken`]: only
    /// [`introspect_token_network`](Self::introspect_token_network) can
    /// judge those, and revocation before expiry.
    ///
    /// With `options.authorization_check`, one of the token's scopes must
    /// grant the action on the resource under the `scopes` section of the
    /// project's RBAC policy ([`RbacPolicy::scopes_grant`](super::RbacPolicy::scopes_grant)),
    /// or the call fails with [`AuthError::PermissionDenied`].
    pub fn introspect_token_local<'a>(
        &'a self,
        access_token: &'a str,
        options: &'a super::AccessTokenOptions,
    ) -> crate::auth::AuthFuture<'a, AccessTokenClaims> {
        Box::pin(async move {
            type Product = crate::consumer::ConsumerProduct;
            let claims =
                verify_access_token::<Product>(self.core, access_token, options.clock_tolerance)
                    .await?;
            if let Some(check) = &options.authorization_check {
                authorize::<Product>(self.core, &claims, &check.resource_id, &check.action).await?;
            }
            Ok(claims)
        })
    }
}

#[cfg(feature = "b2b")]
impl crate::b2b::idp::Idp<'_> {
    /// Verifies an OAuth access token issued to a Connected App locally and
    /// returns its claims, including the member's organization.
    ///
    /// Same rules as the consumer `introspect_token_local`. With
    /// `options.authorization_check`, the token's organization must be the
    /// check's ([`AuthError::TenancyMismatch`] otherwise, before any policy
    /// lookup) and one of its scopes must grant the action on the resource
    /// under the project's RBAC policy, or the call fails with
    /// [`AuthError::PermissionDenied`].
    pub fn introspect_token_local<'a>(
        &'a self,
        access_token: &'a str,
        options: &'a super::OrganizationAccessTokenOptions,
    ) -> crate::auth::AuthFuture<'a, AccessTokenClaims> {
        Box::pin(async move {
            type Product = crate::b2b::B2bProduct;
            let claims =
                verify_access_token::<Product>(self.core, access_token, options.clock_tolerance)
                    .await?;
            if let Some(check) = &options.authorization_check {
                authorize_in_organization(
                    self.core,
                    &claims,
                    &check.organization_id,
                    &check.resource_id,
                    &check.action,
                )
                .await?;
            }
            Ok(claims)
        })
    }
}
