//! The single request path shared by every generated endpoint.
//!
//! Generated request types implement [`Endpoint`]; the generated namespace
//! methods hand them to [`Transport::send`], which checks constraints, encodes
//! the request, sends it and decodes the answer. Everything after encoding runs
//! through one non-generic function so each endpoint adds almost no code; that
//! function also owns the transport rules: no redirects, a time limit per
//! attempt, a size limit per body, retries of transient failures where the
//! endpoint is safe to repeat, and one `tracing` span per call.
//!
//! Modules: `endpoint` (the contract and parameter helpers), `transport`
//! (sending), `options` (per-call options), `product` (what hand-written
//! code needs of each product, implemented by the generator), `wire` (encoding and decoding),
//! `errors` (failures as [`Error`](crate::Error)s).
//!
//! The runtime knows neither the generated API nor local token
//! verification: generated code and `auth` depend on it, never the other way
//! round (`tests/tests/tidy.rs` checks this).

mod endpoint;
mod errors;
mod options;
mod product;
mod transport;
mod wire;

pub use endpoint::MemberSessionAuth;
#[allow(unused_imports)]
// `check_not_placeholder`: only products with placeholder enums call it
pub(crate) use endpoint::{Encoding, Endpoint, Host, check_not_placeholder, check_range, segment};
#[cfg(all(test, feature = "test-util"))]
pub(crate) use options::RESERVED_HEADERS;
pub use options::RequestOptions;
pub(crate) use product::{Product, Scheme, VerifyingProduct};
pub(crate) use transport::{Credentials, Transport, TransportConfig};
#[cfg(feature = "test-util")]
pub(crate) use wire::decode;
