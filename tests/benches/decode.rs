//! How fast responses decode into the SDK's typed structs, next to decoding
//! the same bytes into an untyped `serde_json::Value`.
//!
//! Three realistic fixtures (a consumer TOTP registration, a B2B member login,
//! a B2B discovery answer listing organizations) are each decoded many times
//! per round; rounds alternate between typed and untyped decoding, and the
//! median round of each is reported with their ratio.
//!
//! `cargo bench -p stytch-tests --bench decode` runs the full measurement;
//! without `--bench` (as under `cargo test --benches`) it only does a smoke run.

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

fn median(mut rounds: Vec<Duration>) -> Duration {
    rounds.sort();
    rounds[rounds.len() / 2]
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Decodes `body` `calls` times as `T`; fails the bench on a decode error.
fn decode_many<T: DeserializeOwned>(body: &[u8], calls: usize) -> Duration {
    let started = Instant::now();
    for _ in 0..calls {
        let value: T = serde_json::from_slice(black_box(body)).expect("fixture decodes");
        black_box(value);
    }
    started.elapsed()
}

fn compare<T: DeserializeOwned>(label: &str, body: &[u8], rounds: usize, calls: usize) {
    let (mut typed, mut untyped) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        typed.push(decode_many::<T>(body, calls));
        untyped.push(decode_many::<serde_json::Value>(body, calls));
    }
    let (typed, untyped) = (median(typed), median(untyped));
    let per = |d: Duration| d.as_nanos() as f64 / calls as f64 / 1000.0;
    println!(
        "{label:<44} {:>5} B  typed {:>7.2} µs  untyped {:>7.2} µs  typed/untyped {:.2}",
        body.len(),
        per(typed),
        per(untyped),
        per(typed) / per(untyped)
    );
}

fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let (rounds, calls) = if full { (9, 5000) } else { (1, 5) };
    compare::<stytch_sdk::consumer::totps::CreateResponse>(
        "consumer.totps.create",
        &fixture("consumer_totps_create"),
        rounds,
        calls,
    );
    compare::<stytch_sdk::b2b::otps::email::AuthenticateResponse>(
        "b2b.otps.email.authenticate",
        &fixture("b2b_otps_email_authenticate"),
        rounds,
        calls,
    );
    compare::<stytch_sdk::b2b::otps::email::discovery::AuthenticateResponse>(
        "b2b.otps.email.discovery.authenticate",
        &fixture("b2b_otps_email_discovery_authenticate"),
        rounds,
        calls,
    );
}
