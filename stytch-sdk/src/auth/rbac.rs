//! The project's RBAC policy: a cached, indexed copy and its evaluation.
// Without either product only the evaluation half is compiled.
#![cfg_attr(not(any(feature = "consumer", feature = "b2b")), allow(unused_imports))]

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use tokio::sync::Mutex;

use super::AuthError;
#[cfg(any(feature = "consumer", feature = "b2b"))]
use super::Vertical;
use crate::runtime::Transport;

/// Actions that a role may perform on one resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Actions {
    /// The role holds the wildcard action `*`: every action is allowed.
    all: bool,
    named: HashSet<String>,
}

impl Actions {
    fn allows(&self, action: &str) -> bool {
        self.all || self.named.contains(action)
    }
}

/// The roles of an RBAC policy, indexed for permission checks.
///
/// A session may perform `action` on `resource_id` when at least one of its
/// roles has a permission for that resource listing the action or the
/// wildcard action `*`. Roles that the policy does not define grant nothing.
///
/// The SDK builds one from the policy endpoint and caches it (see
/// [`crate::ClientBuilder::rbac_policy_max_age`]); one can also be built by
/// hand, for tests or for policies kept elsewhere:
///
/// ```
/// use stytch_sdk::auth::RbacPolicy;
///
/// let policy = RbacPolicy::new()
///     .grant("editor", "documents", ["read", "write"])
///     .grant("admin", "documents", ["*"]);
/// assert!(policy.is_authorized(&["editor"], "documents", "write"));
/// assert!(policy.is_authorized(&["admin"], "documents", "delete"));
/// assert!(!policy.is_authorized(&["editor"], "documents", "delete"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RbacPolicy {
    /// role id → resource id → actions.
    roles: HashMap<String, HashMap<String, Actions>>,
    /// OAuth scope → resource id → actions.
    scopes: HashMap<String, HashMap<String, Actions>>,
}

impl RbacPolicy {
    /// An empty policy, which grants nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a permission: `role_id` may perform `actions` on `resource_id`
    /// (`*` stands for every action). Permissions accumulate.
    pub fn grant<A, S>(mut self, role_id: &str, resource_id: &str, actions: A) -> Self
    where
        A: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.add(role_id, resource_id, actions);
        self
    }

    /// Adds a permission to an OAuth scope: a token carrying `scope` may
    /// perform `actions` on `resource_id` (`*` stands for every action).
    pub fn grant_scope<A, S>(mut self, scope: &str, resource_id: &str, actions: A) -> Self
    where
        A: IntoIterator<Item = S>,
        S: Into<String>,
    {
        add_to(&mut self.scopes, scope, resource_id, actions);
        self
    }

    fn add<A, S>(&mut self, role_id: &str, resource_id: &str, actions: A)
    where
        A: IntoIterator<Item = S>,
        S: Into<String>,
    {
        add_to(&mut self.roles, role_id, resource_id, actions);
    }

    /// Whether any of `scopes` grants `action` on `resource_id`. Roles play
    /// no part; scopes the policy does not define grant nothing.
    pub fn scopes_grant<S: AsRef<str>>(
        &self,
        scopes: &[S],
        resource_id: &str,
        action: &str,
    ) -> bool {
        allowed(&self.scopes, scopes, resource_id, action)
    }

    /// Like [`scopes_grant`](Self::scopes_grant), failing with
    /// [`AuthError::PermissionDenied`] that names the resource and action.
    pub fn check_scopes<S: AsRef<str>>(
        &self,
        scopes: &[S],
        resource_id: &str,
        action: &str,
    ) -> Result<(), AuthError> {
        if self.scopes_grant(scopes, resource_id, action) {
            Ok(())
        } else {
            Err(AuthError::PermissionDenied {
                resource_id: resource_id.to_owned(),
                action: action.to_owned(),
            })
        }
    }
}

/// Records that `holder` (a role or a scope) may perform `actions` on `resource_id`.
fn add_to<A, S>(
    index: &mut HashMap<String, HashMap<String, Actions>>,
    holder: &str,
    resource_id: &str,
    actions: A,
) where
    A: IntoIterator<Item = S>,
    S: Into<String>,
{
    {
        let entry = index
            .entry(holder.to_owned())
            .or_default()
            .entry(resource_id.to_owned())
            .or_default();
        for action in actions {
            let action = action.into();
            if action == "*" {
                entry.all = true;
            } else {
                entry.named.insert(action);
            }
        }
    }
}

/// Whether any of `holders` may perform `action` on `resource_id` in `index`.
fn allowed<H: AsRef<str>>(
    index: &HashMap<String, HashMap<String, Actions>>,
    holders: &[H],
    resource_id: &str,
    action: &str,
) -> bool {
    holders.iter().any(|holder| {
        index
            .get(holder.as_ref())
            .and_then(|resources| resources.get(resource_id))
            .is_some_and(|actions| actions.allows(action))
    })
}

impl RbacPolicy {
    /// Whether any of `roles` may perform `action` on `resource_id`.
    pub fn is_authorized<R: AsRef<str>>(
        &self,
        roles: &[R],
        resource_id: &str,
        action: &str,
    ) -> bool {
        allowed(&self.roles, roles, resource_id, action)
    }

    /// Like [`is_authorized`](Self::is_authorized), failing with
    /// [`AuthError::PermissionDenied`] that names the resource and action.
    pub fn check<R: AsRef<str>>(
        &self,
        roles: &[R],
        resource_id: &str,
        action: &str,
    ) -> Result<(), AuthError> {
        if self.is_authorized(roles, resource_id, action) {
            Ok(())
        } else {
            Err(AuthError::PermissionDenied {
                resource_id: resource_id.to_owned(),
                action: action.to_owned(),
            })
        }
    }

    /// The ids of the roles the policy defines, in no particular order.
    pub fn role_ids(&self) -> impl Iterator<Item = &str> {
        self.roles.keys().map(String::as_str)
    }
}

#[cfg(feature = "consumer")]
impl From<&crate::consumer::models::rbac::Policy> for RbacPolicy {
    fn from(policy: &crate::consumer::models::rbac::Policy) -> Self {
        let mut out = RbacPolicy::new();
        for role in &policy.roles {
            out.roles.entry(role.role_id.clone()).or_default();
            for permission in &role.permissions {
                out.add(
                    &role.role_id,
                    &permission.resource_id,
                    permission.actions.iter().cloned(),
                );
            }
        }
        for scope in &policy.scopes {
            out.scopes.entry(scope.scope.clone()).or_default();
            for permission in &scope.permissions {
                add_to(
                    &mut out.scopes,
                    &scope.scope,
                    &permission.resource_id,
                    permission.actions.iter().cloned(),
                );
            }
        }
        out
    }
}

#[cfg(feature = "b2b")]
impl From<&crate::b2b::models::rbac::Policy> for RbacPolicy {
    fn from(policy: &crate::b2b::models::rbac::Policy) -> Self {
        let mut out = RbacPolicy::new();
        for role in &policy.roles {
            out.roles.entry(role.role_id.clone()).or_default();
            for permission in &role.permissions {
                out.add(
                    &role.role_id,
                    &permission.resource_id,
                    permission.actions.iter().cloned(),
                );
            }
        }
        for scope in &policy.scopes {
            out.scopes.entry(scope.scope.clone()).or_default();
            for permission in &scope.permissions {
                add_to(
                    &mut out.scopes,
                    &scope.scope,
                    &permission.resource_id,
                    permission.actions.iter().cloned(),
                );
            }
        }
        out
    }
}

#[cfg(any(feature = "consumer", feature = "b2b"))]
struct CachedPolicy {
    policy: Arc<RbacPolicy>,
    fetched_at: Instant,
}

/// The RBAC policy of one product of one client, fetched on first use and
/// again once older than the configured max age. Reads are lock-free.
#[cfg(any(feature = "consumer", feature = "b2b"))]
pub(crate) struct PolicyCache {
    current: ArcSwapOption<CachedPolicy>,
    fetch: Mutex<()>,
}

#[cfg(any(feature = "consumer", feature = "b2b"))]
impl PolicyCache {
    pub(crate) fn new() -> Self {
        Self {
            current: ArcSwapOption::empty(),
            fetch: Mutex::new(()),
        }
    }

    fn fresh(&self, max_age: Duration) -> Option<Arc<RbacPolicy>> {
        let current = self.current.load();
        current
            .as_ref()
            .filter(|cached| cached.fetched_at.elapsed() < max_age)
            .map(|cached| Arc::clone(&cached.policy))
    }

    /// The policy, fetching it when the cache is empty or stale. A failed
    /// fetch fails the check: a stale policy is not used.
    pub(crate) async fn get(
        &self,
        transport: &Transport,
        vertical: Vertical,
    ) -> Result<Arc<RbacPolicy>, AuthError> {
        let max_age = transport.auth().config.policy_max_age;
        if let Some(policy) = self.fresh(max_age) {
            return Ok(policy);
        }
        let _guard = self.fetch.lock().await;
        if let Some(policy) = self.fresh(max_age) {
            return Ok(policy);
        }
        let policy =
            Arc::new(
                fetch(transport, vertical)
                    .await
                    .map_err(|source| AuthError::Fetch {
                        what: "RBAC policy",
                        source: Box::new(source),
                    })?,
            );
        self.current.store(Some(Arc::new(CachedPolicy {
            policy: Arc::clone(&policy),
            fetched_at: Instant::now(),
        })));
        Ok(policy)
    }
}

/// Calls the RBAC policy endpoint of `vertical`. A response without a
/// policy yields the empty policy, which grants nothing.
#[cfg(any(feature = "consumer", feature = "b2b"))]
async fn fetch(transport: &Transport, vertical: Vertical) -> Result<RbacPolicy, crate::Error> {
    match vertical {
        #[cfg(feature = "consumer")]
        Vertical::Consumer => {
            let request = crate::consumer::rbac::PolicyRequest::new();
            let response = transport.send(&request).await?;
            Ok(response
                .policy
                .as_ref()
                .map(RbacPolicy::from)
                .unwrap_or_default())
        }
        #[cfg(feature = "b2b")]
        Vertical::B2b => {
            let request = crate::b2b::rbac::PolicyRequest::new();
            let response = transport.send(&request).await?;
            Ok(response
                .policy
                .as_ref()
                .map(RbacPolicy::from)
                .unwrap_or_default())
        }
        #[allow(unreachable_patterns)]
        _ => Err(crate::Error::Config(format!(
            "the {vertical:?} product is not compiled in"
        ))),
    }
}

macro_rules! rbac_impl {
    ($feature:literal, $handle:ty, $vertical:expr) => {
        #[cfg(feature = $feature)]
        impl $handle {
            /// The project's RBAC policy as the SDK evaluates it: served from the
            /// client's cache, fetched through the `policy` endpoint when the
            /// cache is empty or older than its max age.
            ///
            /// Useful to check further permissions of a session that has already
            /// been authenticated, with [`RbacPolicy::check`].
            pub async fn cached_policy(&self) -> Result<Arc<RbacPolicy>, crate::Error> {
                let cache = self.transport.auth().policy($vertical);
                Ok(cache.get(self.transport, $vertical).await?)
            }
        }
    };
}

rbac_impl!(
    "consumer",
    crate::consumer::rbac::Rbac<'_>,
    Vertical::Consumer
);
rbac_impl!("b2b", crate::b2b::rbac::Rbac<'_>, Vertical::B2b);
