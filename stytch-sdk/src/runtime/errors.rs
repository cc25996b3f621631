//! How failed calls become [`Error`]s: error bodies (Stytch's own or an
//! OAuth error object) mapped to typed errors, transport failures stripped of
//! their URL, and short error kinds for traces.

use std::time::Duration;

use crate::error::{ApiError, Error, RawBody};

pub(super) fn http_error(endpoint: &'static str, source: reqwest::Error) -> Error {
    Error::Http {
        endpoint,
        // The URL's query string can carry request parameters.
        source: source.without_url(),
        attempts: 0,
    }
}

/// A short name of the error kind, for traces.
pub(super) fn kind(error: &Error) -> &'static str {
    match error {
        Error::Api(_) => "api_error",
        Error::UnexpectedResponse { .. } => "unexpected_response",
        Error::Redirect { .. } => "redirect",
        Error::Decode { .. } => "decode",
        Error::InvalidParameter { .. } => "invalid_parameter",
        Error::Http { source, .. } if source.is_connect() => "connect",
        Error::Http { .. } => "http",
        Error::Timeout { .. } => "timeout",
        Error::ResponseTooLarge { .. } => "response_too_large",
        Error::Config(_) => "config",
        Error::Auth(_) => "auth",
    }
}

/// Builds the error for a non-2xx answer: the Stytch error when the body is
/// one (or an OAuth error object, RFC 6749 section 5.2), otherwise an
/// [`Error::UnexpectedResponse`] keeping the start of the body.
pub(crate) fn error_from_body(
    endpoint: &'static str,
    status: u16,
    body: &[u8],
    retry_after: Option<Duration>,
) -> Error {
    /// The error object of OAuth endpoints (`m2m.token`, token introspection).
    #[derive(serde::Deserialize)]
    struct OAuthError {
        error: String,
        #[serde(default)]
        error_description: Option<String>,
        #[serde(default)]
        error_uri: Option<String>,
        #[serde(default)]
        request_id: Option<String>,
    }
    let parsed = serde_json::from_slice::<ApiError>(body).ok().or_else(|| {
        let oauth = serde_json::from_slice::<OAuthError>(body).ok()?;
        Some(ApiError {
            status_code: status,
            request_id: oauth.request_id.unwrap_or_default(),
            error_type: oauth.error,
            error_message: oauth.error_description.unwrap_or_default(),
            error_url: oauth.error_uri.unwrap_or_default(),
            retry_after: None,
            attempts: 0,
            raw_body: None,
        })
    });
    match parsed {
        Some(mut api) => {
            if api.status_code == 0 {
                api.status_code = status;
            }
            api.retry_after = retry_after;
            api.raw_body = Some(RawBody::new(body));
            api.into()
        }
        None => Error::UnexpectedResponse {
            endpoint,
            status,
            body: RawBody::new(body),
            retry_after,
            attempts: 0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_error_objects_become_api_errors() {
        let body = br#"{"error":"invalid_grant","error_description":"expired"}"#;
        let err = error_from_body("consumer.m2m.token", 400, body, None);
        let api = err.api().expect("an API error");
        assert_eq!(api.error_type, "invalid_grant");
        assert_eq!(api.error_message, "expired");
        assert_eq!(api.status_code, 400);
        let other = error_from_body("e", 400, br#"{"message":"no"}"#, None);
        assert!(matches!(other, Error::UnexpectedResponse { .. }));
    }
}
