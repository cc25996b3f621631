//! Generator for the `stytch-sdk` crate.
//!
//! A pipeline of single-purpose stages:
//! [`load`] (YAML → raw structures with positions) →
//! [`validate`] (every problem, with file, line and column) →
//! [`resolve`] (raw → [`model::Api`], references and names resolved) →
//! [`render`] (model → Rust source via `quote`, `syn` and `prettyplease`) →
//! [`write`] (files on disk, or a staleness check).
//!
//! Besides the SDK, the same model renders the endpoint tests
//! ([`render_tests`]) and the OpenAPI document ([`openapi`]).
#![deny(missing_docs)]

pub mod error;
pub mod load;
pub mod model;
pub mod names;
pub mod openapi;
pub mod products;
pub mod query;
pub mod render;
pub mod render_tests;
pub mod resolve;
pub mod samples;
pub mod validate;
pub mod write;

use std::path::Path;

pub use error::{Error, SpecError, SpecErrors};

/// Loads, validates and resolves the spec in `spec_dir`.
pub fn model(spec_dir: &Path) -> Result<model::Api, Error> {
    let raw = load::load(spec_dir)?;
    validate::validate(&raw).map_err(Error::Spec)?;
    resolve::resolve(&raw)
}

/// Runs the whole pipeline up to rendered files (relative path → content).
pub fn generate(spec_dir: &Path) -> Result<Vec<render::OutputFile>, Error> {
    render::render(&model(spec_dir)?)
}
