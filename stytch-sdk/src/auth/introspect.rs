//! Network token introspection: the hand-written public
//! `idp().introspect_token_network` of each product, which sends the
//! generated request, requires an active token, returns the same
//! [`AccessTokenClaims`] as local introspection and applies the request's
//! authorization check.
//!
//! The introspection endpoint itself (RFC 7662) knows nothing of permissions:
//! the spec marks `authorization_check` as `in: local`, so the generated
//! request never sends it and the generator leaves the public method to this
//! module (it renders only the crate-private `introspect_token_network_unchecked`).
//! Every call therefore passes through the check below when the caller set one.

use serde::Deserialize as _;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::AuthError;
#[cfg(feature = "consumer")]
use super::access_token::authorize;
#[cfg(feature = "b2b")]
use super::access_token::authorize_in_organization;
use super::access_token::{AccessTokenClaims, OrganizationClaim};
use crate::error::{Error, RawBody};

/// Claim of a B2B access token naming the organization it was issued in.
#[cfg(feature = "b2b")]
pub const ORGANIZATION_CLAIM: &str = "https://stytch.com/organization";

/// The fields of an introspection answer, common to both products.
struct Answer {
    endpoint: &'static str,
    active: bool,
    sub: Option<String>,
    scope: Option<String>,
    aud: Option<Vec<String>>,
    exp: Option<i64>,
    iat: Option<i64>,
    iss: Option<String>,
    nbf: Option<i64>,
    client_id: Option<String>,
    token_type: Option<String>,
    custom_claims: Map<String, Value>,
}

/// A decoding error naming the answer's field.
fn bad_answer(endpoint: &'static str, path: &str, message: &str) -> Error {
    Error::Decode {
        endpoint,
        path: path.to_owned(),
        message: message.to_owned(),
        body: RawBody::new(b""),
    }
}

/// A NumericDate of the answer as a time.
fn answer_time(endpoint: &'static str, name: &str, secs: i64) -> Result<OffsetDateTime, Error> {
    OffsetDateTime::from_unix_timestamp(secs)
        .map_err(|_| bad_answer(endpoint, name, "a time in seconds since the Unix epoch"))
}

impl Answer {
    /// The claims of an active token; an inactive one is
    /// [`AuthError::InactiveToken`]. An active answer must name the subject
    /// and the issue and expiry times (the fields local verification
    /// requires of the token itself).
    fn into_claims(self) -> Result<AccessTokenClaims, Error> {
        let endpoint = self.endpoint;
        if !self.active {
            return Err(AuthError::InactiveToken.into());
        }
        let missing = |name: &str| bad_answer(endpoint, name, "present for an active token");
        let sub = self.sub.ok_or_else(|| missing("sub"))?;
        let exp = answer_time(endpoint, "exp", self.exp.ok_or_else(|| missing("exp"))?)?;
        let iat = answer_time(endpoint, "iat", self.iat.ok_or_else(|| missing("iat"))?)?;
        let nbf = self
            .nbf
            .map(|secs| answer_time(endpoint, "nbf", secs))
            .transpose()?;
        let mut custom_claims = self.custom_claims;
        let organization = match custom_claims.remove(super::claims::ORGANIZATION_CLAIM) {
            None | Some(Value::Null) => None,
            Some(value) => Some(OrganizationClaim::deserialize(value).map_err(|e| {
                bad_answer(
                    endpoint,
                    super::claims::ORGANIZATION_CLAIM,
                    &format!("an organization claim ({e})"),
                )
            })?),
        };
        Ok(AccessTokenClaims {
            active: true,
            sub,
            scope: self.scope.unwrap_or_default(),
            aud: self.aud.unwrap_or_default(),
            exp,
            iat,
            iss: self.iss.unwrap_or_default(),
            nbf,
            client_id: self.client_id.unwrap_or_default(),
            token_type: self.token_type.unwrap_or_else(|| "access_token".to_owned()),
            organization,
            custom_claims,
        })
    }
}

macro_rules! answer_from {
    ($feature:literal, $response:ty) => {
        #[cfg(feature = $feature)]
        impl From<$response> for Answer {
            fn from(r: $response) -> Self {
                Self {
                    endpoint: <$response as AnswerOf>::ENDPOINT,
                    active: r.active,
                    sub: r.sub,
                    scope: r.scope,
                    aud: r.aud,
                    exp: r.exp,
                    iat: r.iat,
                    iss: r.iss,
                    nbf: r.nbf,
                    client_id: r.client_id,
                    token_type: r.token_type,
                    custom_claims: r.custom_claims.into_iter().collect(),
                }
            }
        }
    };
}

/// The endpoint id an answer type belongs to, for errors.
trait AnswerOf {
    const ENDPOINT: &'static str;
}

#[cfg(feature = "consumer")]
impl AnswerOf for crate::consumer::idp::IntrospectTokenNetworkResponse {
    const ENDPOINT: &'static str = "consumer.idp.introspect_token_network";
}

#[cfg(feature = "b2b")]
impl AnswerOf for crate::b2b::idp::IntrospectTokenNetworkResponse {
    const ENDPOINT: &'static str = "b2b.idp.introspect_token_network";
}

answer_from!(
    "consumer",
    crate::consumer::idp::IntrospectTokenNetworkResponse
);
answer_from!("b2b", crate::b2b::idp::IntrospectTokenNetworkResponse);

#[cfg(feature = "consumer")]
impl crate::consumer::idp::Idp<'_> {
    /// Asks the identity provider whether a token it issued is still active
    /// (RFC 7662 token introspection), and returns its claims in the same
    /// shape as [`introspect_token_local`](Self::introspect_token_local).
    ///
    /// Unlike local verification, this round trip also catches revoked
    /// tokens and judges opaque ones (refresh tokens). Sends
    /// `POST /v1/public/{project_id}/oauth2/introspect`, form-encoded.
    ///
    /// - An inactive token (expired, revoked or never issued) fails with
    ///   [`AuthError::InactiveToken`].
    /// - With the request's `authorization_check` (never sent), one of the
    ///   token's scopes must grant the action on the resource under the
    ///   project's cached RBAC policy, or the call fails with
    ///   [`AuthError::PermissionDenied`].
    pub async fn introspect_token_network(
        &self,
        request: crate::consumer::idp::IntrospectTokenNetworkRequest,
    ) -> Result<AccessTokenClaims, Error> {
        let check = request.authorization_check.clone();
        let answer = self.introspect_token_network_unchecked(request).await?;
        let claims = Answer::from(answer).into_claims()?;
        if let Some(check) = check {
            type Product = crate::consumer::ConsumerProduct;
            authorize::<Product>(self.core, &claims, &check.resource_id, &check.action).await?;
        }
        Ok(claims)
    }
}

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
impl crate::b2b::idp::Idp<'_> {
    /// Asks the identity provider whether a token it issued is still active
    /// (RFC 7662 token introspection), and returns its claims in the same
    /// shape as [`introspect_token_local`](Self::introspect_token_local),
    /// the member's organization included.
    ///
    /// Sends `POST /v1/public/{project_id}/oauth2/introspect`, form-encoded.
    ///
    /// - An inactive token fails with [`AuthError::InactiveToken`].
    /// - With the request's `authorization_check` (never sent), the token's
    ///   organization must be the check's ([`AuthError::TenancyMismatch`]
    ///   otherwise, before any policy lookup) and one of its scopes must
    ///   grant the action on the resource under the project's cached RBAC
    ///   policy ([`AuthError::PermissionDenied`] otherwise).
    pub async fn introspect_token_network(
        &self,
        request: crate::b2b::idp::IntrospectTokenNetworkRequest,
    ) -> Result<AccessTokenClaims, Error> {
        let check = request.authorization_check.clone();
        let answer = self.introspect_token_network_unchecked(request).await?;
        let claims = Answer::from(answer).into_claims()?;
        if let Some(check) = check {
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
    }
}
