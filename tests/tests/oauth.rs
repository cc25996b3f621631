//! The OAuth endpoints on the wire: the client-credentials grant of
//! `m2m.token` (a fixed `grant_type`, scopes joined into one `scope` string)
//! and token introspection, whose `authorization_check` is never sent but
//! checked by the SDK on the answer.

use serde_json::{Value, json};
use stytch_sdk::auth::AuthError;
use stytch_sdk::{B2BClient, Client, Error};
use stytch_tests::{MockServer, Recorded, Reply, assert_json_post, basic_auth};

const PROJECT_ID: &str = "project-test-0c6e1d52-8f3a-4b27-9d40-5e7f1a2b3c4d";
const SECRET: &str = "secret-test-Qm3Zr8Tn1Vx6Wb4Yc9Ld2Ks7Hf5Jg0Pa";
const TOKEN_PATH: &str =
    "/v1/public/project-test-0c6e1d52-8f3a-4b27-9d40-5e7f1a2b3c4d/oauth2/token";
const INTROSPECT_PATH: &str =
    "/v1/public/project-test-0c6e1d52-8f3a-4b27-9d40-5e7f1a2b3c4d/oauth2/introspect";

fn token_reply() -> Reply {
    Reply::json(
        200,
        &json!({
            "status_code": 200,
            "request_id": "request-id-test-1",
            "access_token": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
            "token_type": "bearer",
            "expires_in": 3600
        }),
    )
}

fn body_of(server: &MockServer) -> Value {
    server.single_request().json()
}

#[tokio::test]
async fn m2m_token_sends_a_client_credentials_grant_with_one_scope_string() {
    let server = MockServer::start().await;
    server.reply(token_reply());
    let client: Client = server.client(PROJECT_ID, SECRET);
    let request = stytch_sdk::consumer::m2m::TokenRequest::new("m2m-client-1", "m2m-secret-1")
        .scope(vec!["read:users".into(), "write:users".into()]);
    let token = client.m2m().token(request).await.expect("token");
    assert_eq!(token.expires_in, 3600);
    assert_json_post(
        &server.single_request(),
        PROJECT_ID,
        SECRET,
        TOKEN_PATH,
        json!({
            "client_id": "m2m-client-1",
            "client_secret": "m2m-secret-1",
            "grant_type": "client_credentials",
            "scope": "read:users write:users"
        }),
    );
}

#[tokio::test]
async fn m2m_token_leaves_scope_out_when_none_is_asked_for() {
    for scopes in [None, Some(Vec::new())] {
        let server = MockServer::start().await;
        server.reply(token_reply());
        let client: B2BClient = server.client(PROJECT_ID, SECRET);
        let mut request = stytch_sdk::b2b::m2m::TokenRequest::new("m2m-client-2", "m2m-secret-2");
        if let Some(scopes) = scopes.clone() {
            request = request.scope(scopes);
        }
        client.m2m().token(request).await.expect("token");
        assert_eq!(
            body_of(&server),
            json!({
                "client_id": "m2m-client-2",
                "client_secret": "m2m-secret-2",
                "grant_type": "client_credentials"
            }),
            "scopes {scopes:?}"
        );
    }
}

/// A policy (the same shape for both products) whose `read:docs` scope may
/// read documents and whose `admin` scope may do anything to them.
fn policy() -> Value {
    json!({
        "status_code": 200,
        "request_id": "request-id-policy",
        "policy": {
            "roles": [],
            "resources": [{"resource_id": "documents", "description": "Docs", "actions": ["read", "write"]}],
            "scopes": [
                {"scope": "read:docs", "description": "Read", "permissions": [{"resource_id": "documents", "actions": ["read"]}]},
                {"scope": "admin", "description": "All", "permissions": [{"resource_id": "documents", "actions": ["*"]}]}
            ]
        }
    })
}

fn introspection(active: bool, scope: &str, organization: Option<&str>) -> Value {
    if !active {
        return json!({"status_code": 200, "request_id": "request-id-2", "active": false});
    }
    let mut body = json!({
        "status_code": 200,
        "request_id": "request-id-2",
        "active": true,
        "sub": "user-test-1",
        "scope": scope,
        "aud": [PROJECT_ID],
        "exp": 2_000_000_000i64,
        "iat": 1_700_000_000i64,
        "iss": format!("stytch.com/{PROJECT_ID}"),
        "nbf": 1_700_000_000i64,
        "client_id": "connected-app-client-1",
        "token_type": "access_token",
        "https://example.com/tier": "gold"
    });
    if let Some(org) = organization {
        body["https://stytch.com/organization"] = json!({"organization_id": org, "slug": "acme"});
    }
    body
}

/// A server answering introspection with `answer` and the RBAC policy paths
/// with [`policy`].
async fn server(answer: Value) -> MockServer {
    MockServer::start_with(move |request: &Recorded| match request.path.as_str() {
        "/v1/rbac/policy" | "/v1/b2b/rbac/policy" => Reply::json(200, &policy()),
        INTROSPECT_PATH => Reply::json(200, &answer),
        _ => Reply::text(404, "unknown path"),
    })
    .await
}

fn check_introspection_request(request: &Recorded) {
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.header("authorization"),
        Some(basic_auth(PROJECT_ID, SECRET).as_str())
    );
    let mut pairs = request.form_pairs();
    pairs.sort();
    assert_eq!(
        pairs,
        vec![
            ("client_id".to_owned(), "connected-app-client-1".to_owned()),
            ("token".to_owned(), "access-token-value".to_owned()),
        ],
        "only the RFC 7662 fields travel; the authorization check never does"
    );
}

#[tokio::test]
async fn introspection_checks_scopes_locally_and_never_sends_the_check() {
    let server = server(introspection(true, "openid read:docs", None)).await;
    let client: Client = server.client(PROJECT_ID, SECRET);
    let introspect = |action: &str| {
        stytch_sdk::consumer::idp::IntrospectTokenNetworkRequest::new(
            "access-token-value",
            "connected-app-client-1",
        )
        .authorization_check(stytch_sdk::consumer::models::sessions::AuthorizationCheck {
            resource_id: "documents".into(),
            action: action.into(),
        })
    };

    let claims = client
        .idp()
        .introspect_token_network(introspect("read"))
        .await
        .expect("read:docs grants reading documents");
    assert!(claims.active);
    assert_eq!(claims.sub, "user-test-1");
    assert_eq!(claims.aud, vec![PROJECT_ID.to_owned()]);
    assert_eq!(claims.scopes(), ["openid", "read:docs"]);
    assert_eq!(claims.exp.unix_timestamp(), 2_000_000_000);
    assert_eq!(claims.iat.unix_timestamp(), 1_700_000_000);
    assert_eq!(claims.client_id, "connected-app-client-1");
    assert_eq!(
        claims.custom_claims.get("https://example.com/tier"),
        Some(&json!("gold"))
    );
    assert_eq!(
        claims.custom_claims.len(),
        1,
        "only unnamed claims are custom"
    );

    let denied = client
        .idp()
        .introspect_token_network(introspect("write"))
        .await
        .expect_err("no scope grants writing");
    assert!(
        matches!(&denied, Error::Auth(AuthError::PermissionDenied { resource_id, action }) if resource_id == "documents" && action == "write"),
        "{denied:?}"
    );

    for request in server.requests_to(INTROSPECT_PATH) {
        check_introspection_request(&request);
    }
    assert_eq!(server.count(INTROSPECT_PATH), 2);
    assert_eq!(server.count("/v1/rbac/policy"), 1, "the policy is cached");
}

#[tokio::test]
async fn an_inactive_token_is_an_error_even_without_a_check() {
    let server = server(introspection(false, "", None)).await;
    let client: Client = server.client(PROJECT_ID, SECRET);
    let request = stytch_sdk::consumer::idp::IntrospectTokenNetworkRequest::new(
        "access-token-value",
        "connected-app-client-1",
    );
    let error = client
        .idp()
        .introspect_token_network(request)
        .await
        .expect_err("inactive");
    assert!(
        matches!(error, Error::Auth(AuthError::InactiveToken)),
        "{error:?}"
    );
    check_introspection_request(&server.single_request());
}

fn b2b_check(
    organization_id: &str,
    action: &str,
) -> stytch_sdk::b2b::idp::IntrospectTokenNetworkRequest {
    stytch_sdk::b2b::idp::IntrospectTokenNetworkRequest::new(
        "access-token-value",
        "connected-app-client-1",
    )
    .authorization_check(stytch_sdk::b2b::models::sessions::AuthorizationCheck {
        organization_id: organization_id.into(),
        resource_id: "documents".into(),
        action: action.into(),
    })
}

#[tokio::test]
async fn b2b_introspection_checks_tenancy_before_scopes() {
    let server = server(introspection(true, "admin", Some("organization-test-1"))).await;
    let client: B2BClient = server.client(PROJECT_ID, SECRET);

    let claims = client
        .idp()
        .introspect_token_network(b2b_check("organization-test-1", "delete"))
        .await
        .expect("the admin scope grants every action");
    assert_eq!(
        claims.organization.map(|o| o.organization_id).as_deref(),
        Some("organization-test-1")
    );

    let error = client
        .idp()
        .introspect_token_network(b2b_check("organization-test-2", "read"))
        .await
        .expect_err("another organization's token");
    assert!(
        matches!(&error, Error::Auth(AuthError::TenancyMismatch { requested, actual }) if requested == "organization-test-2" && actual == "organization-test-1"),
        "{error:?}"
    );
    assert_eq!(server.count("/v1/b2b/rbac/policy"), 1);
    for request in server.requests_to(INTROSPECT_PATH) {
        check_introspection_request(&request);
    }
}

#[tokio::test]
async fn b2b_introspection_denies_what_no_scope_grants() {
    let server = server(introspection(
        true,
        "read:docs",
        Some("organization-test-1"),
    ))
    .await;
    let client: B2BClient = server.client(PROJECT_ID, SECRET);
    let error = client
        .idp()
        .introspect_token_network(b2b_check("organization-test-1", "write"))
        .await
        .expect_err("read:docs does not grant writing");
    assert!(
        matches!(error, Error::Auth(AuthError::PermissionDenied { .. })),
        "{error:?}"
    );
}

/// RFC 6749 §5.1: a token answer with only the OAuth fields, no Stytch envelope.
fn bare_token_reply(status: u16) -> Reply {
    Reply::json(
        status,
        &json!({
            "access_token": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
            "token_type": "bearer",
            "expires_in": 3600
        }),
    )
}

#[tokio::test]
async fn a_bare_rfc_6749_token_answer_takes_its_status_from_http() {
    for status in [200, 201] {
        let server = MockServer::start().await;
        server.reply(bare_token_reply(status));
        let client: Client = server.client(PROJECT_ID, SECRET);
        let token = client
            .m2m()
            .token(stytch_sdk::consumer::m2m::TokenRequest::new(
                "m2m-client-1",
                "m2m-secret-1",
            ))
            .await
            .expect("a bare OAuth answer decodes");
        assert_eq!(token.status_code, i64::from(status));
        assert_eq!(token.request_id, None);
        assert_eq!(token.expires_in, 3600);
    }
    let server = MockServer::start().await;
    server.reply(bare_token_reply(200));
    let b2b: B2BClient = server.client(PROJECT_ID, SECRET);
    let token = b2b
        .m2m()
        .token(stytch_sdk::b2b::m2m::TokenRequest::new(
            "m2m-client-1",
            "m2m-secret-1",
        ))
        .await
        .expect("a bare OAuth answer decodes (B2B)");
    assert_eq!((token.status_code, token.request_id), (200, None));
}

#[tokio::test]
async fn an_enveloped_token_answer_keeps_its_own_status_and_request_id() {
    let server = MockServer::start().await;
    server.reply(token_reply());
    let client: Client = server.client(PROJECT_ID, SECRET);
    let token = client
        .m2m()
        .token(stytch_sdk::consumer::m2m::TokenRequest::new("id", "secret"))
        .await
        .expect("token");
    assert_eq!(token.status_code, 200);
    assert_eq!(token.request_id.as_deref(), Some("request-id-test-1"));
}

#[tokio::test]
async fn a_bare_rfc_7662_inactive_answer_is_an_inactive_token() {
    // RFC 7662 §2.2: an inactive token's answer is `{"active": false}` alone.
    let server = server(json!({"active": false})).await;
    let client: Client = server.client(PROJECT_ID, SECRET);
    let error = client
        .idp()
        .introspect_token_network(
            stytch_sdk::consumer::idp::IntrospectTokenNetworkRequest::new(
                "access-token-value",
                "connected-app-client-1",
            ),
        )
        .await
        .expect_err("inactive");
    assert!(
        matches!(error, Error::Auth(AuthError::InactiveToken)),
        "{error:?}"
    );
    let b2b: B2BClient = server.client(PROJECT_ID, SECRET);
    let error = b2b
        .idp()
        .introspect_token_network(stytch_sdk::b2b::idp::IntrospectTokenNetworkRequest::new(
            "access-token-value",
            "connected-app-client-1",
        ))
        .await
        .expect_err("inactive");
    assert!(
        matches!(error, Error::Auth(AuthError::InactiveToken)),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_bare_rfc_7662_active_answer_decodes_and_is_checked() {
    let mut answer = introspection(true, "read", None);
    let object = answer.as_object_mut().unwrap();
    object.remove("status_code");
    object.remove("request_id");
    let server = server(answer).await;
    let client: Client = server.client(PROJECT_ID, SECRET);
    let claims = client
        .idp()
        .introspect_token_network(
            stytch_sdk::consumer::idp::IntrospectTokenNetworkRequest::new(
                "access-token-value",
                "connected-app-client-1",
            ),
        )
        .await
        .expect("active");
    assert!(claims.active);
    assert_eq!(claims.sub, "user-test-1");
    assert_eq!(claims.scope, "read");
}
