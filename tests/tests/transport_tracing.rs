//! Each call is one `tracing` span carrying what an operator needs (endpoint,
//! method, status, request id, attempts, latency) and nothing a log must not
//! hold: no credentials, tokens, codes or bodies, at any level.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::json;
use stytch_sdk::b2b::organizations::members::DeleteRequest as DeleteMemberRequest;
use stytch_sdk::consumer::otps::AuthenticateRequest;
use stytch_sdk::{B2BClient, Client, MemberSessionAuth, RetryPolicy};
use stytch_tests::{MockServer, RawServer, Reply, fixture_json};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

const PROJECT_ID: &str = "project-test-9e2d4b7a-3c1f-4a8e-b5d6-7f0a2c9e4b13";
const SECRET: &str = "secret-test-Rt5Yu1Io8Pa3Sd6Fg0Hj2Kl7Zx4Cv9Bn";
const OTP_CODE: &str = "493027";
const SENT_SESSION_TOKEN: &str = "sent-session-token-Qa1Ws2Ed3Rf4Tg5";
const MEMBER_TOKEN: &str = "member-session-token-Yh6Uj7Ik8Ol9";
const MEMBER_JWT: &str = "member-session-jwt-Pl0Ok9Ij8Uh7";

/// Everything the subscriber saw, one line per span, field update and event.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
}

impl<S: Subscriber> Layer<S> for Captured {
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        let mut line = format!(
            "span {} level={} target={}:",
            attrs.metadata().name(),
            attrs.metadata().level(),
            attrs.metadata().target()
        );
        attrs.record(&mut Fields(&mut line));
        self.0.lock().unwrap().push_str(&(line + "\n"));
    }
    fn on_record(&self, _: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut line = "record:".to_owned();
        values.record(&mut Fields(&mut line));
        self.0.lock().unwrap().push_str(&(line + "\n"));
    }
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut line = format!(
            "event level={} target={}:",
            event.metadata().level(),
            event.metadata().target()
        );
        event.record(&mut Fields(&mut line));
        self.0.lock().unwrap().push_str(&(line + "\n"));
    }
}

impl Captured {
    fn text(&self) -> String {
        self.0.lock().unwrap().clone()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn calls_are_traced_without_credentials_tokens_codes_or_bodies() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry()
        .with(captured.clone())
        .with(tracing_subscriber::filter::LevelFilter::TRACE);
    let _guard = tracing::subscriber::set_default(subscriber);

    let response = fixture_json("consumer_otps_authenticate");
    let received_token = response["session_token"].as_str().unwrap().to_owned();
    let received_jwt = response["session_jwt"].as_str().unwrap().to_owned();
    let request_id = response["request_id"].as_str().unwrap().to_owned();

    let server = MockServer::start().await;
    // A success carrying tokens, an error echoing a token, and a body that
    // does not decode around a token.
    server.reply(Reply::json(200, &response));
    server.reply(Reply::text(
        400,
        &format!("bad request for session {SENT_SESSION_TOKEN} code {OTP_CODE}"),
    ));
    let mut broken = response.clone();
    broken["session"] = json!(received_jwt);
    server.reply(Reply::json(200, &broken));
    server.reply(Reply::json(
        403,
        &json!({
            "status_code": 403,
            "request_id": "request-id-test-member-denied",
            "error_type": "unauthorized_action",
            "error_message": "The member may not do that.",
            "error_url": "",
        }),
    ));
    let client: Client = server.client(PROJECT_ID, SECRET);
    let b2b: B2BClient = server.client(PROJECT_ID, SECRET);

    let otps = client.otps();
    let authenticate = || {
        otps.authenticate(
            AuthenticateRequest::new("phone-number-test-1", OTP_CODE)
                .session_token(SENT_SESSION_TOKEN),
        )
    };
    authenticate().await.expect("the first call succeeds");
    authenticate().await.expect_err("a 400");
    authenticate().await.expect_err("does not decode");
    b2b.organizations()
        .members()
        .delete(
            DeleteMemberRequest::new("organization-test-1", "member-test-1").authorization(
                MemberSessionAuth {
                    session_token: Some(MEMBER_TOKEN.to_owned()),
                    session_jwt: Some(MEMBER_JWT.to_owned()),
                },
            ),
        )
        .await
        .expect_err("a 403");
    // The request was really sent with every secret, so their absence below
    // means something.
    let sent = server.requests();
    assert_eq!(sent.len(), 4);
    assert!(sent[0].json()["code"] == OTP_CODE);
    assert_eq!(
        sent[3].header("x-stytch-member-session"),
        Some(MEMBER_TOKEN)
    );

    let text = captured.text();
    // What the trace must say.
    assert!(text.contains("span stytch.request level=DEBUG"), "{text}");
    assert!(
        text.contains("endpoint=consumer.otps.authenticate"),
        "{text}"
    );
    assert!(
        text.contains("endpoint=b2b.organizations.members.delete"),
        "{text}"
    );
    assert!(text.contains("method=POST"), "{text}");
    assert!(text.contains("method=DELETE"), "{text}");
    assert!(text.contains("status=200"), "{text}");
    assert!(text.contains("status=400"), "{text}");
    assert!(text.contains("status=403"), "{text}");
    assert!(text.contains(&format!("request_id={request_id}")), "{text}");
    assert!(
        text.contains("request_id=request-id-test-member-denied"),
        "{text}"
    );
    assert!(text.contains("attempts=1"), "{text}");
    assert!(text.contains("latency_ms="), "{text}");
    // What it must never say.
    let credentials =
        base64::engine::general_purpose::STANDARD.encode(format!("{PROJECT_ID}:{SECRET}"));
    for secret in [
        SECRET,
        &credentials,
        OTP_CODE,
        SENT_SESSION_TOKEN,
        MEMBER_TOKEN,
        MEMBER_JWT,
        &received_token,
        &received_jwt,
        &received_jwt[..24],
        "bad request for session",
    ] {
        assert!(!text.contains(secret), "trace holds {secret:?}:\n{text}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn retries_and_the_request_id_header_are_traced() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry()
        .with(captured.clone())
        .with(tracing_subscriber::filter::LevelFilter::TRACE);
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = RawServer::answering(
        503,
        &[("request-id", "request-id-test-from-header")],
        b"unavailable, token tok-Aa9Ss8Dd7",
    )
    .await;
    let client = B2BClient::builder(PROJECT_ID, SECRET)
        .api_url(server.url())
        .retry(
            RetryPolicy::default()
                .base_delay(std::time::Duration::from_millis(2))
                .max_delay(std::time::Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    let err = client
        .recovery_codes()
        .get(stytch_sdk::b2b::recovery_codes::GetRequest::new(
            "organization-test-1",
            "member-test-1",
        ))
        .await
        .expect_err("always 503");
    assert_eq!(err.attempts(), 3);

    let text = captured.text();
    assert!(
        text.contains("request_id=request-id-test-from-header"),
        "{text}"
    );
    assert!(text.contains("attempts=3"), "{text}");
    assert_eq!(text.matches("retrying").count(), 2, "{text}");
    assert!(!text.contains("tok-Aa9Ss8Dd7"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
}

#[tokio::test(flavor = "current_thread")]
async fn cache_refreshes_are_traced_without_credentials() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry()
        .with(captured.clone())
        .with(tracing_subscriber::filter::LevelFilter::TRACE);
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    server.reply(Reply::json(
        503,
        &json!({"status_code": 503, "request_id": "request-id-outage", "error_type": "unavailable", "error_message": "down", "error_url": ""}),
    ));
    server.reply(Reply::json(
        200,
        &json!({"status_code": 200, "request_id": "request-id-policy", "policy": {"roles": [], "resources": [], "scopes": []}}),
    ));
    let client: Client = server
        .client_builder(PROJECT_ID, SECRET)
        .fetch_backoff(
            std::time::Duration::from_millis(10),
            std::time::Duration::from_millis(10),
        )
        .build()
        .unwrap();
    client.rbac().cached_policy().await.expect_err("the outage");
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    client.rbac().cached_policy().await.expect("recovered");

    let text = captured.text();
    let started = text.matches("stytch cache refresh started").count();
    assert_eq!(started, 2, "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("stytch cache refresh failed")
                && l.contains("what=RBAC policy")
                && l.contains("failures=1")
                && l.contains("503")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("stytch cache refreshed") && l.contains("what=RBAC policy")),
        "{text}"
    );
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{PROJECT_ID}:{SECRET}"));
    for secret in [SECRET, basic.as_str()] {
        assert!(!text.contains(secret), "{secret:?} leaked into:\n{text}");
    }
}
