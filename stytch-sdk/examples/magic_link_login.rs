//! Email magic-link login with a session cookie, in an axum service.
//!
//! `POST /login?email=…` has Stytch email a link (`magic_links.email.login_or_create`,
//! creating the user on first use). The link leads to `GET /authenticate?token=…`,
//! which exchanges the token for a session (`magic_links.authenticate`) and
//! stores its JWT in an `HttpOnly` cookie. `GET /me` verifies that cookie
//! locally against the project's keys; when the JWT is too old to trust
//! locally, Stytch checks the session and the handler refreshes the cookie.
//! Every SDK error becomes the status `Error::http_status` names.
//!
//! Offline (the default): `cargo run -p stytch-sdk --example magic_link_login --features test-util`
//! serves the app on a loopback port, answers Stytch's part with the mock and
//! walks through the flow itself.
//!
//! Against your test project: also set `STYTCH_PROJECT_ID`, `STYTCH_SECRET` and
//! `STYTCH_EMAIL`. Add `http://127.0.0.1:3000/authenticate` to the project's
//! redirect URLs in the Stytch Dashboard; the app listens there, and the token
//! from the emailed link is read from `STYTCH_MAGIC_LINK_TOKEN` or stdin (or
//! open the link in a browser while the app runs).

mod support;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use stytch_sdk::auth::SessionJwtOptions;
use stytch_sdk::consumer::magic_links::AuthenticateRequest;
use stytch_sdk::consumer::magic_links::email::LoginOrCreateRequest;
use stytch_sdk::test_util::fixtures::{SessionFixture, UserFixture};
use stytch_sdk::test_util::{MockError, MockStytch, SessionClaims};
use support::Backend;

/// The cookie holding the session JWT.
const COOKIE: &str = "stytch_session_jwt";
/// How long a session lasts, in minutes (one week).
const SESSION_MINUTES: i64 = 7 * 24 * 60;
/// The token in the link the mock "emails".
const OFFLINE_TOKEN: &str = "magic-link-token-test-0c8e4a25";

#[derive(Clone)]
struct App {
    stytch: stytch_sdk::Client,
    /// Where the emailed link leads: this app's `/authenticate`.
    callback_url: String,
}

/// An SDK error as the answer of a handler: the status `http_status` names,
/// with `Retry-After` when Stytch sent one.
struct Failure(stytch_sdk::Error);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, self.0.to_string()).into_response();
        if let Some(wait) = self.0.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs()));
        }
        response
    }
}

impl From<stytch_sdk::Error> for Failure {
    fn from(error: stytch_sdk::Error) -> Self {
        Failure(error)
    }
}

#[derive(Deserialize)]
struct Email {
    email: String,
}

/// Sends the login link.
async fn login(
    State(app): State<App>,
    Query(Email { email }): Query<Email>,
) -> Result<StatusCode, Failure> {
    let request = LoginOrCreateRequest::new(email)
        .login_magic_link_url(&app.callback_url)
        .signup_magic_link_url(&app.callback_url);
    app.stytch
        .magic_links()
        .email()
        .login_or_create(request)
        .await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize)]
struct Token {
    token: String,
}

/// The cookie carrying a session JWT: not readable by scripts, sent only
/// over HTTPS (browsers make an exception for `localhost`) and to this site.
fn session_cookie(jwt: &str) -> HeaderValue {
    let cookie = format!(
        "{COOKIE}={jwt}; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age={}",
        SESSION_MINUTES * 60
    );
    HeaderValue::from_str(&cookie).expect("a JWT is valid in a header")
}

/// Where the link leads: trades its token for a session and sets the cookie.
async fn authenticate(
    State(app): State<App>,
    Query(Token { token }): Query<Token>,
) -> Result<Response, Failure> {
    let request = AuthenticateRequest::new(token).session_duration_minutes(SESSION_MINUTES);
    let session = app.stytch.magic_links().authenticate(request).await?;
    let mut response = Json(json!({ "user_id": session.user_id })).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&session.session_jwt));
    Ok(response)
}

/// The value of the session cookie, when the request has one.
fn cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
}

/// Who is logged in.
async fn me(State(app): State<App>, headers: HeaderMap) -> Result<Response, Failure> {
    let Some(jwt) = cookie(&headers) else {
        return Ok((StatusCode::UNAUTHORIZED, "not logged in").into_response());
    };
    let authenticated = app
        .stytch
        .sessions()
        .authenticate_jwt(jwt, &SessionJwtOptions::new())
        .await?;
    let mut response = Json(json!({ "user_id": authenticated.session.user_id })).into_response();
    if !authenticated.verified_locally {
        // Stytch checked the session and issued a fresh JWT: keep it.
        response.headers_mut().insert(
            header::SET_COOKIE,
            session_cookie(&authenticated.session_jwt),
        );
    }
    Ok(response)
}

/// Stands in for Stytch: sends no email, and accepts only [`OFFLINE_TOKEN`].
fn answer_offline(mock: &MockStytch) {
    let user_id = "user-test-5f0c2b8e";
    mock.on::<LoginOrCreateRequest>()
        .respond_json_with(move |_| {
            Ok(json!({ "user_id": user_id, "email_id": "email-test-1", "user_created": false }))
        });
    let user = UserFixture::new(user_id).email("ada@example.com").build();
    let session = SessionFixture::new(user_id).build();
    let jwt = mock.session_jwt(&SessionClaims::user(user_id).session_id(&session.session_id));
    mock.on::<AuthenticateRequest>()
        .respond_json_with(move |request| {
            if request.token != OFFLINE_TOKEN {
                return Err(MockError::new(
                    401,
                    "unable_to_auth_magic_link",
                    "The magic link could not be authenticated.",
                ));
            }
            Ok(json!({
                "user_id": user_id,
                "method_id": "email-test-1",
                "session_token": "session-token-test-1",
                "session_jwt": jwt,
                "user": user,
                "session": session,
                "reset_sessions": false,
            }))
        });
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let backend = Backend::from_env().await;
    if let Some(mock) = backend.mock() {
        answer_offline(mock);
    }
    // Live, the address must match the redirect URL registered with Stytch.
    let address = if backend.mock().is_some() {
        "127.0.0.1:0"
    } else {
        "127.0.0.1:3000"
    };
    let listener = tokio::net::TcpListener::bind(address).await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = App {
        stytch: backend.client()?,
        callback_url: format!("{base}/authenticate"),
    };
    let router = Router::new()
        .route("/login", post(login))
        .route("/authenticate", get(authenticate))
        .route("/me", get(me))
        .with_state(app);
    tokio::spawn(async move { axum::serve(listener, router).await });

    // The browser's part of the flow.
    let browser = reqwest::Client::new();
    let email = backend.input("STYTCH_EMAIL", "email address", "ada@example.com");
    let sent = browser
        .post(format!("{base}/login"))
        .query(&[("email", &email)])
        .send()
        .await?;
    println!("POST /login -> {} (link sent to {email})", sent.status());

    let wrong = browser
        .get(format!("{base}/authenticate"))
        .query(&[("token", "magic-link-token-test-forged")])
        .send()
        .await?;
    println!("GET /authenticate with a wrong token -> {}", wrong.status());

    let token = backend.input(
        "STYTCH_MAGIC_LINK_TOKEN",
        "the `token` of the emailed link",
        OFFLINE_TOKEN,
    );
    let landed = browser
        .get(format!("{base}/authenticate"))
        .query(&[("token", &token)])
        .send()
        .await?;
    let status = landed.status();
    let cookie = landed
        .headers()
        .get(header::SET_COOKIE.as_str())
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::to_owned);
    println!(
        "GET /authenticate -> {status}, session cookie set: {}",
        cookie.is_some()
    );
    let Some(cookie) = cookie else {
        return Err(format!("no session: {}", landed.text().await?).into());
    };

    let me = browser
        .get(format!("{base}/me"))
        .header(header::COOKIE.as_str(), &cookie)
        .send()
        .await?;
    println!(
        "GET /me with the cookie -> {} {}",
        me.status(),
        me.text().await?
    );
    let anonymous = browser.get(format!("{base}/me")).send().await?;
    println!("GET /me without it -> {}", anonymous.status());

    if let Some(mock) = backend.mock() {
        assert_eq!(
            wrong.status(),
            401,
            "a rejected link is the user's problem: 401"
        );
        assert_eq!(status, 200);
        assert_eq!(anonymous.status(), 401);
        println!("calls received by the mock: {:?}", mock.called_endpoints());
    }
    Ok(())
}
