//! Caller options of the local verification calls.

use std::time::Duration;

use super::DEFAULT_MAX_TOKEN_AGE;

/// A consumer RBAC check: may the session perform `action` on `resource_id`?
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthorizationCheck {
    /// Resource id as defined in the project's RBAC policy.
    pub resource_id: String,
    /// Action on that resource, such as `read`.
    pub action: String,
}

impl AuthorizationCheck {
    /// A check for `action` on `resource_id`.
    pub fn new(resource_id: impl Into<String>, action: impl Into<String>) -> Self {
        Self {
            resource_id: resource_id.into(),
            action: action.into(),
        }
    }
}

/// A B2B RBAC check: may the member perform `action` on `resource_id` within
/// `organization_id`? A member of another organization fails with
/// [`AuthError::TenancyMismatch`](super::AuthError::TenancyMismatch) before
/// the policy is consulted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrganizationAuthorizationCheck {
    /// The organization the request acts within.
    pub organization_id: String,
    /// Resource id as defined in the project's RBAC policy.
    pub resource_id: String,
    /// Action on that resource, such as `read`.
    pub action: String,
}

impl OrganizationAuthorizationCheck {
    /// A check for `action` on `resource_id` within `organization_id`.
    pub fn new(
        organization_id: impl Into<String>,
        resource_id: impl Into<String>,
        action: impl Into<String>,
    ) -> Self {
        Self {
            organization_id: organization_id.into(),
            resource_id: resource_id.into(),
            action: action.into(),
        }
    }
}

/// Options of the consumer `authenticate_jwt` calls.
///
/// ```
/// use std::time::Duration;
/// use stytch_sdk::auth::SessionJwtOptions;
///
/// let options = SessionJwtOptions::new()
///     .max_token_age(Duration::from_secs(60))
///     .clock_tolerance(Duration::from_secs(5))
///     .authorize("documents", "read");
/// assert_eq!(options.max_token_age, Some(Duration::from_secs(60)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionJwtOptions {
    /// Unexpired tokens issued longer ago than this are not trusted locally:
    /// `authenticate_jwt` asks the API about them and `authenticate_jwt_local`
    /// fails with [`AuthError::TooOld`](super::AuthError::TooOld) (an expired
    /// token fails with [`AuthError::Expired`](super::AuthError::Expired)). `None`
    /// trusts a token until it expires. Default: five minutes.
    pub max_token_age: Option<Duration>,
    /// Clock skew allowed on `exp`, `nbf` and `iat`. Default: zero.
    pub clock_tolerance: Duration,
    /// RBAC check to pass in addition to authentication. Default: none.
    pub authorization_check: Option<AuthorizationCheck>,
}

impl Default for SessionJwtOptions {
    fn default() -> Self {
        Self {
            max_token_age: Some(DEFAULT_MAX_TOKEN_AGE),
            clock_tolerance: Duration::ZERO,
            authorization_check: None,
        }
    }
}

impl SessionJwtOptions {
    /// The defaults: five minutes maximum age, no clock tolerance, no RBAC check.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the maximum token age (`None` for no limit).
    pub fn max_token_age(mut self, max_age: impl Into<Option<Duration>>) -> Self {
        self.max_token_age = max_age.into();
        self
    }

    /// Sets the clock tolerance.
    pub fn clock_tolerance(mut self, tolerance: Duration) -> Self {
        self.clock_tolerance = tolerance;
        self
    }

    /// Also requires the session to be allowed `action` on `resource_id`.
    pub fn authorize(mut self, resource_id: impl Into<String>, action: impl Into<String>) -> Self {
        self.authorization_check = Some(AuthorizationCheck::new(resource_id, action));
        self
    }
}

/// Options of the B2B `authenticate_jwt` calls.
///
/// ```
/// use stytch_sdk::auth::MemberSessionJwtOptions;
///
/// let options = MemberSessionJwtOptions::new()
///     .authorize("organization-test-…", "documents", "write");
/// assert!(options.authorization_check.is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MemberSessionJwtOptions {
    /// Same as [`SessionJwtOptions::max_token_age`]. Default: five minutes.
    pub max_token_age: Option<Duration>,
    /// Clock skew allowed on `exp`, `nbf` and `iat`. Default: zero.
    pub clock_tolerance: Duration,
    /// RBAC check to pass in addition to authentication. Default: none.
    pub authorization_check: Option<OrganizationAuthorizationCheck>,
}

impl Default for MemberSessionJwtOptions {
    fn default() -> Self {
        Self {
            max_token_age: Some(DEFAULT_MAX_TOKEN_AGE),
            clock_tolerance: Duration::ZERO,
            authorization_check: None,
        }
    }
}

impl MemberSessionJwtOptions {
    /// The defaults: five minutes maximum age, no clock tolerance, no RBAC check.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the maximum token age (`None` for no limit).
    pub fn max_token_age(mut self, max_age: impl Into<Option<Duration>>) -> Self {
        self.max_token_age = max_age.into();
        self
    }

    /// Sets the clock tolerance.
    pub fn clock_tolerance(mut self, tolerance: Duration) -> Self {
        self.clock_tolerance = tolerance;
        self
    }

    /// Also requires the member to be allowed `action` on `resource_id` within
    /// `organization_id`.
    pub fn authorize(
        mut self,
        organization_id: impl Into<String>,
        resource_id: impl Into<String>,
        action: impl Into<String>,
    ) -> Self {
        self.authorization_check = Some(OrganizationAuthorizationCheck::new(
            organization_id,
            resource_id,
            action,
        ));
        self
    }
}

/// Options of `m2m().authenticate_token`.
///
/// ```
/// use stytch_sdk::auth::M2mTokenOptions;
///
/// let options = M2mTokenOptions::new().require_scopes(["read:users", "write:users"]);
/// assert_eq!(options.required_scopes.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct M2mTokenOptions {
    /// Scopes the token must grant (see [`check_scopes`](super::check_scopes)). Default: none.
    pub required_scopes: Vec<String>,
    /// Clock skew allowed on `exp`, `nbf` and `iat`. Default: zero.
    pub clock_tolerance: Duration,
    /// When set, tokens issued longer ago than this fail with
    /// [`AuthError::TooOld`](super::AuthError::TooOld). Default: none (the
    /// token is good until `exp`).
    pub max_token_age: Option<Duration>,
}

impl M2mTokenOptions {
    /// The defaults: no required scope, no clock tolerance, no maximum age.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds scopes the token must grant.
    pub fn require_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.required_scopes
            .extend(scopes.into_iter().map(Into::into));
        self
    }

    /// Sets the clock tolerance.
    pub fn clock_tolerance(mut self, tolerance: Duration) -> Self {
        self.clock_tolerance = tolerance;
        self
    }

    /// Sets the maximum token age (`None` for no limit).
    pub fn max_token_age(mut self, max_age: impl Into<Option<Duration>>) -> Self {
        self.max_token_age = max_age.into();
        self
    }
}

/// Options of the consumer `idp().introspect_token_local` (OAuth access
/// tokens issued to Connected Apps).
///
/// ```
/// use stytch_sdk::auth::AccessTokenOptions;
///
/// let options = AccessTokenOptions::new().authorize("documents", "read");
/// assert!(options.authorization_check.is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct AccessTokenOptions {
    /// Clock skew allowed on `exp`, `nbf` and `iat`. Default: zero.
    pub clock_tolerance: Duration,
    /// When set, one of the token's scopes must grant the action on the
    /// resource under the project's RBAC policy (its `scopes` section).
    /// Default: none.
    pub authorization_check: Option<AuthorizationCheck>,
}

impl AccessTokenOptions {
    /// The defaults: no clock tolerance, no scope check.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the clock tolerance.
    pub fn clock_tolerance(mut self, tolerance: Duration) -> Self {
        self.clock_tolerance = tolerance;
        self
    }

    /// Also requires a scope of the token to grant `action` on `resource_id`.
    pub fn authorize(mut self, resource_id: impl Into<String>, action: impl Into<String>) -> Self {
        self.authorization_check = Some(AuthorizationCheck::new(resource_id, action));
        self
    }
}

/// Options of the B2B `idp().introspect_token_local`.
///
/// ```
/// use stytch_sdk::auth::OrganizationAccessTokenOptions;
///
/// let options = OrganizationAccessTokenOptions::new()
///     .authorize("organization-test-…", "documents", "read");
/// assert!(options.authorization_check.is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct OrganizationAccessTokenOptions {
    /// Clock skew allowed on `exp`, `nbf` and `iat`. Default: zero.
    pub clock_tolerance: Duration,
    /// When set, the token's organization must be the check's
    /// ([`AuthError::TenancyMismatch`](super::AuthError::TenancyMismatch)
    /// otherwise, before any policy lookup) and one of its scopes must grant
    /// the action on the resource under the project's RBAC policy.
    /// Default: none.
    pub authorization_check: Option<OrganizationAuthorizationCheck>,
}

impl OrganizationAccessTokenOptions {
    /// The defaults: no clock tolerance, no scope check.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the clock tolerance.
    pub fn clock_tolerance(mut self, tolerance: Duration) -> Self {
        self.clock_tolerance = tolerance;
        self
    }

    /// Also requires the token to belong to `organization_id` and a scope
    /// of it to grant `action` on `resource_id`.
    pub fn authorize(
        mut self,
        organization_id: impl Into<String>,
        resource_id: impl Into<String>,
        action: impl Into<String>,
    ) -> Self {
        self.authorization_check = Some(OrganizationAuthorizationCheck::new(
            organization_id,
            resource_id,
            action,
        ));
        self
    }
}
