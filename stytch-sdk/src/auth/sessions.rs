//! `authenticate_jwt` and `authenticate_jwt_local` on the sessions handles.

use super::AuthError;
#[cfg(any(feature = "consumer", feature = "b2b"))]
use super::claims;
#[cfg(any(feature = "consumer", feature = "b2b"))]
use super::verify::{self, Rejection, TimeRules};
#[cfg(any(feature = "consumer", feature = "b2b"))]
use crate::client::Core;

/// A session whose JWT was accepted.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Authenticated<S> {
    /// The session: decoded from the token's claims when verified locally,
    /// as the API returned it otherwise.
    pub session: S,
    /// The JWT to hand back to the client: the one passed in when it was
    /// verified locally, or the fresh one the API issued when the token was
    /// too old to verify locally.
    pub session_jwt: String,
    /// Whether the token was verified without calling the API.
    pub verified_locally: bool,
}

#[cfg(feature = "consumer")]
impl Authenticated<crate::consumer::models::sessions::Session> {
    /// The session's custom claims decoded into `T`; see
    /// [`Session::custom_claims_as`](crate::consumer::models::sessions::Session::custom_claims_as).
    pub fn custom_claims<T: serde::de::DeserializeOwned>(&self) -> Result<T, AuthError> {
        self.session.custom_claims_as()
    }
}

#[cfg(feature = "b2b")]
impl Authenticated<crate::b2b::models::sessions::MemberSession> {
    /// The member session's custom claims decoded into `T`; see
    /// [`MemberSession::custom_claims_as`](crate::b2b::models::sessions::MemberSession::custom_claims_as).
    pub fn custom_claims<T: serde::de::DeserializeOwned>(&self) -> Result<T, AuthError> {
        self.session.custom_claims_as()
    }
}

/// The local-first rule shared by both products: a locally verified token is
/// returned as is; a token the API might still accept (see
/// [`verify::verify`]: expired, older than the maximum age, or signed by a
/// key the refreshed key set lacks) is sent to the API by `api`, which
/// returns the session and the JWT to hand back; any other failure is final
/// and costs no API call.
#[cfg(any(feature = "consumer", feature = "b2b"))]
async fn local_or_api<S, A>(
    session_jwt: &str,
    local: Result<S, Rejection>,
    api: impl FnOnce() -> A,
) -> Result<Authenticated<S>, crate::Error>
where
    A: std::future::Future<Output = Result<(S, String), crate::Error>>,
{
    match local {
        Ok(session) => Ok(Authenticated {
            session,
            session_jwt: session_jwt.to_owned(),
            verified_locally: true,
        }),
        Err(Rejection { ask_api: true, .. }) => {
            let (session, session_jwt) = api().await?;
            Ok(Authenticated {
                session,
                session_jwt,
                verified_locally: false,
            })
        }
        Err(rejection) => Err(AuthError::from(rejection).into()),
    }
}

/// Evaluates an RBAC check against the cached policy of product `P`.
#[cfg(feature = "consumer")]
async fn authorize<P: crate::runtime::VerifyingProduct>(
    core: &Core,
    roles: &[String],
    resource_id: &str,
    action: &str,
) -> Result<(), AuthError> {
    let policy = core.auth().policy::<P>().get::<P>(core).await?;
    policy.check(roles, resource_id, action)
}

#[cfg(feature = "consumer")]
mod consumer {
    use super::*;
    use crate::auth::SessionJwtOptions;
    use crate::consumer::models::sessions::Session;
    use crate::consumer::sessions::{AuthenticateRequest, Sessions};

    async fn verify_local(
        core: &Core,
        session_jwt: &str,
        options: &SessionJwtOptions,
    ) -> Result<Session, Rejection> {
        let rules = TimeRules {
            max_age: options.max_token_age,
            tolerance: options.clock_tolerance,
        };
        let verified =
            verify::verify::<crate::consumer::ConsumerProduct, _>(core, session_jwt, rules).await?;
        Ok(claims::consumer_session(
            verified.subject,
            verified.claims,
            verified.expires_at,
        )?)
    }

    async fn check(
        core: &Core,
        session: &Session,
        options: &SessionJwtOptions,
    ) -> Result<(), AuthError> {
        match &options.authorization_check {
            Some(check) => {
                authorize::<crate::consumer::ConsumerProduct>(
                    core,
                    &session.roles,
                    &check.resource_id,
                    &check.action,
                )
                .await
            }
            None => Ok(()),
        }
    }

    impl Sessions<'_> {
        /// Authenticates a session JWT, locally when possible.
        ///
        /// A token no older than `options.max_token_age` is verified against
        /// the project's cached keys (see [`crate::auth`] for the rules) and
        /// its session decoded from the claims, with no API call.
        ///
        /// # When the sessions API is asked
        ///
        /// The token is sent to the `sessions.authenticate` endpoint (whose
        /// answer, including a fresh JWT, is returned) only when the API may
        /// know better than the local check:
        ///
        /// - it is **older than the maximum age** or **expired**, and its
        ///   signature, issuer and audience checked out (the session may still
        ///   be active, or revoked since);
        /// - it names a **key the project's key set does not hold**, after the
        ///   key set was fetched again for this call (a key rotated in
        ///   moments ago), as long as its issuer and audience name this
        ///   project. While `jwks_refresh_interval` keeps the key set from
        ///   being fetched again, such a token fails with
        ///   [`AuthError::UnknownKey`] instead, so made-up key ids cannot
        ///   turn into API calls.
        ///
        /// A forged or malformed token never costs an API call: a bad
        /// signature, a wrong issuer or audience, an algorithm other than
        /// RS256, a token not valid yet, or anything that does not parse fails
        /// locally with its [`AuthError`]. So does a key set that cannot be
        /// fetched ([`AuthError::Fetch`]).
        ///
        /// When `options.authorization_check` is set, the session's roles must
        /// also grant the action on the resource under the project's RBAC
        /// policy (fetched and cached), or the call fails with
        /// [`AuthError::PermissionDenied`].
        pub async fn authenticate_jwt(
            &self,
            session_jwt: &str,
            options: &SessionJwtOptions,
        ) -> Result<Authenticated<Session>, crate::Error> {
            let local = verify_local(self.core, session_jwt, options).await;
            let authenticated = local_or_api(session_jwt, local, || async {
                let request = AuthenticateRequest::new().session_jwt(session_jwt);
                let response = self.authenticate(request).await?;
                Ok((response.session, response.session_jwt))
            })
            .await?;
            check(self.core, &authenticated.session, options).await?;
            Ok(authenticated)
        }

        /// Authenticates a session JWT without ever calling the sessions API.
        ///
        /// Same rules as [`authenticate_jwt`](Self::authenticate_jwt), but a
        /// token past its `exp` fails with [`AuthError::Expired`] and an
        /// unexpired one older than `options.max_token_age` with
        /// [`AuthError::TooOld`]. Only the key set and, for an authorization
        /// check, the RBAC policy are fetched (and then cached). A session
        /// revoked after the token was issued stays accepted until the token
        /// expires or reaches the maximum age.
        pub fn authenticate_jwt_local<'a>(
            &'a self,
            session_jwt: &'a str,
            options: &'a SessionJwtOptions,
        ) -> crate::auth::AuthFuture<'a, Session> {
            Box::pin(async move {
                let session = verify_local(self.core, session_jwt, options)
                    .await
                    .map_err(AuthError::from)?;
                check(self.core, &session, options).await?;
                Ok(session)
            })
        }
    }
}

#[cfg(feature = "b2b")]
mod b2b {
    use super::*;
    use crate::auth::MemberSessionJwtOptions;
    use crate::b2b::models::sessions::MemberSession;
    use crate::b2b::sessions::{AuthenticateRequest, Sessions};

    async fn verify_local(
        core: &Core,
        session_jwt: &str,
        options: &MemberSessionJwtOptions,
    ) -> Result<MemberSession, Rejection> {
        let rules = TimeRules {
            max_age: options.max_token_age,
            tolerance: options.clock_tolerance,
        };
        let verified =
            verify::verify::<crate::b2b::B2bProduct, _>(core, session_jwt, rules).await?;
        Ok(claims::member_session(
            verified.subject,
            verified.claims,
            verified.expires_at,
        )?)
    }

    /// The tenancy check first (no policy lookup for a foreign organization), then RBAC.
    async fn check(
        core: &Core,
        session: &MemberSession,
        options: &MemberSessionJwtOptions,
    ) -> Result<(), AuthError> {
        let Some(check) = &options.authorization_check else {
            return Ok(());
        };
        if check.organization_id != session.organization_id {
            return Err(AuthError::TenancyMismatch {
                requested: check.organization_id.clone(),
                actual: session.organization_id.clone(),
            });
        }
        let policy = core
            .auth()
            .org_policies()
            .merged(core, &check.organization_id)
            .await?;
        policy.check(&session.roles, &check.resource_id, &check.action)
    }

    impl Sessions<'_> {
        /// Authenticates a member session JWT, locally when possible.
        ///
        /// A token no older than `options.max_token_age` is verified against
        /// the project's cached B2B keys (see [`crate::auth`] for the rules)
        /// and the member session (organization, roles, custom claims)
        /// decoded from its claims, with no API call. The B2B
        /// `sessions.authenticate` endpoint is asked, and its answer returned,
        /// in exactly the cases the consumer `authenticate_jwt` lists: expired or too old but genuine, or signed by a key a freshly
        /// fetched key set lacks. Forged or malformed tokens fail locally.
        ///
        /// When `options.authorization_check` is set, its organization must be
        /// the member's ([`AuthError::TenancyMismatch`] otherwise, before any
        /// policy lookup) and the member's roles must grant the action on the
        /// resource under the project's RBAC policy merged with the
        /// organization's own roles (both fetched and cached), or the call
        /// fails with [`AuthError::PermissionDenied`]. When the organization's
        /// roles cannot be fetched the call fails with [`AuthError::Fetch`],
        /// never with an allow.
        pub async fn authenticate_jwt(
            &self,
            session_jwt: &str,
            options: &MemberSessionJwtOptions,
        ) -> Result<Authenticated<MemberSession>, crate::Error> {
            let local = verify_local(self.core, session_jwt, options).await;
            let authenticated = local_or_api(session_jwt, local, || async {
                let request = AuthenticateRequest::new().session_jwt(session_jwt);
                let response = self.authenticate(request).await?;
                Ok((response.member_session, response.session_jwt))
            })
            .await?;
            check(self.core, &authenticated.session, options).await?;
            Ok(authenticated)
        }

        /// Authenticates a member session JWT without ever calling the sessions API.
        ///
        /// Same rules as [`authenticate_jwt`](Self::authenticate_jwt), but a
        /// token older than `options.max_token_age` fails with
        /// [`AuthError::TooOld`]. A session revoked after the token was issued
        /// stays accepted until the token expires or reaches the maximum age.
        pub fn authenticate_jwt_local<'a>(
            &'a self,
            session_jwt: &'a str,
            options: &'a MemberSessionJwtOptions,
        ) -> crate::auth::AuthFuture<'a, MemberSession> {
            Box::pin(async move {
                let session = verify_local(self.core, session_jwt, options)
                    .await
                    .map_err(AuthError::from)?;
                check(self.core, &session, options).await?;
                Ok(session)
            })
        }
    }
}
