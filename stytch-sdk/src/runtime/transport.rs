//! The transport: sends one endpoint call (again, where the retry policy
//! allows), bounds each attempt in time and size, refuses redirects and
//! reports every call as one `tracing` span.

use std::fmt;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::header::{
    AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION, RETRY_AFTER,
    USER_AGENT,
};
use reqwest::{Method, Url};
use tracing::Instrument as _;

use super::endpoint::{Encoding, Endpoint, Host};
use super::errors::{error_from_body, http_error, kind};
use super::options::RequestOptions;
use super::wire::{body_request_id, decode, encode_error, flatten};
use crate::error::Error;
use crate::retry::parse_retry_after;

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
    options: RequestOptions,
}

struct Inner {
    http: reqwest::Client,
    project_id: String,
    /// The API host (and any path prefix), parsed once: each call only
    /// appends its path to a copy.
    api_base: Url,
    telemetry_base: Url,
    /// `Basic base64(project_id:secret)` (or the public token as a bearer
    /// token), marked sensitive; none for a client without credentials.
    authorization: Option<HeaderValue>,
    /// Largest response body read, in bytes.
    max_response_size: usize,
}

/// Everything [`Transport::new`] needs besides the credentials.
pub(crate) struct TransportConfig {
    pub(crate) http: reqwest::Client,
    pub(crate) api_base: String,
    pub(crate) telemetry_base: String,
    pub(crate) max_response_size: usize,
    pub(crate) options: RequestOptions,
}

/// A request ready to go, independent of its Rust type.
struct Prepared {
    endpoint: &'static str,
    method: Method,
    encoding: Encoding,
    /// The JSON body (a shared buffer: each attempt's copy is a reference count).
    params: Bytes,
    pairs: Vec<(String, String)>,
    /// What the endpoint itself adds (member-session headers); usually empty.
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
        Ok(Self {
            inner: Arc::new(Inner {
                http: config.http,
                project_id,
                api_base: base_url("api_url", &config.api_base)?,
                telemetry_base: base_url("telemetry_url", &config.telemetry_base)?,
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

    /// The options every call of this handle uses.
    pub(crate) fn options(&self) -> &RequestOptions {
        &self.options
    }

    /// A handle on the same connections with other (checked) options.
    pub(crate) fn with_options(&self, options: RequestOptions) -> Self {
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
        let mut headers = HeaderMap::new();
        request.headers(&mut headers)?;
        let base = match E::HOST {
            Host::Api => &self.inner.api_base,
            Host::Telemetry => &self.inner.telemetry_base,
        };
        let (params, pairs) = match E::ENCODING {
            Encoding::Json => {
                // Most request bodies fit, so the buffer is allocated once
                // instead of doubling its way up from a few bytes.
                let mut body = Vec::with_capacity(JSON_BODY_CAPACITY);
                serde_json::to_writer(&mut body, request).map_err(|e| encode_error(E::ID, e))?;
                (Bytes::from(body), Vec::new())
            }
            Encoding::Query | Encoding::Form => (Bytes::new(), flatten(E::ID, request)?),
        };
        let prepared = Prepared {
            endpoint: E::ID,
            method: E::METHOD,
            encoding: E::ENCODING,
            params,
            pairs,
            headers,
            repeatable: E::METHOD == Method::GET || E::IDEMPOTENT,
        };
        let url = endpoint_url(base, &path);
        let (status, body) = self.execute(prepared, url).await?;
        let mut response = decode(E::ID, &body)?;
        E::fill_http_status(&mut response, status);
        Ok(response)
    }

    /// The non-generic part of a call: sends the request (again, where the
    /// retry policy allows), bounds every attempt in time and size, maps error
    /// statuses and reports the call as one `tracing` span.
    async fn execute(&self, request: Prepared, url: Url) -> Result<(u16, Bytes), Error> {
        let span = tracing::debug_span!(
            "stytch.request",
            endpoint = request.endpoint,
            method = %request.method,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            attempts = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        // Without a subscriber that wants the span, the call is only sent:
        // no clock reading, no span entered on each poll.
        if span.is_disabled() {
            return self
                .attempts(request, url, false)
                .await
                .map(|(body, _)| body);
        }
        let endpoint = request.endpoint;
        let started = Instant::now();
        let result = self
            .attempts(request, url, true)
            .instrument(span.clone())
            .await;
        {
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

    /// One attempt's request: the client's credentials, user agent and
    /// content type, the handle's extra headers (reserved names were refused
    /// when the options were made), the endpoint's own headers, and the
    /// encoded parameters. Built anew for each attempt, so the success path
    /// builds one request and copies nothing for retries that never come.
    fn build(&self, request: &Prepared, url: Url) -> Result<reqwest::Request, Error> {
        let builder = self.inner.http.request(request.method.clone(), url);
        let builder = match request.encoding {
            Encoding::Json => builder.body(request.params.clone()),
            Encoding::Query => builder.query(&request.pairs),
            Encoding::Form => builder.form(&request.pairs),
        };
        let mut built = builder
            .build()
            .map_err(|source| http_error(request.endpoint, source))?;
        // Straight into the request's own map: no second map to merge. Room
        // for reqwest's `accept` too, so that the map never grows.
        let headers = built.headers_mut();
        headers.reserve(HEADERS_SET + self.options.headers.len() + request.headers.len());
        if let Some(authorization) = &self.inner.authorization {
            headers.insert(AUTHORIZATION, authorization.clone());
        }
        headers.insert(USER_AGENT, HeaderValue::from_static(crate::USER_AGENT));
        if request.encoding == Encoding::Json {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        for (name, value) in self.options.headers.iter().chain(&request.headers) {
            headers.insert(name.clone(), value.clone());
        }
        Ok(built)
    }

    /// Sends until an attempt succeeds, fails for good, or the attempts run out.
    /// `traced`: whether the call's span is enabled (and so worth recording into).
    async fn attempts(
        &self,
        request: Prepared,
        url: Url,
        traced: bool,
    ) -> Result<((u16, Bytes), u32), Error> {
        let policy = self.options.retry;
        let max_attempts = if request.repeatable {
            policy.max_attempts.max(1)
        } else {
            1
        };
        let mut attempt = 1;
        // Attempts that may be followed by another send a copy of the URL ...
        while attempt < max_attempts {
            match self.attempt_in_time(&request, url.clone(), traced).await {
                Ok(body) => return Ok((body, attempt)),
                Err(e) if !e.is_retryable() => return Err(e.with_attempts(attempt)),
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
            attempt += 1;
        }
        // ... the last one (on the success path usually the only one) the URL itself.
        match self.attempt_in_time(&request, url, traced).await {
            Ok(body) => Ok((body, attempt)),
            Err(e) => Err(e.with_attempts(attempt)),
        }
    }

    /// One attempt, built from `request` for `url` and bounded by the handle's
    /// timeout. Not an `async fn`: the request is built and handed to the
    /// HTTP client before the returned future exists, so that future keeps
    /// neither the URL nor the built request, only the client's own small
    /// future (every layer of a call's future is part of the caller's).
    fn attempt_in_time(
        &self,
        request: &Prepared,
        url: Url,
        traced: bool,
    ) -> impl Future<Output = Result<(u16, Bytes), Error>> + Send + '_ {
        let endpoint = request.endpoint;
        let sent = self
            .build(request, url)
            .map(|this| self.inner.http.execute(this));
        async move {
            let sent = sent?;
            tokio::time::timeout(self.options.timeout, self.attempt(endpoint, sent, traced))
                .await
                .unwrap_or_else(|_| {
                    Err(Error::Timeout {
                        endpoint,
                        timeout: self.options.timeout,
                        attempts: 0,
                    })
                })
        }
    }

    /// One attempt: waits for the answer to the request `sent`, reads the
    /// body up to the size limit and maps the status.
    async fn attempt(
        &self,
        endpoint: &'static str,
        sent: impl Future<Output = reqwest::Result<reqwest::Response>>,
        traced: bool,
    ) -> Result<(u16, Bytes), Error> {
        let mut response = sent.await.map_err(|source| http_error(endpoint, source))?;
        let status = response.status();
        if traced {
            let span = tracing::Span::current();
            span.record("status", status.as_u16());
            if let Some(id) = response
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
            {
                span.record("request_id", id);
            }
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
        let body = read_body(endpoint, &mut response, self.inner.max_response_size).await?;
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

/// Bytes first set aside for a JSON request body (it grows past this when needed).
const JSON_BODY_CAPACITY: usize = 512;

/// Headers a request carries besides the caller's and the endpoint's:
/// authorization, user agent, content type, and reqwest's `accept`.
const HEADERS_SET: usize = 4;

/// The header in which Stytch returns the id of the request.
const REQUEST_ID: HeaderName = HeaderName::from_static("request-id");

/// A base URL as the transport keeps it: parsed, its path without a
/// trailing `/`. (The client builder has already refused bad ones.)
fn base_url(name: &str, url: &str) -> Result<Url, Error> {
    let mut parsed =
        Url::parse(url).map_err(|e| Error::Config(format!("{name} does not parse ({e})")))?;
    let path = parsed.path().trim_end_matches('/').to_owned();
    parsed.set_path(&path);
    Ok(parsed)
}

/// The URL of one call: the base with the endpoint's (already encoded) path
/// appended, as if the two had been written one after the other.
fn endpoint_url(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    match base.path() {
        // A host without a path prefix (the usual case): the path as it is.
        "/" => url.set_path(path),
        prefix => url.set_path(&format!("{prefix}{path}")),
    }
    url
}

/// Reads a whole response body, failing once it grows past `limit` bytes
/// (before reading anything when `Content-Length` already says so).
async fn read_body(
    endpoint: &'static str,
    response: &mut reqwest::Response,
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

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("project_id", &self.inner.project_id)
            .field("api_base", &self.inner.api_base.as_str())
            .field("telemetry_base", &self.inner.telemetry_base.as_str())
            .field("max_response_size", &self.inner.max_response_size)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retry::RetryPolicy;
    use serde::Serialize;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

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
                options: RequestOptions::new(Duration::from_secs(5), policy),
            },
        )
        .unwrap()
    }

    #[test]
    fn a_call_url_is_the_base_followed_by_the_path() {
        for (base, expected) in [
            (
                "http://127.0.0.1:8080",
                "http://127.0.0.1:8080/v1/users/user%2F1",
            ),
            (
                "http://127.0.0.1:8080/",
                "http://127.0.0.1:8080/v1/users/user%2F1",
            ),
            (
                "https://proxy.example/stytch/",
                "https://proxy.example/stytch/v1/users/user%2F1",
            ),
            (
                "https://proxy.example/a%20b",
                "https://proxy.example/a%20b/v1/users/user%2F1",
            ),
        ] {
            let base = base_url("api_url", base).unwrap();
            let url = endpoint_url(&base, "/v1/users/user%2F1");
            assert_eq!(url.as_str(), expected);
            // The same URL the joined text parses to.
            let joined = format!("{}/v1/users/user%2F1", base.as_str().trim_end_matches('/'));
            assert_eq!(url, Url::parse(&joined).unwrap());
        }
        let err = base_url("api_url", "not a url").unwrap_err();
        assert!(err.to_string().contains("api_url does not parse"), "{err}");
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
