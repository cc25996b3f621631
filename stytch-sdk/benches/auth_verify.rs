//! Local session JWT verifications per second, warm key cache, on 1 and 2 threads.
//!
//! `cargo bench -p stytch-sdk --bench auth_verify` measures for a few seconds
//! per thread count (`AUTH_BENCH_SECS` overrides) and prints the rates. Run
//! without `--bench` (as `cargo test --benches` does) it only does a short
//! smoke run.
//!
//! The key set is served once by a loopback server on 127.0.0.1; after the
//! warm-up every verification is local: parse, RS256 signature check, claim
//! checks and decoding of the session from the claims.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use stytch_sdk::auth::SessionJwtOptions;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

const PROJECT_ID: &str = "project-test-bench";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Answers every connection with `body` as a JSON 200, one request per connection.
async fn serve(listener: TcpListener, body: String) {
    while let Ok((mut stream, _)) = listener.accept().await {
        let body = body.clone();
        tokio::spawn(async move {
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
        });
    }
}

fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let seconds: f64 = std::env::var("AUTH_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if full { 3.0 } else { 0.1 });

    let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key");
    let public = pair.public_key();
    let jwks = json!({
        "status_code": 200,
        "request_id": "bench",
        "keys": [{
            "kty": "RSA", "use": "sig", "key_ops": ["verify"], "alg": "RS256", "kid": "bench-key",
            "x5c": [], "x5tS256": "",
            "n": b64(public.modulus().big_endian_without_leading_zero()),
            "e": b64(public.exponent().big_endian_without_leading_zero()),
        }]
    });

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({
        "sub": "user-test-bench",
        "iss": format!("stytch.com/{PROJECT_ID}"),
        "aud": [PROJECT_ID],
        "iat": now, "nbf": now, "exp": now + 300,
        "https://stytch.com/session": {
            "id": "session-test-bench",
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
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "bench-key"});
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
    let token: Arc<str> = format!("{input}.{}", b64(&signature)).into();

    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = server
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().unwrap();
    server.spawn(serve(listener, jwks.to_string()));

    let client = stytch_sdk::Client::builder(PROJECT_ID, "secret-test-bench")
        .api_url(format!("http://{addr}"))
        .build()
        .expect("client");
    let options = SessionJwtOptions::new();
    // Warm the key cache (the only network call).
    server
        .block_on(client.sessions().authenticate_jwt_local(&token, &options))
        .expect("warm-up verification");

    println!("local session JWT verification, RS256 2048-bit, warm cache, {seconds} s per run");
    for threads in [1usize, 2] {
        let barrier = Arc::new(Barrier::new(threads));
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let client = client.clone();
                let token = Arc::clone(&token);
                let barrier = Arc::clone(&barrier);
                let options = options.clone();
                std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .build()
                        .unwrap();
                    barrier.wait();
                    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
                    let mut count = 0u64;
                    rt.block_on(async {
                        while Instant::now() < deadline {
                            for _ in 0..64 {
                                let session = client
                                    .sessions()
                                    .authenticate_jwt_local(&token, &options)
                                    .await
                                    .expect("verification");
                                std::hint::black_box(session);
                            }
                            count += 64;
                        }
                    });
                    count
                })
            })
            .collect();
        let total: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
        let rate = total as f64 / seconds;
        println!(
            "{threads} thread{}: {rate:>10.0} verifications/s ({:.1} µs each per thread)",
            if threads == 1 { " " } else { "s" },
            threads as f64 * 1e6 / rate
        );
    }
}
