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
//! Cargo features `consumer` and `b2b` (both on by default) select which half
//! of the API is compiled.
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
mod error;
#[rustfmt::skip]
mod generated;
mod runtime;
#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_util;

#[cfg(feature = "b2b")]
pub use client::B2BClient;
#[cfg(feature = "consumer")]
pub use client::Client;
pub use client::{BuildClient, ClientBuilder, LIVE_API_URL, TELEMETRY_URL, TEST_API_URL};
pub use error::{ApiError, Error};
pub use generated::*;
pub use runtime::MemberSessionAuth;

/// The `User-Agent` sent with every request.
pub const USER_AGENT: &str = concat!("stytch-rust/", env!("CARGO_PKG_VERSION"));

/// The examples of the workspace README, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
