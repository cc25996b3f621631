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
