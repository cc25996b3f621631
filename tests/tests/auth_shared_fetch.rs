//! Shared fetches (key sets, policies, organization policies, M2M tokens)
//! belong to the client, not to the caller that happens to start them: they
//! use the client's configured timeout whatever the starting handle was
//! given, and they run to completion even when every caller waiting on them
//! gives up.

mod auth_support;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use auth_support::*;
use axum::extract::State;
use axum::http::Uri;
use serde_json::{Value, json};
use stytch_sdk::auth::SessionJwtOptions;

/// A loopback server that answers every path after `delay`, counting
/// requests per path; the answers come from a fixed table.
struct Slow {
    url: String,
    hits: Arc<std::sync::Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
struct SlowState {
    delay: Duration,
    answers: Arc<Vec<(String, Value)>>,
    hits: Arc<std::sync::Mutex<Vec<String>>>,
}

async fn answer(State(state): State<SlowState>, uri: Uri) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let path = uri.path().to_owned();
    state.hits.lock().unwrap().push(path.clone());
    tokio::time::sleep(state.delay).await;
    match state.answers.iter().find(|(p, _)| *p == path) {
        Some((_, body)) => axum::Json(body.clone()).into_response(),
        None => (axum::http::StatusCode::NOT_FOUND, "no route").into_response(),
    }
}

impl Slow {
    async fn start(delay: Duration, answers: Vec<(String, Value)>) -> Self {
        let hits = Arc::new(std::sync::Mutex::new(Vec::new()));
        let state = SlowState {
            delay,
            answers: Arc::new(answers),
            hits: Arc::clone(&hits),
        };
        let app = axum::Router::new().fallback(answer).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { url, hits, task }
    }

    fn hits(&self, path: &str) -> usize {
        self.hits
            .lock()
            .unwrap()
            .iter()
            .filter(|p| *p == path)
            .count()
    }

    fn builder<C: stytch_sdk::BuildClient>(&self) -> stytch_sdk::ClientBuilder<C> {
        stytch_sdk::ClientBuilder::new(PROJECT_ID, SECRET)
            .api_url(&self.url)
            .timeout(Duration::from_secs(5))
            .fetch_backoff(Duration::from_secs(10), Duration::from_secs(10))
    }
}

impl Drop for Slow {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An answer body with the envelope fields the API adds.
fn envelope(mut body: Value) -> Value {
    body["status_code"] = json!(200);
    body["request_id"] = json!("request-id-test");
    body
}

/// Runs `count` copies of `call` at once, each abandoned by its caller after
/// `patience`; returns how many finished in time.
async fn impatient<F, Fut, T>(count: usize, patience: Duration, call: F) -> usize
where
    F: Fn() -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let tasks: Vec<_> = (0..count)
        .map(|_| tokio::spawn(tokio::time::timeout(patience, call())))
        .collect();
    let mut finished = 0;
    for task in tasks {
        if task.await.unwrap().is_ok() {
            finished += 1;
        }
    }
    finished
}

const SHORT: Duration = Duration::from_millis(200);
const SLOW: Duration = Duration::from_millis(600);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_set_fetch_outlives_callers_that_give_up() {
    let key = Arc::new(TestKey::generate("key-1"));
    let server = Slow::start(
        SLOW,
        vec![(CONSUMER_JWKS.into(), envelope(json!({"keys": [key.jwk()]})))],
    )
    .await;
    let client: stytch_sdk::Client = server.builder().build().unwrap();
    let token = Arc::new(key.sign(&session_claims(0)));

    let finished = impatient(20, SHORT, || {
        let (client, token) = (client.clone(), Arc::clone(&token));
        async move {
            client
                .sessions()
                .authenticate_jwt_local(&token, &SessionJwtOptions::new())
                .await
        }
    })
    .await;
    assert_eq!(finished, 0, "the key set answers after 600 ms");
    assert_eq!(server.hits(CONSUMER_JWKS), 1, "20 callers share one fetch");

    // The abandoned fetch still completes and fills the cache.
    tokio::time::sleep(SLOW).await;
    let started = std::time::Instant::now();
    let session = client
        .sessions()
        .authenticate_jwt_local(&token, &SessionJwtOptions::new())
        .await
        .expect("verified from the cache");
    assert_eq!(session.user_id, "user-test-ada");
    assert!(started.elapsed() < SHORT, "{:?}", started.elapsed());
    assert_eq!(server.hits(CONSUMER_JWKS), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_fetches_outlive_callers_that_give_up() {
    let organization = "organization-test-acme";
    let org_path = org_policy_path(organization);
    let server = Slow::start(
        SLOW,
        vec![
            (CONSUMER_POLICY.into(), envelope(policy())),
            (B2B_POLICY.into(), envelope(policy())),
            (
                org_path.clone(),
                envelope(org_policy(&[("auditor", "billing", &["read"])])),
            ),
        ],
    )
    .await;
    let consumer: stytch_sdk::Client = server.builder().build().unwrap();
    let b2b: stytch_sdk::B2BClient = server.builder().build().unwrap();

    let finished = impatient(20, SHORT, || {
        let client = consumer.clone();
        async move { client.rbac().cached_policy().await }
    })
    .await;
    assert_eq!(finished, 0);
    assert_eq!(server.hits(CONSUMER_POLICY), 1);

    // The organization policy is fetched after the project policy: wait
    // for the latter first, then abandon the former.
    b2b.rbac().cached_policy().await.expect("project policy");
    let finished = impatient(20, SHORT, || {
        let client = b2b.clone();
        async move { client.rbac().cached_org_policy(organization).await }
    })
    .await;
    assert_eq!(finished, 0);
    assert_eq!(server.hits(&org_path), 1);

    tokio::time::sleep(SLOW).await;
    let policy = consumer.rbac().cached_policy().await.expect("cached");
    assert!(policy.is_authorized(&["editor"], "documents", "write"));
    let merged = tokio::time::timeout(SHORT, b2b.rbac().cached_org_policy(organization))
        .await
        .expect("served from the cache")
        .expect("merged policy");
    assert!(merged.is_authorized(&["auditor"], "billing", "read"));
    assert_eq!(server.hits(CONSUMER_POLICY), 1);
    assert_eq!(server.hits(B2B_POLICY), 1);
    assert_eq!(server.hits(&org_path), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_m2m_token_fetch_outlives_callers_that_give_up() {
    let server = Slow::start(
        SLOW,
        vec![(
            M2M_TOKEN.into(),
            json!({"access_token": "token-1", "token_type": "bearer", "expires_in": 3600}),
        )],
    )
    .await;
    let client: stytch_sdk::Client = server.builder().build().unwrap();
    let provider =
        client
            .m2m()
            .token_provider("m2m-client-test-robot", "client-secret", ["read:users"]);

    let finished = impatient(20, SHORT, || {
        let provider = provider.clone();
        async move { provider.access_token().await }
    })
    .await;
    assert_eq!(finished, 0);
    assert_eq!(server.hits(M2M_TOKEN), 1);

    tokio::time::sleep(SLOW).await;
    let token = tokio::time::timeout(SHORT, provider.access_token())
        .await
        .expect("served from memory")
        .expect("token");
    assert_eq!(token, "token-1");
    assert_eq!(server.hits(M2M_TOKEN), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandoning_callers_of_a_hanging_key_set_open_one_connection() {
    let key = TestKey::generate("key-1");
    let hanging = Hanging::start().await;
    let client = stytch_sdk::Client::builder(PROJECT_ID, SECRET)
        .api_url(&hanging.url)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let token = Arc::new(key.sign(&session_claims(0)));
    for _wave in 0..2 {
        let finished = impatient(50, Duration::from_millis(100), || {
            let (client, token) = (client.clone(), Arc::clone(&token));
            async move {
                client
                    .sessions()
                    .authenticate_jwt_local(&token, &SessionJwtOptions::new())
                    .await
            }
        })
        .await;
        assert_eq!(finished, 0);
    }
    assert_eq!(hanging.connections(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_timeout_handle_does_not_set_the_timeout_of_shared_fetches() {
    let key = Arc::new(TestKey::generate("key-1"));
    let server = Slow::start(
        Duration::from_millis(100),
        vec![
            (CONSUMER_JWKS.into(), envelope(json!({"keys": [key.jwk()]}))),
            (CONSUMER_POLICY.into(), envelope(policy())),
            (
                M2M_TOKEN.into(),
                json!({"access_token": "token-1", "token_type": "bearer", "expires_in": 3600}),
            ),
        ],
    )
    .await;
    let client: stytch_sdk::Client = server.builder().build().unwrap();
    let hasty = client.with_timeout(Duration::from_millis(1));
    let token = Arc::new(key.sign(&session_claims(0)));

    // The 1 ms handle starts the fetch; callers on the normal client join it.
    let first = {
        let (hasty, token) = (hasty.clone(), Arc::clone(&token));
        tokio::spawn(async move {
            hasty
                .sessions()
                .authenticate_jwt_local(&token, &SessionJwtOptions::new())
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    let others: Vec<_> = (0..5)
        .map(|_| {
            let (client, token) = (client.clone(), Arc::clone(&token));
            tokio::spawn(async move {
                client
                    .sessions()
                    .authenticate_jwt_local(&token, &SessionJwtOptions::new())
                    .await
            })
        })
        .collect();
    for other in others {
        let session = other.await.unwrap().expect("not failed by the 1 ms handle");
        assert_eq!(session.user_id, "user-test-ada");
    }
    first
        .await
        .unwrap()
        .expect("the fetch used the client's timeout");
    assert_eq!(server.hits(CONSUMER_JWKS), 1);

    // The same for the policy and the M2M token fetch.
    hasty
        .rbac()
        .cached_policy()
        .await
        .expect("policy fetched with the client's timeout");
    client.rbac().cached_policy().await.expect("no backoff");
    assert_eq!(server.hits(CONSUMER_POLICY), 1);
    let provider = hasty.m2m().token_provider("m2m-client", "secret", ["a"]);
    assert_eq!(provider.access_token().await.expect("token"), "token-1");
}
