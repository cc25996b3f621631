//! The single request path shared by every generated endpoint.
//!
//! Generated request types implement [`Endpoint`]; the generated namespace
//! methods hand them to [`Transport::send`], which checks constraints, encodes
//! the request, sends it and decodes the answer. Everything after encoding runs
//! through one non-generic function so each endpoint adds almost no code; that
//! function also owns the transport rules: no redirects, a time limit per
//! attempt, a size limit per body, retries of transient failures where the
//! endpoint is safe to repeat, and one `tracing` span per call.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::{Bytes, BytesMut};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use reqwest::header::{
    AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION, RETRY_AFTER, USER_AGENT,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use crate::error::{ApiError, Error, RawBody};
use crate::retry::{RetryPolicy, parse_retry_after};

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

/// Limits applied to each call, kept in every client handle so
/// [`Client::with_timeout`](crate::Client::with_timeout) and friends can
/// change them for some calls without touching the shared state.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallOptions {
    /// Longest time one attempt may take, from sending until the whole body is read.
    pub(crate) timeout: Duration,
    /// Whether and how failed attempts are repeated.
    pub(crate) retry: RetryPolicy,
}

/// How a client proves who it is.
#[derive(Clone, Copy)]
pub(crate) enum Credentials<'a> {
    /// HTTP Basic: the project id and this secret.
    Secret(&'a str),
    /// A bearer token: the project's public token, passed as the project id.
    #[cfg_attr(not(feature = "samlshield"), allow(dead_code))]
    PublicToken,
    /// None at all: only public endpoints (such as the OAuth token endpoint)
    /// can be called.
    #[cfg_attr(not(any(feature = "consumer", feature = "b2b")), allow(dead_code))]
    Nothing,
    /// A bearer token that is itself the credential (a Management API access token).
    #[cfg_attr(not(feature = "management"), allow(dead_code))]
    Bearer(&'a str),
}

/// Shared, cheaply clonable connection state behind every client, plus the
/// per-handle call limits.
#[derive(Clone)]
pub(crate) struct Transport {
    inner: Arc<Inner>,
    options: CallOptions,
}

struct Inner {
    http: reqwest::Client,
    project_id: String,
    api_base: String,
    telemetry_base: String,
    /// `Basic base64(project_id:secret)` (or the public token as a bearer
    /// token), marked sensitive; none for a client without credentials.
    authorization: Option<HeaderValue>,
    /// Largest response body read, in bytes.
    max_response_size: usize,
    /// Key and policy caches of local token verification.
    auth: crate::auth::AuthState,
}

/// Everything [`Transport::new`] needs besides the credentials.
pub(crate) struct TransportConfig {
    pub(crate) http: reqwest::Client,
    pub(crate) api_base: String,
    pub(crate) telemetry_base: String,
    pub(crate) max_response_size: usize,
    pub(crate) options: CallOptions,
    pub(crate) auth: crate::auth::AuthConfig,
}

/// A request ready to go, independent of its Rust type.
struct Prepared {
    endpoint: &'static str,
    method: Method,
    url: String,
    encoding: Encoding,
    params: Vec<u8>,
    pairs: Vec<(String, String)>,
    headers: HeaderMap,
    /// Whether failed attempts may be repeated (GET or idempotent).
    repeatable: bool,
}

impl Transport {
    pub(crate) fn new(
        project_id: String,
        credentials: Credentials<'_>,
        config: TransportConfig,
    ) -> Result<Self, Error> {
        use base64::Engine as _;
        let value = match credentials {
            Credentials::Secret(secret) => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{project_id}:{secret}"))
            )),
            Credentials::PublicToken => Some(format!("Bearer {project_id}")),
            Credentials::Bearer(token) => Some(format!("Bearer {token}")),
            Credentials::Nothing => None,
        };
        let authorization = value
            .map(|value| {
                let mut header = HeaderValue::from_str(&value).map_err(|_| {
                    Error::Config("the credentials hold characters not allowed in a header".into())
                })?;
                header.set_sensitive(true);
                Ok::<_, Error>(header)
            })
            .transpose()?;
        let auth = crate::auth::AuthState::new(&project_id, config.auth);
        Ok(Self {
            inner: Arc::new(Inner {
                auth,
                http: config.http,
                project_id,
                api_base: config.api_base.trim_end_matches('/').to_owned(),
                telemetry_base: config.telemetry_base.trim_end_matches('/').to_owned(),
                authorization,
                max_response_size: config.max_response_size,
            }),
            options: config.options,
        })
    }

    /// The project id this client authenticates as.
    pub(crate) fn project_id(&self) -> &str {
        &self.inner.project_id
    }

    /// Key and policy caches of local token verification.
    pub(crate) fn auth(&self) -> &crate::auth::AuthState {
        &self.inner.auth
    }

    /// A handle on the same connections and caches with other call limits.
    pub(crate) fn with_options(&self, change: impl FnOnce(&mut CallOptions)) -> Self {
        let mut options = self.options;
        change(&mut options);
        Self {
            inner: self.inner.clone(),
            options,
        }
    }

    /// [`send`](Self::send) for a request handed over by value: what every
    /// generated endpoint method returns. Being generic, it is compiled only
    /// for the endpoints a program calls, in the crate that calls them.
    // Not an `async fn`: the explicit `Send` bound is proven here once, for
    // every request type, instead of again in each generated method.
    #[allow(clippy::manual_async_fn)]
    pub(crate) fn call<'a, E: Endpoint + Send + Sync + 'a>(
        &'a self,
        request: E,
    ) -> impl Future<Output = Result<E::Response, Error>> + Send + 'a {
        async move { self.send(&request).await }
    }

    /// Checks, encodes, sends and decodes one endpoint call.
    pub(crate) async fn send<E: Endpoint>(&self, request: &E) -> Result<E::Response, Error> {
        request.check()?;
        let path = request.path(&self.inner.project_id)?;
        // One header map per request: credentials, user agent, content type and
        // whatever the endpoint adds (values are shared buffers, not copies).
        let mut headers = HeaderMap::with_capacity(5);
        if let Some(authorization) = &self.inner.authorization {
            headers.insert(AUTHORIZATION, authorization.clone());
        }
        headers.insert(USER_AGENT, HeaderValue::from_static(crate::USER_AGENT));
        if E::ENCODING == Encoding::Json {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        request.headers(&mut headers)?;
        let base = match E::HOST {
            Host::Api => &self.inner.api_base,
            Host::Telemetry => &self.inner.telemetry_base,
        };
        let (params, pairs) = match E::ENCODING {
            Encoding::Json => (
                serde_json::to_vec(request).map_err(|e| encode_error(E::ID, e))?,
                Vec::new(),
            ),
            Encoding::Query | Encoding::Form => (Vec::new(), flatten(E::ID, request)?),
        };
        let prepared = Prepared {
            endpoint: E::ID,
            method: E::METHOD,
            url: format!("{base}{path}"),
            encoding: E::ENCODING,
            params,
            pairs,
            headers,
            repeatable: E::METHOD == Method::GET || E::IDEMPOTENT,
        };
        let (status, body) = self.execute(prepared).await?;
        let mut response = decode(E::ID, &body)?;
        E::fill_http_status(&mut response, status);
        Ok(response)
    }

    /// The non-generic part of a call: sends the request (again, where the
    /// retry policy allows), bounds every attempt in time and size, maps error
    /// statuses and reports the call as one `tracing` span.
    async fn execute(&self, request: Prepared) -> Result<(u16, Bytes), Error> {
        let span = tracing::debug_span!(
            "stytch.request",
            endpoint = request.endpoint,
            method = %request.method,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            attempts = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let endpoint = request.endpoint;
        let started = Instant::now();
        let result = self.attempts(request).instrument(span.clone()).await;
        if !span.is_disabled() {
            let latency = started.elapsed().as_secs_f64() * 1000.0;
            span.record("latency_ms", latency);
            let _entered = span.enter();
            match &result {
                Ok(((_, body), attempts)) => {
                    span.record("attempts", attempts);
                    if let Some(id) = body_request_id(body) {
                        span.record("request_id", id.as_str());
                    }
                    tracing::debug!(endpoint, outcome = "ok", "Stytch call finished");
                }
                Err(e) => {
                    span.record("attempts", e.attempts());
                    if let Some(api) = e.api()
                        && !api.request_id.is_empty()
                    {
                        span.record("request_id", api.request_id.as_str());
                    }
                    tracing::debug!(
                        endpoint,
                        outcome = kind(e),
                        status = e.status(),
                        "Stytch call failed"
                    );
                }
            }
        }
        result.map(|(body, _)| body)
    }

    /// Sends until an attempt succeeds, fails for good, or the attempts run out.
    async fn attempts(&self, request: Prepared) -> Result<((u16, Bytes), u32), Error> {
        let endpoint = request.endpoint;
        let mut builder = self
            .inner
            .http
            .request(request.method, &request.url)
            .headers(request.headers);
        builder = match request.encoding {
            Encoding::Json => builder.body(request.params),
            Encoding::Query => builder.query(&request.pairs),
            Encoding::Form => builder.form(&request.pairs),
        };
        let mut original = Some(
            builder
                .build()
                .map_err(|source| http_error(endpoint, source))?,
        );
        let policy = self.options.retry;
        let max_attempts = if request.repeatable {
            policy.max_attempts.max(1)
        } else {
            1
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            // Keep the original for later attempts; bodies are shared buffers,
            // so a copy costs a header map and a URL.
            let copy = if attempt < max_attempts {
                original.as_ref().and_then(reqwest::Request::try_clone)
            } else {
                None
            };
            let last = copy.is_none();
            let this = match copy {
                Some(copy) => copy,
                None => original.take().expect("the original request is sent last"),
            };
            let outcome = tokio::time::timeout(self.options.timeout, self.attempt(endpoint, this))
                .await
                .unwrap_or_else(|_| {
                    Err(Error::Timeout {
                        endpoint,
                        timeout: self.options.timeout,
                        attempts: 0,
                    })
                });
            match outcome {
                Ok(body) => return Ok((body, attempt)),
                Err(e) if last || !e.is_retryable() => return Err(e.with_attempts(attempt)),
                Err(e) => {
                    let wait = policy.delay(attempt, e.retry_after());
                    tracing::debug!(
                        attempt,
                        reason = kind(&e),
                        status = e.status(),
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        "Stytch call failed, retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// One attempt: sends, reads the body up to the size limit and maps the status.
    async fn attempt(
        &self,
        endpoint: &'static str,
        request: reqwest::Request,
    ) -> Result<(u16, Bytes), Error> {
        let response = self
            .inner
            .http
            .execute(request)
            .await
            .map_err(|source| http_error(endpoint, source))?;
        let status = response.status();
        let span = tracing::Span::current();
        span.record("status", status.as_u16());
        if let Some(id) = response
            .headers()
            .get("request-id")
            .and_then(|v| v.to_str().ok())
        {
            span.record("request_id", id);
        }
        if status.is_redirection() {
            return Err(Error::Redirect {
                endpoint,
                status: status.as_u16(),
                location: response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                attempts: 0,
            });
        }
        let retry_after = if status.is_success() {
            None
        } else {
            response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, SystemTime::now()))
        };
        let body = read_body(endpoint, response, self.inner.max_response_size).await?;
        if status.is_success() {
            Ok((status.as_u16(), body))
        } else {
            Err(error_from_body(
                endpoint,
                status.as_u16(),
                &body,
                retry_after,
            ))
        }
    }
}

/// Reads a whole response body, failing once it grows past `limit` bytes
/// (before reading anything when `Content-Length` already says so).
async fn read_body(
    endpoint: &'static str,
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Bytes, Error> {
    let too_large = || Error::ResponseTooLarge {
        endpoint,
        limit,
        attempts: 0,
    };
    let announced = response.content_length();
    if announced.is_some_and(|len| len > limit as u64) {
        return Err(too_large());
    }
    // Most bodies arrive as one chunk, which is returned without a copy.
    let mut first: Option<Bytes> = None;
    let mut joined: Option<BytesMut> = None;
    let mut total = 0usize;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|source| http_error(endpoint, source))?
    {
        total = total.saturating_add(chunk.len());
        if total > limit {
            return Err(too_large());
        }
        match (&mut first, &mut joined) {
            (None, _) => first = Some(chunk),
            (Some(head), None) => {
                let capacity = announced.map_or(total, |len| len as usize).max(total);
                let mut buffer = BytesMut::with_capacity(capacity);
                buffer.extend_from_slice(head);
                buffer.extend_from_slice(&chunk);
                joined = Some(buffer);
            }
            (Some(_), Some(buffer)) => buffer.extend_from_slice(&chunk),
        }
    }
    Ok(match (joined, first) {
        (Some(buffer), _) => buffer.freeze(),
        (None, Some(head)) => head,
        (None, None) => Bytes::new(),
    })
}

fn http_error(endpoint: &'static str, source: reqwest::Error) -> Error {
    Error::Http {
        endpoint,
        // The URL's query string can carry request parameters.
        source: source.without_url(),
        attempts: 0,
    }
}

/// A short name of the error kind, for traces.
fn kind(error: &Error) -> &'static str {
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

/// The `request_id` of a success body, when it has one (read only for traces).
fn body_request_id(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct WithRequestId {
        request_id: Option<String>,
    }
    serde_json::from_slice::<WithRequestId>(body)
        .ok()?
        .request_id
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("project_id", &self.inner.project_id)
            .field("api_base", &self.inner.api_base)
            .field("telemetry_base", &self.inner.telemetry_base)
            .field("max_response_size", &self.inner.max_response_size)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn encode_error(endpoint: &'static str, error: serde_json::Error) -> Error {
    Error::InvalidParameter {
        endpoint,
        parameter: "(request)",
        message: format!("cannot be encoded: {error}"),
    }
}

/// Turns a request into `name=value` pairs for a query string or form body.
/// Scalars are written as text, lists repeat the name, objects become JSON text.
fn flatten<T: Serialize>(
    endpoint: &'static str,
    request: &T,
) -> Result<Vec<(String, String)>, Error> {
    use serde_json::Value;
    let value = serde_json::to_value(request).map_err(|e| encode_error(endpoint, e))?;
    let Value::Object(map) = value else {
        return Ok(Vec::new());
    };
    let mut pairs = Vec::with_capacity(map.len());
    for (name, value) in map {
        match value {
            Value::Null => {}
            Value::Array(items) => {
                pairs.extend(
                    items
                        .into_iter()
                        .map(|item| (name.clone(), scalar_text(item))),
                );
            }
            other => pairs.push((name, scalar_text(other))),
        }
    }
    Ok(pairs)
}

fn scalar_text(value: serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Decodes a success body, naming the path of the first field that does not fit.
pub(crate) fn decode<T: DeserializeOwned>(endpoint: &'static str, body: &[u8]) -> Result<T, Error> {
    // The plain decoder is the fast path; only a body that does not fit is
    // decoded a second time with path tracking, to say where it broke.
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let mut path = e.path().to_string();
        let message = e.into_inner().to_string();
        // A missing field is reported at its parent; name the field itself.
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        {
            path = if path == "." {
                field.to_owned()
            } else {
                format!("{path}.{field}")
            };
        }
        Error::Decode {
            endpoint,
            path,
            message: redact_values(&message),
            body: RawBody::new(body),
        }
    })
}

/// Removes the values serde quotes in its messages (`invalid type: string
/// "…"`, `integer \`…\``), which may be tokens or codes, keeping what was
/// expected and the names of fields.
fn redact_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    loop {
        let string = rest.find("string \"").map(|at| (at + "string ".len(), '"'));
        let number = ["integer `", "floating point `", "character `"]
            .iter()
            .filter_map(|prefix| rest.find(prefix).map(|at| (at + prefix.len() - 1, '`')))
            .min();
        let Some((start, quote)) = [string, number].into_iter().flatten().min() else {
            break;
        };
        let after = &rest[start + 1..];
        // The value ends at the last matching quote before `, expected`
        // (strings may contain quotes themselves), or at the last one at all.
        let scope = after.find(", expected").map_or(after, |end| &after[..end]);
        let Some(end) = scope.rfind(quote) else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str("(value not shown)");
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
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
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

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

    #[test]
    fn decoder_messages_lose_the_values_they_quote() {
        let cases = [
            (
                r#"invalid type: string "tok-1", expected a boolean at line 1 column 9"#,
                "invalid type: string (value not shown), expected a boolean at line 1 column 9",
            ),
            (
                r#"invalid value: string "a "quoted" tok", expected a date"#,
                "invalid value: string (value not shown), expected a date",
            ),
            (
                "invalid type: integer `123456`, expected a string",
                "invalid type: integer (value not shown), expected a string",
            ),
            ("missing field `phone_id`", "missing field `phone_id`"),
            (
                "invalid type: map, expected a string",
                "invalid type: map, expected a string",
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(redact_values(message), expected);
        }
    }

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

    /// A POST the spec marks idempotent.
    #[derive(Serialize)]
    struct Repeatable {
        value: u32,
    }

    impl Endpoint for Repeatable {
        type Response = serde_json::Value;
        const ID: &'static str = "test.repeatable";
        const METHOD: Method = Method::POST;
        const ENCODING: Encoding = Encoding::Json;
        const IDEMPOTENT: bool = true;
        fn path(&self, _project_id: &str) -> Result<String, Error> {
            Ok("/v1/repeatable".to_owned())
        }
    }

    /// The same POST without the mark.
    #[derive(Serialize)]
    struct Once {
        value: u32,
    }

    impl Endpoint for Once {
        type Response = serde_json::Value;
        const ID: &'static str = "test.once";
        const METHOD: Method = Method::POST;
        const ENCODING: Encoding = Encoding::Json;
        fn path(&self, _project_id: &str) -> Result<String, Error> {
            Ok("/v1/once".to_owned())
        }
    }

    /// Answers 503 to the first `failures` requests, then `{"ok": true}`.
    async fn flaky(failures: usize) -> (String, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(AtomicUsize::new(0));
        let count = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let count = count.clone();
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buffer = [0u8; 1024];
                    // Head and the small JSON body arrive before the answer is due.
                    while !String::from_utf8_lossy(&request).contains("{\"value\":7}") {
                        match stream.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buffer[..n]),
                        }
                    }
                    let n = count.fetch_add(1, Ordering::SeqCst);
                    let (status, body) = if n < failures {
                        ("503 Unavailable", "down")
                    } else {
                        ("200 OK", "{\"ok\":true}")
                    };
                    let answer = format!(
                        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(answer.as_bytes()).await;
                });
            }
        });
        (url, seen)
    }

    fn transport(url: &str) -> Transport {
        let policy = RetryPolicy::default()
            .base_delay(Duration::from_millis(1))
            .max_delay(Duration::from_millis(5));
        Transport::new(
            "project-test-1".into(),
            Credentials::Secret("secret"),
            TransportConfig {
                http: reqwest::Client::new(),
                api_base: url.to_owned(),
                telemetry_base: url.to_owned(),
                max_response_size: 1024,
                options: CallOptions {
                    timeout: Duration::from_secs(5),
                    retry: policy,
                },
                auth: crate::auth::AuthConfig::default(),
            },
        )
        .unwrap()
    }

    #[tokio::test]
    async fn idempotent_posts_are_retried_and_others_are_not() {
        let (url, seen) = flaky(2).await;
        let answer = transport(&url).send(&Repeatable { value: 7 }).await;
        assert_eq!(answer.unwrap()["ok"], true);
        assert_eq!(seen.load(Ordering::SeqCst), 3);

        let (url, seen) = flaky(2).await;
        let err = transport(&url).send(&Once { value: 7 }).await.unwrap_err();
        assert_eq!(err.status(), Some(503));
        assert_eq!(err.attempts(), 1);
        assert_eq!(seen.load(Ordering::SeqCst), 1);
    }
}
