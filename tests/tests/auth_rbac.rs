//! RBAC authorization checks on authenticated sessions (consumer and B2B):
//! allow and deny as the policy says, wildcard actions, tenancy, policy caching.

mod auth_support;

use std::time::Duration;

use auth_support::*;
use serde_json::json;
use stytch_sdk::auth::{AuthError, MemberSessionJwtOptions, RbacPolicy, SessionJwtOptions};

struct Consumer {
    server: Server,
    client: stytch_sdk::Client,
    key: TestKey,
}

async fn consumer() -> Consumer {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    server.route(CONSUMER_POLICY, 200, policy());
    let client = server.consumer();
    Consumer {
        server,
        client,
        key,
    }
}

fn consumer_token(key: &TestKey, roles: &[&str]) -> String {
    let mut claims = session_claims(0);
    claims["https://stytch.com/session"]["roles"] = json!(roles);
    key.sign(&claims)
}

#[tokio::test]
async fn consumer_checks_allow_and_deny_as_the_policy_says() {
    let Consumer {
        server,
        client,
        key,
    } = consumer().await;
    let editor = consumer_token(&key, &["stytch_user", "editor"]);
    let sessions = client.sessions();

    for action in ["read", "write"] {
        let session = sessions
            .authenticate_jwt_local(
                &editor,
                &SessionJwtOptions::new().authorize("documents", action),
            )
            .await
            .unwrap_or_else(|e| panic!("editor may {action} documents: {e}"));
        assert_eq!(session.roles, ["stytch_user", "editor"]);
    }
    for (resource, action) in [
        ("documents", "delete"),
        ("billing", "read"),
        ("unknown", "read"),
    ] {
        let err = sessions
            .authenticate_jwt_local(
                &editor,
                &SessionJwtOptions::new().authorize(resource, action),
            )
            .await
            .unwrap_err();
        let err = auth_error(err);
        assert!(
            matches!(&err, AuthError::PermissionDenied { resource_id, action: a } if resource_id == resource && a == action),
            "{err:?}"
        );
        // The message names what was missing.
        let text = err.to_string();
        assert!(text.contains(resource) && text.contains(action), "{text}");
    }

    // Roles the policy does not define grant nothing.
    let outsider = consumer_token(&key, &["stytch_user", "ghost"]);
    let err = sessions
        .authenticate_jwt_local(
            &outsider,
            &SessionJwtOptions::new().authorize("documents", "read"),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        auth_error(err),
        AuthError::PermissionDenied { .. }
    ));

    // The same through authenticate_jwt.
    let ok = sessions
        .authenticate_jwt(
            &editor,
            &SessionJwtOptions::new().authorize("documents", "write"),
        )
        .await
        .expect("allowed");
    assert!(ok.verified_locally);
    let err = sessions
        .authenticate_jwt(
            &editor,
            &SessionJwtOptions::new().authorize("documents", "delete"),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        auth_error(err),
        AuthError::PermissionDenied { .. }
    ));

    // All of that took one policy fetch.
    assert_eq!(server.hits(CONSUMER_POLICY), 1);
}

#[tokio::test]
async fn wildcard_action_grants_every_action_on_its_resource_only() {
    let Consumer {
        server: _server,
        client,
        key,
    } = consumer().await;
    let owner = consumer_token(&key, &["owner"]);
    for action in ["read", "write", "delete", "archive"] {
        client
            .sessions()
            .authenticate_jwt_local(
                &owner,
                &SessionJwtOptions::new().authorize("documents", action),
            )
            .await
            .unwrap_or_else(|e| panic!("owner may {action} documents: {e}"));
    }
    client
        .sessions()
        .authenticate_jwt_local(
            &owner,
            &SessionJwtOptions::new().authorize("billing", "read"),
        )
        .await
        .expect("owner reads billing");
    let err = client
        .sessions()
        .authenticate_jwt_local(
            &owner,
            &SessionJwtOptions::new().authorize("billing", "pay"),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        auth_error(err),
        AuthError::PermissionDenied { resource_id, action } if resource_id == "billing" && action == "pay"
    ));
}

#[tokio::test]
async fn policy_is_only_fetched_when_needed_and_refreshed_after_its_max_age() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    server.route(CONSUMER_POLICY, 200, policy());
    let client = server
        .consumer_builder()
        .rbac_policy_max_age(Duration::from_millis(400))
        .build()
        .unwrap();
    let reader = consumer_token(&key, &["reader"]);

    // No authorization check, no policy fetch.
    client
        .sessions()
        .authenticate_jwt_local(&reader, &SessionJwtOptions::new())
        .await
        .unwrap();
    assert_eq!(server.hits(CONSUMER_POLICY), 0);

    let read = SessionJwtOptions::new().authorize("documents", "read");
    client
        .sessions()
        .authenticate_jwt_local(&reader, &read)
        .await
        .expect("reader reads");
    client
        .sessions()
        .authenticate_jwt_local(&reader, &read)
        .await
        .expect("reader reads");
    assert_eq!(server.hits(CONSUMER_POLICY), 1);

    // The policy changes: readers lose read. Cached until the max age passes.
    server.route(
        CONSUMER_POLICY,
        200,
        json!({"policy": {"roles": [{"role_id": "reader", "description": "", "permissions": []}], "resources": [], "scopes": []}}),
    );
    client
        .sessions()
        .authenticate_jwt_local(&reader, &read)
        .await
        .expect("cached policy");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let err = client
        .sessions()
        .authenticate_jwt_local(&reader, &read)
        .await
        .unwrap_err();
    assert!(matches!(
        auth_error(err),
        AuthError::PermissionDenied { .. }
    ));
    assert_eq!(server.hits(CONSUMER_POLICY), 2);

    // The handle exposes the cached policy for further checks.
    let cached = client.rbac().cached_policy().await.unwrap();
    assert!(!cached.is_authorized(&["reader"], "documents", "read"));
    assert_eq!(server.hits(CONSUMER_POLICY), 2);
}

#[tokio::test]
async fn missing_or_unreachable_policy_denies() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    let client = server.consumer();
    let owner = consumer_token(&key, &["owner"]);
    let check = SessionJwtOptions::new().authorize("documents", "read");

    server.route(
        CONSUMER_POLICY,
        503,
        json!({"error_type": "unavailable", "error_message": "", "error_url": ""}),
    );
    let err = auth_error(
        client
            .sessions()
            .authenticate_jwt_local(&owner, &check)
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(&err, AuthError::Fetch { what: "RBAC policy", source } if source.status() == Some(503)),
        "{err:?}"
    );

    // A project without a policy: nothing is granted (once the backoff
    // after the failure has passed).
    server.route(CONSUMER_POLICY, 200, json!({"policy": null}));
    tokio::time::sleep(Duration::from_millis(120)).await;
    let err = auth_error(
        client
            .sessions()
            .authenticate_jwt_local(&owner, &check)
            .await
            .unwrap_err(),
    );
    assert!(matches!(err, AuthError::PermissionDenied { .. }));
}

#[tokio::test]
async fn stale_token_fallback_applies_the_check_to_the_api_session() {
    let Consumer {
        server,
        client,
        key,
    } = consumer().await;
    let mut api_session = serde_json::to_value(
        client
            .sessions()
            .authenticate_jwt_local(
                &consumer_token(&key, &["reader"]),
                &SessionJwtOptions::new(),
            )
            .await
            .unwrap(),
    )
    .unwrap();
    // The API knows the session was upgraded to editor since the token was minted.
    api_session["roles"] = json!(["editor"]);
    server.route(
        CONSUMER_AUTHENTICATE,
        200,
        json!({
            "session": api_session,
            "session_token": "opaque",
            "session_jwt": "fresh.jwt.value",
            "user": serde_json::to_value(stytch_sdk::consumer::models::users::User::default()).unwrap(),
        }),
    );
    let mut claims = session_claims(600);
    claims["https://stytch.com/session"]["roles"] = json!(["reader"]);
    let stale = key.sign(&claims);
    let write = SessionJwtOptions::new().authorize("documents", "write");
    let ok = client
        .sessions()
        .authenticate_jwt(&stale, &write)
        .await
        .expect("editor per the API");
    assert!(!ok.verified_locally);
    let delete = SessionJwtOptions::new().authorize("documents", "delete");
    let err = client
        .sessions()
        .authenticate_jwt(&stale, &delete)
        .await
        .unwrap_err();
    assert!(matches!(
        auth_error(err),
        AuthError::PermissionDenied { .. }
    ));
}

// ----- B2B -----

struct B2b {
    server: Server,
    client: stytch_sdk::B2BClient,
    key: TestKey,
}

async fn b2b() -> B2b {
    let key = TestKey::generate("b2b-key");
    let server = Server::start().await;
    server.serve_keys(B2B_JWKS, &[key.jwk()]);
    server.route(B2B_POLICY, 200, policy());
    server.route(
        &org_policy_path("organization-test-acme"),
        200,
        org_policy(&[]),
    );
    let client = server.b2b();
    B2b {
        server,
        client,
        key,
    }
}

#[tokio::test]
async fn member_session_is_decoded_from_the_claims() {
    let B2b {
        server,
        client,
        key,
    } = b2b().await;
    let token = key.sign(&member_claims(0, &["stytch_member", "editor"]));
    let session = client
        .sessions()
        .authenticate_jwt_local(&token, &MemberSessionJwtOptions::new())
        .await
        .expect("valid");
    assert_eq!(session.member_id, "member-test-grace");
    assert_eq!(session.member_session_id, "member-session-test-1");
    assert_eq!(session.organization_id, "organization-test-acme");
    assert_eq!(session.organization_slug, "acme");
    assert_eq!(session.roles, ["stytch_member", "editor"]);
    assert_eq!(session.authentication_factors.len(), 1);
    assert_eq!(
        session.custom_claims,
        Some(json!({"plan": "pro", "limits": {"seats": 5}}))
    );

    let authenticated = client
        .sessions()
        .authenticate_jwt(&token, &MemberSessionJwtOptions::new())
        .await
        .unwrap();
    assert!(authenticated.verified_locally);
    assert_eq!(authenticated.session, session);
    assert_eq!(server.hits(B2B_POLICY), 0);

    // A consumer-shaped token (no organization claim) is not a member session.
    let err = client
        .sessions()
        .authenticate_jwt_local(
            &key.sign(&session_claims(0)),
            &MemberSessionJwtOptions::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(auth_error(err), AuthError::Malformed(m) if m.contains("organization")));
}

#[tokio::test]
async fn member_checks_allow_deny_and_wildcard() {
    let B2b {
        server,
        client,
        key,
    } = b2b().await;
    let editor = key.sign(&member_claims(0, &["stytch_member", "editor"]));
    let owner = key.sign(&member_claims(0, &["owner"]));
    let org = "organization-test-acme";
    let check = |resource: &str, action: &str| {
        MemberSessionJwtOptions::new().authorize(org, resource, action)
    };

    client
        .sessions()
        .authenticate_jwt_local(&editor, &check("documents", "write"))
        .await
        .expect("editor writes");
    let err = client
        .sessions()
        .authenticate_jwt_local(&editor, &check("documents", "delete"))
        .await
        .unwrap_err();
    assert!(matches!(
        auth_error(err),
        AuthError::PermissionDenied { resource_id, action } if resource_id == "documents" && action == "delete"
    ));
    client
        .sessions()
        .authenticate_jwt_local(&owner, &check("documents", "delete"))
        .await
        .expect("wildcard");
    let err = client
        .sessions()
        .authenticate_jwt(&owner, &check("billing", "pay"))
        .await
        .unwrap_err();
    assert!(matches!(
        auth_error(err),
        AuthError::PermissionDenied { .. }
    ));
    assert_eq!(server.hits(B2B_POLICY), 1);
    assert_eq!(server.hits(CONSUMER_POLICY), 0);
}

#[tokio::test]
async fn another_organization_is_a_tenancy_error_before_any_policy_lookup() {
    let B2b {
        server,
        client,
        key,
    } = b2b().await;
    let owner = key.sign(&member_claims(0, &["owner"]));
    let foreign =
        MemberSessionJwtOptions::new().authorize("organization-test-globex", "documents", "read");
    for result in [
        client
            .sessions()
            .authenticate_jwt_local(&owner, &foreign)
            .await,
        client
            .sessions()
            .authenticate_jwt(&owner, &foreign)
            .await
            .map(|a| a.session),
    ] {
        let err = auth_error(result.unwrap_err());
        assert!(
            matches!(&err, AuthError::TenancyMismatch { requested, actual }
                if requested == "organization-test-globex" && actual == "organization-test-acme"),
            "{err:?}"
        );
    }
    assert_eq!(server.hits(B2B_POLICY), 0);
}

#[tokio::test]
async fn stale_member_token_falls_back_to_the_b2b_api() {
    let B2b {
        server,
        client,
        key,
    } = b2b().await;
    let mut api_session = serde_json::to_value(
        client
            .sessions()
            .authenticate_jwt_local(
                &key.sign(&member_claims(0, &["editor"])),
                &MemberSessionJwtOptions::new(),
            )
            .await
            .unwrap(),
    )
    .unwrap();
    api_session["member_session_id"] = json!("member-session-from-api");
    server.route(
        B2B_AUTHENTICATE,
        200,
        json!({
            "member_session": api_session,
            "session_token": "opaque",
            "session_jwt": "fresh.b2b.jwt",
            "member": serde_json::to_value(stytch_sdk::b2b::models::organizations::Member::default()).unwrap(),
            "organization": serde_json::to_value(stytch_sdk::b2b::models::organizations::Organization::default()).unwrap(),
        }),
    );
    let stale = key.sign(&{
        let mut claims = member_claims(900, &["editor"]);
        claims["exp"] = json!(now() + 600);
        claims
    });
    let err = client
        .sessions()
        .authenticate_jwt_local(&stale, &MemberSessionJwtOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(auth_error(err), AuthError::TooOld { .. }));

    let options =
        MemberSessionJwtOptions::new().authorize("organization-test-acme", "documents", "write");
    let authenticated = client
        .sessions()
        .authenticate_jwt(&stale, &options)
        .await
        .expect("fallback");
    assert!(!authenticated.verified_locally);
    assert_eq!(
        authenticated.session.member_session_id,
        "member-session-from-api"
    );
    assert_eq!(authenticated.session_jwt, "fresh.b2b.jwt");
    assert_eq!(
        server.bodies(B2B_AUTHENTICATE)[0]["session_jwt"],
        json!(stale)
    );

    // Tenancy is still checked on the API's answer, before the policy.
    let foreign =
        MemberSessionJwtOptions::new().authorize("organization-test-globex", "documents", "read");
    let before = server.hits(B2B_POLICY);
    let err = client
        .sessions()
        .authenticate_jwt(&stale, &foreign)
        .await
        .unwrap_err();
    assert!(matches!(auth_error(err), AuthError::TenancyMismatch { .. }));
    assert_eq!(server.hits(B2B_POLICY), before);

    // The same rule as for consumer tokens decides what is asked about:
    // expired and unknown-key tokens go to the API, forged ones do not.
    let rotated = TestKey::generate("b2b-key-rotated");
    let refreshing = server
        .b2b_builder()
        .jwks_refresh_interval(Duration::ZERO)
        .build()
        .unwrap();
    let mut expired = member_claims(20, &["editor"]);
    expired["exp"] = json!(now() - 10);
    let calls = server.hits(B2B_AUTHENTICATE);
    for token in [
        key.sign(&expired),
        rotated.sign(&member_claims(0, &["editor"])),
    ] {
        let authenticated = refreshing
            .sessions()
            .authenticate_jwt(&token, &MemberSessionJwtOptions::new())
            .await
            .expect("asked the API");
        assert!(!authenticated.verified_locally);
    }
    assert_eq!(server.hits(B2B_AUTHENTICATE), calls + 2);
    let forged = TestKey::generate("b2b-key").sign(&member_claims(0, &["editor"]));
    let mut wrong_audience = member_claims(0, &["editor"]);
    wrong_audience["aud"] = json!(["project-test-other"]);
    for token in [forged, key.sign(&wrong_audience)] {
        refreshing
            .sessions()
            .authenticate_jwt(&token, &MemberSessionJwtOptions::new())
            .await
            .expect_err("rejected locally");
    }
    assert_eq!(server.hits(B2B_AUTHENTICATE), calls + 2);
}

#[test]
fn policy_built_by_hand_evaluates_the_same_way() {
    let policy = RbacPolicy::new()
        .grant("reader", "documents", ["read"])
        .grant("editor", "documents", ["read", "write"])
        .grant("editor", "comments", ["write"])
        .grant("admin", "documents", ["*"]);
    assert!(policy.is_authorized(&["reader"], "documents", "read"));
    assert!(!policy.is_authorized(&["reader"], "documents", "write"));
    assert!(policy.is_authorized(&["reader", "editor"], "comments", "write"));
    assert!(policy.is_authorized(&["admin"], "documents", "anything"));
    assert!(!policy.is_authorized(&["admin"], "comments", "write"));
    assert!(!policy.is_authorized::<&str>(&[], "documents", "read"));
    assert!(!policy.is_authorized(&["*"], "documents", "read"));
    // `*` is only special as an action.
    assert!(!policy.is_authorized(&["admin"], "*", "read"));
    let err = policy
        .check(&["reader"], "documents", "delete")
        .unwrap_err();
    assert!(
        matches!(err, AuthError::PermissionDenied { resource_id, action } if resource_id == "documents" && action == "delete")
    );
    let mut roles: Vec<&str> = policy.role_ids().collect();
    roles.sort();
    assert_eq!(roles, ["admin", "editor", "reader"]);
}

// ----- Failures of the policy endpoint -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_outage_costs_a_handful_of_fetches() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    server.route(
        CONSUMER_POLICY,
        503,
        json!({"error_type": "unavailable", "error_message": "", "error_url": ""}),
    );
    let client = server
        .consumer_builder()
        .fetch_backoff(Duration::from_secs(10), Duration::from_secs(60))
        .build()
        .unwrap();
    let token = std::sync::Arc::new(consumer_token(&key, &["owner"]));
    // Warm the key set so only the policy is missing.
    client
        .sessions()
        .authenticate_jwt_local(&token, &SessionJwtOptions::new())
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let client = client.clone();
        let token = std::sync::Arc::clone(&token);
        tasks.push(tokio::spawn(async move {
            client
                .sessions()
                .authenticate_jwt_local(
                    &token,
                    &SessionJwtOptions::new().authorize("documents", "read"),
                )
                .await
        }));
    }
    for task in tasks {
        let err = auth_error(task.await.unwrap().unwrap_err());
        assert!(
            matches!(&err, AuthError::Fetch { what: "RBAC policy", source } if source.status() == Some(503)),
            "{err:?}"
        );
    }
    let fetches = server.hits(CONSUMER_POLICY);
    assert!((1..=2).contains(&fetches), "{fetches} policy fetches");
}

#[tokio::test]
async fn stale_policy_is_used_within_the_grace_period() {
    let Consumer { server, key, .. } = consumer().await;
    let client = server
        .consumer_builder()
        .rbac_policy_max_age(Duration::from_millis(300))
        .cache_grace_period(Duration::from_millis(600))
        .build()
        .unwrap();
    let reader = consumer_token(&key, &["reader"]);
    let read = SessionJwtOptions::new().authorize("documents", "read");
    client
        .sessions()
        .authenticate_jwt_local(&reader, &read)
        .await
        .unwrap();
    server.route(
        CONSUMER_POLICY,
        500,
        json!({"error_type": "down", "error_message": "", "error_url": ""}),
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    client
        .sessions()
        .authenticate_jwt_local(&reader, &read)
        .await
        .expect("last good policy within the grace period");
    tokio::time::sleep(Duration::from_millis(600)).await;
    let err = auth_error(
        client
            .sessions()
            .authenticate_jwt_local(&reader, &read)
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(
            err,
            AuthError::Fetch {
                what: "RBAC policy",
                ..
            }
        ),
        "{err:?}"
    );
}

// ----- Organization roles (B2B) -----

const ACME: &str = "organization-test-acme";

/// A member token of `organization_id` with `roles`.
fn member_token_in(key: &TestKey, organization_id: &str, roles: &[&str]) -> String {
    let mut claims = member_claims(0, roles);
    claims["https://stytch.com/organization"]["organization_id"] = json!(organization_id);
    key.sign(&claims)
}

#[tokio::test]
async fn organization_roles_grant_what_the_project_policy_alone_does_not() {
    let B2b {
        server,
        client,
        key,
    } = b2b().await;
    server.route(
        &org_policy_path(ACME),
        200,
        org_policy(&[
            ("billing-clerk", "billing", &["pay"]),
            ("reader", "billing", &["read"]),
        ]),
    );
    let clerk = key.sign(&member_claims(0, &["billing-clerk"]));
    let reader = key.sign(&member_claims(0, &["reader"]));
    let pay = MemberSessionJwtOptions::new().authorize(ACME, "billing", "pay");
    let read_billing = MemberSessionJwtOptions::new().authorize(ACME, "billing", "read");
    let read_docs = MemberSessionJwtOptions::new().authorize(ACME, "documents", "read");

    // The project policy does not know `billing-clerk` at all.
    let project = client.rbac().cached_policy().await.unwrap();
    assert!(!project.is_authorized(&["billing-clerk"], "billing", "pay"));
    assert!(!project.is_authorized(&["reader"], "billing", "read"));

    client
        .sessions()
        .authenticate_jwt_local(&clerk, &pay)
        .await
        .expect("org role pays");
    // An org role sharing a project role's id adds to it; the project grants stay.
    client
        .sessions()
        .authenticate_jwt_local(&reader, &read_billing)
        .await
        .expect("extended");
    client
        .sessions()
        .authenticate_jwt_local(&reader, &read_docs)
        .await
        .expect("project grant");
    let err = auth_error(
        client
            .sessions()
            .authenticate_jwt_local(&clerk, &read_docs)
            .await
            .unwrap_err(),
    );
    assert!(matches!(err, AuthError::PermissionDenied { .. }), "{err:?}");
    assert_eq!(server.hits(&org_policy_path(ACME)), 1);

    let merged = client.rbac().cached_org_policy(ACME).await.unwrap();
    assert!(merged.is_authorized(&["billing-clerk"], "billing", "pay"));
    assert_eq!(server.hits(&org_policy_path(ACME)), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_organization_policy_fetch_serves_concurrent_checks() {
    let B2b {
        server,
        client,
        key,
    } = b2b().await;
    server.route(
        &org_policy_path(ACME),
        200,
        org_policy(&[("clerk", "billing", &["pay"])]),
    );
    let token = std::sync::Arc::new(key.sign(&member_claims(0, &["clerk"])));
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let client = client.clone();
        let token = std::sync::Arc::clone(&token);
        tasks.push(tokio::spawn(async move {
            client
                .sessions()
                .authenticate_jwt_local(
                    &token,
                    &MemberSessionJwtOptions::new().authorize(ACME, "billing", "pay"),
                )
                .await
        }));
    }
    for task in tasks {
        task.await.unwrap().expect("org role");
    }
    assert_eq!(server.hits(&org_policy_path(ACME)), 1);
    assert_eq!(server.hits(B2B_POLICY), 1);
}

#[tokio::test]
async fn organization_policies_are_cached_per_organization_within_a_bound() {
    let B2b { server, key, .. } = b2b().await;
    let client = server
        .b2b_builder()
        .org_policy_cache_capacity(2)
        .build()
        .unwrap();
    let orgs = [
        "organization-test-a",
        "organization-test-b",
        "organization-test-c",
    ];
    for org in orgs {
        server.route(
            &org_policy_path(org),
            200,
            org_policy(&[("clerk", "billing", &["pay"])]),
        );
    }
    let check = |org: &str| MemberSessionJwtOptions::new().authorize(org, "billing", "pay");
    let tokens: Vec<String> = orgs
        .iter()
        .map(|org| member_token_in(&key, org, &["clerk"]))
        .collect();
    let run = |i: usize| {
        let client = client.clone();
        let token = tokens[i].clone();
        let options = check(orgs[i]);
        async move {
            client
                .sessions()
                .authenticate_jwt_local(&token, &options)
                .await
                .expect("org role")
        }
    };
    let hits = |i: usize| server.hits(&org_policy_path(orgs[i]));

    run(0).await;
    run(1).await;
    run(0).await; // a is used more recently than b
    assert_eq!((hits(0), hits(1)), (1, 1));
    run(2).await; // evicts b, the least recently used
    run(0).await;
    assert_eq!((hits(0), hits(1), hits(2)), (1, 1, 1));
    run(1).await; // b was dropped: fetched again (and evicts c)
    assert_eq!(hits(1), 2);
    run(0).await;
    assert_eq!(hits(0), 1);
    run(2).await;
    assert_eq!(hits(2), 2);
}

#[tokio::test]
async fn organization_policy_fetch_failure_is_an_error_not_a_denial() {
    let B2b {
        server,
        client,
        key,
    } = b2b().await;
    server.route(
        &org_policy_path(ACME),
        500,
        json!({"error_type": "internal_server_error", "error_message": "", "error_url": ""}),
    );
    let owner = key.sign(&member_claims(0, &["owner"]));
    let err = auth_error(
        client
            .sessions()
            .authenticate_jwt_local(
                &owner,
                &MemberSessionJwtOptions::new().authorize(ACME, "documents", "read"),
            )
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(&err, AuthError::Fetch { what: "organization RBAC policy", source } if source.status() == Some(500)),
        "{err:?}"
    );
    // Recovers once the endpoint does (after the backoff).
    server.route(&org_policy_path(ACME), 200, org_policy(&[]));
    tokio::time::sleep(Duration::from_millis(120)).await;
    client
        .sessions()
        .authenticate_jwt_local(
            &owner,
            &MemberSessionJwtOptions::new().authorize(ACME, "documents", "read"),
        )
        .await
        .expect("project role");
}

/// A policy with roles, a role without permissions and scopes, as the policy
/// endpoints answer it.
fn policy_with_scopes() -> serde_json::Value {
    json!({
        "roles": [
            {"role_id": "editor", "description": "", "permissions": [
                {"resource_id": "documents", "actions": ["read", "write"]}
            ]},
            {"role_id": "guest", "description": "", "permissions": []}
        ],
        "resources": [
            {"resource_id": "documents", "description": "", "actions": ["read", "write"]}
        ],
        "scopes": [
            {"scope": "read:docs", "description": "", "permissions": [
                {"resource_id": "documents", "actions": ["read"]}
            ]},
            {"scope": "admin", "description": "", "permissions": [
                {"resource_id": "documents", "actions": ["*"]}
            ]}
        ]
    })
}

#[test]
fn a_policy_converted_from_the_generated_types_grants_what_the_builder_grants() {
    let expected = RbacPolicy::new()
        .grant("editor", "documents", ["read", "write"])
        .grant_scope("read:docs", "documents", ["read"])
        .grant_scope("admin", "documents", ["*"]);
    let consumer: stytch_sdk::consumer::models::rbac::Policy =
        serde_json::from_value(policy_with_scopes()).unwrap();
    let b2b: stytch_sdk::b2b::models::rbac::Policy =
        serde_json::from_value(policy_with_scopes()).unwrap();
    for converted in [RbacPolicy::from(&consumer), RbacPolicy::from(&b2b)] {
        for (role, action, allowed) in [
            ("editor", "write", true),
            ("editor", "delete", false),
            ("guest", "read", false),
        ] {
            assert_eq!(
                converted.is_authorized(&[role], "documents", action),
                allowed,
                "{role} {action}"
            );
            assert_eq!(
                expected.is_authorized(&[role], "documents", action),
                allowed
            );
        }
        for (scopes, action, allowed) in [
            (&["read:docs"][..], "read", true),
            (&["read:docs"][..], "write", false),
            (&["admin"][..], "delete", true),
        ] {
            assert_eq!(
                converted.scopes_grant(scopes, "documents", action),
                allowed,
                "{scopes:?} {action}"
            );
        }
        // The role without permissions is still a role of the policy.
        let mut roles: Vec<&str> = converted.role_ids().collect();
        roles.sort_unstable();
        assert_eq!(roles, ["editor", "guest"]);
    }
}
