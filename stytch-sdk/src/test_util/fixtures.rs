//! Builders of the records tests assert on, with realistic values by default.
//!
//! Each builder starts from a record as the API returns it for an active
//! account (ids in Stytch's `…-test-…` form, a verified email address,
//! timestamps around now, sessions that expire in an hour) and changes what
//! a test cares about through setters. `build` returns the generated model,
//! ready to go into a canned answer (it serializes as the API sends it) or
//! to compare with what the code under test returns:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), stytch_sdk::Error> {
//! use serde_json::json;
//! use stytch_sdk::consumer::sessions::AuthenticateRequest;
//! use stytch_sdk::test_util::MockStytch;
//! use stytch_sdk::test_util::fixtures::{SessionFixture, UserFixture};
//!
//! let user = UserFixture::new("user-test-1").email("ada@example.com").roles(["editor"]).build();
//! let mock = MockStytch::start().await;
//! mock.on::<AuthenticateRequest>().respond_json(json!({
//!     "user": user,
//!     "session": SessionFixture::new("user-test-1").build(),
//!     "session_token": "session-token-test-1",
//!     "session_jwt": "",
//! }));
//!
//! let client = mock.client();
//! let request = AuthenticateRequest::new().session_token("session-token-test-1");
//! let authenticated = client.sessions().authenticate(request).await?;
//! assert_eq!(authenticated.user, user);
//! assert_eq!(authenticated.user.emails[0].email, "ada@example.com");
//! assert!(authenticated.session.expires_at > Some(time::OffsetDateTime::now_utc()));
//! # Ok(()) }
//! ```
//!
//! Fields without a setter are public on the built record; set them there.

use time::{Duration, OffsetDateTime};

/// Now, to the second (the API sends whole seconds).
fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

/// The factor of a login by an email magic link at `at`.
#[cfg(any(feature = "consumer", feature = "b2b"))]
fn email_magic_link(
    at: OffsetDateTime,
    email_id: &str,
    email: &str,
) -> crate::consumer::models::sessions::AuthenticationFactor {
    // Most of the factor's fields are the other kinds of factor, all absent:
    // reading it as the API sends it leaves them out.
    let at = at
        .format(&time::format_description::well_known::Rfc3339)
        .expect("a time around now formats as RFC 3339");
    let factor = serde_json::json!({
        "type": "magic_link",
        "delivery_method": "email",
        "last_authenticated_at": at,
        "created_at": at,
        "updated_at": at,
        "email_factor": {"email_id": email_id, "email_address": email},
    });
    serde_json::from_value(factor).expect("an email magic link factor decodes")
}

/// A consumer user: active, with one verified email address and the role
/// every user has (`stytch_user`).
#[cfg(feature = "consumer")]
#[derive(Debug, Clone)]
#[must_use = "a fixture does nothing until `build` is called"]
pub struct UserFixture(crate::consumer::models::users::User);

#[cfg(feature = "consumer")]
impl UserFixture {
    /// An active user with this id, `user@example.com` (verified), created a day ago.
    pub fn new(user_id: impl Into<String>) -> Self {
        use crate::consumer::models::users::{Email, User};
        let user_id = user_id.into();
        Self(User {
            emails: vec![Email {
                email_id: format!("email-test-{user_id}"),
                email: "user@example.com".to_owned(),
                verified: true,
            }],
            user_id,
            status: "active".to_owned(),
            roles: vec!["stytch_user".to_owned()],
            created_at: Some(now() - Duration::days(1)),
            ..Default::default()
        })
    }

    /// Replaces the email addresses with this one, verified.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        use crate::consumer::models::users::Email;
        self.0.emails = vec![Email {
            email_id: format!("email-test-{}", self.0.user_id),
            email: email.into(),
            verified: true,
        }];
        self
    }

    /// Adds a verified phone number (E.164, such as `+12025550123`).
    pub fn phone_number(mut self, phone_number: impl Into<String>) -> Self {
        use crate::consumer::models::users::PhoneNumber;
        let index = self.0.phone_numbers.len() + 1;
        self.0.phone_numbers.push(PhoneNumber {
            phone_id: format!("phone-number-test-{}-{index}", self.0.user_id),
            phone_number: phone_number.into(),
            verified: true,
        });
        self
    }

    /// Sets the first and last name.
    pub fn name(mut self, first: impl Into<String>, last: impl Into<String>) -> Self {
        self.0.name = Some(crate::consumer::models::users::Name {
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            ..Default::default()
        });
        self
    }

    /// Adds roles besides `stytch_user`.
    pub fn roles<I, S>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.0.roles.extend(roles.into_iter().map(Into::into));
        self
    }

    /// Sets the `status` (`active` or `pending`).
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.0.status = status.into();
        self
    }

    /// Sets the metadata only your backend can write.
    pub fn trusted_metadata(mut self, metadata: serde_json::Value) -> Self {
        self.0.trusted_metadata = Some(metadata);
        self
    }

    /// The user.
    pub fn build(self) -> crate::consumer::models::users::User {
        self.0
    }
}

/// A consumer session: started five minutes ago by an email magic link,
/// expiring in an hour.
#[cfg(feature = "consumer")]
#[derive(Debug, Clone)]
#[must_use = "a fixture does nothing until `build` is called"]
pub struct SessionFixture(crate::consumer::models::sessions::Session);

#[cfg(feature = "consumer")]
impl SessionFixture {
    /// A live session of `user_id`, with the id `session-test-<user_id>`.
    pub fn new(user_id: impl Into<String>) -> Self {
        use crate::consumer::models::sessions::Session;
        let user_id = user_id.into();
        let started = now() - Duration::minutes(5);
        Self(Session {
            session_id: format!("session-test-{user_id}"),
            authentication_factors: vec![email_magic_link(
                started,
                &format!("email-test-{user_id}"),
                "user@example.com",
            )],
            user_id,
            roles: vec!["stytch_user".to_owned()],
            started_at: Some(started),
            last_accessed_at: Some(started),
            expires_at: Some(started + Duration::minutes(65)),
            ..Default::default()
        })
    }

    /// Sets the session id.
    pub fn session_id(mut self, session_id: impl Into<String>) -> Self {
        self.0.session_id = session_id.into();
        self
    }

    /// Sets when the session expires.
    pub fn expires_at(mut self, expires_at: OffsetDateTime) -> Self {
        self.0.expires_at = Some(expires_at);
        self
    }

    /// Adds roles besides `stytch_user`.
    pub fn roles<I, S>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.0.roles.extend(roles.into_iter().map(Into::into));
        self
    }

    /// Sets the custom claims of the session.
    pub fn custom_claims(mut self, claims: serde_json::Value) -> Self {
        self.0.custom_claims = Some(claims);
        self
    }

    /// The session.
    pub fn build(self) -> crate::consumer::models::sessions::Session {
        self.0
    }
}

/// An M2M client: active, with the scopes it may request.
#[cfg(any(feature = "consumer", feature = "b2b"))]
#[derive(Debug, Clone)]
#[must_use = "a fixture does nothing until `build` is called"]
pub struct M2mClientFixture(crate::consumer::models::m2m::M2mClient);

#[cfg(any(feature = "consumer", feature = "b2b"))]
impl M2mClientFixture {
    /// An active client with this id, named `Test service`, without scopes.
    pub fn new(client_id: impl Into<String>) -> Self {
        Self(crate::consumer::models::m2m::M2mClient {
            client_id: client_id.into(),
            client_name: "Test service".to_owned(),
            client_description: "A backend service in tests".to_owned(),
            status: "active".to_owned(),
            client_secret_last_four: "7c2e".to_owned(),
            ..Default::default()
        })
    }

    /// Sets the scopes the client may request.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.0.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the `status` (`active` or `inactive`).
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.0.status = status.into();
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.0.client_name = name.into();
        self
    }

    /// The client.
    pub fn build(self) -> crate::consumer::models::m2m::M2mClient {
        self.0
    }
}

/// A B2B organization: email invites and email JIT provisioning restricted
/// to its allowed domains, every authentication method allowed, MFA optional.
#[cfg(feature = "b2b")]
#[derive(Debug, Clone)]
#[must_use = "a fixture does nothing until `build` is called"]
pub struct OrganizationFixture(crate::b2b::models::organizations::Organization);

#[cfg(feature = "b2b")]
impl OrganizationFixture {
    /// An organization with this id, named `Example Inc.` with the slug
    /// `example`, allowing members from `example.com`.
    pub fn new(organization_id: impl Into<String>) -> Self {
        Self(crate::b2b::models::organizations::Organization {
            organization_id: organization_id.into(),
            organization_name: "Example Inc.".to_owned(),
            organization_slug: "example".to_owned(),
            sso_jit_provisioning: "ALL_ALLOWED".to_owned(),
            email_allowed_domains: vec!["example.com".to_owned()],
            email_jit_provisioning: "RESTRICTED".to_owned(),
            email_invites: "ALL_ALLOWED".to_owned(),
            auth_methods: "ALL_ALLOWED".to_owned(),
            mfa_policy: "OPTIONAL".to_owned(),
            mfa_methods: "ALL_ALLOWED".to_owned(),
            oauth_tenant_jit_provisioning: "NOT_ALLOWED".to_owned(),
            first_party_connected_apps_allowed_type: "ALL_ALLOWED".to_owned(),
            third_party_connected_apps_allowed_type: "ALL_ALLOWED".to_owned(),
            created_at: Some(now() - Duration::days(30)),
            updated_at: Some(now() - Duration::days(1)),
            ..Default::default()
        })
    }

    /// Sets the name and the slug.
    pub fn name(mut self, name: impl Into<String>, slug: impl Into<String>) -> Self {
        self.0.organization_name = name.into();
        self.0.organization_slug = slug.into();
        self
    }

    /// Sets the domains whose addresses may join by email.
    pub fn allowed_domains<I, S>(mut self, domains: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.0.email_allowed_domains = domains.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the MFA policy (`OPTIONAL` or `REQUIRED_FOR_ALL`).
    pub fn mfa_policy(mut self, policy: impl Into<String>) -> Self {
        self.0.mfa_policy = policy.into();
        self
    }

    /// Sets the metadata only your backend can write.
    pub fn trusted_metadata(mut self, metadata: serde_json::Value) -> Self {
        self.0.trusted_metadata = Some(metadata);
        self
    }

    /// The organization.
    pub fn build(self) -> crate::b2b::models::organizations::Organization {
        self.0
    }
}

/// A B2B member: active, with a verified email address and the role every
/// member has (`stytch_member`, assigned by Stytch).
#[cfg(feature = "b2b")]
#[derive(Debug, Clone)]
#[must_use = "a fixture does nothing until `build` is called"]
pub struct MemberFixture(crate::b2b::models::organizations::Member);

#[cfg(feature = "b2b")]
impl MemberFixture {
    /// An active member of `organization_id` with this id, `member@example.com`
    /// (verified), named `Test Member`.
    pub fn new(organization_id: impl Into<String>, member_id: impl Into<String>) -> Self {
        Self(crate::b2b::models::organizations::Member {
            organization_id: organization_id.into(),
            member_id: member_id.into(),
            email_address: "member@example.com".to_owned(),
            email_address_verified: true,
            status: "active".to_owned(),
            name: "Test Member".to_owned(),
            roles: vec![role("stytch_member", "direct_assignment")],
            created_at: Some(now() - Duration::days(7)),
            updated_at: Some(now() - Duration::days(1)),
            ..Default::default()
        })
    }

    /// Sets the email address (verified).
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.0.email_address = email.into();
        self.0.email_address_verified = true;
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.0.name = name.into();
        self
    }

    /// Adds roles assigned to the member directly, such as `stytch_admin`.
    pub fn roles<I, S>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.0.roles.extend(
            roles
                .into_iter()
                .map(|r| role(&r.into(), "direct_assignment")),
        );
        self
    }

    /// Sets the `status` (`active`, `invited`, `pending` or `deleted`).
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.0.status = status.into();
        self
    }

    /// Sets whether the member is enrolled in MFA.
    pub fn mfa_enrolled(mut self, enrolled: bool) -> Self {
        self.0.mfa_enrolled = enrolled;
        self
    }

    /// The member.
    pub fn build(self) -> crate::b2b::models::organizations::Member {
        self.0
    }
}

/// A role of a member, with one source.
#[cfg(feature = "b2b")]
fn role(role_id: &str, source: &str) -> crate::b2b::models::organizations::MemberRole {
    use crate::b2b::models::organizations::{MemberRole, MemberRoleSource};
    MemberRole {
        role_id: role_id.to_owned(),
        sources: vec![MemberRoleSource {
            r#type: source.to_owned(),
            details: None,
        }],
    }
}

/// A B2B member session: started five minutes ago by an email magic link,
/// expiring in an hour, with the role `stytch_member`.
#[cfg(feature = "b2b")]
#[derive(Debug, Clone)]
#[must_use = "a fixture does nothing until `build` is called"]
pub struct MemberSessionFixture(crate::b2b::models::sessions::MemberSession);

#[cfg(feature = "b2b")]
impl MemberSessionFixture {
    /// A live session of the member, with the id `member-session-test-<member_id>`.
    pub fn new(organization_id: impl Into<String>, member_id: impl Into<String>) -> Self {
        let member_id = member_id.into();
        let started = now() - Duration::minutes(5);
        Self(crate::b2b::models::sessions::MemberSession {
            member_session_id: format!("member-session-test-{member_id}"),
            authentication_factors: vec![email_magic_link(
                started,
                &format!("email-test-{member_id}"),
                "member@example.com",
            )],
            member_id,
            organization_id: organization_id.into(),
            organization_slug: "example".to_owned(),
            roles: vec!["stytch_member".to_owned()],
            started_at: started,
            last_accessed_at: started,
            expires_at: started + Duration::minutes(65),
            custom_claims: None,
        })
    }

    /// Adds roles besides `stytch_member`.
    pub fn roles<I, S>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.0.roles.extend(roles.into_iter().map(Into::into));
        self
    }

    /// Sets the organization's slug.
    pub fn organization_slug(mut self, slug: impl Into<String>) -> Self {
        self.0.organization_slug = slug.into();
        self
    }

    /// Sets when the session expires.
    pub fn expires_at(mut self, expires_at: OffsetDateTime) -> Self {
        self.0.expires_at = expires_at;
        self
    }

    /// The member session.
    pub fn build(self) -> crate::b2b::models::sessions::MemberSession {
        self.0
    }
}
