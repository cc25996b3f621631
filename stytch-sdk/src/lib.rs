//! Rust SDK for the [Stytch](https://stytch.com) authentication API.
//!
//! Two clients cover the two products: [`Client`] for consumer apps and
//! [`B2BClient`] for multi-tenant (organization) apps. Every endpoint hangs off
//! the client in the same tree as the API reference:
//!
//! ```no_run
//! # async fn run() -> Result<(), stytch_sdk::Error> {
//! use stytch_sdk::consumer::totps::CreateRequest;
//!
//! let client = stytch_sdk::Client::new("project-test-…", "secret-test-…")?;
//! let totp = client.totps().create(CreateRequest::new("user-test-…").expiration_minutes(30)).await?;
//! println!("secret for the authenticator app: {}", totp.secret);
//! # Ok(()) }
//! ```
//!
//! Request types take their required parameters in `new` and the optional ones
//! through chained setters; unset options are never sent. Documented numeric
//! ranges are checked before a request leaves the process.
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `consumer` | yes | the consumer API ([`Client`]) |
//! | `b2b` | yes | the B2B API ([`B2BClient`]) |
//! | `samlshield` | no | the SAML Shield client (`SamlShieldClient`), its own host |
//! | `rustls` | yes | TLS of the built-in HTTP client through rustls |
//! | `native-tls` | no | TLS through the platform's library instead (OpenSSL on Linux) |
//! | `test-util` | no | `test_util`: an offline stand-in for Stytch, for your own tests |
//!
//! The `management` feature (off by default) adds `ManagementClient` for the
//! Stytch Management API, which provisions and configures projects and their
//! environments with a workspace management key (see its docs, and the
//! `management_reconcile` example that keeps redirect URLs and the RBAC
//! policy in line with a file in the repository).
//!
//! Every call is bounded: a connect timeout, a per-attempt timeout, a
//! response size limit; redirects are never followed, and transient failures
//! of GET and idempotent endpoints are retried with jittered backoff (see
//! [`ClientBuilder`] and [`RetryPolicy`]). A handle made with
//! `client.with_options(|o| …)` changes the timeout, retry policy or extra
//! headers of its own calls ([`RequestOptions`]). Each call is reported as a
//! `stytch.request` span of the [`tracing`](https://docs.rs/tracing) crate at
//! debug level, carrying the endpoint, method, status, request id, attempts
//! and latency, never credentials, tokens or bodies.
//!
//! Paginated endpoints also come as streams of pages and of items
//! ([`Pages`], [`Items`]) that can resume after an error. Every failure is
//! one [`Error`]; [`Error::http_status`] names the status a service should
//! answer its own caller with.
//!
//! # Testing code that uses the SDK
//!
//! With the `test-util` feature (as a dev-dependency feature), `MockStytch`
//! runs a loopback stand-in for the Stytch API: answers configured per
//! endpoint as typed requests and responses, fixture records, tokens signed
//! with its own key so local JWT verification works offline, rate limits,
//! timeouts and connection failures.
#![cfg_attr(
    feature = "test-util",
    doc = "See [`test_util::MockStytch`] and [`test_util::fixtures`]."
)]
#![cfg_attr(
    not(feature = "test-util"),
    doc = "See `stytch_sdk::test_util::MockStytch` (built with the feature)."
)]
//!
//! ```toml
//! [dev-dependencies]
//! stytch-sdk = { version = "0.1", features = ["test-util"] }
//! ```
#![deny(missing_docs)]
// On docs.rs every item gated on a cargo feature is labelled with it.
#![cfg_attr(docsrs, feature(doc_cfg))]
// With neither product selected only the shared runtime remains, and most of it is unused.
#![cfg_attr(
    not(any(feature = "consumer", feature = "b2b")),
    allow(dead_code, unused_imports)
)]

pub mod auth;
mod client;
mod codec;
mod error;
#[rustfmt::skip]
mod generated;
pub mod pagination;
mod retry;
mod runtime;
#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_util;

#[cfg(feature = "b2b")]
pub use client::B2BClient;
#[cfg(feature = "consumer")]
pub use client::Client;
#[cfg(feature = "management")]
pub use client::ManagementClient;
#[cfg(feature = "samlshield")]
pub use client::SamlShieldClient;
pub use client::{
    BuildClient, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_TIMEOUT, LIVE_API_URL, MANAGEMENT_URL, SAML_SHIELD_URL, TELEMETRY_URL, TEST_API_URL,
};
pub use error::{ApiError, Error, RawBody};
pub use generated::*;
pub use pagination::{Items, Pages};
pub use retry::RetryPolicy;
pub use runtime::{MemberSessionAuth, RequestOptions};

/// The `User-Agent` sent with every request.
pub const USER_AGENT: &str = concat!("stytch-rust/", env!("CARGO_PKG_VERSION"));

/// The examples of the workspace README, compiled as doctests. They use every
/// product, so they run when all product features are on (as in
/// `cargo test --workspace`, where the test crate enables `samlshield`).
#[cfg(all(doctest, feature = "consumer", feature = "b2b", feature = "samlshield"))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
