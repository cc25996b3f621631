//! Shared fixtures of the `auth_*` tests: RSA keys made on the spot, token
//! signing, Stytch-shaped claims, and a loopback server with a route table
//! that serves the key set, the RBAC policy and the sessions endpoints.
#![allow(dead_code)] // each test file uses a different subset

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;

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

struct Route {
    status: u16,
    body: Vec<u8>,
}

#[derive(Default)]
struct State {
    routes: HashMap<String, Route>,
    hits: HashMap<String, usize>,
    bodies: HashMap<String, Vec<Vec<u8>>>,
}

/// A loopback server on 127.0.0.1 answering each path with the reply set for
/// it (404 otherwise) and counting requests per path. Stops when dropped.
pub struct Server {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |req: Request<Incoming>| {
                        let state = Arc::clone(&state);
                        async move { Ok::<_, Infallible>(answer(req, &state).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { addr, state, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
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

    pub fn route_raw(&self, path: &str, status: u16, body: Vec<u8>) {
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(path.to_owned(), Route { status, body });
    }

    /// Serves these keys as the key set at `path`.
    pub fn serve_keys(&self, path: &str, jwks: &[Value]) {
        self.route(path, 200, json!({ "keys": jwks }));
    }

    /// Requests received for `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .hits
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// JSON bodies received for `path`.
    pub fn bodies(&self, path: &str) -> Vec<Value> {
        let state = self.state.lock().unwrap();
        state
            .bodies
            .get(path)
            .map(|all| {
                all.iter()
                    .map(|b| serde_json::from_slice(b).unwrap_or(Value::Null))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn consumer(&self) -> stytch_sdk::Client {
        self.consumer_builder().build().expect("client")
    }

    pub fn consumer_builder(&self) -> stytch_sdk::ClientBuilder<stytch_sdk::Client> {
        stytch_sdk::Client::builder(PROJECT_ID, SECRET)
            .api_url(self.url())
            .timeout(Duration::from_secs(5))
    }

    pub fn b2b(&self) -> stytch_sdk::B2BClient {
        self.b2b_builder().build().expect("client")
    }

    pub fn b2b_builder(&self) -> stytch_sdk::ClientBuilder<stytch_sdk::B2BClient> {
        stytch_sdk::B2BClient::builder(PROJECT_ID, SECRET)
            .api_url(self.url())
            .timeout(Duration::from_secs(5))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(req: Request<Incoming>, state: &Mutex<State>) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_owned();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    let (status, reply) = {
        let mut state = state.lock().unwrap();
        *state.hits.entry(path.clone()).or_default() += 1;
        state.bodies.entry(path.clone()).or_default().push(body);
        match state.routes.get(&path) {
            Some(route) => (route.status, route.body.clone()),
            None => (404, br#"{"status_code":404,"request_id":"r","error_type":"not_found","error_message":"no route"}"#.to_vec()),
        }
    };
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(reply)))
        .unwrap()
}

/// Unwraps the `AuthError` of an SDK error, failing the test otherwise.
pub fn auth_error(error: stytch_sdk::Error) -> stytch_sdk::auth::AuthError {
    match error {
        stytch_sdk::Error::Auth(e) => e,
        other => panic!("expected an auth error, got {other:?}"),
    }
}
