//! Local token checks per second, warm caches, on 1 and 2 threads:
//!
//! - session JWT verification (consumer);
//! - OAuth access-token introspection (`idp().introspect_token_local`);
//! - a B2B RBAC check against the project policy merged with the
//!   organization's roles, next to the same check against the project
//!   policy alone (the merge happens once per refresh, so the two should be
//!   within a few percent of each other).
//!
//! `cargo bench -p stytch-sdk --bench auth_verify` measures for a few seconds
//! per case and thread count (`AUTH_BENCH_SECS` overrides) and prints the
//! rates. Run without `--bench` (as `cargo test --benches` does) it only does
//! a short smoke run.
//!
//! The key sets and policies are served by a loopback server on 127.0.0.1;
//! after the warm-up every check is local.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use stytch_sdk::auth::{AccessTokenOptions, MemberSessionJwtOptions, SessionJwtOptions};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

const PROJECT_ID: &str = "project-test-bench";
const ORG: &str = "organization-test-bench";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Answers each connection (one request each) with the JSON body of the
/// first route whose path prefix the request line names.
async fn serve(listener: TcpListener, routes: Arc<Vec<(String, String)>>) {
    while let Ok((mut stream, _)) = listener.accept().await {
        let routes = Arc::clone(&routes);
        tokio::spawn(async move {
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let line = String::from_utf8_lossy(&request);
            let path = line.split(' ').nth(1).unwrap_or_default();
            let body = routes
                .iter()
                .find(|(prefix, _)| path.starts_with(prefix.as_str()))
                .map(|(_, body)| body.as_str())
                .unwrap_or("{}");
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
        });
    }
}

/// Signs `claims` with RS256 under the key id `bench-key`.
fn sign(pair: &RsaKeyPair, claims: &serde_json::Value) -> String {
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
    format!("{input}.{}", b64(&signature))
}

/// One benchmarked operation, run in a loop on each thread.
type Op = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// Runs `op` on `threads` threads (one current-thread runtime each) for
/// `seconds` and returns the total rate per second.
fn rate(threads: usize, seconds: f64, op: &Op) -> f64 {
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let op = Arc::clone(op);
            let barrier = Arc::clone(&barrier);
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
                            op().await;
                        }
                        count += 64;
                    }
                });
                count
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    total as f64 / seconds
}

fn report(name: &str, seconds: f64, op: &Op) {
    println!("{name}, {seconds} s per run");
    for threads in [1usize, 2] {
        let r = rate(threads, seconds, op);
        println!(
            "  {threads} thread{}: {r:>12.0}/s ({:.2} µs each per thread)",
            if threads == 1 { " " } else { "s" },
            threads as f64 * 1e6 / r
        );
    }
}

/// Measures `a` and `b` alternately (five rounds per thread count, best
/// rate of each kept), which evens out noise from other load on the
/// machine, and prints how much longer `b` takes than `a`.
fn compare(what: &str, seconds: f64, a: (&str, &Op), b: (&str, &Op)) {
    println!(
        "{what}, best of 5 alternating runs of {:.1} s",
        seconds / 5.0
    );
    for threads in [1usize, 2] {
        let (mut best_a, mut best_b) = (0.0f64, 0.0f64);
        for _ in 0..5 {
            best_a = best_a.max(rate(threads, seconds / 5.0, a.1));
            best_b = best_b.max(rate(threads, seconds / 5.0, b.1));
        }
        println!(
            "  {threads} thread{}: {}: {best_a:>10.0}/s, {}: {best_b:>10.0}/s, time ratio {:.2}x",
            if threads == 1 { " " } else { "s" },
            a.0,
            b.0,
            best_a / best_b
        );
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
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": "bench-key",
            "n": b64(public.modulus().big_endian_without_leading_zero()),
            "e": b64(public.exponent().big_endian_without_leading_zero()),
        }]
    });
    let policy = json!({
        "status_code": 200,
        "request_id": "bench",
        "policy": {
            "roles": [
                {"role_id": "editor", "description": "", "permissions": [
                    {"resource_id": "documents", "actions": ["read", "write"]}]},
                {"role_id": "stytch_member", "description": "", "permissions": []}
            ],
            "resources": [{"resource_id": "documents", "description": "", "actions": ["read", "write"]}],
            "scopes": [{"scope": "read:documents", "description": "", "permissions": [
                {"resource_id": "documents", "actions": ["read"]}]}]
        }
    });
    let org_policy = json!({
        "status_code": 200,
        "request_id": "bench",
        "org_policy": {"roles": [
            {"role_id": "org-auditor", "description": "", "permissions": [
                {"resource_id": "documents", "actions": ["read"]}]}
        ]}
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
    let token: Arc<str> = sign(&pair, &claims).into();
    let access_token: Arc<str> = sign(
        &pair,
        &json!({
            "sub": "user-test-bench",
            "iss": format!("stytch.com/{PROJECT_ID}"),
            "aud": [PROJECT_ID],
            "client_id": "connected-app-test-bench",
            "iat": now, "nbf": now, "exp": now + 3600,
            "scope": "openid read:documents",
            "tier": "gold"
        }),
    )
    .into();
    let mut member = claims.clone();
    member["sub"] = json!("member-test-bench");
    member["https://stytch.com/session"]["roles"] =
        json!(["stytch_member", "editor", "org-auditor"]);
    member["https://stytch.com/organization"] = json!({"organization_id": ORG, "slug": "bench"});
    let member_token: Arc<str> = sign(&pair, &member).into();

    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = server
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().unwrap();
    let routes = vec![
        ("/v1/sessions/jwks/".to_owned(), jwks.to_string()),
        ("/v1/b2b/sessions/jwks/".to_owned(), jwks.to_string()),
        (
            "/v1/b2b/rbac/organizations/".to_owned(),
            org_policy.to_string(),
        ),
        ("/v1/b2b/rbac/policy".to_owned(), policy.to_string()),
        ("/v1/rbac/policy".to_owned(), policy.to_string()),
    ];
    server.spawn(serve(listener, Arc::new(routes)));

    let client = stytch_sdk::Client::builder(PROJECT_ID, "secret-test-bench")
        .api_url(format!("http://{addr}"))
        .build()
        .expect("client");
    let b2b = stytch_sdk::B2BClient::builder(PROJECT_ID, "secret-test-bench")
        .api_url(format!("http://{addr}"))
        .build()
        .expect("client");
    let options = SessionJwtOptions::new();
    let merged_check = MemberSessionJwtOptions::new().authorize(ORG, "documents", "write");
    // Warm every cache (the only network calls).
    server.block_on(async {
        client
            .sessions()
            .authenticate_jwt_local(&token, &options)
            .await
            .expect("warm-up verification");
        client
            .idp()
            .introspect_token_local(&access_token, &AccessTokenOptions::new())
            .await
            .expect("warm-up introspection");
        b2b.sessions()
            .authenticate_jwt_local(&member_token, &merged_check)
            .await
            .expect("warm-up B2B check");
        b2b.rbac().cached_policy().await.expect("project policy");
    });

    let op: Op = {
        let (client, token) = (client.clone(), Arc::clone(&token));
        Arc::new(move || {
            let (client, token, options) = (client.clone(), Arc::clone(&token), options.clone());
            Box::pin(async move {
                let session = client
                    .sessions()
                    .authenticate_jwt_local(&token, &options)
                    .await
                    .expect("verification");
                std::hint::black_box(session);
            })
        })
    };
    report(
        "local session JWT verification, RS256 2048-bit",
        seconds,
        &op,
    );

    let op: Op = {
        let (client, token) = (client.clone(), Arc::clone(&access_token));
        Arc::new(move || {
            let (client, token) = (client.clone(), Arc::clone(&token));
            Box::pin(async move {
                let claims = client
                    .idp()
                    .introspect_token_local(&token, &AccessTokenOptions::new())
                    .await
                    .expect("introspection");
                std::hint::black_box(claims);
            })
        })
    };
    report(
        "local access-token introspection, RS256 2048-bit",
        seconds,
        &op,
    );

    // The RBAC step alone: policy lookup from the warm caches plus evaluation.
    let roles: Arc<[String]> = ["stytch_member", "editor", "org-auditor"]
        .map(String::from)
        .into();
    let op: Op = {
        let (b2b, roles) = (b2b.clone(), Arc::clone(&roles));
        Arc::new(move || {
            let (b2b, roles) = (b2b.clone(), Arc::clone(&roles));
            Box::pin(async move {
                let policy = b2b.rbac().cached_policy().await.expect("policy");
                assert!(policy.is_authorized(&roles, "documents", "write"));
            })
        })
    };
    let project_check = op;
    let op: Op = {
        let (b2b, roles) = (b2b.clone(), Arc::clone(&roles));
        Arc::new(move || {
            let (b2b, roles) = (b2b.clone(), Arc::clone(&roles));
            Box::pin(async move {
                let policy = b2b.rbac().cached_org_policy(ORG).await.expect("policy");
                assert!(policy.is_authorized(&roles, "documents", "write"));
            })
        })
    };
    compare(
        "RBAC check step (policy lookup + evaluation), warm caches",
        seconds,
        ("project only", &project_check),
        ("org-merged", &op),
    );

    // The whole B2B call: verification plus the org-merged check, next to
    // verification plus a project-policy-only check done by hand.
    let op: Op = {
        let (b2b, token) = (b2b.clone(), Arc::clone(&member_token));
        Arc::new(move || {
            let (b2b, token) = (b2b.clone(), Arc::clone(&token));
            Box::pin(async move {
                let session = b2b
                    .sessions()
                    .authenticate_jwt_local(&token, &MemberSessionJwtOptions::new())
                    .await
                    .expect("verification");
                let policy = b2b.rbac().cached_policy().await.expect("policy");
                policy
                    .check(&session.roles, "documents", "write")
                    .expect("project role");
            })
        })
    };
    let project_call = op;
    let op: Op = {
        let (b2b, token) = (b2b.clone(), Arc::clone(&member_token));
        Arc::new(move || {
            let (b2b, token, check) = (b2b.clone(), Arc::clone(&token), merged_check.clone());
            Box::pin(async move {
                let session = b2b
                    .sessions()
                    .authenticate_jwt_local(&token, &check)
                    .await
                    .expect("verification and org-merged check");
                std::hint::black_box(session);
            })
        })
    };
    compare(
        "B2B member JWT verification + RBAC check",
        seconds,
        ("project only", &project_call),
        ("org-merged", &op),
    );
}
