//! The one error type every SDK call returns.

use serde::Deserialize;

/// Everything that can go wrong when calling Stytch or checking a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Stytch answered with a structured error (a 4xx or 5xx with a JSON error body).
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The server answered with an error status whose body is not a Stytch error
    /// (for example an HTML page from a proxy). The whole body is kept.
    #[error("{endpoint}: HTTP {status} with a body that is not a Stytch error: {body}")]
    UnexpectedResponse {
        /// The endpoint that was called, such as `consumer.totps.create`.
        endpoint: &'static str,
        /// HTTP status code of the response.
        status: u16,
        /// The raw response body, decoded as UTF-8 (lossy).
        body: String,
    },

    /// A successful response did not match the documented shape.
    #[error("{endpoint}: response does not decode at `{path}`: {message}")]
    Decode {
        /// The endpoint that was called.
        endpoint: &'static str,
        /// Path of the field that failed, such as `user.emails[0].verified`.
        path: String,
        /// What the decoder expected.
        message: String,
        /// The raw response body, decoded as UTF-8 (lossy).
        body: String,
    },

    /// A parameter broke a documented constraint; nothing was sent.
    #[error("{endpoint}: parameter `{parameter}` {message}")]
    InvalidParameter {
        /// The endpoint whose request was rejected.
        endpoint: &'static str,
        /// The offending parameter.
        parameter: &'static str,
        /// Which constraint it broke.
        message: String,
    },

    /// The request could not be sent or its response could not be read
    /// (connection refused, timeout, TLS failure, ...).
    #[error("{endpoint}: request failed: {source}")]
    Http {
        /// The endpoint that was called.
        endpoint: &'static str,
        /// The underlying transport error.
        #[source]
        source: reqwest::Error,
    },

    /// The client was configured with values it cannot use.
    #[error("invalid client configuration: {0}")]
    Config(String),

    /// A token failed local verification (see [`crate::auth::AuthError`]).
    #[error(transparent)]
    Auth(#[from] crate::auth::AuthError),
}

impl From<ApiError> for Error {
    fn from(value: ApiError) -> Self {
        Error::Api(Box::new(value))
    }
}

impl Error {
    /// The Stytch error, when the API answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status of the response that caused this error, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status_code),
            Error::UnexpectedResponse { status, .. } => Some(*status),
            Error::Http { source, .. } => source.status().map(|s| s.as_u16()),
            _ => None,
        }
    }
}

/// A structured error returned by the Stytch API.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, thiserror::Error)]
#[error(
    "Stytch error {status_code} {error_type}: {error_message} (request {request_id}; see {error_url})"
)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status code of the response.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub status_code: u16,
    /// Identifier of the failed call; quote it when contacting Stytch support.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub request_id: String,
    /// Machine-readable error kind, such as `unable_to_auth_otp_code`.
    pub error_type: String,
    /// Human-readable explanation.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub error_message: String,
    /// Link to the documentation of this error kind.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub error_url: String,
}

/// Reads a value that the API may send as `null`; `null` becomes the default.
fn null_as_empty<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
