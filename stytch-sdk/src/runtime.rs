//! The single request path shared by every generated endpoint.
//!
//! Generated request types implement [`Endpoint`]; the generated namespace
//! methods hand them to [`Transport::send`], which checks constraints, encodes
//! the request, sends it and decodes the answer. Everything after encoding runs
//! through one non-generic function so each endpoint adds almost no code.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Error};

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
    /// Whether the spec marks the endpoint safe to repeat, like a GET.
    #[allow(dead_code)] // read by the retry policy
    const IDEMPOTENT: bool = false;
    /// The path with its placeholders filled in and percent-encoded; `project_id`
    /// fills placeholders that come from the client rather than the request.
    fn path(&self, project_id: &str) -> String;
    /// Checks documented constraints before anything is sent.
    fn check(&self) -> Result<(), Error> {
        Ok(())
    }
    /// Adds per-request headers (the member session of RBAC-checked calls).
    fn headers(&self, _out: &mut HeaderMap) -> Result<(), Error> {
        Ok(())
    }
    /// Applies the request's local-only option (`in: local` in the spec) to the
    /// decoded response; such options are never sent.
    fn finish(
        &self,
        _transport: &Transport,
        response: Self::Response,
    ) -> impl Future<Output = Result<Self::Response, Error>> + Send {
        std::future::ready(Ok(response))
    }
}

/// A cursor-paginated endpoint (`paginate:` in the spec).
pub(crate) trait Paginated: Endpoint + Clone + Send + Sync + 'static {
    /// One item of a page.
    type Item: Send + 'static;
    /// The cursor this request asks for, if any.
    fn cursor(&self) -> Option<&str>;
    /// Asks for the page at `cursor`.
    fn set_cursor(&mut self, cursor: String);
    /// The cursor of the following page, as the response reports it.
    fn next_cursor(response: &Self::Response) -> Option<&str>;
    /// The items of a page.
    fn into_items(response: Self::Response) -> Vec<Self::Item>;
}

/// A request option that the SDK evaluates itself on the response (`in: local`
/// in the spec), implemented by hand for each such option in [`crate::auth`].
pub(crate) trait LocalCheck<R> {
    /// Checks `response` against the option; returns it unchanged when it passes.
    fn apply(
        &self,
        transport: &Transport,
        response: R,
    ) -> impl Future<Output = Result<R, Error>> + Send;
}

/// A list parameter as the wire carries it when the spec says
/// `format: space_separated`.
pub(crate) trait ListParam {
    /// The items, empty when unset.
    fn items(&self) -> &[String];
}

impl ListParam for Vec<String> {
    fn items(&self) -> &[String] {
        self
    }
}

impl ListParam for Option<Vec<String>> {
    fn items(&self) -> &[String] {
        self.as_deref().unwrap_or_default()
    }
}

/// Writes a list as one string with the items separated by single spaces.
pub(crate) fn space_separated<L: ListParam, S: serde::Serializer>(
    list: &L,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&list.items().join(" "))
}

/// Reads a list written by [`space_separated`] back: one string, split at spaces.
/// An empty string is an empty list.
#[cfg(feature = "test-util")]
pub(crate) fn split_spaces<'de, L: From<Vec<String>>, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<L, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(deserializer)?;
    Ok(L::from(
        text.split_whitespace().map(str::to_owned).collect(),
    ))
}

/// Whether an optional list has nothing to send (unset or empty).
pub(crate) fn no_items<L: ListParam>(list: &L) -> bool {
    list.items().is_empty()
}

/// Characters that stay literal in a path segment: RFC 3986 unreserved ones.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes a value for use as one path segment (`/`, space, `+`, `@` ... are escaped).
pub(crate) fn encode(value: &str) -> impl fmt::Display + '_ {
    utf8_percent_encode(value, SEGMENT)
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

/// Shared, cheaply clonable connection state behind every client.
#[derive(Clone)]
pub(crate) struct Transport(Arc<Inner>);

struct Inner {
    http: reqwest::Client,
    project_id: String,
    api_base: String,
    telemetry_base: String,
    /// `Basic base64(project_id:secret)`, marked sensitive.
    authorization: HeaderValue,
    timeout: Option<Duration>,
    /// Key and policy caches of local token verification.
    auth: crate::auth::AuthState,
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
}

impl Transport {
    pub(crate) fn new(
        http: reqwest::Client,
        project_id: String,
        secret: &str,
        api_base: String,
        telemetry_base: String,
        timeout: Option<Duration>,
        auth_config: crate::auth::AuthConfig,
    ) -> Result<Self, Error> {
        use base64::Engine as _;
        let credentials =
            base64::engine::general_purpose::STANDARD.encode(format!("{project_id}:{secret}"));
        let mut auth = HeaderValue::from_str(&format!("Basic {credentials}")).map_err(|_| {
            Error::Config("project id or secret holds characters not allowed in a header".into())
        })?;
        auth.set_sensitive(true);
        let authorization = auth;
        let auth = crate::auth::AuthState::new(&project_id, auth_config);
        Ok(Self(Arc::new(Inner {
            auth,
            http,
            project_id,
            api_base: api_base.trim_end_matches('/').to_owned(),
            telemetry_base: telemetry_base.trim_end_matches('/').to_owned(),
            authorization,
            timeout,
        })))
    }

    /// The project id this client authenticates as.
    pub(crate) fn project_id(&self) -> &str {
        &self.0.project_id
    }

    /// Key and policy caches of local token verification.
    pub(crate) fn auth(&self) -> &crate::auth::AuthState {
        &self.0.auth
    }

    /// Checks, encodes, sends and decodes one endpoint call.
    pub(crate) async fn send<E: Endpoint>(&self, request: &E) -> Result<E::Response, Error> {
        request.check()?;
        // One header map per request: credentials, user agent, content type and
        // whatever the endpoint adds (values are shared buffers, not copies).
        let mut headers = HeaderMap::with_capacity(5);
        headers.insert(AUTHORIZATION, self.0.authorization.clone());
        headers.insert(USER_AGENT, HeaderValue::from_static(crate::USER_AGENT));
        if E::ENCODING == Encoding::Json {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        request.headers(&mut headers)?;
        let base = match E::HOST {
            Host::Api => &self.0.api_base,
            Host::Telemetry => &self.0.telemetry_base,
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
            url: format!("{base}{}", request.path(&self.0.project_id)),
            encoding: E::ENCODING,
            params,
            pairs,
            headers,
        };
        let body = self.execute(prepared).await?;
        let response = decode(E::ID, &body)?;
        request.finish(self, response).await
    }

    /// Every page of a paginated endpoint, from the request's own cursor on.
    ///
    /// The walk ends after a page without a next cursor (absent or empty),
    /// after a page whose next cursor is the one just sent (a server that
    /// would otherwise loop forever), or after the first error, which is the
    /// stream's last item.
    pub(crate) fn pages<E: Paginated>(
        &self,
        request: E,
    ) -> impl futures_core::Stream<Item = Result<E::Response, Error>> + Send + 'static {
        let transport = self.clone();
        futures_util::stream::unfold(Some(request), move |state| {
            let transport = transport.clone();
            async move {
                let mut request = state?;
                match transport.send(&request).await {
                    Ok(page) => {
                        let next = E::next_cursor(&page)
                            .filter(|next| !next.is_empty() && Some(*next) != request.cursor())
                            .map(str::to_owned);
                        let state = next.map(|cursor| {
                            request.set_cursor(cursor);
                            request
                        });
                        Some((Ok(page), state))
                    }
                    Err(error) => Some((Err(error), None)),
                }
            }
        })
    }

    /// The items of every page of a paginated endpoint; see [`Transport::pages`].
    pub(crate) fn items<E: Paginated>(
        &self,
        request: E,
    ) -> impl futures_core::Stream<Item = Result<E::Item, Error>> + Send + 'static {
        use futures_util::TryStreamExt as _;
        self.pages(request)
            .map_ok(|page| futures_util::stream::iter(E::into_items(page).into_iter().map(Ok)))
            .try_flatten()
    }

    /// The non-generic part of a call: sends the request and maps error statuses.
    async fn execute(&self, request: Prepared) -> Result<bytes::Bytes, Error> {
        let endpoint = request.endpoint;
        let http_error = |source| Error::Http { endpoint, source };
        let mut builder = self
            .0
            .http
            .request(request.method, &request.url)
            .headers(request.headers);
        builder = match request.encoding {
            Encoding::Json => builder.body(request.params),
            Encoding::Query => builder.query(&request.pairs),
            Encoding::Form => builder.form(&request.pairs),
        };
        if let Some(timeout) = self.0.timeout {
            builder = builder.timeout(timeout);
        }
        let response = builder.send().await.map_err(http_error)?;
        let status = response.status();
        let body = response.bytes().await.map_err(http_error)?;
        if status.is_success() {
            Ok(body)
        } else {
            Err(error_from_body(endpoint, status.as_u16(), &body))
        }
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("project_id", &self.0.project_id)
            .field("api_base", &self.0.api_base)
            .field("telemetry_base", &self.0.telemetry_base)
            .field("timeout", &self.0.timeout)
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
            message,
            body: String::from_utf8_lossy(body).into_owned(),
        }
    })
}

/// Builds the error for a non-2xx answer: the Stytch error when the body is one,
/// otherwise an [`Error::UnexpectedResponse`] that keeps the body.
pub(crate) fn error_from_body(endpoint: &'static str, status: u16, body: &[u8]) -> Error {
    match serde_json::from_slice::<ApiError>(body) {
        Ok(mut api) => {
            if api.status_code == 0 {
                api.status_code = status;
            }
            api.into()
        }
        Err(_) => Error::UnexpectedResponse {
            endpoint,
            status,
            body: String::from_utf8_lossy(body).into_owned(),
        },
    }
}
