//! The project's RBAC policy: a cached, indexed copy and its evaluation.
// Without either product only the evaluation half is compiled.
#![cfg_attr(not(any(feature = "consumer", feature = "b2b")), allow(unused_imports))]

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::AuthError;
#[cfg(any(feature = "consumer", feature = "b2b"))]
#[cfg(any(feature = "consumer", feature = "b2b"))]
use super::cache::{RefreshCell, get_by_age};
use crate::client::Core;
#[cfg(any(feature = "consumer", feature = "b2b"))]
use crate::runtime::VerifyingProduct;

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

/// `Ok` when a permission was found, otherwise the denial naming what was asked.
fn granted(found: bool, resource_id: &str, action: &str) -> Result<(), AuthError> {
    if found {
        Ok(())
    } else {
        Err(AuthError::PermissionDenied {
            resource_id: resource_id.to_owned(),
            action: action.to_owned(),
        })
    }
}

/// Adds `actions` on `resource_id` to the grants of `owner` in `table`.
fn add_to<A, S>(
    table: &mut HashMap<String, HashMap<String, Actions>>,
    owner: &str,
    resource_id: &str,
    actions: A,
) where
    A: IntoIterator<Item = S>,
    S: Into<String>,
{
    let entry = table
        .entry(owner.to_owned())
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

/// Adds `owner` (a role or scope) to `table` with its permissions, each a
/// resource and the actions on it. An owner without permissions is still
/// known, and grants nothing. Every policy conversion builds through here.
fn add_owner<R, A, S>(
    table: &mut HashMap<String, HashMap<String, Actions>>,
    owner: &str,
    permissions: impl IntoIterator<Item = (R, A)>,
) where
    R: AsRef<str>,
    A: IntoIterator<Item = S>,
    S: Into<String>,
{
    table.entry(owner.to_owned()).or_default();
    for (resource_id, actions) in permissions {
        add_to(table, owner, resource_id.as_ref(), actions);
    }
}

/// Whether `owner` may perform `action` on `resource_id` according to `table`.
fn allows(
    table: &HashMap<String, HashMap<String, Actions>>,
    owner: &str,
    resource_id: &str,
    action: &str,
) -> bool {
    table
        .get(owner)
        .and_then(|resources| resources.get(resource_id))
        .is_some_and(|actions| actions.allows(action))
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

    /// Adds a scope permission: a token granted `scope` may perform
    /// `actions` on `resource_id` (`*` stands for every action).
    ///
    /// ```
    /// use stytch_sdk::auth::RbacPolicy;
    ///
    /// let policy = RbacPolicy::new()
    ///     .grant_scope("read:documents", "documents", ["read"])
    ///     .grant_scope("admin", "documents", ["*"]);
    /// assert!(policy.scopes_grant(&["openid", "read:documents"], "documents", "read"));
    /// assert!(!policy.scopes_grant(&["read:documents"], "documents", "write"));
    /// assert!(policy.scopes_grant(&["admin"], "documents", "delete"));
    /// ```
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

    /// Whether any of `roles` may perform `action` on `resource_id`.
    pub fn is_authorized<R: AsRef<str>>(
        &self,
        roles: &[R],
        resource_id: &str,
        action: &str,
    ) -> bool {
        roles
            .iter()
            .any(|role| allows(&self.roles, role.as_ref(), resource_id, action))
    }

    /// Whether any of `scopes` (as granted to an OAuth access token) grants
    /// `action` on `resource_id`: the policy's scope must list a permission
    /// for the resource with that action or `*`. Scopes the policy does not
    /// define (such as `openid`) grant nothing.
    pub fn scopes_grant(
        &self,
        scopes: &[impl AsRef<str>],
        resource_id: &str,
        action: &str,
    ) -> bool {
        scopes
            .iter()
            .any(|scope| allows(&self.scopes, scope.as_ref(), resource_id, action))
    }

    /// Like [`is_authorized`](Self::is_authorized), failing with
    /// [`AuthError::PermissionDenied`] that names the resource and action.
    pub fn check<R: AsRef<str>>(
        &self,
        roles: &[R],
        resource_id: &str,
        action: &str,
    ) -> Result<(), AuthError> {
        granted(
            self.is_authorized(roles, resource_id, action),
            resource_id,
            action,
        )
    }

    /// Like [`scopes_grant`](Self::scopes_grant), failing with
    /// [`AuthError::PermissionDenied`] that names the resource and action.
    pub fn check_scopes(
        &self,
        scopes: &[impl AsRef<str>],
        resource_id: &str,
        action: &str,
    ) -> Result<(), AuthError> {
        granted(
            self.scopes_grant(scopes, resource_id, action),
            resource_id,
            action,
        )
    }

    /// The ids of the roles the policy defines, in no particular order.
    pub fn role_ids(&self) -> impl Iterator<Item = &str> {
        self.roles.keys().map(String::as_str)
    }

    /// This policy with the roles of `organization` added: an organization
    /// role with the id of a project role adds its permissions to it.
    pub fn with_organization_roles(&self, organization: &RbacPolicy) -> RbacPolicy {
        let mut merged = self.clone();
        for (role, resources) in &organization.roles {
            let target = merged.roles.entry(role.clone()).or_default();
            for (resource, actions) in resources {
                let entry = target.entry(resource.clone()).or_default();
                entry.all |= actions.all;
                entry.named.extend(actions.named.iter().cloned());
            }
        }
        merged
    }
}

/// Builds a policy from generated policy parts (the two products have
/// identical but distinct types).
macro_rules! policy_from {
    ($feature:literal, $policy:ty) => {
        #[cfg(feature = $feature)]
        impl From<&$policy> for RbacPolicy {
            fn from(policy: &$policy) -> Self {
                let mut out = RbacPolicy::new();
                for role in &policy.roles {
                    let permissions = role.permissions.iter();
                    let permissions = permissions.map(|p| (&p.resource_id, &p.actions));
                    add_owner(&mut out.roles, &role.role_id, permissions);
                }
                for scope in &policy.scopes {
                    let permissions = scope.permissions.iter();
                    let permissions = permissions.map(|p| (&p.resource_id, &p.actions));
                    add_owner(&mut out.scopes, &scope.scope, permissions);
                }
                out
            }
        }
    };
}

policy_from!("consumer", crate::consumer::models::rbac::Policy);
policy_from!("b2b", crate::b2b::models::rbac::Policy);

#[cfg(feature = "b2b")]
impl From<&crate::b2b::models::rbac::OrgPolicy> for RbacPolicy {
    /// The roles of an organization's own policy (it defines no scopes).
    fn from(policy: &crate::b2b::models::rbac::OrgPolicy) -> Self {
        let mut out = RbacPolicy::new();
        for role in &policy.roles {
            let permissions = role.permissions.iter();
            let permissions = permissions.map(|p| (&p.resource_id, &p.actions));
            add_owner(&mut out.roles, &role.role_id, permissions);
        }
        out
    }
}

#[cfg(any(feature = "consumer", feature = "b2b"))]
fn fetch_error(what: &'static str) -> impl Fn(Arc<crate::Error>) -> AuthError {
    move |source| AuthError::Fetch { what, source }
}

/// The RBAC policy of one product of one client, fetched on first use and
/// again once older than the configured max age. Reads are lock-free; a
/// fetch is shared by every caller that needs it, and after a failed one the
/// last good policy keeps being served within the grace period.
#[cfg(any(feature = "consumer", feature = "b2b"))]
pub(crate) struct PolicyCache {
    cell: Arc<RefreshCell<RbacPolicy>>,
}

#[cfg(any(feature = "consumer", feature = "b2b"))]
impl PolicyCache {
    pub(crate) fn new() -> Self {
        Self {
            cell: Arc::new(RefreshCell::new("RBAC policy")),
        }
    }

    /// The policy, fetching it when the cache is empty or stale. When the
    /// fetch fails the previous policy is used while it is within the
    /// grace period; past that, the check fails with [`AuthError::Fetch`].
    pub(crate) async fn get<P: VerifyingProduct>(
        &self,
        core: &Core,
    ) -> Result<Arc<RbacPolicy>, AuthError> {
        super::needs_secret(core, "RBAC policy")
            .map_err(|e| fetch_error("RBAC policy")(Arc::new(e)))?;
        let config = &core.auth().config;
        // The closure only runs (and clones the transport) when a fetch starts.
        let fetch = || {
            let core = core.clone();
            async move { fetch::<P>(&core).await }
        };
        get_by_age(&self.cell, config.policy_lifetimes(), fetch)
            .await
            .map_err(fetch_error("RBAC policy"))
    }

    /// The cache itself, for lock-free freshness checks.
    #[cfg(feature = "b2b")]
    fn cell(&self) -> &RefreshCell<RbacPolicy> {
        &self.cell
    }
}

/// A policy answer, read with this module's own types so that fetching
/// works alike for every product (whose generated policy types are distinct):
/// only the roles, scopes and their permissions, which are what checks use.
#[cfg(any(feature = "consumer", feature = "b2b"))]
#[derive(serde::Deserialize)]
struct PolicyAnswer {
    #[serde(default)]
    policy: Option<WirePolicy>,
}

/// The `policy` object of a policy answer.
#[cfg(any(feature = "consumer", feature = "b2b"))]
#[derive(serde::Deserialize)]
struct WirePolicy {
    roles: Vec<WireGrant>,
    #[serde(default)]
    scopes: Vec<WireGrant>,
}

/// A role (`role_id`) or scope (`scope`) with its permissions.
#[cfg(any(feature = "consumer", feature = "b2b"))]
#[derive(serde::Deserialize)]
struct WireGrant {
    #[serde(alias = "scope")]
    role_id: String,
    permissions: Vec<WirePermission>,
}

/// Actions allowed on one resource.
#[cfg(any(feature = "consumer", feature = "b2b"))]
#[derive(serde::Deserialize)]
struct WirePermission {
    resource_id: String,
    actions: Vec<String>,
}

#[cfg(any(feature = "consumer", feature = "b2b"))]
impl From<WirePolicy> for RbacPolicy {
    fn from(policy: WirePolicy) -> Self {
        let mut out = RbacPolicy::new();
        let pairs = |grant: WireGrant| {
            let permissions = grant.permissions.into_iter();
            (
                grant.role_id,
                permissions.map(|p| (p.resource_id, p.actions)),
            )
        };
        for (role_id, permissions) in policy.roles.into_iter().map(pairs) {
            add_owner(&mut out.roles, &role_id, permissions);
        }
        for (scope, permissions) in policy.scopes.into_iter().map(pairs) {
            add_owner(&mut out.scopes, &scope, permissions);
        }
        out
    }
}

/// Calls the RBAC policy endpoint of product `P`. A response without a
/// policy yields the empty policy, which grants nothing.
#[cfg(any(feature = "consumer", feature = "b2b"))]
async fn fetch<P: VerifyingProduct>(core: &Core) -> Result<RbacPolicy, crate::Error> {
    let core = &super::for_fetch(core);
    let answer = core
        .send(&super::DecodeAs::<_, PolicyAnswer>::new(P::policy()))
        .await?;
    Ok(answer.policy.map(RbacPolicy::from).unwrap_or_default())
}

/// The project policy merged with one organization's roles, and the two
/// inputs it was built from (compared by identity to tell when to rebuild).
#[cfg(feature = "b2b")]
struct Merged {
    project: Arc<RbacPolicy>,
    organization: Arc<RbacPolicy>,
    policy: Arc<RbacPolicy>,
    /// Until when both inputs are fresh: neither can be replaced before
    /// then (policies are only fetched again once stale), so the merge is
    /// current without looking at either cache.
    fresh_until: std::time::Instant,
}

/// One organization in the [`OrgPolicyCache`].
#[cfg(feature = "b2b")]
struct OrgEntry {
    /// The organization's own roles, as fetched.
    cell: Arc<RefreshCell<RbacPolicy>>,
    /// The latest merge with the project policy.
    merged: arc_swap::ArcSwapOption<Merged>,
    /// Value of the cache's use counter at the latest use (for eviction).
    last_used: std::sync::atomic::AtomicU64,
}

/// When the snapshot of `value` in `cell` stops being fresh (now when
/// the cell holds another value).
#[cfg(feature = "b2b")]
fn fresh_until(
    cell: &RefreshCell<RbacPolicy>,
    value: &Arc<RbacPolicy>,
    now: std::time::Instant,
    max_age: std::time::Duration,
) -> std::time::Instant {
    cell.with(|current| match current {
        Some(snapshot) if Arc::ptr_eq(&snapshot.value, value) => snapshot.fetched_at + max_age,
        _ => now,
    })
}

/// The custom roles of each organization (B2B), fetched from the
/// `rbac.organizations` endpoint per organization id and cached like the
/// project policy: same max age and grace period, one shared fetch per
/// organization at a time, backoff after failures.
///
/// The number of organizations kept is bounded (see
/// [`ClientBuilder::org_policy_cache_capacity`](crate::ClientBuilder::org_policy_cache_capacity));
/// adding one beyond the bound evicts the least recently used. Lookups are
/// lock-free (the table is an immutable map behind an `ArcSwap`, replaced
/// when an organization is added); only adding an organization, which comes
/// with a fetch anyway, takes a mutex.
///
/// Each organization's merged policy (project roles plus its own) is built
/// once per refresh of either input and reused by every check.
#[cfg(feature = "b2b")]
pub(crate) struct OrgPolicyCache {
    entries: arc_swap::ArcSwap<HashMap<String, Arc<OrgEntry>>>,
    writer: std::sync::Mutex<()>,
    /// Counts uses that changed which organization was used last.
    uses: std::sync::atomic::AtomicU64,
}

#[cfg(feature = "b2b")]
impl OrgPolicyCache {
    pub(crate) fn new() -> Self {
        Self {
            entries: arc_swap::ArcSwap::from_pointee(HashMap::new()),
            writer: std::sync::Mutex::new(()),
            uses: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Marks `entry` as the most recently used. Repeated checks of the same
    /// organization (the common case) only read: the counter and the entry
    /// are written when another organization was used in between.
    fn touch(&self, entry: &OrgEntry) {
        use std::sync::atomic::Ordering::Relaxed;
        if entry.last_used.load(Relaxed) != self.uses.load(Relaxed) {
            entry
                .last_used
                .store(self.uses.fetch_add(1, Relaxed) + 1, Relaxed);
        }
    }

    /// The entry of `organization_id`, added (evicting the least recently
    /// used beyond `capacity`) when missing.
    fn entry(&self, organization_id: &str, capacity: usize) -> Arc<OrgEntry> {
        use std::sync::atomic::Ordering::Relaxed;
        if let Some(entry) = self.entries.load().get(organization_id) {
            self.touch(entry);
            return Arc::clone(entry);
        }
        let _writer = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let current = self.entries.load_full();
        if let Some(entry) = current.get(organization_id) {
            return Arc::clone(entry);
        }
        let mut next = HashMap::clone(&current);
        while next.len() >= capacity.max(1) {
            let oldest = next
                .iter()
                .min_by_key(|(_, entry)| entry.last_used.load(Relaxed))
                .map(|(id, _)| id.clone());
            match oldest {
                Some(id) => next.remove(&id),
                None => break,
            };
        }
        let entry = Arc::new(OrgEntry {
            cell: Arc::new(RefreshCell::new("organization RBAC policy")),
            merged: arc_swap::ArcSwapOption::empty(),
            last_used: std::sync::atomic::AtomicU64::new(self.uses.fetch_add(1, Relaxed) + 1),
        });
        next.insert(organization_id.to_owned(), Arc::clone(&entry));
        self.entries.store(Arc::new(next));
        entry
    }

    /// The project policy with the custom roles of `organization_id` added.
    pub(crate) async fn merged(
        &self,
        core: &Core,
        organization_id: &str,
    ) -> Result<Arc<RbacPolicy>, AuthError> {
        let auth = core.auth();
        let config = &auth.config;
        let project_cache = auth.policy::<crate::b2b::B2bProduct>();
        let now = std::time::Instant::now();

        // Warm path: both inputs fresh and already merged. Only guards are
        // taken (no reference counts change) until the result is cloned.
        if let Some(entry) = self.entries.load().get(organization_id) {
            self.touch(entry);
            if let Some(merged) = &*entry.merged.load()
                && now < merged.fresh_until
            {
                return Ok(Arc::clone(&merged.policy));
            }
        }

        let project = project_cache.get::<crate::b2b::B2bProduct>(core).await?;
        let entry = self.entry(organization_id, config.org_policy_capacity);
        let fetch = || {
            let core = core.clone();
            let organization_id = organization_id.to_owned();
            async move { fetch_org(&core, organization_id).await }
        };
        let organization = get_by_age(&entry.cell, config.policy_lifetimes(), fetch)
            .await
            .map_err(fetch_error("organization RBAC policy"))?;
        // Either input served from its grace period keeps `fresh_until` in
        // the past, so every check comes back here until a refresh succeeds.
        let max_age = config.policy_max_age;
        let fresh_until = fresh_until(project_cache.cell(), &project, now, max_age)
            .min(fresh_until(&entry.cell, &organization, now, max_age));
        if let Some(merged) = &*entry.merged.load()
            && Arc::ptr_eq(&merged.project, &project)
            && Arc::ptr_eq(&merged.organization, &organization)
        {
            if merged.fresh_until != fresh_until {
                entry.merged.store(Some(Arc::new(Merged {
                    project: Arc::clone(&merged.project),
                    organization: Arc::clone(&merged.organization),
                    policy: Arc::clone(&merged.policy),
                    fresh_until,
                })));
            }
            return Ok(Arc::clone(&merged.policy));
        }
        let policy = Arc::new(project.with_organization_roles(&organization));
        entry.merged.store(Some(Arc::new(Merged {
            project,
            organization,
            policy: Arc::clone(&policy),
            fresh_until,
        })));
        Ok(policy)
    }
}

/// Calls the endpoint of an organization's own RBAC roles.
#[cfg(feature = "b2b")]
async fn fetch_org(core: &Core, organization_id: String) -> Result<RbacPolicy, crate::Error> {
    let request = crate::b2b::rbac::organizations::GetOrgPolicyRequest::new(organization_id);
    let response = super::for_fetch(core).send(&request).await?;
    Ok(RbacPolicy::from(&response.org_policy))
}

macro_rules! rbac_impl {
    ($feature:literal, $handle:ty, $product:ty) => {
        #[cfg(feature = $feature)]
        impl $handle {
            /// The project's RBAC policy as the SDK evaluates it: served from the
            /// client's cache, fetched through the `policy` endpoint when the
            /// cache is empty or older than its max age.
            ///
            /// Useful to check further permissions of a session that has already
            /// been authenticated, with [`RbacPolicy::check`].
            pub fn cached_policy<'a>(&'a self) -> crate::auth::AuthFuture<'a, Arc<RbacPolicy>> {
                Box::pin(async move {
                    let cache = self.core.auth().policy::<$product>();
                    Ok(cache.get::<$product>(self.core).await?)
                })
            }
        }
    };
}

rbac_impl!(
    "consumer",
    crate::consumer::rbac::Rbac<'_>,
    crate::consumer::ConsumerProduct
);
rbac_impl!("b2b", crate::b2b::rbac::Rbac<'_>, crate::b2b::B2bProduct);

#[cfg(feature = "b2b")]
impl crate::b2b::rbac::Rbac<'_> {
    /// The policy that B2B authorization checks within `organization_id`
    /// use: the project's policy with the organization's own roles added.
    /// Served from the client's caches; either part is fetched when missing
    /// or older than `rbac_policy_max_age`.
    pub fn cached_org_policy<'a>(
        &'a self,
        organization_id: &'a str,
    ) -> crate::auth::AuthFuture<'a, Arc<RbacPolicy>> {
        Box::pin(async move {
            let cache = self.core.auth().org_policies();
            Ok(cache.merged(self.core, organization_id).await?)
        })
    }
}
