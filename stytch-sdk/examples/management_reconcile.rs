//! Keeps a project environment's redirect URLs and RBAC policy in line with a
//! desired state kept in the repository (`management_reconcile.json` next to
//! this file): it reads the current state through the Management API, prints
//! the plan, and applies only the differences, so running it again changes
//! nothing.
//!
//! Offline (the default): `cargo run -p stytch-sdk --example management_reconcile
//! --features management,test-util`. The mock starts out of step with the file
//! (a stale URL, a URL with the wrong redirect kinds, an old role); the example
//! reconciles it, then reconciles again and fails unless the second plan is empty.
//!
//! Live: set `STYTCH_WORKSPACE_KEY_ID` and `STYTCH_WORKSPACE_KEY_SECRET` (a
//! workspace management key from the Stytch dashboard) and edit the project
//! and environment slugs in the JSON file. Set `STYTCH_DRY_RUN=1` to print the
//! plan without applying it.

use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde_json::json;
use stytch_sdk::ManagementClient;
use stytch_sdk::management::models::rbac_policy::{Permission, Policy, Resource, Role, Scope};
use stytch_sdk::management::models::redirect_urls::{RedirectUrl, UrlType};
use stytch_sdk::management::{rbac_policy, redirect_urls};
use stytch_sdk::test_util::MockStytch;

/// The state the repository asks for.
#[derive(Deserialize)]
struct Desired {
    project_slug: String,
    environment_slug: String,
    redirect_urls: Vec<RedirectUrl>,
    rbac_policy: DesiredPolicy,
}

/// The custom parts of the RBAC policy; Stytch's own resources and default
/// roles are kept as they are.
#[derive(Deserialize)]
struct DesiredPolicy {
    custom_resources: Vec<Resource>,
    custom_roles: Vec<Role>,
    custom_scopes: Vec<Scope>,
}

/// One change the reconciliation makes.
#[derive(Debug)]
enum Step {
    AddUrl(RedirectUrl),
    ChangeUrl(RedirectUrl),
    RemoveUrl(String),
    SetPolicy(Box<Policy>),
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::AddUrl(u) => write!(
                f,
                "add redirect URL {} for {}",
                u.url,
                kinds(&u.valid_types)
            ),
            Step::ChangeUrl(u) => write!(
                f,
                "change redirect URL {} to {}",
                u.url,
                kinds(&u.valid_types)
            ),
            Step::RemoveUrl(url) => write!(f, "remove redirect URL {url}"),
            Step::SetPolicy(p) => write!(
                f,
                "set the RBAC policy: roles [{}], resources [{}], scopes [{}]",
                p.custom_roles
                    .iter()
                    .map(|r| r.role_id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                p.custom_resources
                    .iter()
                    .map(|r| r.resource_id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                p.custom_scopes
                    .iter()
                    .map(|s| s.scope.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        }
    }
}

/// The redirect kinds of a URL in a stable order, `*` marking defaults.
fn kinds(types: &[UrlType]) -> String {
    let mut out: Vec<String> = types
        .iter()
        .map(|t| {
            let kind = t.r#type.as_ref().map_or("?", |k| k.as_str());
            format!("{kind}{}", if t.is_default { "*" } else { "" })
        })
        .collect();
    out.sort();
    out.join(",")
}

/// A permission list compared without regard to order.
fn sorted_permissions(permissions: &[Permission]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = permissions
        .iter()
        .map(|p| {
            let mut actions = p.actions.clone();
            actions.sort();
            (p.resource_id.clone(), actions)
        })
        .collect();
    out.sort();
    out
}

/// The custom parts of a policy in a form that ignores ordering.
fn policy_key(resources: &[Resource], roles: &[Role], scopes: &[Scope]) -> String {
    let mut resources: Vec<_> = resources
        .iter()
        .map(|r| {
            let mut actions = r.available_actions.clone();
            actions.sort();
            (r.resource_id.clone(), r.description.clone(), actions)
        })
        .collect();
    resources.sort();
    let mut roles: Vec<_> = roles
        .iter()
        .map(|r| {
            (
                r.role_id.clone(),
                r.description.clone(),
                sorted_permissions(&r.permissions),
            )
        })
        .collect();
    roles.sort();
    let mut scopes: Vec<_> = scopes
        .iter()
        .map(|s| {
            (
                s.scope.clone(),
                s.description.clone(),
                sorted_permissions(&s.permissions),
            )
        })
        .collect();
    scopes.sort();
    format!("{resources:?}{roles:?}{scopes:?}")
}

/// What has to change to get from `current` to `desired`.
fn plan(desired: &Desired, urls: &[RedirectUrl], policy: &Policy) -> Vec<Step> {
    let mut steps = Vec::new();
    for want in &desired.redirect_urls {
        match urls.iter().find(|have| have.url == want.url) {
            None => steps.push(Step::AddUrl(want.clone())),
            Some(have) if kinds(&have.valid_types) != kinds(&want.valid_types) => {
                steps.push(Step::ChangeUrl(want.clone()))
            }
            Some(_) => {}
        }
    }
    for have in urls {
        if !desired
            .redirect_urls
            .iter()
            .any(|want| want.url == have.url)
        {
            steps.push(Step::RemoveUrl(have.url.clone()));
        }
    }
    let want = &desired.rbac_policy;
    if policy_key(
        &policy.custom_resources,
        &policy.custom_roles,
        &policy.custom_scopes,
    ) != policy_key(
        &want.custom_resources,
        &want.custom_roles,
        &want.custom_scopes,
    ) {
        let mut next = policy.clone();
        next.custom_resources = want.custom_resources.clone();
        next.custom_roles = want.custom_roles.clone();
        next.custom_scopes = want.custom_scopes.clone();
        steps.push(Step::SetPolicy(Box::new(next)));
    }
    steps
}

/// Reads the current state, prints the plan and, unless `dry_run`, applies
/// it. Returns the number of steps planned.
async fn reconcile(
    client: &ManagementClient,
    desired: &Desired,
    dry_run: bool,
) -> Result<usize, stytch_sdk::Error> {
    let (project, environment) = (&desired.project_slug, &desired.environment_slug);
    let urls = client
        .redirect_urls()
        .get_all(redirect_urls::GetAllRequest::new(project, environment))
        .await?
        .redirect_urls;
    let policy = client
        .rbac_policy()
        .get(rbac_policy::GetRequest::new(project, environment))
        .await?
        .policy;
    let steps = plan(desired, &urls, &policy);
    if steps.is_empty() {
        println!("plan: nothing to change");
        return Ok(0);
    }
    println!("plan ({} step(s)):", steps.len());
    for step in &steps {
        println!("  - {step}");
    }
    if dry_run {
        return Ok(steps.len());
    }
    for step in &steps {
        match step {
            Step::AddUrl(u) => {
                let request = redirect_urls::CreateRequest::new(project, environment, &u.url)
                    .valid_types(u.valid_types.clone());
                client.redirect_urls().create(request).await?;
            }
            Step::ChangeUrl(u) => {
                let request = redirect_urls::UpdateRequest::new(project, environment, &u.url)
                    .valid_types(u.valid_types.clone());
                client.redirect_urls().update(request).await?;
            }
            Step::RemoveUrl(url) => {
                let request = redirect_urls::DeleteRequest::new(project, environment, url);
                client.redirect_urls().delete(request).await?;
            }
            Step::SetPolicy(p) => {
                let mut request = rbac_policy::SetRequest::new(project, environment)
                    .custom_resources(p.custom_resources.clone())
                    .custom_roles(p.custom_roles.clone())
                    .custom_scopes(p.custom_scopes.clone());
                // Keep the default roles as they are.
                if let Some(role) = &p.stytch_member {
                    request = request.stytch_member(role.clone());
                }
                if let Some(role) = &p.stytch_admin {
                    request = request.stytch_admin(role.clone());
                }
                if let Some(role) = &p.stytch_user {
                    request = request.stytch_user(role.clone());
                }
                client.rbac_policy().set(request).await?;
            }
        }
    }
    println!("applied {} step(s)", steps.len());
    Ok(steps.len())
}

/// A successful answer of the mock with this payload.
fn answer<T: serde::de::DeserializeOwned>(mut body: serde_json::Value) -> T {
    body["status_code"] = json!(200);
    body["request_id"] = json!("request-id-test-reconcile");
    serde_json::from_value(body).expect("the mock's answer fits the response type")
}

/// Makes the mock behave like a small Management API that remembers the
/// environment's redirect URLs and RBAC policy, starting out of step with
/// the desired state.
fn serve_state(mock: &MockStytch) {
    let urls: Arc<Mutex<Vec<serde_json::Value>>> = Arc::new(Mutex::new(vec![
        json!({"url": "https://app.example.com/authenticate", "valid_types": [
            {"type": "LOGIN", "is_default": true}, {"type": "SIGNUP", "is_default": true}]}),
        json!({"url": "https://app.example.com/reset-password", "valid_types": [
            {"type": "RESET_PASSWORD", "is_default": false}]}),
        json!({"url": "https://old.example.com/callback", "valid_types": [
            {"type": "LOGIN", "is_default": false}]}),
    ]));
    let policy = Arc::new(Mutex::new(json!({
        "stytch_resources": [{"resource_id": "stytch.user", "description": "Users", "available_actions": ["*"]}],
        "custom_roles": [{"role_id": "viewer", "description": "Reads documents",
            "permissions": [{"resource_id": "documents", "actions": ["read"]}]}],
        "custom_resources": [{"resource_id": "documents", "description": "Documents users write and share",
            "available_actions": ["create", "read", "update", "delete"]}],
        "custom_scopes": [],
        "stytch_user": {"permissions": []}
    })));
    let state = Arc::clone(&urls);
    mock.on::<redirect_urls::GetAllRequest>()
        .respond_with(move |_| {
            Ok(answer(
                json!({"redirect_urls": *state.lock().expect("not poisoned")}),
            ))
        });
    let state = Arc::clone(&urls);
    mock.on::<redirect_urls::CreateRequest>()
        .respond_with(move |r| {
            let entry =
                json!({"url": r.url, "valid_types": r.valid_types.clone().unwrap_or_default()});
            state.lock().expect("not poisoned").push(entry.clone());
            Ok(answer(json!({"redirect_url": entry})))
        });
    let state = Arc::clone(&urls);
    mock.on::<redirect_urls::UpdateRequest>()
        .respond_with(move |r| {
            let entry =
                json!({"url": r.url, "valid_types": r.valid_types.clone().unwrap_or_default()});
            let mut urls = state.lock().expect("not poisoned");
            urls.retain(|u| u["url"] != json!(r.url));
            urls.push(entry.clone());
            Ok(answer(json!({"redirect_url": entry})))
        });
    let state = Arc::clone(&urls);
    mock.on::<redirect_urls::DeleteRequest>()
        .respond_with(move |r| {
            state
                .lock()
                .expect("not poisoned")
                .retain(|u| u["url"] != json!(r.url));
            Ok(answer(json!({})))
        });
    let state = Arc::clone(&policy);
    mock.on::<rbac_policy::GetRequest>().respond_with(move |_| {
        Ok(answer(
            json!({"policy": *state.lock().expect("not poisoned")}),
        ))
    });
    let state = Arc::clone(&policy);
    mock.on::<rbac_policy::SetRequest>().respond_with(move |r| {
        let mut policy = state.lock().expect("not poisoned");
        policy["custom_roles"] = json!(r.custom_roles.clone().unwrap_or_default());
        policy["custom_resources"] = json!(r.custom_resources.clone().unwrap_or_default());
        policy["custom_scopes"] = json!(r.custom_scopes.clone().unwrap_or_default());
        Ok(answer(json!({"policy": *policy})))
    });
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let desired: Desired = serde_json::from_str(include_str!("management_reconcile.json"))?;
    let key = (
        std::env::var("STYTCH_WORKSPACE_KEY_ID").unwrap_or_default(),
        std::env::var("STYTCH_WORKSPACE_KEY_SECRET").unwrap_or_default(),
    );
    if !key.0.is_empty() && !key.1.is_empty() {
        println!("using the Management API as workspace key {}", key.0);
        let dry_run = std::env::var("STYTCH_DRY_RUN").is_ok_and(|v| v == "1");
        let client = ManagementClient::new(key.0, key.1)?;
        reconcile(&client, &desired, dry_run).await?;
        return Ok(());
    }
    println!(
        "STYTCH_WORKSPACE_KEY_ID / STYTCH_WORKSPACE_KEY_SECRET not set: using the offline mock"
    );
    let mock = MockStytch::start().await;
    serve_state(&mock);
    let client = mock.management_client();
    println!("first run:");
    let first = reconcile(&client, &desired, false).await?;
    println!("second run:");
    let second = reconcile(&client, &desired, false).await?;
    if first == 0 || second != 0 {
        return Err(format!(
            "expected changes on the first run and none on the second, got {first} and {second}"
        )
        .into());
    }
    Ok(())
}
