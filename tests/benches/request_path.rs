//! What the SDK's request path costs next to a hand-written `reqwest` call.
//!
//! Both send the same `POST /v1/totps` (JSON body, basic auth) to a loopback
//! server answering with the realistic `consumer_totps_create` fixture; the
//! SDK decodes it into typed structs, the hand-written call into a
//! `serde_json::Value`. Rounds alternate between the two and the median round
//! of each is reported, with their ratio.
//!
//! `cargo bench -p stytch-tests --bench request_path` runs the full measurement;
//! without `--bench` (as under `cargo test --benches`) it only does a smoke run.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use stytch_sdk::Client;
use stytch_sdk::consumer::totps::CreateRequest;
use stytch_tests::{MockServer, Reply, fixture_bytes};

const PROJECT_ID: &str = "project-test-bench";
const SECRET: &str = "secret-test-bench";
const USER_ID: &str = "user-test-5c1e8f3a-2d47-4b9e-a6f0-8e3d9b7c4a12";

fn median(mut rounds: Vec<Duration>) -> Duration {
    rounds.sort();
    rounds[rounds.len() / 2]
}

fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let (rounds, calls) = if full { (9, 1000) } else { (1, 20) };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let body = fixture_bytes("consumer_totps_create");
        let server = MockServer::start_with(move |_| Reply {
            status: 200,
            content_type: "application/json",
            body: body.clone(),
        })
        .await;
        let client: Client = server.client(PROJECT_ID, SECRET);
        let raw = reqwest::Client::new();
        let url = format!("{}/v1/totps", server.url());

        let sdk_call = || async {
            let response = client
                .totps()
                .create(CreateRequest::new(USER_ID).expiration_minutes(30))
                .await
                .expect("SDK call succeeds");
            assert!(!response.totp_id.is_empty());
        };
        let raw_call = || async {
            let bytes = raw
                .post(&url)
                .basic_auth(PROJECT_ID, Some(SECRET))
                .json(&json!({ "user_id": USER_ID, "expiration_minutes": 30 }))
                .send()
                .await
                .expect("raw call succeeds")
                .bytes()
                .await
                .expect("raw body");
            let value: Value = serde_json::from_slice(&bytes).expect("raw JSON");
            assert!(value["totp_id"].is_string());
        };

        // Warm up connections and allocators on both paths.
        for _ in 0..calls.min(50) {
            sdk_call().await;
            raw_call().await;
        }
        let (mut sdk, mut hand) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            let start = Instant::now();
            for _ in 0..calls {
                sdk_call().await;
            }
            sdk.push(start.elapsed());
            let start = Instant::now();
            for _ in 0..calls {
                raw_call().await;
            }
            hand.push(start.elapsed());
        }
        let (sdk, hand) = (median(sdk), median(hand));
        let per_call = |d: Duration| d.as_secs_f64() * 1e6 / calls as f64;
        println!(
            "request path, loopback, {calls} sequential calls per round, median of {rounds} rounds"
        );
        println!(
            "SDK (typed decode):        {:8.1} µs per call",
            per_call(sdk)
        );
        println!(
            "hand-written reqwest+Value: {:8.1} µs per call",
            per_call(hand)
        );
        println!(
            "ratio SDK / hand-written:   {:8.3}",
            sdk.as_secs_f64() / hand.as_secs_f64()
        );
    });
}
