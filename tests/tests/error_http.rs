//! What a service answers its own callers with when a Stytch call or a token
//! check fails (`Error::http_status`, `retry_after` and friends), and that no
//! error's `Debug` output, logged as it is, shows a URL's query or fragment.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use stytch_sdk::auth::{AuthError, SessionJwtOptions};
use stytch_sdk::test_util::{MockError, MockStytch, SessionClaims};
use stytch_sdk::{B2BClient, Client, Error, RetryPolicy};
use stytch_tests::{MockServer, RawServer, Reply};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

const PROJECT_ID: &str = "project-test-2f6e1c0a-8b3d-4e5f-9a7b-1c2d3e4f5a6b";
const SECRET: &str = "secret-test-Vb3Nm6Qw9Er2Ty5Ui8Op1As4Df7Gh0Jk";

/// A mock client that does not retry, so each failure is seen once.
fn no_retries(mock: &MockStytch) -> Client {
    mock.builder()
        .retry(RetryPolicy::disabled())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_key_set_fetch_rate_limited_by_stytch_is_a_429_with_its_retry_after() {
    let mock = MockStytch::start().await;
    mock.on::<stytch_sdk::consumer::sessions::GetJwksRequest>()
        .fail(
            MockError::new(429, "too_many_requests", "Too many requests.")
                .retry_after(Duration::from_secs(7)),
        );
    let jwt = mock.session_jwt(&SessionClaims::user("user-test-1"));
    let error = no_retries(&mock)
        .sessions()
        .authenticate_jwt_local(&jwt, &SessionJwtOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            Error::Auth(AuthError::Fetch {
                what: "key set",
                ..
            })
        ),
        "{error:?}"
    );
    // Each accessor looks through the failed fetch to Stytch's answer.
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
    assert!(error.is_retryable());
    assert!(!error.is_timeout());
    assert_eq!(error.http_status(), 429, "passed on, not turned into a 401");
}

#[tokio::test]
async fn a_key_set_that_cannot_be_fetched_is_a_503() {
    let mock = MockStytch::start().await;
    mock.on::<stytch_sdk::consumer::sessions::GetJwksRequest>()
        .time_out();
    let jwt = mock.session_jwt(&SessionClaims::user("user-test-1"));
    let error = no_retries(&mock)
        .sessions()
        .authenticate_jwt_local(&jwt, &SessionJwtOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Auth(AuthError::Fetch { .. })),
        "{error:?}"
    );
    assert!(error.is_timeout());
    assert!(error.is_retryable());
    assert_eq!(error.retry_after(), None);
    assert_eq!(error.http_status(), 503);

    let mock = MockStytch::start().await;
    mock.on::<stytch_sdk::consumer::sessions::GetJwksRequest>()
        .fail(MockError::new(500, "internal_server_error", "Oops."));
    let jwt = mock.session_jwt(&SessionClaims::user("user-test-1"));
    let error = no_retries(&mock)
        .sessions()
        .authenticate_jwt_local(&jwt, &SessionJwtOptions::new())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(500));
    assert_eq!(error.http_status(), 503);
}

#[tokio::test]
async fn tokens_that_do_not_authenticate_are_401_and_denials_403() {
    let mock = MockStytch::start().await;
    mock.set_policy(json!({
        "roles": [{"role_id": "reader", "description": "Reads.", "permissions": [{"resource_id": "documents", "actions": ["read"]}]}],
        "resources": [{"resource_id": "documents", "description": "Documents.", "actions": ["read", "write"]}],
        "scopes": []
    }));
    let client = no_retries(&mock);
    let sessions = client.sessions();
    let plain = SessionJwtOptions::new();

    let expired = mock.session_jwt(&SessionClaims::user("user-test-1").expired());
    let forged = MockStytch::start()
        .await
        .session_jwt(&SessionClaims::user("user-test-1"));
    for (what, token) in [
        ("expired", expired.as_str()),
        ("signed by another key", forged.as_str()),
        ("malformed", "not-a-jwt"),
        ("empty", ""),
    ] {
        let error = sessions
            .authenticate_jwt_local(token, &plain)
            .await
            .unwrap_err();
        assert_eq!(error.http_status(), 401, "{what}: {error:?}");
        assert_eq!(error.retry_after(), None, "{what}");
    }

    let reader = mock.session_jwt(&SessionClaims::user("user-test-1").roles(["reader"]));
    let error = sessions
        .authenticate_jwt_local(
            &reader,
            &SessionJwtOptions::new().authorize("documents", "write"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Auth(AuthError::PermissionDenied { .. })),
        "{error:?}"
    );
    assert_eq!(error.http_status(), 403);

    let token = mock.m2m_token("m2m-client-test-robot", ["read:users"]);
    let error = client
        .m2m()
        .authenticate_token(
            &token,
            &stytch_sdk::auth::M2mTokenOptions::new().require_scopes(["write:users"]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Auth(AuthError::MissingScope { .. })),
        "{error:?}"
    );
    assert_eq!(error.http_status(), 403);
}

/// A Stytch error body with this status and type.
fn stytch_error(status: u16, error_type: &str) -> Reply {
    Reply::json(
        status,
        &json!({"status_code": status, "request_id": "request-id-test-1", "error_type": error_type, "error_message": "m", "error_url": "https://stytch.com/docs/api/errors"}),
    )
}

#[tokio::test]
async fn stytch_answers_map_to_what_the_service_should_answer() {
    use stytch_sdk::consumer::sessions::AuthenticateRequest;
    let cases = [
        (
            stytch_error(404, "session_not_found"),
            401,
            "the user's session is gone",
        ),
        (
            stytch_error(400, "invalid_session_token"),
            400,
            "Stytch refused the input",
        ),
        (
            stytch_error(401, "unauthorized_credentials"),
            500,
            "the service's own secret is wrong",
        ),
        (stytch_error(429, "too_many_requests"), 429, "rate limited"),
        (
            stytch_error(500, "internal_server_error"),
            502,
            "Stytch failed",
        ),
        (
            Reply::text(503, "<html>maintenance</html>"),
            502,
            "not a Stytch answer",
        ),
        (
            Reply::json(200, &json!({"status_code": 200})),
            502,
            "does not decode",
        ),
    ];
    for (reply, expected, why) in cases {
        let server = MockServer::start().await;
        server.reply(reply);
        let client: Client = server
            .client_builder(PROJECT_ID, SECRET)
            .retry(RetryPolicy::disabled())
            .build()
            .unwrap();
        let error = client
            .sessions()
            .authenticate(AuthenticateRequest::new().session_token("session-token-test-1"))
            .await
            .unwrap_err();
        assert_eq!(error.http_status(), expected, "{why}: {error:?}");
    }

    // Nothing listens on the port any more: Stytch is unreachable.
    let closed = {
        let server = MockServer::start().await;
        server.url()
    };
    let client = Client::builder(PROJECT_ID, SECRET)
        .api_url(closed)
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let error = client
        .sessions()
        .authenticate(AuthenticateRequest::new().session_token("session-token-test-1"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Http { .. }), "{error:?}");
    assert_eq!(error.http_status(), 503);
}

#[tokio::test]
async fn invalid_parameters_are_400_and_bad_configuration_500() {
    let client = Client::new(PROJECT_ID, SECRET).unwrap();
    let error = client
        .totps()
        .create(
            stytch_sdk::consumer::totps::CreateRequest::new("user-test-1").expiration_minutes(1),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidParameter { .. }), "{error:?}");
    assert_eq!(error.http_status(), 400);

    let error = Client::new(PROJECT_ID, "").unwrap_err();
    assert!(matches!(error, Error::Config(_)), "{error:?}");
    assert_eq!(error.http_status(), 500);
}

// ---------------------------------------------------------------------------
// No query string or fragment in `Debug`
// ---------------------------------------------------------------------------

/// Every event field the subscriber saw, as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl<S: tracing::Subscriber> Layer<S> for Captured {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut line = String::new();
        event.record(&mut Fields(&mut line));
        self.0.lock().unwrap().push_str(&(line + "\n"));
    }
    fn on_record(
        &self,
        _: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        _: Context<'_, S>,
    ) {
        let mut line = String::new();
        values.record(&mut Fields(&mut line));
        self.0.lock().unwrap().push_str(&(line + "\n"));
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_redirect_with_tokens_in_its_location_is_logged_without_them() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry()
        .with(captured.clone())
        .with(tracing_subscriber::filter::LevelFilter::TRACE);
    let _guard = tracing::subscriber::set_default(subscriber);

    let location = "/cb?session_token=secret-Token-Aa1#jwt=secret-Jwt-Bb2";
    let redirector = RawServer::answering(302, &[("location", location)], b"").await;
    let client: B2BClient = B2BClient::builder(PROJECT_ID, SECRET)
        .api_url(redirector.url())
        .build()
        .unwrap();
    let error = client
        .organizations()
        .get(stytch_sdk::b2b::organizations::GetRequest::new(
            "organization-test-1",
        ))
        .await
        .unwrap_err();
    // The field keeps the whole header for code that needs it...
    assert!(
        matches!(&error, Error::Redirect { location: Some(l), .. } if l == location),
        "the field keeps the location"
    );
    // ...but neither form of output shows the query or the fragment.
    let debug = format!("{error:?}");
    let pretty = format!("{error:#?}");
    tracing::error!(?error, "the call failed");
    tracing::error!(error = %error, "the call failed");
    let logged = captured.0.lock().unwrap().clone();
    for (what, text) in [
        ("Debug", &debug),
        ("pretty Debug", &pretty),
        ("tracing", &logged),
    ] {
        assert!(text.contains("/cb"), "{what} names the target: {text}");
        assert!(!text.contains("secret"), "{what} leaks: {text}");
    }
    let wrapped = Error::Auth(AuthError::Fetch {
        what: "key set",
        source: Arc::new(error),
    });
    assert!(!format!("{wrapped:?}").contains("secret"), "{wrapped:?}");
}

#[tokio::test]
async fn transport_and_configuration_errors_hide_queries_too() {
    // A GET whose query string carries an email address, to a closed port.
    let closed = {
        let server = MockServer::start().await;
        server.url()
    };
    let client: B2BClient = B2BClient::builder(PROJECT_ID, SECRET)
        .api_url(closed)
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let error = client
        .organizations()
        .members()
        .get(
            stytch_sdk::b2b::organizations::members::GetRequest::new("organization-test-1")
                .email_address("secret-person@example.com"),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Http { .. }), "{error:?}");
    let debug = format!("{error:?}");
    assert!(!debug.contains("secret"), "{debug}");
    assert!(
        debug.contains("connect"),
        "the kind of failure stays: {debug}"
    );

    let error = Client::builder(PROJECT_ID, SECRET)
        .api_url("https://api.example.com/?token=secret-pasted#frag=secret")
        .build()
        .unwrap_err();
    for text in [format!("{error:?}"), error.to_string()] {
        assert!(text.contains("https://api.example.com/"), "{text}");
        assert!(!text.contains("secret"), "{text}");
    }
}
