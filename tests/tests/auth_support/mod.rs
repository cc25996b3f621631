//! Shared fixtures of the `auth_*` tests: RSA keys made on the spot, token
//! signing, Stytch-shaped claims, and a route table on a [`MockServer`] that
//! serves the key set, the RBAC policy and the sessions endpoints.
#![allow(dead_code)] // each test file uses a different subset

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use stytch_tests::{MockServer, Reply};

pub const PROJECT_ID: &str = "project-test-00000000-1111-2222-3333-444444444444";
pub const SECRET: &str = "secret-test-auth";
pub const CONSUMER_JWKS: &str =
    "/v1/sessions/jwks/project-test-00000000-1111-2222-3333-444444444444";
pub const B2B_JWKS: &str =
    "/v1/b2b/sessions/jwks/project-test-00000000-1111-2222-3333-444444444444";
pub const CONSUMER_POLICY: &str = "/v1/rbac/policy";
pub const B2B_POLICY: &str = "/v1/b2b/rbac/policy";
pub const CONSUMER_AUTHENTICATE: &str = "/v1/sessions/authenticate";
pub const B2B_AUTHENTICATE: &str = "/v1/b2b/sessions/authenticate";
pub const M2M_TOKEN: &str =
    "/v1/public/project-test-00000000-1111-2222-3333-444444444444/oauth2/token";

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Seconds since the epoch, now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// An RSA key pair with a key id.
pub struct TestKey {
    pub kid: String,
    pair: RsaKeyPair,
}

impl TestKey {
    pub fn generate(kid: &str) -> Self {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("generate RSA key");
        Self {
            kid: kid.to_owned(),
            pair,
        }
    }

    /// The public key as the JWKS endpoint lists it (every field present).
    pub fn jwk(&self) -> Value {
        let public = self.pair.public_key();
        json!({
            "kty": "RSA",
            "use": "sig",
            "key_ops": ["verify"],
            "alg": "RS256",
            "kid": self.kid,
            "x5c": [],
            "x5tS256": "",
            "n": b64(public.modulus().big_endian_without_leading_zero()),
            "e": b64(public.exponent().big_endian_without_leading_zero()),
        })
    }

    /// The JWK with some fields replaced.
    pub fn jwk_with(&self, changes: Value) -> Value {
        let mut jwk = self.jwk();
        for (k, v) in changes.as_object().unwrap() {
            jwk[k] = v.clone();
        }
        jwk
    }

    /// Signs `claims` with the usual header (`RS256`, `JWT`, this key's id).
    pub fn sign(&self, claims: &Value) -> String {
        self.sign_with_header(
            &json!({"alg": "RS256", "typ": "JWT", "kid": self.kid}),
            claims,
        )
    }

    /// Signs arbitrary header and claims JSON with RS256.
    pub fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        self.sign_raw(header.to_string().as_bytes(), claims.to_string().as_bytes())
    }

    /// Signs arbitrary header and claims bytes with RS256.
    pub fn sign_raw(&self, header: &[u8], claims: &[u8]) -> String {
        let input = format!("{}.{}", b64(header), b64(claims));
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .expect("sign");
        format!("{input}.{}", b64(&signature))
    }
}

/// Claims of a consumer session JWT issued `age` seconds ago, valid five minutes.
pub fn session_claims(age: i64) -> Value {
    let iat = now() - age;
    json!({
        "sub": "user-test-ada",
        "iss": format!("stytch.com/{PROJECT_ID}"),
        "aud": [PROJECT_ID],
        "iat": iat,
        "nbf": iat,
        "exp": iat + 300,
        "https://stytch.com/session": {
            "id": "session-test-1",
            "started_at": "2026-01-02T03:04:05Z",
            "last_accessed_at": "2026-01-02T03:09:05Z",
            "expires_at": "2026-01-09T03:04:05Z",
            "attributes": {"user_agent": "curl/8", "ip_address": "203.0.113.7"},
            "authentication_factors": [{
                "type": "magic_link",
                "delivery_method": "email",
                "last_authenticated_at": "2026-01-02T03:04:05Z",
                "email_factor": {"email_id": "email-test-1", "email_address": "ada@example.com"}
            }],
            "roles": ["stytch_user", "editor"]
        },
        "plan": "pro",
        "limits": {"seats": 5}
    })
}

/// Claims of a B2B member session JWT issued `age` seconds ago.
pub fn member_claims(age: i64, roles: &[&str]) -> Value {
    let mut claims = session_claims(age);
    claims["sub"] = json!("member-test-grace");
    claims["https://stytch.com/session"]["id"] = json!("member-session-test-1");
    claims["https://stytch.com/session"]["roles"] = json!(roles);
    claims["https://stytch.com/organization"] = json!({
        "organization_id": "organization-test-acme",
        "slug": "acme"
    });
    claims
}

/// Claims of an M2M access token with the given scope string.
pub fn m2m_claims(scope: &str) -> Value {
    let iat = now();
    json!({
        "sub": "m2m-client-test-robot",
        "iss": format!("stytch.com/{PROJECT_ID}"),
        "aud": [PROJECT_ID],
        "iat": iat,
        "nbf": iat,
        "exp": iat + 3600,
        "scope": scope,
        "team": "billing"
    })
}

/// A consumer RBAC policy: `reader` reads documents, `editor` reads and
/// writes them, `owner` may do anything to documents, nobody touches billing.
pub fn policy() -> Value {
    json!({
        "policy": {
            "roles": [
                {"role_id": "reader", "description": "", "permissions": [
                    {"resource_id": "documents", "actions": ["read"]}
                ]},
                {"role_id": "editor", "description": "", "permissions": [
                    {"resource_id": "documents", "actions": ["read", "write"]}
                ]},
                {"role_id": "owner", "description": "", "permissions": [
                    {"resource_id": "documents", "actions": ["*"]},
                    {"resource_id": "billing", "actions": ["read"]}
                ]}
            ],
            "resources": [
                {"resource_id": "documents", "description": "", "actions": ["read", "write", "delete"]},
                {"resource_id": "billing", "description": "", "actions": ["read", "pay"]}
            ],
            "scopes": []
        }
    })
}

/// Paths and the replies set for them.
type Routes = Arc<Mutex<HashMap<String, Reply>>>;

/// A [`MockServer`] answering each path with the reply set for it (a JSON
/// 404 otherwise) and counting requests per path. Stops when dropped.
pub struct Server {
    mock: MockServer,
    routes: Routes,
}

impl Server {
    pub async fn start() -> Self {
        let routes = Routes::default();
        let table = Arc::clone(&routes);
        let mock = MockServer::start_with(move |request| {
            table
                .lock()
                .unwrap()
                .get(&request.path)
                .cloned()
                .unwrap_or_else(|| Reply {
                    status: 404,
                    content_type: "application/json",
                    body: br#"{"status_code":404,"request_id":"r","error_type":"not_found","error_message":"no route"}"#.to_vec(),
                })
        })
        .await;
        Self { mock, routes }
    }

    pub fn url(&self) -> String {
        self.mock.url()
    }

    /// Answers `path` with `body` (status code and request id added to objects).
    pub fn route(&self, path: &str, status: u16, mut body: Value) {
        if let Some(object) = body.as_object_mut() {
            object.entry("status_code").or_insert(json!(status));
            object
                .entry("request_id")
                .or_insert(json!("request-id-test"));
        }
        self.route_raw(path, status, body.to_string().into_bytes());
    }

    /// Answers `path` with these bytes, served as JSON.
    pub fn route_raw(&self, path: &str, status: u16, body: Vec<u8>) {
        let reply = Reply {
            status,
            content_type: "application/json",
            body,
        };
        self.routes.lock().unwrap().insert(path.to_owned(), reply);
    }

    /// Serves these keys as the key set at `path`.
    pub fn serve_keys(&self, path: &str, jwks: &[Value]) {
        self.route(path, 200, json!({ "keys": jwks }));
    }

    /// Requests received for `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.mock.count(path)
    }

    /// JSON bodies received for `path` (`null` for a body that is not JSON).
    pub fn bodies(&self, path: &str) -> Vec<Value> {
        self.mock
            .requests_to(path)
            .iter()
            .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
            .collect()
    }

    pub fn consumer(&self) -> stytch_sdk::Client {
        self.consumer_builder().build().expect("client")
    }

    pub fn consumer_builder(&self) -> stytch_sdk::ClientBuilder<stytch_sdk::Client> {
        self.builder()
    }

    pub fn b2b(&self) -> stytch_sdk::B2BClient {
        self.b2b_builder().build().expect("client")
    }

    pub fn b2b_builder(&self) -> stytch_sdk::ClientBuilder<stytch_sdk::B2BClient> {
        self.builder()
    }

    /// A client builder pointed at this server, with a 5 second timeout
    /// and a short fetch backoff (50 ms) so tests can recover quickly.
    fn builder<C: stytch_sdk::BuildClient>(&self) -> stytch_sdk::ClientBuilder<C> {
        self.mock
            .client_builder(PROJECT_ID, SECRET)
            .timeout(Duration::from_secs(5))
            .fetch_backoff(Duration::from_millis(50), Duration::from_millis(50))
    }
}

/// Unwraps the `AuthError` of an SDK error, failing the test otherwise.
pub fn auth_error(error: stytch_sdk::Error) -> stytch_sdk::auth::AuthError {
    match error {
        stytch_sdk::Error::Auth(e) => e,
        other => panic!("expected an auth error, got {other:?}"),
    }
}

/// Path of the B2B endpoint serving an organization's own RBAC roles.
pub fn org_policy_path(organization_id: &str) -> String {
    format!("/v1/b2b/rbac/organizations/{organization_id}")
}

/// An organization policy answer defining `roles` as `(role, resource, actions)`.
pub fn org_policy(roles: &[(&str, &str, &[&str])]) -> Value {
    let roles: Vec<Value> = roles
        .iter()
        .map(|(role, resource, actions)| {
            json!({"role_id": role, "description": "", "permissions": [
                {"resource_id": resource, "actions": actions}
            ]})
        })
        .collect();
    json!({ "org_policy": { "roles": roles } })
}

/// A B2B RBAC policy with OAuth scopes: `read:documents` reads documents,
/// `manage:documents` may do anything to them.
pub fn policy_with_scopes() -> Value {
    let mut policy = policy();
    policy["policy"]["scopes"] = json!([
        {"scope": "read:documents", "description": "", "permissions": [
            {"resource_id": "documents", "actions": ["read"]}
        ]},
        {"scope": "manage:documents", "description": "", "permissions": [
            {"resource_id": "documents", "actions": ["*"]}
        ]}
    ]);
    policy
}

/// A loopback listener that accepts connections and never answers,
/// counting the connections made.
pub struct Hanging {
    pub url: String,
    accepted: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Hanging {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = Arc::clone(&accepted);
        let task = tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                open.push(stream); // held open, never answered
            }
        });
        Self {
            url,
            accepted,
            task,
        }
    }

    pub fn connections(&self) -> usize {
        self.accepted.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for Hanging {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    /// The value of header `name` in each request received for `path`.
    pub fn header_values(&self, path: &str, name: &str) -> Vec<Option<String>> {
        self.mock
            .requests_to(path)
            .iter()
            .map(|r| r.header(name).map(str::to_owned))
            .collect()
    }

    /// Bodies received for `path`, as text.
    pub fn requests_body_text(&self, path: &str) -> Vec<String> {
        self.mock
            .requests_to(path)
            .iter()
            .map(|r| String::from_utf8_lossy(&r.body).into_owned())
            .collect()
    }
}
