//! Verification-only clients: built from the project id and the project
//! domain without the project secret, they fetch the public key set of the
//! domain, send no credentials, and refuse what only the secret can fetch.

mod auth_support;

use auth_support::*;
use serde_json::json;
use stytch_sdk::auth::{AuthError, M2mTokenOptions, MemberSessionJwtOptions, SessionJwtOptions};

/// Where the project domain serves its key set.
const PUBLIC_JWKS: &str = "/.well-known/jwks.json";

#[tokio::test]
async fn a_verifier_needs_no_secret_fetches_the_public_key_set_and_sends_no_credentials() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(PUBLIC_JWKS, &[key.jwk()]);
    let verifier = stytch_sdk::Client::builder(PROJECT_ID, "")
        .api_url(server.url())
        .build_verifier("login.example.com")
        .expect("no project secret needed");

    let session = verifier
        .sessions()
        .authenticate_jwt_local(&key.sign(&session_claims(0)), &SessionJwtOptions::new())
        .await
        .expect("verified with the public key set");
    assert_eq!(session.user_id, "user-test-ada");
    let claims = verifier
        .m2m()
        .authenticate_token(
            &key.sign(&m2m_claims("read:users")),
            &M2mTokenOptions::new().require_scopes(["read:users"]),
        )
        .await
        .expect("M2M token verified");
    assert_eq!(claims.client_id, "m2m-client-test-robot");

    // Tokens issued under the project domain are accepted too.
    let mut claims = session_claims(0);
    claims["iss"] = json!("https://login.example.com");
    verifier
        .sessions()
        .authenticate_jwt_local(&key.sign(&claims), &SessionJwtOptions::new())
        .await
        .expect("the project domain is an issuer");

    assert_eq!(server.hits(PUBLIC_JWKS), 1, "one fetch, then the cache");
    assert_eq!(
        server.hits(CONSUMER_JWKS),
        0,
        "the API key set needs the secret"
    );
    assert_eq!(server.header_values(PUBLIC_JWKS, "authorization"), [None]);
}

#[tokio::test]
async fn a_b2b_verifier_checks_member_sessions_with_the_same_keys() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(PUBLIC_JWKS, &[key.jwk()]);
    let verifier = stytch_sdk::B2BClient::builder(PROJECT_ID, "")
        .api_url(server.url())
        .build_verifier("https://login.example.com/")
        .expect("no project secret needed");
    let session = verifier
        .sessions()
        .authenticate_jwt_local(
            &key.sign(&member_claims(0, &["stytch_member"])),
            &MemberSessionJwtOptions::new(),
        )
        .await
        .expect("verified");
    assert!(!session.member_id.is_empty());
    assert_eq!(server.hits(B2B_JWKS), 0);
    assert_eq!(server.header_values(PUBLIC_JWKS, "authorization"), [None]);
}

#[tokio::test]
async fn authorization_checks_on_a_verifier_fail_as_misconfiguration_before_any_request() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(PUBLIC_JWKS, &[key.jwk()]);
    server.route(CONSUMER_POLICY, 200, json!({ "policy": policy() }));
    let verifier = stytch_sdk::Client::builder(PROJECT_ID, "")
        .api_url(server.url())
        .build_verifier("login.example.com")
        .unwrap();
    let options = SessionJwtOptions::new().authorize("documents", "read");
    let error = verifier
        .sessions()
        .authenticate_jwt_local(&key.sign(&session_claims(0)), &options)
        .await
        .unwrap_err();
    assert_eq!(error.http_status(), 500, "{error:?}");
    match auth_error(error) {
        AuthError::Fetch { what, source } => {
            assert_eq!(what, "RBAC policy");
            assert!(
                matches!(&*source, stytch_sdk::Error::Config(m) if m.contains("build_verifier")),
                "{source:?}"
            );
        }
        other => panic!("expected a fetch error, got {other:?}"),
    }
    assert_eq!(server.hits(CONSUMER_POLICY), 0, "nothing was sent");
}

#[test]
fn a_verifier_needs_a_host_as_its_project_domain() {
    for bad in ["", "https://", "login.example.com/path", "a b"] {
        let error = stytch_sdk::Client::builder(PROJECT_ID, "")
            .build_verifier(bad)
            .unwrap_err();
        assert!(
            matches!(&error, stytch_sdk::Error::Config(m) if m.contains("custom domain")),
            "{bad:?}: {error:?}"
        );
    }
}

#[tokio::test]
async fn the_mock_serves_the_public_key_set_to_verifiers() {
    use stytch_sdk::test_util::{MockStytch, SessionClaims};
    let mock = MockStytch::start().await;
    let verifier = mock
        .builder::<stytch_sdk::Client>()
        .build_verifier("login.example.com")
        .unwrap();
    let jwt = mock.session_jwt(&SessionClaims::user("user-test-1"));
    let session = verifier
        .sessions()
        .authenticate_jwt_local(&jwt, &SessionJwtOptions::new())
        .await
        .expect("verified offline");
    assert_eq!(session.user_id, "user-test-1");
}
