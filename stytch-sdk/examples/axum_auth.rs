//! Protecting axum routes with Stytch session JWTs.
//!
//! An extractor verifies the JWT from the `Authorization: Bearer …` header
//! (locally, against the cached project keys) before the handler runs; a
//! handler that needs a permission asks for it with an RBAC check.
//!
//! ```text
//! STYTCH_PROJECT_ID=project-test-… STYTCH_SECRET=secret-test-… \
//!     cargo run -p stytch-sdk --example axum_auth
//! curl -H "Authorization: Bearer $SESSION_JWT" http://127.0.0.1:3000/me
//! ```

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde_json::{Value, json};
use stytch_sdk::auth::{AuthError, SessionJwtOptions};
use stytch_sdk::consumer::models::sessions::Session;

/// Shared by every request; the client (and so its key cache) is built once.
#[derive(Clone)]
struct App {
    stytch: stytch_sdk::Client,
}

/// A request whose session JWT checked out.
struct User(Session);

impl FromRequestParts<App> for User {
    type Rejection = (StatusCode, String);

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let jwt =
            session_jwt(&parts.headers).ok_or((StatusCode::UNAUTHORIZED, "no session".into()))?;
        let authenticated = app
            .stytch
            .sessions()
            .authenticate_jwt(jwt, &SessionJwtOptions::new())
            .await
            .map_err(reject)?;
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

/// Maps SDK errors to responses: bad or stale credentials are 401, missing
/// permissions 403, Stytch being unreachable 503.
fn reject(error: stytch_sdk::Error) -> (StatusCode, String) {
    let status = match &error {
        stytch_sdk::Error::Auth(
            AuthError::PermissionDenied { .. } | AuthError::TenancyMismatch { .. },
        ) => StatusCode::FORBIDDEN,
        stytch_sdk::Error::Auth(AuthError::Fetch { .. }) | stytch_sdk::Error::Http { .. } => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        stytch_sdk::Error::Auth(_) => StatusCode::UNAUTHORIZED,
        stytch_sdk::Error::Api(api) if api.status_code < 500 => StatusCode::UNAUTHORIZED,
        _ => StatusCode::BAD_GATEWAY,
    };
    (status, error.to_string())
}

/// Any logged-in user.
async fn me(User(session): User) -> Json<Value> {
    Json(json!({ "user_id": session.user_id, "session_id": session.session_id }))
}

/// Only sessions whose roles grant `delete` on `documents` in the RBAC policy.
async fn delete_document(
    State(app): State<App>,
    headers: HeaderMap,
) -> Result<StatusCode, (StatusCode, String)> {
    let jwt = session_jwt(&headers).ok_or((StatusCode::UNAUTHORIZED, "no session".into()))?;
    let options = SessionJwtOptions::new().authorize("documents", "delete");
    app.stytch
        .sessions()
        .authenticate_jwt(jwt, &options)
        .await
        .map_err(reject)?;
    Ok(StatusCode::NO_CONTENT)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stytch = stytch_sdk::Client::new(
        std::env::var("STYTCH_PROJECT_ID")?,
        std::env::var("STYTCH_SECRET")?,
    )?;
    let app = Router::new()
        .route("/me", get(me))
        .route("/documents/{id}", delete(delete_document))
        .with_state(App { stytch });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
