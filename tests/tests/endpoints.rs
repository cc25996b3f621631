//! One test per endpoint of the spec, rendered by `cargo xtask codegen` into
//! `generated/endpoints.rs`: each sends a request with every parameter set to a
//! loopback server, checks the wire format against the spec, and decodes a full
//! and a minimal response.

#[rustfmt::skip]
#[path = "generated/endpoints.rs"]
mod cases;
