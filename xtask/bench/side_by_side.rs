//! Side-by-side measurements of `stytch-sdk` against the official `stytch`
//! crate and against hand-written baselines, printed as one table.
//!
//! This file is not a workspace member: `cargo xtask bench` copies it into a
//! scratch project that depends on both SDKs, builds it in release mode and
//! runs it. It takes `--rounds N` (default 7), `--quick` (few calls per
//! round, for a smoke run), `--requests-only` (the request-path section
//! alone, for profiling it) and `--only ours|official|baseline` (nothing but
//! one contender's small calls, 64 in flight, so that `perf stat` or
//! `perf record` sees that contender alone).
//!
//! Every section alternates its contenders within each round (the order
//! rotates from round to round) and reports the median round of each, so
//! that load from elsewhere on the machine hits all contenders alike. A
//! ratio is the median over rounds of the two contenders' quotient within
//! one round, which cancels load that drifts between rounds. The three
//! sections:
//!
//! - request path: one loopback HTTP server on 127.0.0.1 answers all three
//!   clients (ours, the official crate, a hand-written `reqwest` call decoding
//!   into plain serde-derive structs), for a small answer (`totps.create`) and
//!   a large one (`users.search`, about 150 kB), with one task in a loop and
//!   with 64 calls in flight;
//! - decode only: the large answer decoded into our response type, into a
//!   plain `#[derive(Deserialize)]` tree of the same shape, and into the
//!   official crate's type;
//! - local token checks on 1 and 2 threads: our session JWT, Connected App
//!   access token and M2M token checks next to bare
//!   `jsonwebtoken::decode::<serde_json::Value>` of the same token with a key
//!   parsed once, and the official crate's local M2M check.

use std::convert::Infallible;
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use serde_json::{Value, json};
use tokio::net::TcpListener;

const PROJECT_ID: &str = "project-test-side-by-side";
const SECRET: &str = "secret-test-side-by-side";
const USER_ID: &str = "user-test-5c1e8f3a-2d47-4b9e-a6f0-8e3d9b7c4a12";
const KEY_ID: &str = "bench-key";
/// Users in the large `users.search` answer.
const USERS: usize = 120;
/// Calls in flight in the concurrent request-path rows.
const IN_FLIGHT: usize = 64;

/// How much work each round does.
struct Plan {
    rounds: usize,
    /// Sequential calls per round with the small answer (fewer with the large).
    calls: usize,
    /// Calls per round with 64 in flight.
    concurrent_calls: usize,
    /// Decodes of the large answer per round.
    decodes: usize,
    /// Time each token-check contender runs per round and thread count.
    check_time: Duration,
    /// Only the request-path section (`--requests-only`, for profiling it).
    requests_only: bool,
    /// Only this contender's small calls, 64 in flight (`--only WHO`).
    only: Option<usize>,
}

impl Plan {
    fn from_args() -> Result<Plan, String> {
        let mut args = std::env::args().skip(1);
        let (mut rounds, mut quick, mut requests_only, mut only) = (None, false, false, None);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => quick = true,
                "--requests-only" => requests_only = true,
                "--only" => {
                    only = Some(match args.next().as_deref() {
                        Some("ours") => OURS,
                        Some("official") => OFFICIAL,
                        Some("baseline") => BASELINE,
                        _ => return Err("--only needs ours, official or baseline".into()),
                    });
                }
                "--rounds" => {
                    let value = args.next().ok_or("--rounds needs a value")?;
                    let n: usize = value
                        .parse()
                        .map_err(|_| format!("--rounds {value}: not a count"))?;
                    rounds = Some(n.max(1));
                }
                other => return Err(format!("unknown argument {other}")),
            }
        }
        Ok(if quick {
            Plan {
                rounds: rounds.unwrap_or(3),
                calls: 200,
                concurrent_calls: 1_000,
                decodes: 10,
                check_time: Duration::from_millis(100),
                requests_only,
                only,
            }
        } else {
            Plan {
                rounds: rounds.unwrap_or(7),
                calls: 3_000,
                concurrent_calls: 20_000,
                decodes: 200,
                check_time: Duration::from_millis(700),
                requests_only,
                only,
            }
        })
    }
}

/// The 1-minute load average, as `uptime` shows it, for the table header.
fn load() -> String {
    std::process::Command::new("uptime")
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .or_else(|| std::fs::read_to_string("/proc/loadavg").ok())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Runs each contender once per round, rotating which goes first, and
/// returns each one's figures, one per round.
fn alternate<const N: usize>(
    rounds: usize,
    mut measure: impl FnMut(usize) -> f64,
) -> [Vec<f64>; N] {
    let mut samples: [Vec<f64>; N] = std::array::from_fn(|_| Vec::with_capacity(rounds));
    for round in 0..rounds {
        for k in 0..N {
            let which = (round + k) % N;
            samples[which].push(measure(which));
        }
    }
    samples
}

// ---------------------------------------------------------------------------
// Answers

/// The realistic `totps.create` answer of the repository's fixtures.
const TOTPS_CREATE: &str = include_str!("consumer_totps_create.json");

/// One user as `users.search` lists it; the index varies the ids and which
/// optional parts are present, so the page is not one object repeated.
fn user(i: usize) -> Value {
    let id = format!("{i:04x}7a3e-2d47-4b9e-a6f0-8e3d9b7c{i:04x}");
    let mut emails = vec![json!({
        "email_id": format!("email-test-{id}"),
        "email": format!("person.{i}@example.com"),
        "verified": true
    })];
    if i % 3 == 0 {
        emails.push(json!({
            "email_id": format!("email-test-{id}-work"),
            "email": format!("person.{i}@work.example.org"),
            "verified": false
        }));
    }
    let providers = if i % 2 == 0 {
        json!([{
            "provider_type": "Google",
            "provider_subject": format!("10{i:018}"),
            "profile_picture_url": format!("https://lh3.googleusercontent.com/a/profile-{id}"),
            "locale": "en",
            "oauth_user_registration_id": format!("oauth-user-test-{id}")
        }])
    } else {
        json!([])
    };
    let webauthn = if i % 4 == 1 {
        json!([{
            "webauthn_registration_id": format!("webauthn-registration-test-{id}"),
            "domain": "app.example.com",
            "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
            "verified": true,
            "authenticator_type": "platform",
            "name": "MacBook Touch ID"
        }])
    } else {
        json!([])
    };
    json!({
        "user_id": format!("user-test-{id}"),
        "emails": emails,
        "status": "active",
        "phone_numbers": [{
            "phone_id": format!("phone-number-test-{id}"),
            "phone_number": format!("+1415555{:04}", i % 10_000),
            "verified": i % 5 != 0
        }],
        "webauthn_registrations": webauthn,
        "providers": providers,
        "totps": [{"totp_id": format!("totp-test-{id}"), "verified": true}],
        "crypto_wallets": if i % 7 == 0 {
            json!([{
                "crypto_wallet_id": format!("crypto-wallet-test-{id}"),
                "crypto_wallet_address": "0x6df2dB4Fb3DA35d241901Bd53367770BF03123f1",
                "crypto_wallet_type": "ethereum",
                "verified": true
            }])
        } else {
            json!([])
        },
        "biometric_registrations": [],
        "is_locked": false,
        "roles": ["stytch_user", if i % 2 == 0 { "editor" } else { "viewer" }],
        "name": {"first_name": format!("Person{i}"), "middle_name": "", "last_name": "Example"},
        "created_at": format!("2024-{:02}-{:02}T14:21:07Z", i % 12 + 1, i % 28 + 1),
        "password": if i % 2 == 1 {
            json!({"password_id": format!("password-test-{id}"), "requires_reset": false})
        } else {
            Value::Null
        },
        "trusted_metadata": {"plan": if i % 3 == 0 { "pro" } else { "free" }, "seats": i % 9 + 1, "billing_id": format!("cus_{id}")},
        "untrusted_metadata": {"theme": "dark", "onboarding_step": i % 6},
        "external_id": if i % 4 == 0 { Value::String(format!("ext-{i}")) } else { Value::Null },
        "lock_created_at": null,
        "lock_expires_at": null
    })
}

fn users_search() -> String {
    json!({
        "status_code": 200,
        "request_id": "request-id-test-7e21c0d4-3f5a-4b6c-8d9e-0a1b2c3d4e5f",
        "results": (0..USERS).map(user).collect::<Vec<_>>(),
        "results_metadata": {"total": USERS, "next_cursor": null}
    })
    .to_string()
}

// ---------------------------------------------------------------------------
// The serde-derive limit: plain derived structs of the same shapes and field
// types as the SDK's (times parsed, metadata kept as JSON values).

mod plain {
    // The fields exist to be decoded, as in a real client; the bench reads
    // only a few of them.
    #![allow(dead_code)]

    use serde::Deserialize;
    use serde_json::Value;
    use time::OffsetDateTime;

    #[derive(Deserialize)]
    pub struct SearchResponse {
        pub status_code: i64,
        pub request_id: String,
        pub results: Vec<User>,
        pub results_metadata: ResultsMetadata,
    }

    #[derive(Deserialize)]
    pub struct TotpCreateResponse {
        pub status_code: i64,
        pub request_id: String,
        pub totp_id: String,
        pub secret: String,
        pub qr_code: String,
        pub recovery_codes: Vec<String>,
        pub user: User,
        pub user_id: String,
    }

    #[derive(Deserialize)]
    pub struct ResultsMetadata {
        pub total: i64,
        pub next_cursor: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct User {
        pub user_id: String,
        pub emails: Vec<Email>,
        pub status: String,
        pub phone_numbers: Vec<PhoneNumber>,
        pub webauthn_registrations: Vec<WebAuthnRegistration>,
        pub providers: Vec<OAuthProvider>,
        pub totps: Vec<Totp>,
        pub crypto_wallets: Vec<CryptoWallet>,
        pub biometric_registrations: Vec<BiometricRegistration>,
        pub is_locked: bool,
        pub roles: Vec<String>,
        pub name: Option<Name>,
        #[serde(default, with = "time::serde::rfc3339::option")]
        pub created_at: Option<OffsetDateTime>,
        pub password: Option<Password>,
        pub trusted_metadata: Option<Value>,
        pub untrusted_metadata: Option<Value>,
        pub external_id: Option<String>,
        #[serde(default, with = "time::serde::rfc3339::option")]
        pub lock_created_at: Option<OffsetDateTime>,
        #[serde(default, with = "time::serde::rfc3339::option")]
        pub lock_expires_at: Option<OffsetDateTime>,
    }

    #[derive(Deserialize)]
    pub struct Email {
        pub email_id: String,
        pub email: String,
        pub verified: bool,
    }

    #[derive(Deserialize)]
    pub struct PhoneNumber {
        pub phone_id: String,
        pub phone_number: String,
        pub verified: bool,
    }

    #[derive(Deserialize)]
    pub struct WebAuthnRegistration {
        pub webauthn_registration_id: String,
        pub domain: String,
        pub user_agent: String,
        pub verified: bool,
        pub authenticator_type: String,
        pub name: String,
    }

    #[derive(Deserialize)]
    pub struct OAuthProvider {
        pub provider_type: String,
        pub provider_subject: String,
        pub profile_picture_url: String,
        pub locale: String,
        pub oauth_user_registration_id: String,
    }

    #[derive(Deserialize)]
    pub struct Totp {
        pub totp_id: String,
        pub verified: bool,
    }

    #[derive(Deserialize)]
    pub struct CryptoWallet {
        pub crypto_wallet_id: String,
        pub crypto_wallet_address: String,
        pub crypto_wallet_type: String,
        pub verified: bool,
    }

    #[derive(Deserialize)]
    pub struct BiometricRegistration {
        pub biometric_registration_id: String,
        pub verified: bool,
    }

    #[derive(Deserialize)]
    pub struct Name {
        pub first_name: Option<String>,
        pub middle_name: Option<String>,
        pub last_name: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Password {
        pub password_id: String,
        pub requires_reset: bool,
    }
}

// ---------------------------------------------------------------------------
// The loopback server

/// Serves every route's fixed JSON body over HTTP/1.1 with keep-alive; the
/// first route whose prefix the request path starts with answers.
async fn serve(routes: Arc<Vec<(String, Bytes)>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().expect("local address"));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            let routes = Arc::clone(&routes);
            tokio::spawn(async move {
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let body = routes
                        .iter()
                        .find(|(prefix, _)| request.uri().path().starts_with(prefix.as_str()))
                        .map(|(_, body)| body.clone());
                    async move {
                        let (status, body) = match body {
                            Some(body) => (200, body),
                            None => (404, Bytes::from_static(b"{}")),
                        };
                        Ok::<_, Infallible>(
                            hyper::Response::builder()
                                .status(status)
                                .header("content-type", "application/json")
                                .body(Full::new(body))
                                .expect("response"),
                        )
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    url
}

// ---------------------------------------------------------------------------
// Request path

#[derive(Clone, Copy)]
enum Answer {
    Small,
    Large,
}

/// The three clients, all pointed at the same loopback server.
struct Clients {
    ours: stytch_sdk::Client,
    official: stytch::consumer::client::Client,
    raw: reqwest::Client,
    base: String,
}

const OURS: usize = 0;
const OFFICIAL: usize = 1;
const BASELINE: usize = 2;

impl Clients {
    fn new(base: &str) -> Clients {
        let ours = stytch_sdk::Client::builder(PROJECT_ID, SECRET)
            .api_url(base)
            .build()
            .expect("our client");
        let url = reqwest::Url::parse(base).expect("server URL");
        let http = |vertical| {
            stytch::client::Client::new_with_base_url(PROJECT_ID, SECRET, url.clone(), vertical)
                .expect("official client")
        };
        let official = stytch::consumer::client::Client::new_with_http_client(
            http(stytch::client::Vertical::Consumer),
            http(stytch::client::Vertical::Consumer),
        );
        Clients {
            ours,
            official,
            raw: reqwest::Client::new(),
            base: base.to_owned(),
        }
    }

    /// One call by contender `who`; panics on anything but a full answer.
    async fn call(&self, who: usize, answer: Answer) {
        match (who, answer) {
            (OURS, Answer::Small) => {
                let request =
                    stytch_sdk::consumer::totps::CreateRequest::new(USER_ID).expiration_minutes(30);
                let response = self
                    .ours
                    .totps()
                    .create(request)
                    .await
                    .expect("ours: totps.create");
                assert_eq!(response.recovery_codes.len(), 10);
                black_box(response);
            }
            (OFFICIAL, Answer::Small) => {
                let request = stytch::consumer::totps::CreateRequest {
                    user_id: USER_ID.to_owned(),
                    expiration_minutes: Some(30),
                };
                let response = self
                    .official
                    .totps
                    .create(request)
                    .await
                    .expect("official: totps.create");
                assert_eq!(response.recovery_codes.len(), 10);
                black_box(response);
            }
            (_, Answer::Small) => {
                let body = json!({"user_id": USER_ID, "expiration_minutes": 30});
                let response: plain::TotpCreateResponse = self.raw_call("/v1/totps", &body).await;
                assert_eq!(response.recovery_codes.len(), 10);
                black_box(response);
            }
            (OURS, Answer::Large) => {
                let request = stytch_sdk::consumer::users::SearchRequest::new().limit(USERS as i64);
                let response = self
                    .ours
                    .users()
                    .search(request)
                    .await
                    .expect("ours: users.search");
                assert_eq!(response.results.len(), USERS);
                black_box(response);
            }
            (OFFICIAL, Answer::Large) => {
                let request = stytch::consumer::users::SearchRequest {
                    limit: Some(USERS as u32),
                    ..Default::default()
                };
                let response = self
                    .official
                    .users
                    .search(request)
                    .await
                    .expect("official: users.search");
                assert_eq!(response.results.len(), USERS);
                black_box(response);
            }
            (_, Answer::Large) => {
                let body = json!({"limit": USERS});
                let response: plain::SearchResponse =
                    self.raw_call("/v1/users/search", &body).await;
                assert_eq!(response.results.len(), USERS);
                black_box(response);
            }
        }
    }

    /// What a careful hand-written call does: basic auth, a JSON body, a
    /// status check, the whole body read and decoded into derived structs.
    async fn raw_call<T: serde::de::DeserializeOwned>(&self, path: &str, body: &Value) -> T {
        let response = self
            .raw
            .post(format!("{}{path}", self.base))
            .basic_auth(PROJECT_ID, Some(SECRET))
            .json(body)
            .send()
            .await
            .expect("reqwest: send");
        assert!(
            response.status().is_success(),
            "reqwest: {}",
            response.status()
        );
        let bytes = response.bytes().await.expect("reqwest: body");
        serde_json::from_slice(&bytes).expect("reqwest: decode")
    }
}

/// Microseconds per call, one call at a time.
async fn sequential(clients: &Clients, who: usize, answer: Answer, calls: usize) -> f64 {
    let started = Instant::now();
    for _ in 0..calls {
        clients.call(who, answer).await;
    }
    started.elapsed().as_secs_f64() * 1e6 / calls as f64
}

/// Calls per second with `IN_FLIGHT` tasks sharing the clients.
async fn concurrent(clients: &Arc<Clients>, who: usize, answer: Answer, calls: usize) -> f64 {
    let started = Instant::now();
    let tasks: Vec<_> = (0..IN_FLIGHT)
        .map(|task| {
            let clients = Arc::clone(clients);
            let share = calls / IN_FLIGHT + usize::from(task < calls % IN_FLIGHT);
            tokio::spawn(async move {
                for _ in 0..share {
                    clients.call(who, answer).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("calling task");
    }
    calls as f64 / started.elapsed().as_secs_f64()
}

// ---------------------------------------------------------------------------
// Local token checks

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// An RS256 JWT over `claims`, signed with `pair` under [`KEY_ID`].
fn sign(pair: &RsaKeyPair, claims: &Value) -> String {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": KEY_ID});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let mut signature = vec![0; pair.public_modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .expect("sign");
    format!("{input}.{}", b64(&signature))
}

/// One token check, run in a loop on each thread.
type Check = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// Checks per second over all `threads` threads (one current-thread runtime
/// each) running `check` for `time`.
fn rate(threads: usize, time: Duration, check: &Check) -> f64 {
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (check, barrier) = (Arc::clone(check), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                barrier.wait();
                let started = Instant::now();
                let mut count = 0u64;
                runtime.block_on(async {
                    while started.elapsed() < time {
                        for _ in 0..32 {
                            check().await;
                        }
                        count += 32;
                    }
                });
                (count, started.elapsed())
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|handle| {
            let (count, took) = handle.join().expect("check thread");
            count as f64 / took.as_secs_f64()
        })
        .sum()
}

/// The tokens, the key and the clients the token checks use.
struct Tokens {
    session: Arc<str>,
    access: Arc<str>,
    m2m: Arc<str>,
    key: Arc<jsonwebtoken::DecodingKey>,
    validation: Arc<jsonwebtoken::Validation>,
}

impl Tokens {
    fn new(pair: &RsaKeyPair, public: (&str, &str)) -> Tokens {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs();
        let issuer = format!("stytch.com/{PROJECT_ID}");
        let session = json!({
            "sub": USER_ID,
            "iss": issuer,
            "aud": [PROJECT_ID],
            "iat": now, "nbf": now, "exp": now + 3600,
            "https://stytch.com/session": {
                "id": "session-test-side-by-side",
                "started_at": "2026-01-02T03:04:05Z",
                "last_accessed_at": "2026-01-02T03:04:05Z",
                "expires_at": "2026-01-09T03:04:05Z",
                "attributes": {"user_agent": "bench", "ip_address": "203.0.113.1"},
                "authentication_factors": [{
                    "type": "otp", "delivery_method": "sms",
                    "last_authenticated_at": "2026-01-02T03:04:05Z",
                    "phone_number_factor": {"phone_id": "phone-number-test-1", "phone_number": "+12025550123"}
                }],
                "roles": ["stytch_user"]
            },
            "plan": "pro"
        });
        let access = json!({
            "sub": USER_ID,
            "iss": issuer,
            "aud": [PROJECT_ID],
            "client_id": "connected-app-test-side-by-side",
            "iat": now, "nbf": now, "exp": now + 3600,
            "scope": "openid read:documents",
            "tier": "gold"
        });
        let m2m = json!({
            "sub": "m2m-client-test-side-by-side",
            "iss": issuer,
            "aud": [PROJECT_ID],
            "iat": now, "nbf": now, "exp": now + 3600,
            "scope": "read:users write:users",
            "tier": "gold"
        });
        let key = jsonwebtoken::DecodingKey::from_rsa_components(public.0, public.1)
            .expect("bare jsonwebtoken key");
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.set_audience(&[PROJECT_ID]);
        validation.set_issuer(&[&issuer]);
        Tokens {
            session: sign(pair, &session).into(),
            access: sign(pair, &access).into(),
            m2m: sign(pair, &m2m).into(),
            key: Arc::new(key),
            validation: Arc::new(validation),
        }
    }

    /// Bare `jsonwebtoken` decoding of `token`: signature, algorithm,
    /// audience, issuer and expiry, claims into a `Value`.
    fn bare(&self, token: &Arc<str>) -> Check {
        let (token, key, validation) = (
            Arc::clone(token),
            Arc::clone(&self.key),
            Arc::clone(&self.validation),
        );
        Arc::new(move || {
            let data = jsonwebtoken::decode::<Value>(token.as_bytes(), &key, &validation)
                .expect("bare jsonwebtoken accepts the token");
            black_box(data);
            Box::pin(std::future::ready(()))
        })
    }
}

// ---------------------------------------------------------------------------
// The table

/// One line of the table: a measure with its three contenders' figures,
/// one per round (empty for a contender not measured).
struct Row {
    what: String,
    unit: &'static str,
    samples: [Vec<f64>; 3],
}

impl Row {
    fn new(what: impl Into<String>, unit: &'static str, samples: [Vec<f64>; 3]) -> Row {
        Row {
            what: what.into(),
            unit,
            samples,
        }
    }
}

fn figure(value: Option<f64>) -> String {
    match value {
        None => "-".to_owned(),
        Some(v) if v >= 10_000.0 => format!("{:.1}k", v / 1000.0),
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
    }
}

/// The median over rounds of ours divided by the other contender's figure of
/// the same round: the two ran back to back, so load that drifts from round
/// to round cancels out of each quotient. With four rounds or more, the
/// quotients' quartiles follow in brackets: a ratio whose bracket spans 1.00
/// does not tell the two contenders apart on this machine.
fn ratio(ours: &[f64], other: &[f64]) -> String {
    let mut quotients: Vec<f64> = ours
        .iter()
        .zip(other)
        .filter(|(_, b)| **b > 0.0)
        .map(|(a, b)| a / b)
        .collect();
    quotients.sort_by(f64::total_cmp);
    let n = quotients.len();
    match n {
        0 => "-".to_owned(),
        1..=3 => format!("{:.2}x", quotients[n / 2]),
        _ => format!(
            "{:.2}x [{:.2}-{:.2}]",
            quotients[n / 2],
            quotients[n / 4],
            quotients[n - 1 - n / 4]
        ),
    }
}

fn print_table(title: &str, baseline: &str, rows: &[Row]) {
    println!();
    println!("{title}  (baseline: {baseline})");
    println!(
        "  {:<50} {:<9} {:>9} {:>9} {:>9} {:>19} {:>19}",
        "measure", "unit", "ours", "official", "baseline", "ours/offic.", "ours/basel."
    );
    for row in rows {
        let [ours, official, base] = &row.samples;
        let middle = |samples: &Vec<f64>| (!samples.is_empty()).then(|| median(samples.clone()));
        println!(
            "  {:<50} {:<9} {:>9} {:>9} {:>9} {:>19} {:>19}",
            row.what,
            row.unit,
            figure(middle(ours)),
            figure(middle(official)),
            figure(middle(base)),
            ratio(ours, official),
            ratio(ours, base),
        );
    }
}

// ---------------------------------------------------------------------------

fn main() {
    let plan = match Plan::from_args() {
        Ok(plan) => plan,
        Err(message) => {
            eprintln!("side_by_side: {message}");
            std::process::exit(2);
        }
    };
    let start_load = load();

    let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key");
    let (n, e) = {
        let public = pair.public_key();
        (
            b64(public.modulus().big_endian_without_leading_zero()),
            b64(public.exponent().big_endian_without_leading_zero()),
        )
    };
    let jwks = json!({
        "status_code": 200,
        "request_id": "request-id-test-jwks",
        "keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": KEY_ID, "n": n, "e": e}]
    });
    let users = users_search();
    let routes = vec![
        (
            "/v1/totps".to_owned(),
            Bytes::from_static(TOTPS_CREATE.as_bytes()),
        ),
        ("/v1/users/search".to_owned(), Bytes::from(users.clone())),
        (
            "/v1/sessions/jwks/".to_owned(),
            Bytes::from(jwks.to_string()),
        ),
    ];

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let base = runtime.block_on(serve(Arc::new(routes)));
    let clients = Arc::new(Clients::new(&base));

    if let Some(who) = plan.only {
        // Warm up, then the calls a profiler should see.
        runtime.block_on(concurrent(&clients, who, Answer::Small, IN_FLIGHT * 10));
        let rate = runtime.block_on(concurrent(
            &clients,
            who,
            Answer::Small,
            plan.concurrent_calls * plan.rounds,
        ));
        println!("{rate:.0} calls/s");
        return;
    }

    println!(
        "side by side: stytch-sdk vs official stytch vs hand-written baselines; \
         median of {} alternating rounds",
        plan.rounds
    );
    println!("load at start: {start_load}");

    // Request path.
    let mut rows = Vec::new();
    runtime.block_on(async {
        for who in [OURS, OFFICIAL, BASELINE] {
            for answer in [Answer::Small, Answer::Large] {
                for _ in 0..20 {
                    clients.call(who, answer).await;
                }
            }
        }
    });
    for (answer, label, size) in [
        (Answer::Small, "totps.create", TOTPS_CREATE.len()),
        (Answer::Large, "users.search", users.len()),
    ] {
        let calls = match answer {
            Answer::Small => plan.calls,
            Answer::Large => (plan.calls / 10).max(10),
        };
        let one = alternate::<3>(plan.rounds, |who| {
            runtime.block_on(sequential(&clients, who, answer, calls))
        });
        rows.push(Row::new(
            format!("{label} ({:.1} kB), 1 task", size as f64 / 1000.0),
            "µs/call",
            one,
        ));
        let concurrent_calls = match answer {
            Answer::Small => plan.concurrent_calls,
            Answer::Large => (plan.concurrent_calls / 10).max(IN_FLIGHT),
        };
        let many = alternate::<3>(plan.rounds, |who| {
            runtime.block_on(concurrent(&clients, who, answer, concurrent_calls))
        });
        rows.push(Row::new(
            format!(
                "{label} ({:.1} kB), {IN_FLIGHT} in flight",
                size as f64 / 1000.0
            ),
            "calls/s",
            many,
        ));
    }
    print_table(
        "request path, loopback server on 127.0.0.1",
        "reqwest + serde-derive structs",
        &rows,
    );
    if plan.requests_only {
        println!("load at end:   {}", load());
        return;
    }

    // Decode only.
    let body = users.as_bytes();
    let decodes = plan.decodes;
    let decoded = alternate::<3>(plan.rounds, |who| {
        let started = Instant::now();
        for _ in 0..decodes {
            let input = black_box(body);
            match who {
                OURS => {
                    let r: stytch_sdk::consumer::users::SearchResponse =
                        serde_json::from_slice(input).expect("ours decodes");
                    black_box(r);
                }
                OFFICIAL => {
                    let r: stytch::consumer::users::SearchResponse =
                        serde_json::from_slice(input).expect("official decodes");
                    black_box(r);
                }
                _ => {
                    let r: plain::SearchResponse =
                        serde_json::from_slice(input).expect("derive decodes");
                    black_box(r);
                }
            }
        }
        started.elapsed().as_secs_f64() * 1e6 / decodes as f64
    });
    print_table(
        "decode only",
        "plain #[derive(Deserialize)] structs",
        &[Row::new(
            format!(
                "users.search ({:.1} kB, {USERS} users)",
                body.len() as f64 / 1000.0
            ),
            "µs/decode",
            decoded,
        )],
    );

    // Local token checks.
    let tokens = Tokens::new(&pair, (&n, &e));
    let ours_session: Check = {
        let (client, token) = (clients.ours.clone(), Arc::clone(&tokens.session));
        let options = stytch_sdk::auth::SessionJwtOptions::new();
        Arc::new(move || {
            let (client, token, options) = (client.clone(), Arc::clone(&token), options.clone());
            Box::pin(async move {
                let session = client
                    .sessions()
                    .authenticate_jwt_local(&token, &options)
                    .await
                    .expect("ours: session JWT");
                black_box(session);
            })
        })
    };
    let ours_access: Check = {
        let (client, token) = (clients.ours.clone(), Arc::clone(&tokens.access));
        Arc::new(move || {
            let (client, token) = (client.clone(), Arc::clone(&token));
            Box::pin(async move {
                let claims = client
                    .idp()
                    .introspect_token_local(&token, &stytch_sdk::auth::AccessTokenOptions::new())
                    .await
                    .expect("ours: access token");
                black_box(claims);
            })
        })
    };
    let ours_m2m: Check = {
        let (client, token) = (clients.ours.clone(), Arc::clone(&tokens.m2m));
        Arc::new(move || {
            let (client, token) = (client.clone(), Arc::clone(&token));
            Box::pin(async move {
                let options =
                    stytch_sdk::auth::M2mTokenOptions::new().require_scopes(["read:users"]);
                let claims = client
                    .m2m()
                    .authenticate_token(&token, &options)
                    .await
                    .expect("ours: M2M token");
                black_box(claims);
            })
        })
    };
    let official_m2m: Check = {
        let (clients, token) = (Arc::clone(&clients), Arc::clone(&tokens.m2m));
        Arc::new(move || {
            let (clients, token) = (Arc::clone(&clients), Arc::clone(&token));
            Box::pin(async move {
                let request = stytch::consumer::m2m::AuthenticateTokenRequest {
                    access_token: token.to_string(),
                    required_scopes: Some(vec!["read:users".to_owned()]),
                    ..Default::default()
                };
                let claims = clients
                    .official
                    .m2m
                    .authenticate_token(request)
                    .await
                    .expect("official: M2M token");
                black_box(claims);
            })
        })
    };
    // Warm the key caches (the only network calls of this section).
    for check in [&ours_session, &ours_access, &ours_m2m, &official_m2m] {
        runtime.block_on(check());
    }
    let none: Option<Check> = None;
    let cases: [(&str, [Option<Check>; 3]); 3] = [
        (
            "session JWT",
            [
                Some(ours_session),
                none.clone(),
                Some(tokens.bare(&tokens.session)),
            ],
        ),
        (
            "Connected App access token",
            [
                Some(ours_access),
                none.clone(),
                Some(tokens.bare(&tokens.access)),
            ],
        ),
        (
            "M2M token",
            [
                Some(ours_m2m),
                Some(official_m2m),
                Some(tokens.bare(&tokens.m2m)),
            ],
        ),
    ];
    let mut rows = Vec::new();
    for (label, contenders) in &cases {
        for threads in [1, 2] {
            let present: Vec<usize> = (0..3).filter(|&i| contenders[i].is_some()).collect();
            let mut samples: [Vec<f64>; 3] = Default::default();
            for round in 0..plan.rounds {
                for k in 0..present.len() {
                    let which = present[(round + k) % present.len()];
                    let check = contenders[which].as_ref().expect("present contender");
                    samples[which].push(rate(threads, plan.check_time, check));
                }
            }
            rows.push(Row::new(
                format!(
                    "{label}, RS256-2048, {threads} thread{}",
                    if threads == 1 { "" } else { "s" }
                ),
                "checks/s",
                samples,
            ));
        }
    }
    print_table(
        "local token checks, warm key set",
        "bare jsonwebtoken::decode::<Value>, key parsed once",
        &rows,
    );
    println!();
    println!("load at end:   {}", load());
    println!(
        "ratios are the median over rounds of ours divided by the other in the same round: \
         for µs lower is better, for calls/s and checks/s higher is better"
    );
}
