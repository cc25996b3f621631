//! The endpoint contract between generated request types and the transport,
//! and the parameter helpers generated code calls: path segments, documented
//! ranges, enum placeholders and the member-session headers.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Error;

/// Which Stytch host an endpoint lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Host {
    /// The main API host (live or test, chosen from the project id).
    Api,
    /// The fraud and risk host.
    Telemetry,
}

/// How the non-path parameters of a request travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// A JSON body.
    Json,
    /// The query string (GET and DELETE).
    Query,
    /// An `application/x-www-form-urlencoded` body.
    Form,
}

/// Describes one API endpoint; implemented by each generated request type.
pub(crate) trait Endpoint: Serialize {
    /// The decoded success response.
    type Response: DeserializeOwned + Send;
    /// Dotted id such as `consumer.totps.create`, used in errors.
    const ID: &'static str;
    /// HTTP method.
    const METHOD: Method;
    /// Host the endpoint lives on.
    const HOST: Host = Host::Api;
    /// Where the non-path parameters go.
    const ENCODING: Encoding;
    /// The spec marks this endpoint safe to repeat: sending it twice has the
    /// same effect as sending it once, so failed attempts may be retried
    /// (every `GET` is retried regardless).
    const IDEMPOTENT: bool = false;
    /// The path with its placeholders filled in and percent-encoded; `project_id`
    /// fills placeholders that come from the client rather than the request.
    /// Fails, naming the parameter, when a path parameter is empty, `.` or `..`.
    fn path(&self, project_id: &str) -> Result<String, Error>;
    /// Checks documented constraints before anything is sent.
    fn check(&self) -> Result<(), Error> {
        Ok(())
    }
    /// Adds per-request headers (the member session of RBAC-checked calls).
    fn headers(&self, _out: &mut HeaderMap) -> Result<(), Error> {
        Ok(())
    }
    /// Puts the HTTP status of a success answer into the response field the
    /// spec marks `http_status`, when the body left that field out (OAuth 2.0
    /// endpoints may answer in the bare RFC 6749/7662 form).
    fn fill_http_status(_response: &mut Self::Response, _status: u16) {}
}

/// Characters that stay literal in a path segment: RFC 3986 unreserved ones.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path parameter, percent-encoded as exactly one path segment.
pub(crate) struct Segment<'a>(&'a str);

impl fmt::Display for Segment<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&utf8_percent_encode(self.0, SEGMENT), f)
    }
}

/// A path parameter (or the client's project id) as one percent-encoded path
/// segment (`/`, space, `+`, `@` ... are escaped). Fails with
/// [`Error::InvalidParameter`] naming the endpoint and parameter when the
/// value is empty, `.` or `..`: URL parsers (reqwest's included) resolve such
/// a segment, encoded or not, and the request would reach another resource.
pub(crate) fn segment<'a>(
    endpoint: &'static str,
    parameter: &'static str,
    value: &'a str,
) -> Result<Segment<'a>, Error> {
    let message = match value {
        "" => "must not be empty (it is part of the URL path)",
        "." | ".." => "must not be `.` or `..` (it is part of the URL path)",
        _ => return Ok(Segment(value)),
    };
    Err(Error::InvalidParameter {
        endpoint,
        parameter,
        message: message.to_owned(),
    })
}

/// Fails with [`Error::InvalidParameter`] when a set value lies outside `[min, max]`.
pub(crate) fn check_range<T: PartialOrd + fmt::Display + Copy>(
    endpoint: &'static str,
    parameter: &'static str,
    value: impl Into<Option<T>>,
    min: Option<T>,
    max: Option<T>,
) -> Result<(), Error> {
    let Some(value) = value.into() else {
        return Ok(());
    };
    let message = match (min, max) {
        (Some(min), Some(max)) if value < min || value > max => {
            format!("is {value}, must be between {min} and {max}")
        }
        (Some(min), None) if value < min => format!("is {value}, must be at least {min}"),
        (None, Some(max)) if value > max => format!("is {value}, must be at most {max}"),
        _ => return Ok(()),
    };
    Err(Error::InvalidParameter {
        endpoint,
        parameter,
        message,
    })
}

/// Refuses an enum parameter holding the API's "not set" placeholder (the
/// spec's `unknown:` value), which answers may carry but requests may not.
#[inline]
#[allow(dead_code)] // only products with such enums call it
pub(crate) fn check_not_placeholder(
    endpoint: &'static str,
    parameter: &'static str,
    value: Option<&str>,
    placeholder: &'static str,
) -> Result<(), Error> {
    if value != Some(placeholder) {
        return Ok(());
    }
    Err(Error::InvalidParameter {
        endpoint,
        parameter,
        message: format!(
            "is `{placeholder}`, the API's placeholder for a value that was never set; choose one of the real values"
        ),
    })
}

/// Session credentials of the member on whose behalf a call is made.
///
/// Endpoints that accept it check the member's RBAC permissions for the
/// action; without it the project secret alone authorizes the call.
#[derive(Clone, Default, PartialEq, Eq)]
// The offline mock reads it back from the member-session headers it receives.
#[cfg_attr(feature = "test-util", derive(serde::Deserialize), serde(default))]
pub struct MemberSessionAuth {
    /// Opaque member session token.
    pub session_token: Option<String>,
    /// Member session JWT.
    pub session_jwt: Option<String>,
}

impl MemberSessionAuth {
    /// Acts on behalf of the member holding this session token.
    pub fn token(session_token: impl Into<String>) -> Self {
        Self {
            session_token: Some(session_token.into()),
            session_jwt: None,
        }
    }

    /// Acts on behalf of the member holding this session JWT.
    pub fn jwt(session_jwt: impl Into<String>) -> Self {
        Self {
            session_token: None,
            session_jwt: Some(session_jwt.into()),
        }
    }

    /// Writes the set credentials into `out` under the given header names.
    #[cfg_attr(not(feature = "b2b"), allow(dead_code))] // only B2B endpoints take a member session
    pub(crate) fn write(
        &self,
        token_header: &'static str,
        jwt_header: &'static str,
        out: &mut HeaderMap,
    ) -> Result<(), Error> {
        for (name, value) in [
            (token_header, &self.session_token),
            (jwt_header, &self.session_jwt),
        ] {
            if let Some(value) = value {
                let mut value = HeaderValue::from_str(value).map_err(|_| {
                    Error::Config(format!("{name} holds characters not allowed in a header"))
                })?;
                value.set_sensitive(true);
                out.insert(name, value);
            }
        }
        Ok(())
    }
}

impl fmt::Debug for MemberSessionAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hide = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("MemberSessionAuth")
            .field("session_token", &hide(&self.session_token))
            .field("session_jwt", &hide(&self.session_jwt))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_are_refused_and_others_encoded() {
        let encoded = |value| segment("e", "p", value).unwrap().to_string();
        assert_eq!(encoded("..."), "...");
        assert_eq!(encoded("a..b"), "a..b");
        assert_eq!(encoded("a/b"), "a%2Fb");
        assert_eq!(encoded("%2E%2E"), "%252E%252E");
        for bad in ["", ".", ".."] {
            match segment("consumer.users.get", "user_id", bad) {
                Err(Error::InvalidParameter {
                    endpoint,
                    parameter,
                    ..
                }) => {
                    assert_eq!(endpoint, "consumer.users.get");
                    assert_eq!(parameter, "user_id");
                }
                _ => panic!("{bad:?} accepted"),
            }
        }
        assert_eq!(
            segment("e", "p", "user 1").map(|s| s.to_string()).ok(),
            Some("user%201".to_owned())
        );
    }
}
