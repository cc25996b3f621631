//! Local verification of session JWTs, M2M tokens and RBAC permissions.

/// Why a token or permission check failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token is malformed.
    #[error("malformed token: {0}")]
    Malformed(String),
}
