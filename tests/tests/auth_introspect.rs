//! Local introspection of OAuth access tokens issued to Connected Apps
//! (consumer and B2B): verification, typed claims, scope checks, tenancy.

mod auth_support;

use std::time::Duration;

use auth_support::*;
use serde_json::{Value, json};
use stytch_sdk::auth::{AccessTokenOptions, AuthError, OrganizationAccessTokenOptions};

/// Claims of a Connected App access token for `sub`, with `scope`.
fn access_claims(sub: &str, scope: &str) -> Value {
    let iat = now();
    json!({
        "sub": sub,
        "iss": format!("stytch.com/{PROJECT_ID}"),
        "aud": [PROJECT_ID],
        "client_id": "connected-app-test-notes",
        "iat": iat,
        "nbf": iat,
        "exp": iat + 3600,
        "jti": "token-id-1",
        "scope": scope,
        "tier": "gold"
    })
}

/// Claims of a B2B access token of a member of `organization_id`.
fn member_access_claims(organization_id: &str, scope: &str) -> Value {
    let mut claims = access_claims("member-test-grace", scope);
    claims["https://stytch.com/organization"] =
        json!({"organization_id": organization_id, "slug": "acme"});
    claims
}

async fn setup() -> (TestKey, Server) {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    server.serve_keys(B2B_JWKS, &[key.jwk()]);
    server.route(CONSUMER_POLICY, 200, policy_with_scopes());
    server.route(B2B_POLICY, 200, policy_with_scopes());
    (key, server)
}

fn err_of<T: std::fmt::Debug>(result: Result<T, stytch_sdk::Error>) -> AuthError {
    auth_error(result.expect_err("token must be rejected"))
}

#[tokio::test]
async fn valid_access_token_yields_typed_claims() {
    let (key, server) = setup().await;
    let client = server.consumer();
    let claims = access_claims("user-test-ada", "openid read:documents");
    let introspected = client
        .idp()
        .introspect_token_local(&key.sign(&claims), &AccessTokenOptions::new())
        .await
        .expect("valid");
    assert!(introspected.active);
    assert_eq!(introspected.sub, "user-test-ada");
    assert_eq!(introspected.scope, "openid read:documents");
    assert_eq!(introspected.scopes(), ["openid", "read:documents"]);
    assert_eq!(introspected.aud, [PROJECT_ID]);
    assert_eq!(introspected.iss, format!("stytch.com/{PROJECT_ID}"));
    assert_eq!(introspected.client_id, "connected-app-test-notes");
    assert_eq!(introspected.token_type, "access_token");
    assert_eq!(
        introspected.exp.unix_timestamp(),
        claims["exp"].as_i64().unwrap()
    );
    assert_eq!(
        introspected.iat.unix_timestamp(),
        claims["iat"].as_i64().unwrap()
    );
    assert_eq!(
        introspected.nbf.map(|t| t.unix_timestamp()),
        claims["nbf"].as_i64()
    );
    assert_eq!(introspected.organization, None);
    assert_eq!(
        introspected.custom_claims,
        json!({"tier": "gold", "jti": "token-id-1"})
            .as_object()
            .unwrap()
            .clone()
    );
    let typed: std::collections::BTreeMap<String, String> =
        introspected.custom_claims_as().unwrap();
    assert_eq!(typed["tier"], "gold");
    let err = introspected
        .custom_claims_as::<std::collections::BTreeMap<String, u32>>()
        .unwrap_err();
    assert!(matches!(err, AuthError::CustomClaims { .. }), "{err:?}");
    // Nothing but the key set was fetched (no scope check, no policy).
    assert_eq!(server.hits(CONSUMER_JWKS), 1);
    assert_eq!(server.hits(CONSUMER_POLICY), 0);

    // The B2B twin returns the organization.
    let b2b = server.b2b();
    let introspected = b2b
        .idp()
        .introspect_token_local(
            &key.sign(&member_access_claims("organization-test-acme", "openid")),
            &OrganizationAccessTokenOptions::new(),
        )
        .await
        .expect("valid");
    let organization = introspected.organization.expect("organization claim");
    assert_eq!(organization.organization_id, "organization-test-acme");
    assert_eq!(organization.slug, "acme");
}

#[tokio::test]
async fn expired_foreign_and_non_access_tokens_are_rejected() {
    let (key, server) = setup().await;
    let client = server.consumer();
    let idp = client.idp();
    let options = AccessTokenOptions::new();

    let mut expired = access_claims("user-test-ada", "openid");
    expired["exp"] = json!(now() - 30);
    let token = key.sign(&expired);
    assert!(matches!(
        err_of(idp.introspect_token_local(&token, &options).await),
        AuthError::Expired { .. }
    ));
    // ...unless within the clock tolerance.
    idp.introspect_token_local(
        &token,
        &AccessTokenOptions::new().clock_tolerance(Duration::from_secs(60)),
    )
    .await
    .expect("within tolerance");

    let mut foreign = access_claims("user-test-ada", "openid");
    foreign["aud"] = json!(["project-test-someone-else"]);
    assert!(matches!(
        err_of(
            idp.introspect_token_local(&key.sign(&foreign), &options)
                .await
        ),
        AuthError::WrongAudience { .. }
    ));
    let mut foreign = access_claims("user-test-ada", "openid");
    foreign["iss"] = json!("https://idp.other.example");
    assert!(matches!(
        err_of(
            idp.introspect_token_local(&key.sign(&foreign), &options)
                .await
        ),
        AuthError::WrongIssuer { .. }
    ));
    let forged = TestKey::generate("key-1").sign(&access_claims("user-test-ada", "openid"));
    assert!(matches!(
        err_of(idp.introspect_token_local(&forged, &options).await),
        AuthError::InvalidSignature
    ));

    // Refresh tokens are opaque: only the network introspection can judge them.
    let err = err_of(
        idp.introspect_token_local("k3mx0Xq2RbYt7v1wAhLpNc9sEuFgJdZo", &options)
            .await,
    );
    assert!(matches!(err, AuthError::OpaqueToken), "{err:?}");
    assert!(err.to_string().contains("introspect_token_network"));

    // A session JWT is not an access token.
    let err = err_of(
        idp.introspect_token_local(&key.sign(&session_claims(0)), &options)
            .await,
    );
    assert!(matches!(err, AuthError::WrongTokenType { .. }), "{err:?}");
}

#[tokio::test]
async fn scopes_allow_and_deny_per_the_policy() {
    let (key, server) = setup().await;
    let client = server.consumer();
    let reader = key.sign(&access_claims("user-test-ada", "openid read:documents"));
    let manager = key.sign(&access_claims("user-test-ada", "manage:documents"));
    let plain = key.sign(&access_claims("user-test-ada", "openid email"));
    let check = |action: &str| AccessTokenOptions::new().authorize("documents", action);

    client
        .idp()
        .introspect_token_local(&reader, &check("read"))
        .await
        .expect("read scope reads");
    let err = err_of(
        client
            .idp()
            .introspect_token_local(&reader, &check("write"))
            .await,
    );
    assert!(
        matches!(&err, AuthError::PermissionDenied { resource_id, action } if resource_id == "documents" && action == "write"),
        "{err:?}"
    );
    client
        .idp()
        .introspect_token_local(&manager, &check("delete"))
        .await
        .expect("wildcard scope");
    assert!(matches!(
        err_of(
            client
                .idp()
                .introspect_token_local(&plain, &check("read"))
                .await
        ),
        AuthError::PermissionDenied { .. }
    ));
    assert_eq!(server.hits(CONSUMER_POLICY), 1);
}

#[tokio::test]
async fn b2b_checks_tenancy_before_scopes() {
    let (key, server) = setup().await;
    let client = server.b2b();
    let token = key.sign(&member_access_claims(
        "organization-test-acme",
        "read:documents",
    ));
    client
        .idp()
        .introspect_token_local(
            &token,
            &OrganizationAccessTokenOptions::new().authorize(
                "organization-test-acme",
                "documents",
                "read",
            ),
        )
        .await
        .expect("same organization, granted scope");
    assert_eq!(server.hits(B2B_POLICY), 1);

    let err = err_of(
        client
            .idp()
            .introspect_token_local(
                &token,
                &OrganizationAccessTokenOptions::new().authorize(
                    "organization-test-globex",
                    "documents",
                    "read",
                ),
            )
            .await,
    );
    assert!(
        matches!(&err, AuthError::TenancyMismatch { requested, actual }
            if requested == "organization-test-globex" && actual == "organization-test-acme"),
        "{err:?}"
    );
    let err = err_of(
        client
            .idp()
            .introspect_token_local(
                &token,
                &OrganizationAccessTokenOptions::new().authorize(
                    "organization-test-acme",
                    "documents",
                    "write",
                ),
            )
            .await,
    );
    assert!(matches!(err, AuthError::PermissionDenied { .. }), "{err:?}");
    // The policy was fetched once; the tenancy failure needed none.
    assert_eq!(server.hits(B2B_POLICY), 1);
}

/// Path of the network introspection endpoint.
const INTROSPECT: &str =
    "/v1/public/project-test-00000000-1111-2222-3333-444444444444/oauth2/introspect";

/// The RFC 7662 answer the identity provider gives for a token with `claims`.
fn network_answer(claims: &Value) -> Value {
    let mut answer = claims.clone();
    answer["active"] = json!(true);
    answer["token_type"] = json!("access_token");
    answer
}

#[tokio::test]
async fn local_and_network_introspection_return_the_same_claims() {
    let (key, server) = setup().await;
    let claims = access_claims("user-test-ada", "openid read:documents");
    server.route(INTROSPECT, 200, network_answer(&claims));
    let client = server.consumer();
    let token = key.sign(&claims);
    let local = client
        .idp()
        .introspect_token_local(&token, &AccessTokenOptions::new())
        .await
        .expect("valid locally");
    let network = client
        .idp()
        .introspect_token_network(
            stytch_sdk::consumer::idp::IntrospectTokenNetworkRequest::new(
                token.clone(),
                "connected-app-test-notes",
            ),
        )
        .await
        .expect("active");
    assert_eq!(local, network);
    assert_eq!(network.scope, "openid read:documents");
    assert_eq!(
        network.exp.unix_timestamp(),
        claims["exp"].as_i64().unwrap()
    );

    // The same for a B2B token and its organization.
    let claims = member_access_claims("organization-test-acme", "read:documents");
    server.route(INTROSPECT, 200, network_answer(&claims));
    let b2b = server.b2b();
    let token = key.sign(&claims);
    let local = b2b
        .idp()
        .introspect_token_local(&token, &OrganizationAccessTokenOptions::new())
        .await
        .expect("valid locally");
    let network = b2b
        .idp()
        .introspect_token_network(stytch_sdk::b2b::idp::IntrospectTokenNetworkRequest::new(
            token,
            "connected-app-test-notes",
        ))
        .await
        .expect("active");
    assert_eq!(local, network);
    assert_eq!(
        network.organization.map(|o| o.organization_id).as_deref(),
        Some("organization-test-acme")
    );
}

#[tokio::test]
async fn an_active_answer_without_its_times_is_a_decode_error_naming_the_field() {
    let (_key, server) = setup().await;
    let mut answer = network_answer(&access_claims("user-test-ada", "openid"));
    answer.as_object_mut().unwrap().remove("exp");
    server.route(INTROSPECT, 200, answer);
    let error = server
        .consumer()
        .idp()
        .introspect_token_network(
            stytch_sdk::consumer::idp::IntrospectTokenNetworkRequest::new(
                "opaque-token",
                "connected-app-test-notes",
            ),
        )
        .await
        .expect_err("no expiry");
    assert!(
        matches!(&error, stytch_sdk::Error::Decode { path, .. } if path == "exp"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_set_authorization_check_is_applied_on_every_introspection_path() {
    let (key, server) = setup().await;
    let claims = access_claims("user-test-ada", "openid");
    server.route(INTROSPECT, 200, network_answer(&claims));
    let check = || stytch_sdk::consumer::models::sessions::AuthorizationCheck {
        resource_id: "documents".into(),
        action: "read".into(),
    };
    let client = server.consumer();
    let network = client
        .idp()
        .introspect_token_network(
            stytch_sdk::consumer::idp::IntrospectTokenNetworkRequest::new(
                "token",
                "connected-app-test-notes",
            )
            .authorization_check(check()),
        )
        .await;
    assert!(
        matches!(err_of(network), AuthError::PermissionDenied { .. }),
        "`openid` grants nothing"
    );
    let local = client
        .idp()
        .introspect_token_local(
            &key.sign(&claims),
            &AccessTokenOptions::new().authorize("documents", "read"),
        )
        .await;
    assert!(matches!(err_of(local), AuthError::PermissionDenied { .. }));
    // Through the offline mock too (its default policy grants nothing).
    let mock = stytch_sdk::test_util::MockStytch::start().await;
    mock.on::<stytch_sdk::consumer::idp::IntrospectTokenNetworkRequest>()
        .respond_json(network_answer(&claims));
    let mocked = mock
        .client()
        .idp()
        .introspect_token_network(
            stytch_sdk::consumer::idp::IntrospectTokenNetworkRequest::new(
                "token",
                "connected-app-test-notes",
            )
            .authorization_check(check()),
        )
        .await;
    assert!(matches!(err_of(mocked), AuthError::PermissionDenied { .. }));
}

#[test]
fn test_util_builds_claims_for_code_under_test() {
    let mut claims =
        stytch_sdk::auth::AccessTokenClaims::for_test("user-test-ada", "connected-app-test-notes");
    claims.scope = "read:documents".into();
    assert!(claims.active);
    assert_eq!(claims.scopes(), ["read:documents"]);
    assert!(claims.exp > claims.iat);
}
