//! Protecting axum routes with Stytch session JWTs.
//!
//! An extractor verifies the JWT from the `Authorization: Bearer …` header
//! (locally, against the cached project keys) before the handler runs; a
//! handler that needs a permission asks for it with an RBAC check.
//!
//! Every SDK error becomes the status [`stytch_sdk::Error::http_status`]
//! names (401 for a bad token, 403 for a denied permission, 429 with
//! `Retry-After` when Stytch rate-limits, 503 when it cannot be reached).
//!
//! Offline (the default): `cargo run -p stytch-sdk --example axum_auth --features test-util`
//! serves the app on a loopback port against the mock, which signs the
//! tokens, and sends it requests that show each answer.
//!
//! Against your project, the app serves until stopped; it needs credentials:
//!
//! ```text
//! STYTCH_PROJECT_ID=project-test-… STYTCH_SECRET=secret-test-… \
//!     cargo run -p stytch-sdk --example axum_auth --features test-util
//! curl -H "Authorization: Bearer $SESSION_JWT" http://127.0.0.1:3000/me
//! ```

mod support;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde_json::{Value, json};
use stytch_sdk::auth::SessionJwtOptions;
use stytch_sdk::consumer::models::sessions::Session;
use stytch_sdk::consumer::sessions::GetJwksRequest;
use stytch_sdk::test_util::{MockError, MockStytch, SessionClaims};
use support::Backend;

/// Shared by every request; the client (and so its key cache) is built once.
#[derive(Clone)]
struct App {
    stytch: stytch_sdk::Client,
}

/// A request whose session JWT checked out.
struct User(Session);

impl FromRequestParts<App> for User {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let jwt = session_jwt(&parts.headers).ok_or(Rejection::NoSession)?;
        let authenticated = app
            .stytch
            .sessions()
            .authenticate_jwt(jwt, &SessionJwtOptions::new())
            .await?;
        // When `authenticated.verified_locally` is false, the API issued a fresh
        // JWT in `authenticated.session_jwt`; a cookie-based app would set it here.
        Ok(User(authenticated.session))
    }
}

fn session_jwt(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// Why a request was turned away.
enum Rejection {
    /// No `Authorization: Bearer` header.
    NoSession,
    /// The SDK said no, or could not tell.
    Stytch(stytch_sdk::Error),
}

impl From<stytch_sdk::Error> for Rejection {
    fn from(error: stytch_sdk::Error) -> Self {
        Rejection::Stytch(error)
    }
}

/// The SDK's own mapping: the status a service should answer with, and
/// Stytch's `Retry-After` passed on.
impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let error = match self {
            Rejection::NoSession => {
                return (StatusCode::UNAUTHORIZED, "no session").into_response();
            }
            Rejection::Stytch(error) => error,
        };
        let status =
            StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, error.to_string()).into_response();
        if let Some(wait) = error.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs()));
        }
        response
    }
}

/// Any logged-in user.
async fn me(User(session): User) -> Json<Value> {
    Json(json!({ "user_id": session.user_id, "session_id": session.session_id }))
}

/// Only sessions whose roles grant `delete` on `documents` in the RBAC policy.
async fn delete_document(
    State(app): State<App>,
    headers: HeaderMap,
) -> Result<StatusCode, Rejection> {
    let jwt = session_jwt(&headers).ok_or(Rejection::NoSession)?;
    let options = SessionJwtOptions::new().authorize("documents", "delete");
    app.stytch
        .sessions()
        .authenticate_jwt(jwt, &options)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn router(stytch: stytch_sdk::Client) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/documents/{id}", delete(delete_document))
        .with_state(App { stytch })
}

/// Serves the app on a free loopback port; returns its base URL.
async fn serve(stytch: stytch_sdk::Client) -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, router(stytch)).await });
    Ok(base)
}

/// Sends one request as a browser would, and prints the answer.
async fn call(
    method: reqwest::Method,
    url: &str,
    jwt: Option<&str>,
) -> Result<reqwest::StatusCode, reqwest::Error> {
    let mut request = reqwest::Client::new().request(method.clone(), url);
    if let Some(jwt) = jwt {
        request = request.bearer_auth(jwt);
    }
    let response = request.send().await?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER.as_str())
        .and_then(|value| value.to_str().ok())
        .map(|value| format!(" (Retry-After: {value})"))
        .unwrap_or_default();
    println!("{method} {url} -> {status}{retry_after}");
    Ok(status)
}

/// Offline: the mock signs the tokens and serves keys and the RBAC policy.
async fn offline(mock: &MockStytch) -> Result<(), Box<dyn std::error::Error>> {
    mock.set_policy(json!({
        "roles": [{"role_id": "editor", "description": "Edits documents.",
                   "permissions": [{"resource_id": "documents", "actions": ["delete"]}]}],
        "resources": [{"resource_id": "documents", "description": "Documents.", "actions": ["delete"]}],
        "scopes": []
    }));
    let base = serve(mock.client()).await?;
    let reader = mock.session_jwt(&SessionClaims::user("user-test-reader"));
    let editor = mock.session_jwt(&SessionClaims::user("user-test-editor").roles(["editor"]));
    let me = format!("{base}/me");
    let document = format!("{base}/documents/42");
    let statuses = [
        call(reqwest::Method::GET, &me, Some(&reader)).await?,
        call(reqwest::Method::GET, &me, None).await?,
        call(reqwest::Method::GET, &me, Some("not-a-jwt")).await?,
        call(reqwest::Method::DELETE, &document, Some(&reader)).await?,
        call(reqwest::Method::DELETE, &document, Some(&editor)).await?,
    ];
    assert_eq!(statuses.map(|s| s.as_u16()), [200, 401, 401, 403, 204]);

    // A Stytch that rate-limits the key set fetch: the app answers 429 and
    // passes the wait on, instead of telling the user to log in again.
    let limited = MockStytch::start().await;
    limited.on::<GetJwksRequest>().fail(
        MockError::new(429, "too_many_requests", "Too many requests.")
            .retry_after(std::time::Duration::from_secs(30)),
    );
    let client = limited
        .builder()
        .retry(stytch_sdk::RetryPolicy::disabled())
        .build()?;
    let base = serve(client).await?;
    let jwt = limited.session_jwt(&SessionClaims::user("user-test-reader"));
    let status = call(reqwest::Method::GET, &format!("{base}/me"), Some(&jwt)).await?;
    assert_eq!(status.as_u16(), 429);
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let backend = Backend::from_env().await;
    if let Some(mock) = backend.mock() {
        return offline(mock).await;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("serving on http://127.0.0.1:3000 until stopped");
    axum::serve(listener, router(backend.client()?)).await?;
    Ok(())
}
