//! Response bodies are read only up to the size limit. A test binary of its
//! own, so the peak memory it measures is not raised by other tests.

use std::time::{Duration, Instant};

use stytch_sdk::consumer::totps::CreateRequest;
use stytch_sdk::{Client, Error};
use stytch_tests::RawServer;
use tokio::io::AsyncWriteExt;

const PROJECT_ID: &str = "project-test-6d1f3a8e-2b4c-4e9a-8f7d-1c0b3a5e9d27";
const SECRET: &str = "secret-test-Lm3Np8Qr5St0Uv7Wx2Yz4Ab9Cd1Ef6Gh";
const USER_ID: &str = "user-test-5c1e8f3a-2d47-4b9e-a6f0-8e3d9b7c4a12";

/// Size of the body the server offers: 200 MB.
const HUGE: usize = 200 * 1000 * 1000;

/// Peak resident memory of this process so far (`VmHWM`), in bytes.
fn peak_rss() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM line");
    let kib: usize = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("VmHWM value");
    kib * 1024
}

/// A server that streams `HUGE` bytes of JSON-ish text, announcing the
/// length or (when `announce` is false) simply sending until it is done.
async fn huge_body_server(announce: bool) -> RawServer {
    RawServer::start(move |_, mut stream| async move {
        let head = if announce {
            format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {HUGE}\r\n\r\n")
        } else {
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n"
                .to_owned()
        };
        if stream.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0;
        while sent < HUGE {
            if stream.write_all(&chunk).await.is_err() {
                return; // the client hung up
            }
            sent += chunk.len();
        }
    })
    .await
}

fn assert_too_large(err: &Error, limit: usize) {
    match err {
        Error::ResponseTooLarge {
            endpoint,
            limit: got,
            attempts,
        } => {
            assert_eq!(*endpoint, "consumer.totps.create");
            assert_eq!(*got, limit);
            assert_eq!(*attempts, 1);
        }
        other => panic!("expected Error::ResponseTooLarge, got {other:?}"),
    }
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_200_mb_body_fails_with_the_size_error_in_bounded_memory() {
    for announce in [false, true] {
        let server = huge_body_server(announce).await;
        let client = Client::builder(PROJECT_ID, SECRET)
            .api_url(server.url())
            .build()
            .unwrap();

        let before = peak_rss();
        let started = Instant::now();
        let err = client
            .totps()
            .create(CreateRequest::new(USER_ID))
            .await
            .expect_err("the body is far over the limit");
        let grown = peak_rss().saturating_sub(before);

        assert_too_large(&err, stytch_sdk::DEFAULT_MAX_RESPONSE_SIZE);
        // At most the 10 MiB limit (plus buffers) was ever held, not 200 MB.
        assert!(
            grown < 40 * 1024 * 1024,
            "peak memory grew by {grown} bytes (announced length: {announce})"
        );
        assert!(started.elapsed() < Duration::from_secs(20));
        assert!(err.to_string().contains("limit"), "{err}");
    }
}

#[tokio::test]
async fn the_size_limit_is_configurable_and_inclusive() {
    const LIMIT: usize = 1024;
    for (size, too_large) in [(LIMIT, false), (LIMIT + 1, true)] {
        let body = vec![b'x'; size];
        let server = RawServer::answering(500, &[], &body).await;
        let client = Client::builder(PROJECT_ID, SECRET)
            .api_url(server.url())
            .max_response_size(LIMIT)
            .build()
            .unwrap();

        let err = client
            .totps()
            .create(CreateRequest::new(USER_ID))
            .await
            .expect_err("a 500");

        if too_large {
            assert_too_large(&err, LIMIT);
        } else {
            assert!(
                matches!(&err, Error::UnexpectedResponse { body, .. } if body.len() == size),
                "{err:?}"
            );
        }
    }
    // Bodies without a length arrive in pieces; the limit holds for those too.
    let server = RawServer::start(|_, mut stream| async move {
        let _ = stream
            .write_all(b"HTTP/1.1 500 Oops\r\nconnection: close\r\n\r\n")
            .await;
        for _ in 0..8 {
            let _ = stream.write_all(&[b'y'; 200]).await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    let client = Client::builder(PROJECT_ID, SECRET)
        .api_url(server.url())
        .max_response_size(LIMIT)
        .build()
        .unwrap();
    let err = client
        .totps()
        .create(CreateRequest::new(USER_ID))
        .await
        .expect_err("1600 bytes are over the limit");
    assert_too_large(&err, LIMIT);
}
