//! Helpers shared by the integration tests: fixture files, clients pointed at
//! a [`MockServer`], timestamps, and the checks every SDK request must pass.
//!
//! Expected values (such as the `Authorization` header) are computed here
//! independently of the SDK's runtime.

use std::path::PathBuf;

use base64::Engine as _;
use serde_json::Value;
use stytch_sdk::{BuildClient, ClientBuilder};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::{MockServer, Recorded, Reply};

/// Path of `tests/fixtures/<name>.json`.
fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(format!("{name}.json"))
}

/// The bytes of `tests/fixtures/<name>.json`; panics naming the file when it
/// cannot be read.
pub fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = fixture_path(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

/// `tests/fixtures/<name>.json` as a JSON value, e.g. to be altered before it
/// is served with [`Reply::json`]. Panics naming the file when it is missing
/// or not JSON.
pub fn fixture_json(name: &str) -> Value {
    serde_json::from_slice(&fixture_bytes(name))
        .unwrap_or_else(|e| panic!("fixture {name}.json is not JSON: {e}"))
}

impl Reply {
    /// A 200 JSON reply whose body is `tests/fixtures/<name>.json`, byte for
    /// byte. Panics naming the file when it is missing.
    pub fn fixture(name: &str) -> Self {
        Reply {
            status: 200,
            content_type: "application/json",
            body: fixture_bytes(name),
        }
    }
}

/// Parses an RFC 3339 timestamp such as `2024-03-11T18:30:00Z`.
pub fn timestamp(text: &str) -> OffsetDateTime {
    OffsetDateTime::parse(text, &Rfc3339)
        .unwrap_or_else(|e| panic!("test timestamp {text:?} does not parse: {e}"))
}

/// The `Authorization` header the SDK must send: `Basic base64(project_id:secret)`.
pub fn basic_auth(project_id: &str, secret: &str) -> String {
    let raw = format!("{project_id}:{secret}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

impl MockServer {
    /// A builder for a [`stytch_sdk::Client`] or [`stytch_sdk::B2BClient`]
    /// whose main API host is this server, for further settings.
    pub fn client_builder<C: BuildClient>(
        &self,
        project_id: &str,
        secret: &str,
    ) -> ClientBuilder<C> {
        ClientBuilder::<C>::new(project_id, secret).api_url(self.url())
    }

    /// A [`stytch_sdk::Client`] or [`stytch_sdk::B2BClient`] whose main API
    /// host is this server.
    pub fn client<C: BuildClient>(&self, project_id: &str, secret: &str) -> C {
        self.client_builder(project_id, secret)
            .build()
            .expect("client builds")
    }
}

/// Starts a server answering `reply` once, and a client pointed at it.
pub async fn serve_once<C: BuildClient>(
    project_id: &str,
    secret: &str,
    reply: Reply,
) -> (MockServer, C) {
    let server = MockServer::start().await;
    server.reply(reply);
    let client = server.client(project_id, secret);
    (server, client)
}

/// Checks the headers every SDK call carries: the project's basic
/// credentials and the SDK's user agent.
pub fn assert_sdk_headers(request: &Recorded, project_id: &str, secret: &str) {
    assert_eq!(
        request.header("authorization"),
        Some(basic_auth(project_id, secret).as_str()),
        "basic credentials"
    );
    assert_eq!(request.header("user-agent"), Some(stytch_sdk::USER_AGENT));
}

/// Checks a JSON POST: method, path, no query, credentials, user agent,
/// content type and the exact body (absent options must not appear at all).
pub fn assert_json_post(
    request: &Recorded,
    project_id: &str,
    secret: &str,
    path: &str,
    body: Value,
) {
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, path);
    assert_eq!(request.query, None, "a POST carries no query string");
    assert_sdk_headers(request, project_id, secret);
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.json(), body);
}
