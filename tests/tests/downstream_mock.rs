//! A downstream application tested against `stytch_sdk::test_util::MockStytch`,
//! using nothing but the SDK's public API: an axum service whose routes are
//! protected by `authenticate_jwt`, and an SMS login that calls two endpoints.

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use serde_json::{Value, json};
use stytch_sdk::auth::{AuthError, M2mTokenOptions, MemberSessionJwtOptions, SessionJwtOptions};
use stytch_sdk::consumer::otps::AuthenticateRequest;
use stytch_sdk::consumer::otps::sms::LoginOrCreateRequest;
use stytch_sdk::consumer::sessions::GetJwksRequest;
use stytch_sdk::test_util::{MockError, MockStytch, SessionClaims};

const PHONE: &str = "+14155550123";
const PHONE_ID: &str = "phone-number-test-4f6b1d93-0c8e-4a25-b7d1-9e3a5c2f8b70";
const USER_ID: &str = "user-test-5c1e8f3a-2d47-4b9e-a6f0-8e3d9b7c4a12";

// ---- the application under test -------------------------------------------

#[derive(Clone)]
struct App {
    stytch: stytch_sdk::Client,
}

type Rejection = (StatusCode, String);

/// The session of the request's bearer token, checked with `options`.
async fn session(
    app: &App,
    headers: &HeaderMap,
    options: &SessionJwtOptions,
) -> Result<stytch_sdk::consumer::models::sessions::Session, Rejection> {
    let jwt = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or((StatusCode::UNAUTHORIZED, "no session".to_owned()))?;
    match app.stytch.sessions().authenticate_jwt(jwt, options).await {
        Ok(authenticated) => Ok(authenticated.session),
        Err(stytch_sdk::Error::Auth(AuthError::PermissionDenied { .. })) => {
            Err((StatusCode::FORBIDDEN, "not allowed".to_owned()))
        }
        Err(error) => Err((StatusCode::UNAUTHORIZED, error.to_string())),
    }
}

async fn me(State(app): State<App>, headers: HeaderMap) -> Result<String, Rejection> {
    let session = session(&app, &headers, &SessionJwtOptions::new()).await?;
    Ok(session.user_id)
}

async fn edit_document(State(app): State<App>, headers: HeaderMap) -> Result<String, Rejection> {
    let options = SessionJwtOptions::new().authorize("documents", "write");
    let session = session(&app, &headers, &options).await?;
    Ok(format!("{} edited the document", session.user_id))
}

/// Step one of the SMS login: sends the code, answers with the phone id.
async fn start_login(
    State(app): State<App>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, Rejection> {
    let phone = body["phone"].as_str().unwrap_or_default();
    let request = LoginOrCreateRequest::new(phone).expiration_minutes(5);
    let sent = app
        .stytch
        .otps()
        .sms()
        .login_or_create(request)
        .await
        .map_err(|e| (StatusCode::BAD_GATEWAY, e.to_string()))?;
    Ok(Json(json!({"phone_id": sent.phone_id})))
}

/// Step two: checks the code and starts an hour-long session.
async fn finish_login(
    State(app): State<App>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, Rejection> {
    let request = AuthenticateRequest::new(
        body["phone_id"].as_str().unwrap_or_default(),
        body["code"].as_str().unwrap_or_default(),
    )
    .session_duration_minutes(60);
    match app.stytch.otps().authenticate(request).await {
        Ok(auth) => Ok(Json(
            json!({"user_id": auth.user_id, "session_token": auth.session_token}),
        )),
        Err(stytch_sdk::Error::Api(api)) if api.error_type == "otp_code_not_found" => {
            Err((StatusCode::UNAUTHORIZED, "wrong code".to_owned()))
        }
        Err(e) => Err((StatusCode::BAD_GATEWAY, e.to_string())),
    }
}

fn router(stytch: stytch_sdk::Client) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/documents/edit", post(edit_document))
        .route("/login/start", post(start_login))
        .route("/login/finish", post(finish_login))
        .with_state(App { stytch })
}

// ---- test plumbing ----------------------------------------------------------

/// Serves the application on a loopback port; returns its base URL.
async fn serve(stytch: stytch_sdk::Client) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(stytch)).await.unwrap() });
    url
}

async fn call(
    method: reqwest::Method,
    url: &str,
    jwt: Option<&str>,
    body: Option<Value>,
) -> (u16, String) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(jwt) = jwt {
        request = request.bearer_auth(jwt);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

fn policy() -> Value {
    json!({
        "roles": [
            {"role_id": "reader", "description": "", "permissions": [
                {"resource_id": "documents", "actions": ["read"]}
            ]},
            {"role_id": "editor", "description": "", "permissions": [
                {"resource_id": "documents", "actions": ["read", "write"]}
            ]}
        ],
        "resources": [
            {"resource_id": "documents", "description": "", "actions": ["read", "write"]}
        ],
        "scopes": []
    })
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

// ---- (a) routes protected by authenticate_jwt --------------------------------

#[tokio::test]
async fn a_session_jwt_signed_by_the_mock_reaches_the_handler() {
    let mock = MockStytch::start().await;
    let app = serve(mock.client()).await;
    let jwt = mock.session_jwt(&SessionClaims::user(USER_ID));
    let (status, body) = call(reqwest::Method::GET, &format!("{app}/me"), Some(&jwt), None).await;
    assert_eq!((status, body.as_str()), (200, USER_ID));
    // Verified locally: one key fetch, no sessions API call.
    let (status, _) = call(reqwest::Method::GET, &format!("{app}/me"), Some(&jwt), None).await;
    assert_eq!(status, 200);
    assert_eq!(mock.call_count::<GetJwksRequest>(), 1);
    assert_eq!(mock.called_endpoints(), ["consumer.sessions.get_jwks"]);
    assert!(mock.unmatched().is_empty());
}

#[tokio::test]
async fn forged_expired_and_missing_tokens_get_401() {
    let mock = MockStytch::start().await;
    let app = serve(mock.client()).await;
    let me = format!("{app}/me");

    // Signed by a key the project does not have.
    let stranger = MockStytch::start().await;
    let foreign = stranger.session_jwt(&SessionClaims::user(USER_ID));
    let (status, body) = call(reqwest::Method::GET, &me, Some(&foreign), None).await;
    assert_eq!(status, 401, "{body}");

    // The mock's key, but the claims swapped for another user's after signing.
    let genuine = mock.session_jwt(&SessionClaims::user(USER_ID));
    let other = mock.session_jwt(&SessionClaims::user("user-test-mallory"));
    let parts: Vec<&str> = genuine.split('.').collect();
    let swapped = format!(
        "{}.{}.{}",
        parts[0],
        other.split('.').nth(1).unwrap(),
        parts[2]
    );
    let (status, body) = call(reqwest::Method::GET, &me, Some(&swapped), None).await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("signature"), "{body}");

    // Expired: genuine but past `exp`, so the SDK asks the sessions API,
    // which (here as at Stytch) no longer knows the session.
    mock.on::<stytch_sdk::consumer::sessions::AuthenticateRequest>()
        .fail(MockError::new(
            404,
            "session_not_found",
            "the session expired",
        ));
    let expired = mock.session_jwt(&SessionClaims::user(USER_ID).expired());
    let (status, body) = call(reqwest::Method::GET, &me, Some(&expired), None).await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("session_not_found"), "{body}");
    assert_eq!(
        mock.call_count::<stytch_sdk::consumer::sessions::AuthenticateRequest>(),
        1,
        "only the expired token reached the sessions API"
    );

    // None at all.
    let (status, _) = call(reqwest::Method::GET, &me, None, None).await;
    assert_eq!(status, 401);

    // The genuine token still works.
    let (status, body) = call(reqwest::Method::GET, &me, Some(&genuine), None).await;
    assert_eq!((status, body.as_str()), (200, USER_ID));
}

#[tokio::test]
async fn the_rbac_policy_of_the_mock_decides_403_or_200() {
    let mock = MockStytch::start().await;
    mock.set_policy(policy());
    let app = serve(mock.client()).await;
    let edit = format!("{app}/documents/edit");

    let reader = mock.session_jwt(&SessionClaims::user("user-test-reader").roles(["reader"]));
    let (status, body) = call(reqwest::Method::POST, &edit, Some(&reader), None).await;
    assert_eq!(status, 403, "{body}");

    let editor = mock.session_jwt(&SessionClaims::user("user-test-editor").roles(["editor"]));
    let (status, body) = call(reqwest::Method::POST, &edit, Some(&editor), None).await;
    assert_eq!(
        (status, body.as_str()),
        (200, "user-test-editor edited the document")
    );
}

#[tokio::test]
async fn member_sessions_and_m2m_tokens_verify_offline() {
    let mock = MockStytch::start().await;
    mock.set_policy(policy());
    let b2b = mock.b2b_client();
    let jwt = mock.session_jwt(
        &SessionClaims::member("member-test-grace", "organization-test-acme").roles(["editor"]),
    );
    let allowed =
        MemberSessionJwtOptions::new().authorize("organization-test-acme", "documents", "write");
    let member = b2b
        .sessions()
        .authenticate_jwt(&jwt, &allowed)
        .await
        .unwrap()
        .session;
    assert_eq!(member.member_id, "member-test-grace");
    assert_eq!(member.organization_id, "organization-test-acme");
    let other_org =
        MemberSessionJwtOptions::new().authorize("organization-test-other", "documents", "read");
    let error = b2b
        .sessions()
        .authenticate_jwt(&jwt, &other_org)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            stytch_sdk::Error::Auth(AuthError::TenancyMismatch { .. })
        ),
        "{error:?}"
    );

    let token = mock.m2m_token("m2m-client-test-robot", ["read:users"]);
    let client = mock.client();
    let claims = client
        .m2m()
        .authenticate_token(
            &token,
            &M2mTokenOptions::new().require_scopes(["read:users"]),
        )
        .await
        .unwrap();
    assert_eq!(claims.client_id, "m2m-client-test-robot");
    let error = client
        .m2m()
        .authenticate_token(
            &token,
            &M2mTokenOptions::new().require_scopes(["write:users"]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            stytch_sdk::Error::Auth(AuthError::MissingScope { .. })
        ),
        "{error:?}"
    );
}

// ---- (b) a flow that calls two endpoints --------------------------------------

#[tokio::test]
async fn sms_login_sends_a_code_then_checks_it() {
    let mock = MockStytch::start().await;
    mock.on::<LoginOrCreateRequest>()
        .respond_json(fixture("consumer_otps_sms_login_or_create"));
    let authenticated: stytch_sdk::consumer::otps::AuthenticateResponse =
        serde_json::from_value(fixture("consumer_otps_authenticate")).unwrap();
    mock.on::<AuthenticateRequest>()
        .respond_with(move |request| {
            if request.code == "123456" {
                Ok(authenticated.clone())
            } else {
                Err(MockError::new(
                    404,
                    "otp_code_not_found",
                    "The code is wrong or expired.",
                ))
            }
        });
    let app = serve(mock.client()).await;

    let (status, body) = call(
        reqwest::Method::POST,
        &format!("{app}/login/start"),
        None,
        Some(json!({"phone": PHONE})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let phone_id = serde_json::from_str::<Value>(&body).unwrap()["phone_id"].clone();
    assert_eq!(phone_id, PHONE_ID);

    let finish = format!("{app}/login/finish");
    let (status, _) = call(
        reqwest::Method::POST,
        &finish,
        None,
        Some(json!({"phone_id": phone_id, "code": "000000"})),
    )
    .await;
    assert_eq!(status, 401);
    let (status, body) = call(
        reqwest::Method::POST,
        &finish,
        None,
        Some(json!({"phone_id": phone_id, "code": "123456"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["user_id"],
        USER_ID
    );

    // What the application sent, as typed requests.
    let sent = mock.calls::<LoginOrCreateRequest>();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].phone_number, PHONE);
    assert_eq!(sent[0].expiration_minutes, Some(5));
    let checks = mock.calls::<AuthenticateRequest>();
    let codes: Vec<&str> = checks.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["000000", "123456"]);
    assert!(checks.iter().all(|c| c.method_id == PHONE_ID));
    assert!(
        checks
            .iter()
            .all(|c| c.session_duration_minutes == Some(60))
    );
    assert_eq!(
        mock.called_endpoints(),
        [
            "consumer.otps.sms.login_or_create",
            "consumer.otps.authenticate",
            "consumer.otps.authenticate"
        ]
    );
}

// ---- the mock's own rules, through the public API ------------------------------

#[tokio::test]
async fn a_call_nobody_configured_fails_with_mock_not_configured() {
    let mock = MockStytch::start().await;
    let error = mock
        .client()
        .otps()
        .sms()
        .login_or_create(LoginOrCreateRequest::new(PHONE))
        .await
        .unwrap_err();
    let stytch_sdk::Error::Api(api) = error else {
        panic!("expected a Stytch error, got {error:?}");
    };
    assert_eq!(
        (api.status_code, api.error_type.as_str()),
        (404, "mock_not_configured")
    );
    assert!(
        api.error_message
            .contains("consumer.otps.sms.login_or_create"),
        "{}",
        api.error_message
    );
    let unmatched = mock.unmatched();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].path, "/v1/otps/sms/login_or_create");
    assert_eq!(mock.call_count::<LoginOrCreateRequest>(), 0);
}

#[tokio::test]
async fn fail_reaches_the_caller_as_a_stytch_error() {
    let mock = MockStytch::start().await;
    mock.on::<LoginOrCreateRequest>()
        .fail(MockError::new(429, "too_many_requests", "Slow down."));
    let result = mock
        .client()
        .otps()
        .sms()
        .login_or_create(LoginOrCreateRequest::new(PHONE))
        .await;
    match result {
        Err(stytch_sdk::Error::Api(api)) => {
            assert_eq!(api.status_code, 429);
            assert_eq!(api.error_type, "too_many_requests");
            assert_eq!(api.error_message, "Slow down.");
        }
        other => panic!("expected a Stytch error, got {other:?}"),
    }
    assert_eq!(mock.call_count::<LoginOrCreateRequest>(), 1);
}

#[tokio::test]
async fn the_jwks_cache_of_a_client_survives_across_requests() {
    let mock = MockStytch::start().await;
    let client = mock.client();
    for _ in 0..3 {
        let jwt =
            mock.session_jwt(&SessionClaims::user(USER_ID).issued_ago(Duration::from_secs(10)));
        client
            .sessions()
            .authenticate_jwt(&jwt, &SessionJwtOptions::new())
            .await
            .unwrap();
    }
    assert_eq!(mock.call_count::<GetJwksRequest>(), 1);
}
