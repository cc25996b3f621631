//! The local option of network token introspection: the answer must say the
//! token is active, and the token's scopes must grant the requested
//! permission under the project's cached RBAC policy.
//!
//! The introspection endpoint itself (RFC 7662) knows nothing of permissions;
//! the spec marks `authorization_check` as `in: local`, so the generated
//! request never sends it and hands the decoded answer to the
//! [`LocalCheck`] implementations below.

use super::access_token::check_scopes;
#[cfg(feature = "b2b")]
use super::access_token::check_tenancy;
use super::{AuthError, Vertical};
use crate::error::Error;
use crate::runtime::{LocalCheck, Transport};

/// Fails for an inactive token, whatever else the answer holds.
fn require_active(active: bool) -> Result<(), Error> {
    if active {
        Ok(())
    } else {
        Err(AuthError::InactiveToken.into())
    }
}

/// Checks the token's scopes (`scope`, space separated) against the cached
/// project policy of `vertical`, as local introspection does.
async fn scopes_grant(
    transport: &Transport,
    vertical: Vertical,
    scope: Option<&str>,
    resource_id: &str,
    action: &str,
) -> Result<(), Error> {
    let scopes: Vec<&str> = scope.unwrap_or_default().split_whitespace().collect();
    Ok(check_scopes(transport, vertical, &scopes, resource_id, action).await?)
}

#[cfg(feature = "consumer")]
impl LocalCheck<crate::consumer::idp::IntrospectTokenNetworkResponse>
    for Option<crate::consumer::models::sessions::AuthorizationCheck>
{
    async fn apply(
        &self,
        transport: &Transport,
        response: crate::consumer::idp::IntrospectTokenNetworkResponse,
    ) -> Result<crate::consumer::idp::IntrospectTokenNetworkResponse, Error> {
        require_active(response.active)?;
        if let Some(check) = self {
            scopes_grant(
                transport,
                Vertical::Consumer,
                response.scope.as_deref(),
                &check.resource_id,
                &check.action,
            )
            .await?;
        }
        Ok(response)
    }
}

/// Claim of a B2B access token naming the organization it was issued in.
#[cfg(feature = "b2b")]
pub const ORGANIZATION_CLAIM: &str = "https://stytch.com/organization";

#[cfg(feature = "b2b")]
impl crate::b2b::idp::IntrospectTokenNetworkResponse {
    /// The id of the organization the token was issued in, read from the
    /// [`ORGANIZATION_CLAIM`] among the custom claims.
    pub fn organization_id(&self) -> Option<&str> {
        self.custom_claims
            .get(ORGANIZATION_CLAIM)?
            .get("organization_id")?
            .as_str()
    }
}

#[cfg(feature = "b2b")]
impl LocalCheck<crate::b2b::idp::IntrospectTokenNetworkResponse>
    for Option<crate::b2b::models::sessions::AuthorizationCheck>
{
    async fn apply(
        &self,
        transport: &Transport,
        response: crate::b2b::idp::IntrospectTokenNetworkResponse,
    ) -> Result<crate::b2b::idp::IntrospectTokenNetworkResponse, Error> {
        require_active(response.active)?;
        if let Some(check) = self {
            // Tenancy first: a token of another organization is refused
            // before any policy lookup.
            let actual = response.organization_id().unwrap_or_default();
            check_tenancy(&check.organization_id, actual)?;
            scopes_grant(
                transport,
                Vertical::B2b,
                response.scope.as_deref(),
                &check.resource_id,
                &check.action,
            )
            .await?;
        }
        Ok(response)
    }
}
