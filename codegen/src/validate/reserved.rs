//! Names the hand-written SDK takes for itself, and the limits it sets, which
//! no spec item may take or exceed.
//!
//! The two method lists are checked against the SDK's source by
//! `codegen/tests/reserved_names.rs`, which fails naming what to add or drop
//! when a hand-written method appears or goes.

/// Methods the hand-written SDK adds to generated namespace handles
/// (`sessions().authenticate_jwt(..)`, `m2m().token_provider(..)`,
/// `rbac().cached_policy()`); no endpoint or child namespace may take them.
pub const HANDLE_METHODS: &[&str] = &[
    "authenticate_jwt",
    "authenticate_jwt_local",
    "authenticate_token",
    "cached_org_policy",
    "cached_policy",
    "introspect_token_local",
    "token_provider",
];

/// Methods of the client types themselves; no top-level namespace may take them.
pub const CLIENT_METHODS: &[&str] = &[
    "access_token_builder",
    "build_token_provider",
    "build_verifier",
    "builder",
    "new",
    "project_id",
    "with_access_token",
    "with_options",
    "with_retry",
    "with_timeout",
];

/// Methods of generated request types that a parameter's setter would
/// replace: the constructor, and `clone`, which the generated endpoint tests
/// call (an inherent setter named `clone` would shadow `Clone::clone`).
pub const REQUEST_METHODS: &[&str] = &["new", "clone"];

/// How deep namespaces nest (`b2b.otps.email.discovery` is four deep).
pub const MAX_NAMESPACE_DEPTH: usize = 8;
