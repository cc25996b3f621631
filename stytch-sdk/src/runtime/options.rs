//! Per-call options: the timeout, retry policy and extra headers of the
//! calls made through one client handle, which the transport applies in one
//! place.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::Error;
use crate::retry::RetryPolicy;

/// Headers that extra headers may not set: the credentials, the framing of
/// the body, and the member-session headers whose values authorize
/// RBAC-checked calls (the spec's `member_session` headers; a test checks
/// that every one of them is listed).
pub(crate) const RESERVED_HEADERS: &[&str] = &[
    "authorization",
    "content-type",
    "content-length",
    "transfer-encoding",
    "host",
    "x-stytch-member-session",
    "x-stytch-member-sessionjwt",
];

/// What applies to each call of a client handle: how long one attempt may
/// take, how failed attempts are repeated, and headers added to every
/// request.
///
/// A client starts with the options of its [`ClientBuilder`](crate::ClientBuilder);
/// `with_options` makes a handle with changed ones, sharing connections and
/// caches (a reference count and a copy of the options):
///
/// ```no_run
/// # async fn run(client: stytch_sdk::Client) -> Result<(), stytch_sdk::Error> {
/// use std::time::Duration;
/// use stytch_sdk::consumer::users::GetRequest;
///
/// let traced = client.with_options(|options| {
///     options
///         .timeout(Duration::from_secs(2))
///         .header("x-correlation-id", "checkout-7f3a")
/// })?;
/// let user = traced.users().get(GetRequest::new("user-test-…")).await?;
/// # let _ = user; Ok(()) }
/// ```
///
/// Extra headers may not replace what the SDK sends itself: `Authorization`,
/// `Content-Type`, `Content-Length`, `Transfer-Encoding`, `Host` and the
/// member-session headers (`X-Stytch-Member-Session`,
/// `X-Stytch-Member-SessionJWT`) are refused, as are names and values that
/// are not valid in HTTP; `with_options` then fails with
/// [`Error::Config`] naming the header. Values are marked sensitive, so
/// they never appear in traces or `Debug` output.
///
/// Key set, policy and M2M token fetches of the auth caches always use the
/// client's configured options, whichever handle starts them.
#[derive(Clone)]
pub struct RequestOptions {
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) headers: HeaderMap,
    /// The first header refused, reported when the options are applied.
    refused: Option<String>,
}

impl RequestOptions {
    /// The options of a new client: this timeout and retry policy, no extra headers.
    pub(crate) fn new(timeout: Duration, retry: RetryPolicy) -> Self {
        Self {
            timeout,
            retry,
            headers: HeaderMap::new(),
            refused: None,
        }
    }

    /// Fails an attempt that has not received its whole answer within
    /// `timeout` (see [`ClientBuilder::timeout`](crate::ClientBuilder::timeout)).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Repeats failed attempts by this policy (see [`RetryPolicy`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Adds a header to every request, replacing an extra header of the
    /// same name. Reserved names and invalid names or values are refused
    /// when the options are applied.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match checked_header(name, value) {
            Ok((name, value)) => {
                self.headers.insert(name, value);
            }
            Err(problem) => {
                self.refused.get_or_insert(problem);
            }
        }
        self
    }

    /// The options, or the first header refused.
    pub(crate) fn checked(self) -> Result<Self, Error> {
        match self.refused {
            Some(problem) => Err(Error::Config(problem)),
            None => Ok(self),
        }
    }
}

/// A header name and value fit to be sent as an extra header.
fn checked_header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), String> {
    let parsed = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("extra header `{name}` is not a valid header name"))?;
    if RESERVED_HEADERS.contains(&parsed.as_str()) {
        return Err(format!(
            "extra header `{name}` may not be set: the SDK sends it itself"
        ));
    }
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        format!("extra header `{name}` holds characters not allowed in a header value")
    })?;
    value.set_sensitive(true);
    Ok((parsed, value))
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names only: values may carry tokens.
        let names: Vec<&str> = self.headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("headers", &names)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> RequestOptions {
        RequestOptions::new(Duration::from_secs(1), RetryPolicy::default())
    }

    #[test]
    fn reserved_and_invalid_headers_are_refused_by_name() {
        for name in [
            "Authorization",
            "content-type",
            "X-Stytch-Member-Session",
            "x-stytch-member-sessionjwt",
            "Host",
        ] {
            let error = options().header(name, "x").checked().unwrap_err();
            assert!(
                matches!(&error, Error::Config(m) if m.contains(name) && m.contains("may not be set")),
                "{name}: {error:?}"
            );
        }
        let error = options().header("bad name", "x").checked().unwrap_err();
        assert!(matches!(&error, Error::Config(m) if m.contains("not a valid header name")));
        let error = options()
            .header("x-ok", "line\nbreak")
            .checked()
            .unwrap_err();
        assert!(matches!(&error, Error::Config(m) if m.contains("x-ok")));
    }

    #[test]
    fn extra_headers_are_kept_sensitive_and_hidden_from_debug() {
        let options = options()
            .header("x-correlation-id", "a")
            .header("X-Correlation-Id", "secret-value")
            .checked()
            .unwrap();
        assert_eq!(options.headers.len(), 1);
        assert!(options.headers["x-correlation-id"].is_sensitive());
        let shown = format!("{options:?}");
        assert!(shown.contains("x-correlation-id"), "{shown}");
        assert!(!shown.contains("secret-value"), "{shown}");
    }
}
