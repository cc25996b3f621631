//! Load through one shared client: many concurrent calls against a loopback
//! server, reporting throughput, latency percentiles and peak memory, once
//! with retries off and once with the default retry policy (enabled, never
//! triggered, since every answer is a 200), to show what being ready to retry
//! costs.
//!
//! `cargo bench -p stytch-tests --bench load` runs 20,000 calls over 256
//! tasks per configuration; without `--bench` (as under `cargo test
//! --benches`) it only does a small smoke run.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use stytch_sdk::b2b::recovery_codes::GetRequest;
use stytch_sdk::{B2BClient, RetryPolicy};
use stytch_tests::fixture_bytes;
use tokio::net::TcpListener;

const PROJECT_ID: &str = "project-test-load";
const SECRET: &str = "secret-test-load";
const ORG_ID: &str = "organization-test-7b3e9f2a-1c4d-4a8b-b6e5-2d0f8c9a3e71";
const MEMBER_ID: &str = "member-test-4f8a2c6e-9b1d-4e3a-8c7f-5a0d2b9e6c13";

/// Peak resident memory of this process so far (`VmHWM`), in MiB.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// A lean loopback server answering every request with the same JSON body;
/// unlike the test server it records nothing, so memory reflects the client.
async fn serve(body: Bytes) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let service = service_fn(move |_req: Request<hyper::body::Incoming>| {
                    let body = body.clone();
                    async move {
                        Ok::<_, Infallible>(
                            Response::builder()
                                .header("content-type", "application/json")
                                .body(Full::new(body))
                                .expect("response"),
                        )
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    url
}

struct Run {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// `calls` calls spread over `tasks` tasks sharing `client`.
async fn run(client: &B2BClient, calls: usize, tasks: usize) -> Run {
    let started = Instant::now();
    let mut handles = Vec::with_capacity(tasks);
    for task in 0..tasks {
        let client = client.clone();
        let share = calls / tasks + usize::from(task < calls % tasks);
        handles.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(share);
            for _ in 0..share {
                let one = Instant::now();
                let codes = client
                    .recovery_codes()
                    .get(GetRequest::new(ORG_ID, MEMBER_ID))
                    .await
                    .expect("call succeeds");
                latencies.push(one.elapsed());
                assert!(!codes.request_id.is_empty());
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(calls);
    for handle in handles {
        latencies.extend(handle.await.expect("task"));
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    Run {
        per_second: calls as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    }
}

fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let (calls, tasks, rounds) = if full { (20_000, 256, 5) } else { (512, 64, 1) };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let url = serve(Bytes::from(fixture_bytes("b2b_recovery_codes_get"))).await;
        let client = |retry| {
            B2BClient::builder(PROJECT_ID, SECRET)
                .api_url(&url)
                .retry(retry)
                .build()
                .expect("client")
        };
        let off = client(RetryPolicy::disabled());
        let on = client(RetryPolicy::default());
        // Warm up both connection pools.
        run(&off, tasks * 2, tasks).await;
        run(&on, tasks * 2, tasks).await;

        println!(
            "load: {calls} GET calls over {tasks} tasks, one shared client, loopback server, \
             {rounds} round(s) per configuration, alternating (median shown)"
        );
        let mut results: [Vec<Run>; 2] = [Vec::new(), Vec::new()];
        for round in 0..rounds {
            // Alternate which configuration goes first, so drift hits both.
            let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
            for slot in order {
                let client = if slot == 0 { &off } else { &on };
                results[slot].push(run(client, calls, tasks).await);
            }
        }
        let [off, on] = results.map(|mut runs| {
            runs.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
            runs.swap_remove(runs.len() / 2)
        });
        for (name, result) in [("retries off", &off), ("retries on ", &on)] {
            println!(
                "  {name}: {:>8.0} requests/s   p50 {:>7.2} ms   p99 {:>7.2} ms",
                result.per_second,
                result.p50.as_secs_f64() * 1000.0,
                result.p99.as_secs_f64() * 1000.0,
            );
        }
        println!(
            "  throughput with retries on / off: {:.3}",
            on.per_second / off.per_second
        );
        println!(
            "  peak RSS (VmHWM) of the process: {:.1} MiB",
            peak_rss_mib()
        );
    });
}
