//! The one error type every SDK call returns.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

mod auth_error;

pub use auth_error::AuthError;

/// Everything that can go wrong when calling Stytch or checking a token.
///
/// Neither `Display` nor `Debug` ever contains a response body: bodies can
/// carry session tokens, JWTs or one-time codes. Errors built from a response
/// keep the first few KiB of its body (see [`RawBody`]), reachable only
/// through [`Error::raw_body`] or the variant's `body` field. Nor do they show
/// the query string or fragment of a URL (a redirect's `Location`, the URL of
/// a transport error, a misconfigured base URL), where tokens travel too; so
/// `unwrap()` or `tracing::error!(?error)` is safe to log.
///
/// # Answering your own callers
///
/// A service that calls Stytch on behalf of its users can turn any error into
/// the HTTP status it should answer with, [`Error::http_status`], and pass
/// [`Error::retry_after`] on as its `Retry-After` header:
///
/// | error | [`http_status`](Error::http_status) |
/// |---|---|
/// | [`Auth`](Error::Auth): a missing, malformed, oversized, forged, foreign, expired, not yet valid, too old, inactive or wrong-kind token | 401 |
/// | [`Auth`](Error::Auth): [`PermissionDenied`](AuthError::PermissionDenied), [`MissingScope`](AuthError::MissingScope), [`TenancyMismatch`](AuthError::TenancyMismatch) | 403 |
/// | [`Auth`](Error::Auth): [`Fetch`](AuthError::Fetch) of keys or policies: Stytch's 429 | 429 |
/// | [`Auth`](Error::Auth): [`Fetch`](AuthError::Fetch) of keys or policies the client cannot fetch at all (a [`Config`](Error::Config) inside, such as the RBAC policy on a verification-only client) | 500 |
/// | [`Auth`](Error::Auth): [`Fetch`](AuthError::Fetch) of keys or policies: anything else | 503 |
/// | [`Auth`](Error::Auth): [`CustomClaims`](AuthError::CustomClaims) that do not fit your type | 500 |
/// | [`Api`](Error::Api) or [`UnexpectedResponse`](Error::UnexpectedResponse) with 429 | 429 |
/// | [`Api`](Error::Api) with 401 `unauthorized_credentials` (your project credentials) | 500 |
/// | [`Api`](Error::Api) with 404 `session_not_found` (the user's session is gone) | 401 |
/// | [`Api`](Error::Api) with another 4xx (Stytch refused what the user sent) | the same 4xx |
/// | [`Api`](Error::Api) with 5xx, [`UnexpectedResponse`](Error::UnexpectedResponse) other than 429, [`Redirect`](Error::Redirect), [`Decode`](Error::Decode), [`ResponseTooLarge`](Error::ResponseTooLarge) (Stytch failed or answered something unusable) | 502 |
/// | [`Http`](Error::Http), [`Timeout`](Error::Timeout) (Stytch unreachable) | 503 |
/// | [`InvalidParameter`](Error::InvalidParameter) | 400 |
/// | [`Config`](Error::Config) (the service is misconfigured) | 500 |
///
/// ```
/// use stytch_sdk::Error;
/// use stytch_sdk::auth::AuthError;
///
/// /// The status and `Retry-After` seconds a handler answers with.
/// fn answer(error: &Error) -> (u16, Option<u64>) {
///     (error.http_status(), error.retry_after().map(|wait| wait.as_secs()))
/// }
///
/// let expired = Error::Auth(AuthError::InactiveToken);
/// assert_eq!(answer(&expired), (401, None));
/// ```
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Stytch answered with a structured error (a 4xx or 5xx with a JSON error
    /// body, or an OAuth-style `{"error", "error_description"}` body).
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The server answered with an error status whose body is not a Stytch error
    /// (for example an HTML page from a proxy).
    #[error(
        "{endpoint}: HTTP {status} with a body that is not a Stytch error ({} bytes)",
        body.len()
    )]
    UnexpectedResponse {
        /// The endpoint that was called, such as `consumer.totps.create`.
        endpoint: &'static str,
        /// HTTP status code of the response.
        status: u16,
        /// The start of the response body; may hold sensitive data.
        body: RawBody,
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
        /// How many times the request was sent.
        attempts: u32,
    },

    /// The server answered with a redirect (3xx). The SDK never follows
    /// redirects, so credentials and session headers only ever go to the
    /// configured host; a redirect usually means a wrong `api_url` (such as
    /// `http://` where the host wants `https://`).
    #[error(
        "{endpoint}: HTTP {status} redirect to {} was not followed",
        shown_location(location.as_deref())
    )]
    Redirect {
        /// The endpoint that was called.
        endpoint: &'static str,
        /// HTTP status code of the response (301, 302, 307, ...).
        status: u16,
        /// The `Location` header of the response, when it had a readable one.
        /// `Display` shows it without query and fragment, which can carry
        /// tokens; this field keeps it whole.
        location: Option<String>,
        /// How many times the request was sent.
        attempts: u32,
    },

    /// A successful response did not match the documented shape.
    #[error("{endpoint}: response does not decode at `{path}`: {message}")]
    Decode {
        /// The endpoint that was called.
        endpoint: &'static str,
        /// Path of the field that failed, such as `user.emails[0].verified`.
        path: String,
        /// What the decoder expected (values from the body are left out).
        message: String,
        /// The start of the response body; may hold sensitive data.
        body: RawBody,
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
    /// (connection refused or reset, connect timeout, TLS failure, ...).
    #[error("{endpoint}: request failed: {source}")]
    Http {
        /// The endpoint that was called.
        endpoint: &'static str,
        /// The underlying transport error (its URL is removed, as the query
        /// string may carry parameters).
        #[source]
        source: reqwest::Error,
        /// How many times the request was sent.
        attempts: u32,
    },

    /// One attempt took longer than the request timeout (see
    /// [`ClientBuilder::timeout`](crate::ClientBuilder::timeout)).
    #[error("{endpoint}: no complete response within {timeout:?}")]
    Timeout {
        /// The endpoint that was called.
        endpoint: &'static str,
        /// The per-attempt limit that was exceeded.
        timeout: Duration,
        /// How many times the request was sent.
        attempts: u32,
    },

    /// The response body was larger than the configured limit (see
    /// [`ClientBuilder::max_response_size`](crate::ClientBuilder::max_response_size));
    /// reading stopped there.
    #[error("{endpoint}: response body exceeds the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The endpoint that was called.
        endpoint: &'static str,
        /// The limit in bytes.
        limit: usize,
        /// How many times the request was sent.
        attempts: u32,
    },

    /// The client was configured with values it cannot use.
    #[error("invalid client configuration: {0}")]
    Config(String),

    /// A token failed local verification (see [`AuthError`]).
    #[error(transparent)]
    Auth(#[from] AuthError),
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

    /// The HTTP status of the response that caused this error, when there was
    /// one; for a failed fetch of keys or policies
    /// ([`AuthError::Fetch`](AuthError::Fetch)), the status of that fetch.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status_code),
            Error::UnexpectedResponse { status, .. } | Error::Redirect { status, .. } => {
                Some(*status)
            }
            Error::Http { source, .. } => source.status().map(|s| s.as_u16()),
            Error::Auth(AuthError::Fetch { source, .. }) => source.status(),
            _ => None,
        }
    }

    /// The HTTP status a service should answer its own caller with when this
    /// error ends the handling of a request: 401 for a token that does not
    /// authenticate, 403 for a check that denies, 429 when Stytch asked to
    /// slow down (send [`Error::retry_after`] along), 502 or 503 when Stytch
    /// failed or could not be reached, 400 for an invalid parameter, 500 for
    /// the service's own misconfiguration. The [table on `Error`](Error)
    /// lists every case.
    pub fn http_status(&self) -> u16 {
        match self {
            Error::Api(e) => match (e.status_code, e.error_type.as_str()) {
                (429, _) => 429,
                (401, "unauthorized_credentials") => 500,
                (404, "session_not_found") => 401,
                (status @ 400..=499, _) => status,
                _ => 502,
            },
            Error::UnexpectedResponse { status: 429, .. } => 429,
            Error::UnexpectedResponse { .. }
            | Error::Redirect { .. }
            | Error::Decode { .. }
            | Error::ResponseTooLarge { .. } => 502,
            Error::Http { source, .. } if source.is_builder() => 500,
            Error::Http { .. } | Error::Timeout { .. } => 503,
            Error::InvalidParameter { .. } => 400,
            Error::Config(_) => 500,
            Error::Auth(auth) => auth_http_status(auth),
        }
    }

    /// The start (at most [`RawBody::MAX_LEN`] bytes) of the response body
    /// behind this error, when one was read.
    ///
    /// **May contain secrets**: session tokens, JWTs, one-time codes. Do not
    /// log it unless you know what the endpoint returns.
    pub fn raw_body(&self) -> Option<&str> {
        match self {
            Error::UnexpectedResponse { body, .. } | Error::Decode { body, .. } => {
                Some(body.as_str())
            }
            Error::Api(e) => e.raw_body.as_ref().map(RawBody::as_str),
            _ => None,
        }
    }

    /// How long the server asked callers to wait (its `Retry-After` header,
    /// in seconds or as an HTTP date), when the failing response had one.
    /// A failed fetch of keys or policies reports the wait of that fetch.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(e) => e.retry_after,
            Error::UnexpectedResponse { retry_after, .. } => *retry_after,
            Error::Auth(AuthError::Fetch { source, .. }) => source.retry_after(),
            _ => None,
        }
    }

    /// Whether the failure is of a transient kind that the SDK retries for
    /// GET and idempotent endpoints: a connection failure, a timeout, HTTP 429
    /// or a 5xx status. Whether repeating the call is safe depends on the
    /// endpoint; the SDK already retried where it was (see [`Error::attempts`]).
    /// A failed fetch of keys or policies is retryable when the fetch failed
    /// in such a way.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Http { source, .. } => !source.is_builder(),
            Error::Timeout { .. } => true,
            Error::Api(_) | Error::UnexpectedResponse { .. } => {
                self.status().is_some_and(retryable_status)
            }
            Error::Auth(AuthError::Fetch { source, .. }) => source.is_retryable(),
            _ => false,
        }
    }

    /// Whether this error is a timeout: an attempt that ran past the request
    /// timeout, or a connection that could not be opened within the connect
    /// timeout; also a fetch of keys or policies that failed so.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } => true,
            Error::Http { source, .. } => source.is_timeout(),
            Error::Auth(AuthError::Fetch { source, .. }) => source.is_timeout(),
            _ => false,
        }
    }

    /// How many times the request was sent before this error was returned
    /// (1 when it was not retried). 0 for errors raised before anything was
    /// sent or after a successful response ([`Error::InvalidParameter`],
    /// [`Error::Config`], [`Error::Decode`], [`Error::Auth`]).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(e) => e.attempts,
            Error::UnexpectedResponse { attempts, .. }
            | Error::Redirect { attempts, .. }
            | Error::Http { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::ResponseTooLarge { attempts, .. } => *attempts,
            _ => 0,
        }
    }

    /// Records how often the request was sent.
    pub(crate) fn with_attempts(mut self, count: u32) -> Self {
        match &mut self {
            Error::Api(e) => e.attempts = count,
            Error::UnexpectedResponse { attempts, .. }
            | Error::Redirect { attempts, .. }
            | Error::Http { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::ResponseTooLarge { attempts, .. } => *attempts = count,
            _ => {}
        }
        self
    }
}

/// The status for a failed token or permission check; see the table on [`Error`].
fn auth_http_status(error: &AuthError) -> u16 {
    match error {
        AuthError::Malformed(_)
        | AuthError::TooLarge { .. }
        | AuthError::UnsupportedAlgorithm { .. }
        | AuthError::AlgorithmMismatch { .. }
        | AuthError::UnknownKey { .. }
        | AuthError::InvalidSignature
        | AuthError::WrongIssuer { .. }
        | AuthError::WrongAudience { .. }
        | AuthError::Expired { .. }
        | AuthError::NotYetValid { .. }
        | AuthError::TooOld { .. }
        | AuthError::InactiveToken
        | AuthError::WrongTokenType { .. }
        | AuthError::OpaqueToken => 401,
        AuthError::PermissionDenied { .. }
        | AuthError::MissingScope { .. }
        | AuthError::TenancyMismatch { .. } => 403,
        AuthError::Fetch { source, .. } if source.status() == Some(429) => 429,
        // Nothing was fetched: the client cannot fetch this at all.
        AuthError::Fetch { source, .. } if matches!(**source, Error::Config(_)) => 500,
        AuthError::Fetch { .. } => 503,
        // The token is genuine; the type the service asked for does not fit it.
        AuthError::CustomClaims { .. } => 500,
    }
}

/// A redirect target for messages: up to the path, as query strings and
/// fragments of redirects can carry tokens.
fn shown_location(location: Option<&str>) -> &str {
    match location {
        None => "(no Location header)",
        Some(location) => without_query(location),
    }
}

/// A URL up to its path: its query string and fragment, which can carry
/// tokens, are cut off.
pub(crate) fn without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => f.debug_tuple("Api").field(e).finish(),
            Error::UnexpectedResponse {
                endpoint,
                status,
                body,
                retry_after,
                attempts,
            } => f
                .debug_struct("UnexpectedResponse")
                .field("endpoint", endpoint)
                .field("status", status)
                .field("body", body)
                .field("retry_after", retry_after)
                .field("attempts", attempts)
                .finish(),
            Error::Redirect {
                endpoint,
                status,
                location,
                attempts,
            } => f
                .debug_struct("Redirect")
                .field("endpoint", endpoint)
                .field("status", status)
                // The query and fragment can carry tokens; the field keeps them.
                .field("location", &location.as_deref().map(without_query))
                .field("attempts", attempts)
                .finish(),
            Error::Decode {
                endpoint,
                path,
                message,
                body,
            } => f
                .debug_struct("Decode")
                .field("endpoint", endpoint)
                .field("path", path)
                .field("message", message)
                .field("body", body)
                .finish(),
            Error::InvalidParameter {
                endpoint,
                parameter,
                message,
            } => f
                .debug_struct("InvalidParameter")
                .field("endpoint", endpoint)
                .field("parameter", parameter)
                .field("message", message)
                .finish(),
            Error::Http {
                endpoint,
                source,
                attempts,
            } => f
                .debug_struct("Http")
                .field("endpoint", endpoint)
                // Built without its URL (see `Error::Http`); its URL, should
                // one be set, is shown only up to the path.
                .field("kind", &HttpKind(source))
                .field("url", &source.url().map(|url| without_query(url.as_str())))
                .field("message", &format_args!("{source}"))
                .field("causes", &Causes(source))
                .field("attempts", attempts)
                .finish(),
            Error::Timeout {
                endpoint,
                timeout,
                attempts,
            } => f
                .debug_struct("Timeout")
                .field("endpoint", endpoint)
                .field("timeout", timeout)
                .field("attempts", attempts)
                .finish(),
            Error::ResponseTooLarge {
                endpoint,
                limit,
                attempts,
            } => f
                .debug_struct("ResponseTooLarge")
                .field("endpoint", endpoint)
                .field("limit", limit)
                .field("attempts", attempts)
                .finish(),
            Error::Config(message) => f.debug_tuple("Config").field(message).finish(),
            Error::Auth(e) => f.debug_tuple("Auth").field(e).finish(),
        }
    }
}

/// The messages of the errors behind a transport error, outermost first, for `Debug`.
struct Causes<'a>(&'a reqwest::Error);

impl fmt::Debug for Causes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        let mut cause = std::error::Error::source(self.0);
        while let Some(error) = cause {
            list.entry(&format_args!("{error}"));
            cause = error.source();
        }
        list.finish()
    }
}

/// What kind of transport failure a `reqwest::Error` is, for `Debug`.
struct HttpKind<'a>(&'a reqwest::Error);

impl fmt::Debug for HttpKind<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        let kind = if e.is_timeout() {
            "timeout"
        } else if e.is_connect() {
            "connect"
        } else if e.is_builder() {
            "builder"
        } else if e.is_body() || e.is_decode() {
            "body"
        } else if e.is_request() {
            "request"
        } else {
            "other"
        };
        f.write_str(kind)
    }
}

/// Statuses worth another attempt: too many requests and server errors.
pub(crate) fn retryable_status(status: u16) -> bool {
    status == 429 || (500..600).contains(&status)
}

/// The start of a response body kept in an [`Error`] for diagnosis.
///
/// At most [`RawBody::MAX_LEN`] bytes are kept (cut at a character boundary).
/// Its `Debug` output shows only the lengths, never the text, because bodies
/// can contain session tokens, JWTs and one-time codes; read the text with
/// [`RawBody::as_str`] where you know it is safe to.
#[derive(Clone, PartialEq, Eq)]
pub struct RawBody(Box<Kept>);

/// The fields of a [`RawBody`], boxed so errors stay small.
#[derive(Clone, PartialEq, Eq)]
struct Kept {
    text: String,
    len: usize,
    truncated: bool,
}

impl RawBody {
    /// How many bytes of a body an error keeps: 4 KiB.
    pub const MAX_LEN: usize = 4096;

    /// Keeps the start of `body`, decoded as UTF-8 (lossy).
    pub(crate) fn new(body: &[u8]) -> Self {
        let truncated = body.len() > Self::MAX_LEN;
        let mut kept = &body[..body.len().min(Self::MAX_LEN)];
        // Do not keep half a character where the cut fell.
        if let (true, Err(e)) = (truncated, std::str::from_utf8(kept))
            && e.error_len().is_none()
        {
            kept = &kept[..e.valid_up_to()];
        }
        Self(Box::new(Kept {
            text: String::from_utf8_lossy(kept).into_owned(),
            len: body.len(),
            truncated,
        }))
    }

    /// The kept text. **May contain secrets** (tokens, JWTs, codes).
    pub fn as_str(&self) -> &str {
        &self.0.text
    }

    /// Length in bytes of the whole body as received.
    pub fn len(&self) -> usize {
        self.0.len
    }

    /// Whether the body was empty.
    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }

    /// Whether only the start of the body was kept.
    pub fn is_truncated(&self) -> bool {
        self.0.truncated
    }
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawBody({} bytes, not shown)", self.0.len)
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
    /// Machine-readable error kind, such as `unable_to_auth_otp_code` (for
    /// OAuth-style answers, the `error` code such as `invalid_client`).
    pub error_type: String,
    /// Human-readable explanation.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub error_message: String,
    /// Link to the documentation of this error kind.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub error_url: String,
    /// The server's `Retry-After`, when it sent one.
    #[serde(skip)]
    pub(crate) retry_after: Option<Duration>,
    /// How many times the request was sent.
    #[serde(skip)]
    pub(crate) attempts: u32,
    /// The start of the body, for [`Error::raw_body`].
    #[serde(skip)]
    pub(crate) raw_body: Option<RawBody>,
}

/// Reads a value that the API may send as `null`; `null` becomes the default.
fn null_as_empty<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_body_keeps_whole_characters_and_hides_its_text_from_debug() {
        let mut body = "a".repeat(RawBody::MAX_LEN - 1).into_bytes();
        body.extend_from_slice("é and more".as_bytes()); // `é` straddles the cut
        let raw = RawBody::new(&body);
        assert!(raw.is_truncated());
        assert_eq!(raw.len(), body.len());
        assert_eq!(raw.as_str(), "a".repeat(RawBody::MAX_LEN - 1));
        assert_eq!(
            format!("{raw:?}"),
            format!("RawBody({} bytes, not shown)", body.len())
        );

        let short = RawBody::new(b"session_token=abc");
        assert!(!short.is_truncated());
        assert_eq!(short.as_str(), "session_token=abc");
        assert!(!format!("{short:?}").contains("abc"));
    }

    #[test]
    fn errors_stay_small() {
        // Every call returns `Result<_, Error>`; the error must not bloat it.
        assert!(
            std::mem::size_of::<Error>() <= 80,
            "{}",
            std::mem::size_of::<Error>()
        );
    }
}
