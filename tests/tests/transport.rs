//! The transport against servers that misbehave: redirects, answers that
//! never come or dribble in, dot and empty path parameters, oversized and
//! secret-bearing bodies, invalid configuration, transient failures that are
//! retried (or not), and OAuth-style error objects.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use stytch_sdk::b2b::organizations::members::DeleteRequest as DeleteMemberRequest;
use stytch_sdk::b2b::recovery_codes::GetRequest as RecoveryCodesGet;
use stytch_sdk::consumer::m2m::TokenRequest;
use stytch_sdk::consumer::totps::CreateRequest as TotpCreate;
use stytch_sdk::consumer::users::DeleteRequest as DeleteUserRequest;
use stytch_sdk::{B2BClient, Client, Error, MemberSessionAuth, RetryPolicy};
use stytch_tests::raw::{dribble, response_bytes};
use stytch_tests::{MockServer, RawServer, Reply, basic_auth, fixture_bytes, fixture_json};
use tokio::io::AsyncWriteExt;

const PROJECT_ID: &str = "project-test-2b7e4c19-8f3a-4d6e-9a1b-5c0d7e2f8a34";
const SECRET: &str = "secret-test-Qz8Rv3Nw6Tb1Yc4Hm9Kd2Lf7Sx5Pj0Ga";
const ORG_ID: &str = "organization-test-7b3e9f2a-1c4d-4a8b-b6e5-2d0f8c9a3e71";
const MEMBER_ID: &str = "member-test-4f8a2c6e-9b1d-4e3a-8c7f-5a0d2b9e6c13";
const USER_ID: &str = "user-test-5c1e8f3a-2d47-4b9e-a6f0-8e3d9b7c4a12";
const MEMBER_TOKEN: &str = "member-session-token-Hh4Ww9Ee2Rr7";
const MEMBER_JWT: &str = "member-session-jwt-Uu3Ii8Oo1Pp6";

fn consumer(url: &str) -> stytch_sdk::ClientBuilder<Client> {
    Client::builder(PROJECT_ID, SECRET).api_url(url)
}

fn b2b(url: &str) -> stytch_sdk::ClientBuilder<B2BClient> {
    B2BClient::builder(PROJECT_ID, SECRET).api_url(url)
}

/// A retry policy with tiny waits, so tests that retry stay fast.
fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .base_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(20))
}

fn member_session() -> MemberSessionAuth {
    MemberSessionAuth {
        session_token: Some(MEMBER_TOKEN.to_owned()),
        session_jwt: Some(MEMBER_JWT.to_owned()),
    }
}

// ---------------------------------------------------------------------------
// 1. Redirects are never followed
// ---------------------------------------------------------------------------

#[tokio::test]
async fn redirects_are_errors_and_nothing_reaches_the_target() {
    for status in [301u16, 302, 303, 307, 308] {
        let target = MockServer::start().await;
        target.reply(Reply::json(200, &json!({})));
        let location = format!(
            "{}/v1/b2b/organizations/{ORG_ID}/members/{MEMBER_ID}",
            target.url()
        );
        let redirector = RawServer::answering(status, &[("location", &location)], b"").await;
        let client = b2b(&redirector.url()).build().unwrap();

        let err = client
            .organizations()
            .members()
            .delete(DeleteMemberRequest::new(ORG_ID, MEMBER_ID).authorization(member_session()))
            .await
            .expect_err("a redirect is an error");

        // The redirecting host saw the request with its credentials...
        let sent = redirector.requests();
        assert_eq!(sent.len(), 1, "{status}");
        assert_eq!(
            sent[0].header("x-stytch-member-session"),
            Some(MEMBER_TOKEN)
        );
        // ...the host it points to saw nothing at all.
        assert!(
            target.requests().is_empty(),
            "{status}: {:#?}",
            target.requests()
        );
        match &err {
            Error::Redirect {
                endpoint,
                status: got,
                location: got_location,
                attempts,
            } => {
                assert_eq!(*endpoint, "b2b.organizations.members.delete");
                assert_eq!(*got, status);
                assert_eq!(got_location.as_deref(), Some(location.as_str()));
                assert_eq!(*attempts, 1);
            }
            other => panic!("{status}: expected Error::Redirect, got {other:?}"),
        }
        assert_eq!(err.status(), Some(status));
        assert!(!err.is_retryable());
        assert!(err.to_string().contains(&location), "{err}");
    }
}

#[tokio::test]
async fn a_redirected_get_carries_no_credentials_to_the_target() {
    let target = MockServer::start().await;
    let location = format!("{}/elsewhere?code=Kk4Jj5Hh6#token=Gg7Ff8", target.url());
    let redirector = RawServer::answering(302, &[("location", &location)], b"moved").await;
    let client = b2b(&redirector.url()).build().unwrap();

    let err = client
        .recovery_codes()
        .get(RecoveryCodesGet::new(ORG_ID, MEMBER_ID))
        .await
        .expect_err("a redirect is an error");

    assert!(
        matches!(&err, Error::Redirect { status: 302, location: Some(l), .. } if *l == location),
        "{err:?}"
    );
    // The message names where it pointed, but not the query or fragment.
    let message = err.to_string();
    assert!(
        message.contains(&format!("{}/elsewhere", target.url())),
        "{message}"
    );
    assert!(
        !message.contains("Kk4Jj5Hh6") && !message.contains("Gg7Ff8"),
        "{message}"
    );
    // A redirect is not transient: the GET is not repeated either.
    assert_eq!(redirector.requests().len(), 1);
    assert_eq!(
        redirector.requests()[0].header("authorization"),
        Some(basic_auth(PROJECT_ID, SECRET).as_str())
    );
    assert!(target.requests().is_empty());
}

// ---------------------------------------------------------------------------
// 2. Timeouts
// ---------------------------------------------------------------------------

/// Fails unless `err` is a timeout of `endpoint` after `attempts` attempts.
fn assert_timeout(err: &Error, endpoint: &str, attempts: u32) {
    match err {
        Error::Timeout {
            endpoint: got,
            attempts: got_attempts,
            ..
        } => {
            assert_eq!(*got, endpoint);
            assert_eq!(*got_attempts, attempts);
        }
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
    assert!(err.is_timeout());
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_within_the_configured_bound() {
    let server = RawServer::silent().await;
    let client = consumer(&server.url())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();

    let started = Instant::now();
    let err = client
        .totps()
        .create(TotpCreate::new(USER_ID))
        .await
        .expect_err("no answer");
    let elapsed = started.elapsed();

    assert_timeout(&err, "consumer.totps.create", 1);
    assert!(elapsed >= Duration::from_millis(290), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
}

#[tokio::test]
async fn a_body_dribbling_one_byte_per_second_times_out() {
    // The head arrives at once, then the body crawls: each byte resets any
    // idle timer, so only a bound on the whole attempt stops this.
    let server = RawServer::start(|_, mut stream| async move {
        let body = fixture_bytes("consumer_totps_create");
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes()).await;
        dribble(&mut stream, &body, Duration::from_secs(1)).await;
    })
    .await;
    let client = consumer(&server.url())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();

    let started = Instant::now();
    let err = client
        .totps()
        .create(TotpCreate::new(USER_ID))
        .await
        .expect_err("the body never completes in time");
    let elapsed = started.elapsed();

    assert_timeout(&err, "consumer.totps.create", 1);
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
}

#[tokio::test]
async fn the_per_call_timeout_overrides_the_builder_and_leaves_the_client_alone() {
    let server = RawServer::silent().await;
    // The builder's timeout alone would let this call hang for a minute.
    let client = consumer(&server.url())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();

    let started = Instant::now();
    let err = client
        .with_timeout(Duration::from_millis(300))
        .totps()
        .create(TotpCreate::new(USER_ID))
        .await
        .expect_err("no answer");
    assert_timeout(&err, "consumer.totps.create", 1);
    assert!(started.elapsed() < Duration::from_millis(1500));

    // The original handle keeps its own limit.
    let slow = tokio::time::timeout(
        Duration::from_millis(600),
        client.totps().create(TotpCreate::new(USER_ID)),
    )
    .await;
    assert!(slow.is_err(), "the 60 s limit of the client was changed");
}

#[tokio::test]
async fn the_timeout_also_bounds_calls_through_a_user_supplied_http_client() {
    let server = RawServer::silent().await;
    let client = consumer(&server.url())
        .http_client(reqwest::Client::new())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();

    let started = Instant::now();
    let err = client
        .totps()
        .create(TotpCreate::new(USER_ID))
        .await
        .expect_err("no answer");
    assert_timeout(&err, "consumer.totps.create", 1);
    assert!(started.elapsed() < Duration::from_millis(1500));
}

#[tokio::test]
async fn a_connection_that_cannot_be_opened_fails_with_the_connect_timeout() {
    // A loopback listener that never accepts: once its accept queue is full,
    // the kernel drops further handshakes and a connect hangs.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        let filler = tokio::net::TcpSocket::new_v4().unwrap();
        if let Ok(Ok(stream)) =
            tokio::time::timeout(Duration::from_millis(100), filler.connect(addr)).await
        {
            fillers.push(stream);
        }
    }
    let client = consumer(&format!("http://{addr}"))
        .connect_timeout(Duration::from_millis(300))
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();

    let started = Instant::now();
    let err = client
        .totps()
        .create(TotpCreate::new(USER_ID))
        .await
        .expect_err("the connection never opens");
    let elapsed = started.elapsed();

    match &err {
        Error::Http { source, .. } => assert!(source.is_connect(), "{source:?}"),
        other => panic!("expected a connect error, got {other:?}"),
    }
    assert!(err.is_timeout(), "{err:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    drop((listener, fillers));
}

#[tokio::test]
async fn key_set_fetches_of_token_verification_get_the_same_timeout() {
    use base64::Engine as _;
    let b64 = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // A well-formed token whose key is not cached: verification must fetch the key set.
    let token = format!(
        "{}.{}.{}",
        b64(json!({"alg": "RS256", "kid": "key-1", "typ": "JWT"})),
        b64(json!({
            "iss": format!("stytch.com/{PROJECT_ID}"),
            "aud": [PROJECT_ID],
            "sub": USER_ID,
            "iat": now, "nbf": now, "exp": now + 300,
        })),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([7u8; 256]),
    );
    let server = RawServer::silent().await;
    let client = consumer(&server.url())
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();

    let started = Instant::now();
    let err = client
        .sessions()
        .authenticate_jwt_local(&token, &stytch_sdk::auth::SessionJwtOptions::new())
        .await
        .expect_err("the key set never arrives");
    let elapsed = started.elapsed();

    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    assert_eq!(server.requests().len(), 1, "the key set was requested");
    match &err {
        Error::Auth(stytch_sdk::auth::AuthError::Fetch { source, .. }) => {
            assert!(source.is_timeout(), "{source:?}")
        }
        other => panic!("expected a fetch error, got {other:?}"),
    }
}

#[tokio::test]
async fn rbac_policy_fetches_get_the_client_timeout_not_the_handle_one() {
    let server = RawServer::silent().await;
    let client = b2b(&server.url())
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();

    let started = Instant::now();
    let err = client
        .with_timeout(Duration::from_secs(60))
        .rbac()
        .cached_policy()
        .await
        .expect_err("the policy never arrives");
    let elapsed = started.elapsed();

    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    assert_eq!(server.requests().len(), 1);
    assert_eq!(server.requests()[0].path, "/v1/b2b/rbac/policy");
    let source = match &err {
        Error::Auth(stytch_sdk::auth::AuthError::Fetch { source, .. }) => &**source,
        other => other,
    };
    assert_timeout(source, "b2b.rbac.policy", 1);
}

// ---------------------------------------------------------------------------
// 3. Path parameters
// ---------------------------------------------------------------------------

/// Unwraps an `InvalidParameter` error into (endpoint, parameter, message).
fn invalid_parameter<T: std::fmt::Debug>(
    result: Result<T, Error>,
) -> (&'static str, &'static str, String) {
    match result {
        Err(Error::InvalidParameter {
            endpoint,
            parameter,
            message,
        }) => (endpoint, parameter, message),
        other => panic!("expected Error::InvalidParameter, got {other:?}"),
    }
}

#[tokio::test]
async fn dot_and_empty_path_parameters_are_refused_before_sending() {
    let server = MockServer::start_with(|_| Reply::json(200, &json!({}))).await;
    let client: Client = server.client(PROJECT_ID, SECRET);
    let b2b: B2BClient = server.client(PROJECT_ID, SECRET);

    // URL parsers resolve `..` and `%2E%2E` alike (reqwest's included), so
    // encoding the dots cannot keep them one segment: sent, these would delete
    // whatever `/v1/` or `/v1/b2b/organizations/org-1/` means to the server.
    for encoded in ["%2E%2E", "%2e%2e", ".%2E", ".."] {
        let url = reqwest::Url::parse(&format!("http://127.0.0.1/v1/users/{encoded}")).unwrap();
        assert_eq!(url.path(), "/v1/", "{encoded}");
    }
    for (user_id, expected) in [("..", "`..`"), (".", "`..`"), ("", "empty")] {
        let (endpoint, parameter, message) =
            invalid_parameter(client.users().delete(DeleteUserRequest::new(user_id)).await);
        assert_eq!(endpoint, "consumer.users.delete");
        assert_eq!(parameter, "user_id");
        assert!(message.contains(expected), "{message}");
    }
    for member_id in ["..", ".", ""] {
        let (endpoint, parameter, _) = invalid_parameter(
            b2b.organizations()
                .members()
                .delete(DeleteMemberRequest::new("org-1", member_id))
                .await,
        );
        assert_eq!(endpoint, "b2b.organizations.members.delete");
        assert_eq!(parameter, "member_id");
    }
    let (_, parameter, _) = invalid_parameter(
        b2b.organizations()
            .members()
            .delete(DeleteMemberRequest::new("..", MEMBER_ID))
            .await,
    );
    assert_eq!(parameter, "organization_id");
    // The client's project id fills `{project_id}` placeholders under the same rule.
    for project_id in ["..", "."] {
        let odd: Client = server.client(project_id, SECRET);
        let (endpoint, parameter, _) = invalid_parameter(
            odd.m2m()
                .token(TokenRequest::new("m2m-client-1", "m2m-secret"))
                .await,
        );
        assert_eq!(endpoint, "consumer.m2m.token");
        assert_eq!(parameter, "project_id");
    }
    assert!(server.requests().is_empty(), "{:#?}", server.requests());
}

#[tokio::test]
async fn path_parameters_with_dots_or_slashes_stay_one_segment() {
    let server = MockServer::start_with(|_| {
        Reply::json(
            200,
            &json!({"status_code": 200, "request_id": "r", "user_id": "u"}),
        )
    })
    .await;
    let client: Client = server.client(PROJECT_ID, SECRET);
    let b2b: B2BClient = server.client(PROJECT_ID, SECRET);

    for (value, path) in [
        ("a..b", "/v1/users/a..b"),
        ("...", "/v1/users/..."),
        (".hidden", "/v1/users/.hidden"),
        ("../admin", "/v1/users/..%2Fadmin"),
        ("a/b c", "/v1/users/a%2Fb%20c"),
    ] {
        let _ = client.users().delete(DeleteUserRequest::new(value)).await;
        assert_eq!(
            server.count(path),
            1,
            "{value:?} not sent to {path}: {:#?}",
            server.requests()
        );
    }
    let _ = b2b
        .organizations()
        .members()
        .delete(DeleteMemberRequest::new("org-1", "../.."))
        .await;
    assert_eq!(
        server.count("/v1/b2b/organizations/org-1/members/..%2F.."),
        1,
        "{:#?}",
        server.requests()
    );
}

// ---------------------------------------------------------------------------
// 4./5. Error bodies: capped, never in Display or Debug
// ---------------------------------------------------------------------------

#[tokio::test]
async fn error_bodies_are_capped_and_never_displayed() {
    let secret_marker = "session_token=Zx9Cv8Bn7Mm6";
    let mut page = format!("<html>{secret_marker}");
    while page.len() < 1_000_000 {
        page.push_str("<p>upstream failure</p>");
    }
    let server = MockServer::start().await;
    server.reply(Reply::text(500, &page));
    let client: Client = server.client(PROJECT_ID, SECRET);

    let err = client
        .totps()
        .create(TotpCreate::new(USER_ID))
        .await
        .expect_err("a 500");

    let Error::UnexpectedResponse { body, .. } = &err else {
        panic!("expected Error::UnexpectedResponse, got {err:?}");
    };
    assert_eq!(body.len(), page.len());
    assert!(body.is_truncated());
    assert!(body.as_str().len() <= stytch_sdk::RawBody::MAX_LEN);
    assert!(page.starts_with(body.as_str()));
    assert_eq!(err.raw_body(), Some(body.as_str()));
    for text in [format!("{err}"), format!("{err:?}"), format!("{err:#?}")] {
        assert!(!text.contains(secret_marker), "{text}");
        assert!(!text.contains("upstream failure"), "{text}");
        assert!(text.len() < 400, "{text}");
    }
}

#[tokio::test]
async fn a_decode_error_shows_no_token_from_the_body() {
    let body = fixture_json("consumer_otps_authenticate");
    let session_token = body["session_token"].as_str().unwrap().to_owned();
    let session_jwt = body["session_jwt"].as_str().unwrap().to_owned();

    // One body where an unrelated field breaks, and ones where the token
    // itself sits where a boolean, a number or an object belongs: decoders
    // like to quote the offending value.
    let mut unrelated = body.clone();
    unrelated["user"]["emails"][0]["verified"] = json!("yes");
    let mut token_as_bool = body.clone();
    token_as_bool["user"]["emails"][0]["verified"] = json!(session_token);
    let mut jwt_as_number = body.clone();
    jwt_as_number["reset_sessions"] = json!(session_jwt);
    let mut jwt_as_object = body.clone();
    jwt_as_object["session"] = json!(session_jwt);

    for broken in [unrelated, token_as_bool, jwt_as_number, jwt_as_object] {
        let server = MockServer::start().await;
        server.reply(Reply::json(200, &broken));
        let client: Client = server.client(PROJECT_ID, SECRET);
        let err = client
            .otps()
            .authenticate(stytch_sdk::consumer::otps::AuthenticateRequest::new(
                "phone-number-test-0b9c8d7e",
                "123456",
            ))
            .await
            .expect_err("does not decode");
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        // The body is still there for whoever asks explicitly.
        assert!(err.raw_body().unwrap().contains(&session_token));
        for text in [format!("{err}"), format!("{err:?}"), format!("{err:#?}")] {
            assert!(!text.contains(&session_token), "{text}");
            assert!(!text.contains(&session_jwt), "{text}");
            assert!(!text.contains(&session_jwt[..20]), "{text}");
            // It still says what went wrong, and where.
            assert!(text.contains("consumer.otps.authenticate"), "{text}");
        }
    }
}

// ---------------------------------------------------------------------------
// 6. Configuration is checked by build()
// ---------------------------------------------------------------------------

#[test]
fn build_rejects_unusable_credentials_and_urls() {
    let config_error = |result: Result<Client, Error>| match result {
        Err(Error::Config(message)) => message,
        other => panic!("expected Error::Config, got {other:?}"),
    };
    let message = config_error(Client::builder("project-test-a:b", SECRET).build());
    assert!(message.contains(':'), "{message}");
    let message = config_error(Client::builder("", SECRET).build());
    assert!(message.contains("project id"), "{message}");
    let message = config_error(Client::builder(PROJECT_ID, "").build());
    assert!(message.contains("secret"), "{message}");

    for url in [
        "ftp://example.com",
        "not a url",
        "/v1/relative",
        "localhost:8080",
        "http://",
        "https://example.com/?x=1",
        "https://example.com/#frag",
        "",
    ] {
        let message = config_error(Client::builder(PROJECT_ID, SECRET).api_url(url).build());
        assert!(message.contains("api_url"), "{url}: {message}");
        let message = config_error(
            Client::builder(PROJECT_ID, SECRET)
                .telemetry_url(url)
                .build(),
        );
        assert!(message.contains("telemetry_url"), "{url}: {message}");
    }
    for url in [
        "http://127.0.0.1:8080",
        "https://api.example.com/",
        "https://example.com/stytch-proxy",
    ] {
        Client::builder(PROJECT_ID, SECRET)
            .api_url(url)
            .telemetry_url(url)
            .build()
            .unwrap_or_else(|e| panic!("{url}: {e}"));
    }
    B2BClient::builder("project-test-a:b", SECRET)
        .build()
        .expect_err("the B2B client checks the same");
}

// ---------------------------------------------------------------------------
// 7. Retries
// ---------------------------------------------------------------------------

/// One canned answer: status, extra headers, body.
type Answer = (u16, Vec<(&'static str, String)>, Vec<u8>);

/// A server answering with `replies` in turn (then the last one forever).
async fn scripted(replies: Vec<Answer>) -> RawServer {
    let replies = Arc::new(replies);
    let next = Arc::new(AtomicUsize::new(0));
    RawServer::start(move |_, mut stream| {
        let (replies, next) = (replies.clone(), next.clone());
        async move {
            let index = next.fetch_add(1, Ordering::SeqCst).min(replies.len() - 1);
            let (status, headers, body) = &replies[index];
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let _ = stream
                .write_all(&response_bytes(*status, &headers, body))
                .await;
            let _ = stream.shutdown().await;
        }
    })
    .await
}

fn unavailable() -> Answer {
    (
        503,
        Vec::new(),
        b"<html>503 Service Unavailable</html>".to_vec(),
    )
}

#[tokio::test]
async fn a_get_meeting_503_twice_succeeds_on_the_third_attempt() {
    let server = scripted(vec![
        unavailable(),
        unavailable(),
        (200, Vec::new(), fixture_bytes("b2b_recovery_codes_get")),
    ])
    .await;
    let client = b2b(&server.url()).retry(quick_retries()).build().unwrap();

    let codes = client
        .recovery_codes()
        .get(RecoveryCodesGet::new(ORG_ID, MEMBER_ID))
        .await
        .expect("the third attempt succeeds");

    assert!(!codes.request_id.is_empty());
    let sent = server.requests();
    assert_eq!(sent.len(), 3);
    // Every attempt is the same request, credentials included.
    for request in &sent {
        assert_eq!(request.method, "GET");
        assert_eq!(request.path, sent[0].path);
        assert_eq!(
            request.header("authorization"),
            Some(basic_auth(PROJECT_ID, SECRET).as_str())
        );
    }
}

#[tokio::test]
async fn attempts_are_visible_in_the_final_error() {
    let server = scripted(vec![unavailable()]).await;
    let client = b2b(&server.url())
        .retry(quick_retries().max_attempts(4))
        .build()
        .unwrap();

    let err = client
        .recovery_codes()
        .get(RecoveryCodesGet::new(ORG_ID, MEMBER_ID))
        .await
        .expect_err("always 503");

    assert_eq!(server.requests().len(), 4);
    assert_eq!(err.attempts(), 4);
    assert_eq!(err.status(), Some(503));
    assert!(err.is_retryable());
    assert!(matches!(err, Error::UnexpectedResponse { attempts: 4, .. }));
}

#[tokio::test]
async fn a_post_that_is_not_idempotent_is_sent_once() {
    let server = scripted(vec![
        unavailable(),
        (200, Vec::new(), fixture_bytes("consumer_totps_create")),
    ])
    .await;
    let client = consumer(&server.url())
        .retry(quick_retries())
        .build()
        .unwrap();

    let err = client
        .totps()
        .create(TotpCreate::new(USER_ID))
        .await
        .expect_err("the 503 is returned, not retried");

    assert_eq!(server.requests().len(), 1);
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.attempts(), 1);
    // Transient in kind, but the SDK left the decision to repeat it to the caller.
    assert!(err.is_retryable());
}

#[tokio::test]
async fn retry_after_in_seconds_is_waited_for() {
    let server = scripted(vec![
        (
            429,
            vec![("retry-after", "1".to_owned())],
            br#"{"status_code":429,"request_id":"request-id-test-1","error_type":"too_many_requests","error_message":"slow down","error_url":""}"#.to_vec(),
        ),
        (200, Vec::new(), fixture_bytes("b2b_recovery_codes_get")),
    ])
    .await;
    // Own backoff is tiny, so only Retry-After can explain a wait of a second.
    let client = b2b(&server.url())
        .retry(quick_retries().max_delay(Duration::from_secs(5)))
        .build()
        .unwrap();

    let started = Instant::now();
    client
        .recovery_codes()
        .get(RecoveryCodesGet::new(ORG_ID, MEMBER_ID))
        .await
        .expect("the second attempt succeeds");
    let elapsed = started.elapsed();

    assert_eq!(server.requests().len(), 2);
    assert!(elapsed >= Duration::from_millis(950), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(2500), "{elapsed:?}");
}

#[tokio::test]
async fn retry_after_is_capped_and_reported() {
    let too_many = (
        429,
        vec![("retry-after", "120".to_owned())],
        br#"{"status_code":429,"request_id":"r","error_type":"too_many_requests","error_message":"","error_url":""}"#.to_vec(),
    );
    let server = scripted(vec![too_many]).await;
    let client = b2b(&server.url())
        .retry(
            quick_retries()
                .max_attempts(2)
                .max_delay(Duration::from_millis(200)),
        )
        .build()
        .unwrap();

    let started = Instant::now();
    let err = client
        .recovery_codes()
        .get(RecoveryCodesGet::new(ORG_ID, MEMBER_ID))
        .await
        .expect_err("always 429");
    let elapsed = started.elapsed();

    // Two minutes asked for, 200 ms waited (the cap).
    assert!(elapsed >= Duration::from_millis(190), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(err.api().unwrap().error_type, "too_many_requests");
    assert_eq!(err.attempts(), 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_understood() {
    let at = std::time::SystemTime::now() + Duration::from_secs(3600);
    let server = scripted(vec![(
        503,
        vec![("retry-after", httpdate::fmt_http_date(at))],
        b"maintenance".to_vec(),
    )])
    .await;
    let client = b2b(&server.url())
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();

    let err = client
        .recovery_codes()
        .get(RecoveryCodesGet::new(ORG_ID, MEMBER_ID))
        .await
        .expect_err("a 503");

    let wait = err.retry_after().expect("Retry-After read");
    assert!(
        wait > Duration::from_secs(3590) && wait <= Duration::from_secs(3600),
        "{wait:?}"
    );
    assert_eq!(err.attempts(), 1);
}

#[tokio::test]
async fn connection_failures_and_timeouts_of_a_get_are_retried() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = b2b(&format!("http://127.0.0.1:{port}"))
        .retry(quick_retries())
        .build()
        .unwrap();
    let err = client
        .recovery_codes()
        .get(RecoveryCodesGet::new(ORG_ID, MEMBER_ID))
        .await
        .expect_err("nothing listens");
    assert!(
        matches!(&err, Error::Http { source, .. } if source.is_connect()),
        "{err:?}"
    );
    assert_eq!(err.attempts(), 3);

    let silent = RawServer::silent().await;
    let client = b2b(&silent.url())
        .retry(quick_retries())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = client
        .recovery_codes()
        .get(RecoveryCodesGet::new(ORG_ID, MEMBER_ID))
        .await
        .expect_err("no answer");
    assert_timeout(&err, "b2b.recovery_codes.get", 3);
    assert_eq!(silent.requests().len(), 3);
}

#[tokio::test]
async fn retries_can_be_switched_off_on_the_builder_or_per_call() {
    let server = scripted(vec![unavailable()]).await;
    let client = b2b(&server.url())
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let err = client
        .recovery_codes()
        .get(RecoveryCodesGet::new(ORG_ID, MEMBER_ID))
        .await
        .expect_err("a 503");
    assert_eq!(err.attempts(), 1);
    assert_eq!(server.requests().len(), 1);

    let client = b2b(&server.url()).retry(quick_retries()).build().unwrap();
    let err = client
        .with_retry(RetryPolicy::disabled())
        .recovery_codes()
        .get(RecoveryCodesGet::new(ORG_ID, MEMBER_ID))
        .await
        .expect_err("a 503");
    assert_eq!(err.attempts(), 1);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = scripted(vec![(
        404,
        Vec::new(),
        br#"{"status_code":404,"request_id":"r","error_type":"member_not_found","error_message":"","error_url":""}"#.to_vec(),
    )])
    .await;
    let client = b2b(&server.url()).retry(quick_retries()).build().unwrap();
    let err = client
        .recovery_codes()
        .get(RecoveryCodesGet::new(ORG_ID, MEMBER_ID))
        .await
        .expect_err("a 404");
    assert_eq!(server.requests().len(), 1);
    assert!(!err.is_retryable());
    assert_eq!(err.attempts(), 1);
}

// ---------------------------------------------------------------------------
// 10. OAuth-style error objects
// ---------------------------------------------------------------------------

#[tokio::test]
async fn an_oauth_error_object_is_a_typed_api_error() {
    let server = MockServer::start().await;
    server.reply(Reply::json(
        401,
        &json!({
            "error": "invalid_client",
            "error_description": "The client credentials are not valid.",
        }),
    ));
    let client: Client = server.client(PROJECT_ID, SECRET);

    let err = client
        .m2m()
        .token(TokenRequest::new(
            "m2m-client-test-1",
            "client-secret-Vv5Bb6Nn7",
        ))
        .await
        .expect_err("a 401");

    let api = err
        .api()
        .unwrap_or_else(|| panic!("expected Error::Api, got {err:?}"));
    assert_eq!(api.error_type, "invalid_client");
    assert_eq!(api.error_message, "The client credentials are not valid.");
    assert_eq!(api.status_code, 401);
    assert_eq!(err.status(), Some(401));
    assert!(err.to_string().contains("invalid_client"), "{err}");
    assert_eq!(server.requests().len(), 1);
}
