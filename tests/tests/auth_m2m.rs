//! M2M access tokens: getting one with client credentials, verifying it
//! locally, and the scope rules (`action:resource`, plain names, `action:*`).

mod auth_support;

use std::time::Duration;

use auth_support::*;
use serde_json::json;
use stytch_sdk::auth::{AuthError, M2mTokenOptions, check_scopes, scope_grants};

#[tokio::test]
async fn token_from_the_endpoint_verifies_with_its_scopes_and_claims() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    let access_token = key.sign(&m2m_claims("read:users write:users  admin"));
    server.route(
        M2M_TOKEN,
        200,
        json!({"access_token": access_token, "token_type": "bearer", "expires_in": 3600}),
    );
    let client = server.consumer();

    let request =
        stytch_sdk::consumer::m2m::TokenRequest::new("m2m-client-test-robot", "client-secret")
            .scope(vec![
                "read:users".into(),
                "write:users".into(),
                "admin".into(),
            ]);
    let token = client.m2m().token(request).await.expect("token");
    assert_eq!(token.expires_in, 3600);
    let sent = &server.bodies(M2M_TOKEN)[0];
    assert_eq!(sent["client_id"], "m2m-client-test-robot");
    assert_eq!(sent["client_secret"], "client-secret");
    assert_eq!(sent["grant_type"], "client_credentials");
    assert_eq!(sent["scope"], "read:users write:users admin");

    let claims = client
        .m2m()
        .authenticate_token(
            &token.access_token,
            &M2mTokenOptions::new().require_scopes(["read:users", "admin"]),
        )
        .await
        .expect("verified");
    assert_eq!(claims.client_id, "m2m-client-test-robot");
    assert_eq!(claims.scopes, ["read:users", "write:users", "admin"]);
    assert_eq!(
        claims.custom_claims,
        json!({"team": "billing"}).as_object().unwrap().clone()
    );
    assert_eq!(
        claims.expires_at.unix_timestamp() - claims.issued_at.unix_timestamp(),
        3600
    );
}

#[tokio::test]
async fn missing_scopes_are_named_and_wildcards_apply_per_action() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    let client = server.consumer();
    let token = key.sign(&m2m_claims("read:* write:users reports"));
    let check = |required: &'static [&'static str]| {
        let client = client.clone();
        let token = token.clone();
        async move {
            client
                .m2m()
                .authenticate_token(
                    &token,
                    &M2mTokenOptions::new().require_scopes(required.iter().copied()),
                )
                .await
        }
    };

    for ok in [
        &["read:users"][..],
        &["read:invoices", "read:anything"],
        &["write:users"],
        &["reports"],
        &["read:*"],
        &[],
    ] {
        check(ok)
            .await
            .unwrap_or_else(|e| panic!("{ok:?} must be granted: {e}"));
    }
    for (required, missing) in [
        (&["write:invoices"][..], "write:invoices"),
        (&["read:users", "delete:users"], "delete:users"),
        (&["write:*"], "write:*"),
        (&["read"], "read"),
        (&["report"], "report"),
        (&["reports:x"], "reports:x"),
    ] {
        let err = auth_error(check(required).await.unwrap_err());
        assert!(
            matches!(&err, AuthError::MissingScope { scope } if scope == missing),
            "{required:?}: {err:?}"
        );
        assert!(err.to_string().contains(missing));
    }

    // A token without any scope grants none.
    let mut claims = m2m_claims("");
    claims.as_object_mut().unwrap().remove("scope");
    let bare = key.sign(&claims);
    let err = client
        .m2m()
        .authenticate_token(
            &bare,
            &M2mTokenOptions::new().require_scopes(["read:users"]),
        )
        .await
        .unwrap_err();
    assert!(matches!(auth_error(err), AuthError::MissingScope { .. }));
}

#[tokio::test]
async fn m2m_tokens_follow_the_same_verification_rules() {
    let key = TestKey::generate("key-1");
    let impostor = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(B2B_JWKS, &[key.jwk()]);
    let client = server.b2b();
    let options = M2mTokenOptions::new();

    // The B2B handle verifies with the B2B key set.
    let claims = client
        .m2m()
        .authenticate_token(&key.sign(&m2m_claims("read:users")), &options)
        .await
        .expect("b2b m2m token");
    assert_eq!(claims.scopes, ["read:users"]);
    assert_eq!(server.hits(B2B_JWKS), 1);

    let mut expired = m2m_claims("read:users");
    expired["exp"] = json!(now() - 1);
    let mut foreign = m2m_claims("read:users");
    foreign["aud"] = json!(["project-test-other"]);
    let mut issuer = m2m_claims("read:users");
    issuer["iss"] = json!("stytch.com/project-test-other");
    let cases = [
        (key.sign(&expired), "expired"),
        (key.sign(&foreign), "audience"),
        (key.sign(&issuer), "issuer"),
        (impostor.sign(&m2m_claims("read:users")), "signature"),
    ];
    for (token, what) in cases {
        let err = auth_error(
            client
                .m2m()
                .authenticate_token(&token, &options)
                .await
                .unwrap_err(),
        );
        let ok = match what {
            "expired" => matches!(err, AuthError::Expired { .. }),
            "audience" => matches!(err, AuthError::WrongAudience { .. }),
            "issuer" => matches!(err, AuthError::WrongIssuer { .. }),
            _ => matches!(err, AuthError::InvalidSignature),
        };
        assert!(ok, "{what}: {err:?}");
    }
    // Expired a second ago is fine with a tolerance; a max age can be required.
    client
        .m2m()
        .authenticate_token(
            &key.sign(&expired),
            &M2mTokenOptions::new().clock_tolerance(Duration::from_secs(10)),
        )
        .await
        .expect("within tolerance");
    let mut old = m2m_claims("read:users");
    old["iat"] = json!(now() - 120);
    let err = client
        .m2m()
        .authenticate_token(
            &key.sign(&old),
            &M2mTokenOptions::new().max_token_age(Duration::from_secs(60)),
        )
        .await
        .unwrap_err();
    assert!(matches!(auth_error(err), AuthError::TooOld { .. }));
    let mut scope_list = m2m_claims("");
    scope_list["scope"] = json!(["read:users"]);
    let err = client
        .m2m()
        .authenticate_token(&key.sign(&scope_list), &options)
        .await
        .unwrap_err();
    assert!(matches!(auth_error(err), AuthError::Malformed(_)));
}

#[test]
fn scope_rules() {
    assert!(scope_grants("read:users", "read:users"));
    assert!(scope_grants("read:*", "read:users"));
    assert!(scope_grants("read:*", "read:*"));
    assert!(scope_grants("admin", "admin"));
    assert!(!scope_grants("read:users", "read:groups"));
    assert!(!scope_grants("read:users", "write:users"));
    assert!(!scope_grants("read:users", "read:*"));
    assert!(!scope_grants("read:*", "write:users"));
    assert!(!scope_grants("read:*", "read"));
    assert!(!scope_grants("read", "read:users"));
    assert!(!scope_grants("*", "read:users"));
    assert!(!scope_grants("admin", "administrator"));

    assert!(
        check_scopes(
            &["read:*", "write:users"],
            &["read:a", "read:b", "write:users"]
        )
        .is_ok()
    );
    assert!(check_scopes::<&str, &str>(&[], &[]).is_ok());
    let err = check_scopes(&["read:*"], &["read:a", "write:a", "write:b"]).unwrap_err();
    assert!(matches!(err, AuthError::MissingScope { scope } if scope == "write:a"));
}

#[tokio::test]
async fn session_tokens_are_not_m2m_tokens() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    server.serve_keys(B2B_JWKS, &[key.jwk()]);
    let consumer = server.consumer();
    let b2b = server.b2b();
    let session = key.sign(&session_claims(0));
    let member = key.sign(&member_claims(0, &["admin"]));
    let mut user_access = m2m_claims("read:users");
    user_access["sub"] = json!("user-test-ada");
    user_access["client_id"] = json!("connected-app-test-1");
    let user_access = key.sign(&user_access);

    for options in [
        M2mTokenOptions::new(),
        M2mTokenOptions::new().require_scopes(["read:users"]),
    ] {
        for token in [&session, &member, &user_access] {
            let err = auth_error(
                consumer
                    .m2m()
                    .authenticate_token(token, &options)
                    .await
                    .unwrap_err(),
            );
            assert!(
                matches!(err, AuthError::WrongTokenType { expected, .. } if expected.contains("M2M")),
                "{err:?}"
            );
        }
        let err = auth_error(
            b2b.m2m()
                .authenticate_token(&member, &options)
                .await
                .unwrap_err(),
        );
        assert!(
            matches!(err, AuthError::WrongTokenType { found, .. } if found.contains("member")),
            "{err:?}"
        );
    }
    // A genuine M2M token still passes on both.
    let m2m = key.sign(&m2m_claims("read:users"));
    consumer
        .m2m()
        .authenticate_token(&m2m, &M2mTokenOptions::new())
        .await
        .expect("m2m token");
    b2b.m2m()
        .authenticate_token(&m2m, &M2mTokenOptions::new())
        .await
        .expect("m2m token");
}

/// Serves an M2M token valid for `expires_in` seconds at the token endpoint.
fn serve_token(server: &Server, key: &TestKey, expires_in: i64) {
    server.route(
        M2M_TOKEN,
        200,
        json!({
            "access_token": key.sign(&m2m_claims("read:users")),
            "token_type": "bearer",
            "expires_in": expires_in
        }),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_provider_fetches_once_for_concurrent_callers() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    serve_token(&server, &key, 3600);
    let client = server.consumer();
    let provider =
        client
            .m2m()
            .token_provider("m2m-client-test-robot", "client-secret", ["read:users"]);

    let mut tasks = Vec::new();
    for _ in 0..100 {
        let provider = provider.clone();
        tasks.push(tokio::spawn(async move { provider.access_token().await }));
    }
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.unwrap().expect("token"));
    }
    assert!(tokens.windows(2).all(|pair| pair[0] == pair[1]));
    assert_eq!(server.hits(M2M_TOKEN), 1);
    let sent = server.requests_body_text(M2M_TOKEN);
    assert!(sent[0].contains("m2m-client-test-robot"), "{}", sent[0]);
    assert!(sent[0].contains("read:users"), "{}", sent[0]);

    // The token verifies on the receiving side.
    client
        .m2m()
        .authenticate_token(
            &tokens[0],
            &M2mTokenOptions::new().require_scopes(["read:users"]),
        )
        .await
        .expect("verifies");
    provider.access_token().await.unwrap();
    assert_eq!(server.hits(M2M_TOKEN), 1);

    // The B2B client has the same provider (and its own token).
    let b2b =
        server
            .b2b()
            .m2m()
            .token_provider("m2m-client-test-robot", "client-secret", ["read:users"]);
    b2b.access_token().await.expect("b2b token");
    b2b.access_token().await.expect("b2b token");
    assert_eq!(server.hits(M2M_TOKEN), 2);
}

#[tokio::test]
async fn token_provider_refreshes_shortly_before_expiry() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    // Lifetime 2 s: the margin is half of it, so a new token is fetched after 1 s.
    serve_token(&server, &key, 2);
    let provider = server.consumer().m2m().token_provider(
        "m2m-client-test-robot",
        "client-secret",
        Vec::<String>::new(),
    );
    provider.access_token().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    provider.access_token().await.unwrap();
    assert_eq!(server.hits(M2M_TOKEN), 1);
    tokio::time::sleep(Duration::from_millis(700)).await;
    provider.access_token().await.unwrap();
    assert_eq!(server.hits(M2M_TOKEN), 2, "refreshed before the 2 s expiry");
}

#[tokio::test]
async fn token_provider_reports_a_failed_fetch_and_retries_on_the_next_call() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.route(
        M2M_TOKEN,
        401,
        json!({"error_type": "unauthorized_credentials", "error_message": "bad secret", "error_url": ""}),
    );
    let provider =
        server
            .consumer()
            .m2m()
            .token_provider("m2m-client-test-robot", "wrong", ["read:users"]);
    let err = provider.access_token().await.unwrap_err();
    assert!(
        matches!(&err, stytch_sdk::Error::Auth(AuthError::Fetch { what: "M2M access token", source })
            if source.status() == Some(401)),
        "{err:?}"
    );
    serve_token(&server, &key, 3600);
    provider.access_token().await.expect("recovered");
    assert_eq!(server.hits(M2M_TOKEN), 2);
}

#[tokio::test]
async fn token_provider_keeps_an_unexpired_token_when_a_refresh_fails() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    serve_token(&server, &key, 2);
    let provider = server.consumer().m2m().token_provider(
        "m2m-client-test-robot",
        "client-secret",
        ["read:users"],
    );
    let first = provider.access_token().await.unwrap();
    server.route(
        M2M_TOKEN,
        503,
        json!({"error_type": "unavailable", "error_message": "", "error_url": ""}),
    );
    // Past the refresh point (1 s), before expiry (2 s): the refresh fails,
    // the old token is still good and is returned.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(provider.access_token().await.unwrap(), first);
    assert_eq!(server.hits(M2M_TOKEN), 2);
    // Expired: the error comes through.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let err = provider.access_token().await.unwrap_err();
    assert!(
        matches!(&err, stytch_sdk::Error::Auth(AuthError::Fetch { source, .. }) if source.status() == Some(503)),
        "{err:?}"
    );
    assert_eq!(server.hits(M2M_TOKEN), 3);
}

#[tokio::test]
async fn a_token_provider_needs_no_project_secret_and_sends_none() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    serve_token(&server, &key, 3600);
    for product in ["consumer", "b2b"] {
        let provider = match product {
            "consumer" => stytch_sdk::Client::builder(PROJECT_ID, "")
                .api_url(server.url())
                .build_token_provider("m2m-client-test-robot", "client-secret", ["read:users"]),
            _ => stytch_sdk::B2BClient::builder(PROJECT_ID, "")
                .api_url(server.url())
                .build_token_provider("m2m-client-test-robot", "client-secret", ["read:users"]),
        }
        .expect("no project secret needed");
        provider.access_token().await.expect("token");
    }
    assert_eq!(server.hits(M2M_TOKEN), 2);
    assert_eq!(
        server.header_values(M2M_TOKEN, "authorization"),
        [None, None],
        "no project credentials on the token request"
    );
    for body in server.requests_body_text(M2M_TOKEN) {
        assert!(
            body.contains(r#""client_secret":"client-secret""#),
            "{body}"
        );
        assert!(!body.contains(SECRET), "{body}");
    }
    // A full client still refuses an empty secret.
    assert!(
        stytch_sdk::Client::builder(PROJECT_ID, "")
            .api_url(server.url())
            .build()
            .is_err()
    );
}
