//! Per-call `RequestOptions`: extra headers reach the calls of the handle
//! that set them and nothing else; reserved headers are refused.

mod auth_support;

use std::time::Duration;

use auth_support::*;
use serde_json::json;
use stytch_sdk::auth::SessionJwtOptions;
use stytch_sdk::consumer::users::GetRequest;

const USER: &str = "/v1/users/user-test-1";

#[tokio::test]
async fn extra_headers_go_with_the_calls_of_their_handle_only() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.route(USER, 200, json!({"user_id": "user-test-1"}));
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    let client = server.consumer();
    let traced = client
        .with_options(|o| {
            o.header("x-correlation-id", "job-42")
                .timeout(Duration::from_secs(3))
        })
        .expect("a plain extra header is accepted");

    // The user answer is incomplete on purpose: only what was sent matters.
    let _ = traced.users().get(GetRequest::new("user-test-1")).await;
    let _ = client.users().get(GetRequest::new("user-test-1")).await;
    assert_eq!(
        server.header_values(USER, "x-correlation-id"),
        [Some("job-42".to_owned()), None]
    );
    // The secret still authorizes the call that carries extra headers.
    assert!(server.header_values(USER, "authorization")[0].is_some());

    // A key-set fetch started by the traced handle uses the client's own
    // options: the extra header stays with the handle's API calls.
    traced
        .sessions()
        .authenticate_jwt_local(&key.sign(&session_claims(0)), &SessionJwtOptions::new())
        .await
        .expect("verified");
    assert_eq!(
        server.header_values(CONSUMER_JWKS, "x-correlation-id"),
        [None]
    );
}

#[test]
fn reserved_headers_are_refused_with_their_name() {
    let client = stytch_sdk::Client::new(PROJECT_ID, SECRET).unwrap();
    for name in [
        "Authorization",
        "Content-Type",
        "X-Stytch-Member-Session",
        "X-Stytch-Member-SessionJWT",
    ] {
        let error = client
            .with_options(|o| o.header(name, "value"))
            .unwrap_err();
        assert!(
            matches!(&error, stytch_sdk::Error::Config(m) if m.contains(name)),
            "{name}: {error:?}"
        );
    }
    let error = client
        .with_options(|o| o.header("x-fine", "bad\r\nvalue"))
        .unwrap_err();
    assert!(matches!(&error, stytch_sdk::Error::Config(m) if m.contains("x-fine")));
}
