//! An offline stand-in for the Stytch API, for testing code that uses the SDK
//! (cargo feature `test-util`).
//!
//! [`MockStytch::start`] runs a small HTTP server on a loopback port. Clients
//! from [`MockStytch::client`] / [`MockStytch::b2b_client`] send every call
//! there. Each endpoint answers the way a test tells it to, keyed by the
//! endpoint's request type:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), stytch_sdk::Error> {
//! use serde_json::json;
//! use stytch_sdk::consumer::otps::sms::{LoginOrCreateRequest, LoginOrCreateResponse};
//! use stytch_sdk::test_util::{MockError, MockStytch};
//!
//! let mock = MockStytch::start().await;
//! mock.on::<LoginOrCreateRequest>().respond_json(json!({
//!     "user_id": "user-test-1",
//!     "phone_id": "phone-number-test-1",
//!     "user_created": false
//! }));
//!
//! // The code under test:
//! let client = mock.client();
//! let sent = client.otps().sms().login_or_create(LoginOrCreateRequest::new("+12025550123")).await?;
//! assert_eq!(sent.phone_id, "phone-number-test-1");
//!
//! // What the code sent, as typed requests:
//! let calls = mock.calls::<LoginOrCreateRequest>();
//! assert_eq!(calls[0].phone_number, "+12025550123");
//!
//! // A Stytch error instead:
//! mock.on::<LoginOrCreateRequest>().fail(MockError::new(429, "too_many_requests", "slow down"));
//! let error = client.otps().sms().login_or_create(LoginOrCreateRequest::new("+12025550123")).await;
//! assert!(matches!(error, Err(stytch_sdk::Error::Api(e)) if e.error_type == "too_many_requests"));
//! # Ok(()) }
//! ```
//!
//! A call to an endpoint nobody configured fails with a Stytch-shaped 404 whose
//! `error_type` is `mock_not_configured` and whose message names the endpoint
//! id; [`MockStytch::unmatched`] lists such calls. A request that does not
//! decode as its type fails with a 400 `mock_invalid_request`. Calls are
//! matched by method and path template; a few endpoints exist in both products
//! under the same method and path (M2M clients, for one): the configured one
//! answers, the consumer one when both are.
//!
//! The mock also serves what local token verification needs: the JWKS of
//! both products and the public key set of the project domain (one RSA key,
//! made when the mock starts; `mock.builder::<Client>().build_verifier(..)`
//! makes a verification-only client of it), the RBAC policy
//! ([`MockStytch::set_policy`]) and, for B2B, organizations without custom
//! roles (answer `GetOrgPolicyRequest` yourself to give one some). Tokens
//! that `authenticate_jwt` cannot decide locally (expired, too old) go to
//! `sessions.authenticate` as they would against Stytch, so a test of such a
//! token configures that endpoint's answer too. [`MockStytch::session_jwt`] and
//! [`MockStytch::m2m_token`] sign tokens with that key, so
//! `sessions().authenticate_jwt(..)` and `m2m().authenticate_token(..)` work
//! offline.

mod decode;
pub mod fixtures;
#[cfg(feature = "management")]
mod management;
mod policy;
mod server;
mod tokens;

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub use policy::{stytch_default_b2b_policy, stytch_default_consumer_policy};
pub use tokens::SessionClaims;

use crate::runtime::Endpoint;
use decode::Field;
#[cfg(feature = "management")]
pub use management::{MOCK_WORKSPACE_KEY_ID, MOCK_WORKSPACE_KEY_SECRET};

/// One endpoint as the mock matches it; the generated route tables list them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Route {
    /// Endpoint id, such as `consumer.otps.authenticate`.
    pub(crate) id: &'static str,
    /// HTTP method, upper case.
    pub(crate) method: &'static str,
    /// Path template with `{name}` placeholders.
    pub(crate) path: &'static str,
    /// Request field, token header and JWT header of the member session, when
    /// the endpoint takes one.
    pub(crate) member_session: Option<(&'static str, &'static str, &'static str)>,
}

/// The route tables of the products compiled in, consumer first.
const ROUTE_TABLES: &[&[Route]] = &[
    #[cfg(feature = "consumer")]
    crate::consumer::MOCK_ROUTES,
    #[cfg(feature = "b2b")]
    crate::b2b::MOCK_ROUTES,
    #[cfg(feature = "samlshield")]
    crate::samlshield::MOCK_ROUTES,
    #[cfg(feature = "management")]
    crate::management::MOCK_ROUTES,
];

/// Every route the mock knows, consumer first.
fn routes() -> impl Iterator<Item = &'static Route> {
    ROUTE_TABLES.iter().flat_map(|table| table.iter())
}

mod sealed {
    pub trait Sealed {}
}

/// A request type the mock can answer: every generated `…Request` type.
///
/// The trait is sealed (the generated code implements it); it gives the mock
/// the endpoint id and the type of the answer.
pub trait MockEndpoint:
    sealed::Sealed + Serialize + DeserializeOwned + Clone + Send + Sync + 'static
{
    /// The answer the endpoint decodes.
    type Response: Serialize + DeserializeOwned + Send + 'static;
    /// Dotted endpoint id, such as `consumer.otps.authenticate`.
    const ENDPOINT_ID: &'static str;
}

#[allow(private_bounds)]
impl<E> sealed::Sealed for E where E: Endpoint {}

/// A Stytch-shaped error the mock answers with (see [`Expectation::fail`]).
///
/// ```
/// use std::time::Duration;
/// use stytch_sdk::test_util::MockError;
///
/// let slow_down = MockError::new(429, "too_many_requests", "Too many requests.")
///     .retry_after(Duration::from_secs(30));
/// # let _ = slow_down;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockError {
    /// HTTP status, such as 400 or 429.
    pub status: u16,
    /// Stytch's `error_type`, such as `otp_code_not_found`.
    pub error_type: String,
    /// Stytch's `error_message`.
    pub error_message: String,
    /// Sent as the `Retry-After` header, in whole seconds (rounded up), when set.
    pub retry_after: Option<Duration>,
}

impl MockError {
    /// An error with this status, `error_type` and message.
    pub fn new(status: u16, error_type: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            error_type: error_type.into(),
            error_message: message.into(),
            retry_after: None,
        }
    }

    /// Sends a `Retry-After` header with the error, as Stytch does with 429s;
    /// the client reads it back as [`Error::retry_after`](crate::Error::retry_after).
    pub fn retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    fn answer(&self, request_id: &str) -> Answer {
        Answer::Json {
            status: self.status,
            body: self.body(request_id),
            retry_after: self.retry_after,
        }
    }

    fn body(&self, request_id: &str) -> Value {
        json!({
            "status_code": self.status,
            "request_id": request_id,
            "error_type": self.error_type,
            "error_message": self.error_message,
            "error_url": format!("https://stytch.com/docs/api/errors/{}#{}", self.status, self.error_type),
        })
    }
}

/// A call that reached the mock without a configured answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedCall {
    /// HTTP method.
    pub method: String,
    /// Path as received (without the query string).
    pub path: String,
    /// Ids of the endpoints the method and path belong to; empty when none does.
    pub endpoints: Vec<&'static str>,
}

/// How the mock answers one request.
pub(crate) enum Answer {
    /// A JSON body with this status, and a `Retry-After` header when set.
    Json {
        status: u16,
        body: Value,
        retry_after: Option<Duration>,
    },
    /// No answer at all, until the mock is dropped: the client runs into its timeout.
    Hang,
    /// The connection is closed without an answer.
    Disconnect,
}

impl Answer {
    fn ok(body: Value) -> Self {
        Answer::Json {
            status: 200,
            body,
            retry_after: None,
        }
    }
}

/// What a configured endpoint makes of one decoded request.
enum Reply {
    /// A success body; `status_code` and `request_id` are added when missing.
    Body(Value),
    /// A Stytch error.
    Error(MockError),
    /// A transport failure instead of an answer.
    Fault(Answer),
}

impl From<Result<Value, MockError>> for Reply {
    fn from(result: Result<Value, MockError>) -> Self {
        match result {
            Ok(body) => Reply::Body(body),
            Err(error) => Reply::Error(error),
        }
    }
}

/// A configured endpoint: decodes the received fields and answers.
type Handler = Arc<dyn Fn(&Shared, Vec<(String, Field)>) -> Answer + Send + Sync>;

struct State {
    handlers: HashMap<&'static str, Handler>,
    /// Typed requests received, in arrival order, with their endpoint ids.
    calls: Vec<(&'static str, Arc<dyn Any + Send + Sync>)>,
    unmatched: Vec<UnmatchedCall>,
    requests: u64,
}

/// What the server task and the test share.
pub(crate) struct Shared {
    project_id: String,
    /// Made on first use: generating an RSA key is the slowest part of a start.
    key: std::sync::OnceLock<tokens::SigningKey>,
    key_id: String,
    state: Mutex<State>,
    /// Turns `true` when the mock is dropped, which ends hanging answers.
    stopped: tokio::sync::watch::Sender<bool>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panicking handler closure must not disable the mock for the rest of the test.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn key(&self) -> &tokens::SigningKey {
        self.key
            .get_or_init(|| tokens::SigningKey::generate(self.key_id.clone()))
    }

    fn request_id(&self) -> String {
        let mut state = self.state();
        state.requests += 1;
        format!("request-id-test-mock-{}", state.requests)
    }
}

/// The project id of the clients the mock hands out.
pub const MOCK_PROJECT_ID: &str = "project-test-00000000-0000-4000-8000-000000000000";
/// The secret of the clients the mock hands out.
pub const MOCK_SECRET: &str = "secret-test-mock";
/// The public token of the SAML Shield clients the mock hands out.
#[cfg(feature = "samlshield")]
pub const MOCK_PUBLIC_TOKEN: &str = "public-token-test-00000000-0000-4000-8000-000000000000";

/// A loopback stand-in for the Stytch API; see the [module docs](self).
///
/// Stops serving when dropped. Must be started inside a tokio runtime.
pub struct MockStytch {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

impl MockStytch {
    /// Starts the mock on a free loopback port, with a fresh signing key and
    /// an empty RBAC policy.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("the Stytch mock binds a loopback port");
        let addr = listener
            .local_addr()
            .expect("a bound socket has an address");
        let shared = Arc::new(Shared {
            project_id: MOCK_PROJECT_ID.to_owned(),
            key: std::sync::OnceLock::new(),
            key_id: format!("jwk-test-mock-{}", addr.port()),
            state: Mutex::new(State {
                handlers: HashMap::new(),
                calls: Vec::new(),
                unmatched: Vec::new(),
                requests: 0,
            }),
            stopped: tokio::sync::watch::Sender::new(false),
        });
        let server = tokio::spawn(server::serve(listener, Arc::clone(&shared)));
        let mock = Self {
            shared,
            addr,
            server,
        };
        mock.serve_keys();
        mock.set_policy(json!({"roles": [], "resources": [], "scopes": []}));
        // Every organization starts without custom roles; B2B checks merge
        // them into the project policy, so they must have an answer.
        #[cfg(feature = "b2b")]
        mock.on::<crate::b2b::rbac::organizations::GetOrgPolicyRequest>()
            .respond_json(json!({"org_policy": {"roles": []}}));
        mock
    }

    /// The base URL of the mock (`http://127.0.0.1:<port>`), for
    /// [`ClientBuilder::api_url`](crate::ClientBuilder::api_url) when building a client yourself.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The project id the mock's clients use and its tokens are issued for.
    pub fn project_id(&self) -> &str {
        &self.shared.project_id
    }

    /// A client builder for the mock's project with both hosts pointed at the
    /// mock, to change other settings before building.
    pub fn builder<C: crate::BuildClient>(&self) -> crate::ClientBuilder<C> {
        crate::ClientBuilder::new(MOCK_PROJECT_ID, MOCK_SECRET)
            .api_url(self.url())
            .telemetry_url(self.url())
    }

    /// A consumer client talking to the mock.
    #[cfg(feature = "consumer")]
    pub fn client(&self) -> crate::Client {
        self.builder()
            .build()
            .expect("the mock's client settings are valid")
    }

    /// A B2B client talking to the mock.
    #[cfg(feature = "b2b")]
    pub fn b2b_client(&self) -> crate::B2BClient {
        self.builder()
            .build()
            .expect("the mock's client settings are valid")
    }

    /// A SAML Shield client talking to the mock (it authenticates with
    /// [`MOCK_PUBLIC_TOKEN`]).
    #[cfg(feature = "samlshield")]
    pub fn samlshield_client(&self) -> crate::SamlShieldClient {
        crate::SamlShieldClient::builder(MOCK_PUBLIC_TOKEN)
            .api_url(self.url())
            .build()
            .expect("the mock's client settings are valid")
    }

    /// Starts configuring the answer of the endpoint of request type `E`.
    /// A new answer replaces the previous one.
    pub fn on<E: MockEndpoint>(&self) -> Expectation<'_, E> {
        Expectation {
            mock: self,
            endpoint: PhantomData,
        }
    }

    /// Removes the answer of the endpoint of `E`: its calls fail with
    /// `mock_not_configured` again.
    pub fn clear<E: MockEndpoint>(&self) {
        self.shared.state().handlers.remove(E::ENDPOINT_ID);
    }

    /// The requests received for the endpoint of `E`, decoded, oldest first.
    /// Path parameters come from the URL and member sessions from the headers.
    pub fn calls<E: MockEndpoint>(&self) -> Vec<E> {
        self.shared
            .state()
            .calls
            .iter()
            .filter(|(id, _)| *id == E::ENDPOINT_ID)
            .filter_map(|(_, call)| call.downcast_ref::<E>().cloned())
            .collect()
    }

    /// How many requests the endpoint of `E` received.
    pub fn call_count<E: MockEndpoint>(&self) -> usize {
        let state = self.shared.state();
        state
            .calls
            .iter()
            .filter(|(id, _)| *id == E::ENDPOINT_ID)
            .count()
    }

    /// Ids of every endpoint called, in arrival order (calls without an answer excluded).
    pub fn called_endpoints(&self) -> Vec<&'static str> {
        self.shared
            .state()
            .calls
            .iter()
            .map(|(id, _)| *id)
            .collect()
    }

    /// Calls that found no configured answer, oldest first.
    pub fn unmatched(&self) -> Vec<UnmatchedCall> {
        self.shared.state().unmatched.clone()
    }

    /// Serves this RBAC policy from the consumer and B2B policy endpoints
    /// (the `policy` object: `roles`, `resources`, `scopes`), as JSON or as
    /// the generated `models::rbac::Policy`. The default policy is empty and
    /// grants nothing; [`MockStytch::serve_stytch_default_policy`] serves
    /// Stytch's predefined roles and resources instead. A client caches the policy it fetched (see
    /// `rbac_policy_max_age`), so set it before the first check.
    ///
    /// # Panics
    ///
    /// When the policy does not serialize.
    pub fn set_policy(&self, policy: impl Serialize) {
        let policy = serde_json::to_value(policy).expect("the RBAC policy serializes to JSON");
        #[cfg(feature = "consumer")]
        self.on::<crate::consumer::rbac::PolicyRequest>()
            .respond_json(json!({ "policy": policy.clone() }));
        #[cfg(feature = "b2b")]
        self.on::<crate::b2b::rbac::PolicyRequest>()
            .respond_json(json!({ "policy": policy }));
        #[cfg(not(any(feature = "consumer", feature = "b2b")))]
        let _ = policy;
    }

    /// Serves the policies a new Stytch project starts with, Stytch's
    /// predefined roles and resources: [`stytch_default_consumer_policy`]
    /// from the consumer policy endpoint and [`stytch_default_b2b_policy`]
    /// from the B2B one. With it, `stytch_admin` members may act on
    /// `stytch.member`, and `stytch_member` ones only on `stytch.self`.
    pub fn serve_stytch_default_policy(&self) {
        #[cfg(feature = "consumer")]
        self.on::<crate::consumer::rbac::PolicyRequest>()
            .respond_json(json!({ "policy": stytch_default_consumer_policy() }));
        #[cfg(feature = "b2b")]
        self.on::<crate::b2b::rbac::PolicyRequest>()
            .respond_json(json!({ "policy": stytch_default_b2b_policy() }));
    }

    fn serve_keys(&self) {
        #[cfg(feature = "consumer")]
        self.install::<crate::consumer::sessions::GetJwksRequest>(|shared, _| {
            Ok(json!({ "keys": [shared.key().jwk()] }))
        });
        #[cfg(feature = "b2b")]
        self.install::<crate::b2b::sessions::GetJwksRequest>(|shared, _| {
            Ok(json!({ "keys": [shared.key().jwk()] }))
        });
    }

    /// The public half of the mock's signing key, as a JWK (what the JWKS endpoints list).
    pub fn jwk(&self) -> Value {
        self.shared.key().jwk()
    }

    /// A session JWT signed with the mock's key, for the mock's project:
    /// `sessions().authenticate_jwt` of a mock client verifies it locally.
    pub fn session_jwt(&self, claims: &SessionClaims) -> String {
        self.shared
            .key()
            .sign(&claims.to_json(&self.shared.project_id))
    }

    /// An M2M access token of `client_id` with these scopes, valid for one
    /// hour, signed with the mock's key: `m2m().authenticate_token` of a mock
    /// client verifies it.
    pub fn m2m_token<I, S>(&self, client_id: &str, scopes: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let scopes: Vec<String> = scopes.into_iter().map(Into::into).collect();
        self.shared.key().sign(&tokens::m2m_claims(
            &self.shared.project_id,
            client_id,
            &scopes,
        ))
    }

    /// Any claims, signed with the mock's key (RS256, the key's `kid`): for
    /// tokens the helpers above do not make.
    pub fn sign_claims(&self, claims: &Value) -> String {
        self.shared.key().sign(claims)
    }

    fn install<E: MockEndpoint>(
        &self,
        answer: impl Fn(&Shared, &E) -> Result<Value, MockError> + Send + Sync + 'static,
    ) {
        self.install_reply::<E>(move |shared, request| answer(shared, request).into());
    }

    fn install_reply<E: MockEndpoint>(
        &self,
        answer: impl Fn(&Shared, &E) -> Reply + Send + Sync + 'static,
    ) {
        let handler: Handler = Arc::new(move |shared: &Shared, fields| {
            let request_id = shared.request_id();
            let request: E = match decode::decode(fields) {
                Ok(request) => request,
                Err(message) => {
                    let error = MockError::new(
                        400,
                        "mock_invalid_request",
                        format!(
                            "the mock could not read the request of {} as its type: {message}",
                            E::ENDPOINT_ID
                        ),
                    );
                    return error.answer(&request_id);
                }
            };
            shared
                .state()
                .calls
                .push((E::ENDPOINT_ID, Arc::new(request.clone())));
            match answer(shared, &request) {
                Reply::Body(mut body) => {
                    if let Some(object) = body.as_object_mut() {
                        object.entry("status_code").or_insert(json!(200));
                        object.entry("request_id").or_insert(json!(request_id));
                    }
                    Answer::ok(body)
                }
                Reply::Error(error) => error.answer(&request_id),
                Reply::Fault(fault) => fault,
            }
        });
        self.shared.state().handlers.insert(E::ENDPOINT_ID, handler);
    }
}

impl Drop for MockStytch {
    fn drop(&mut self) {
        self.shared.stopped.send_replace(true);
        self.server.abort();
    }
}

impl fmt::Debug for MockStytch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockStytch")
            .field("url", &self.url())
            .field("project_id", &self.shared.project_id)
            .finish_non_exhaustive()
    }
}

/// Configures how the endpoint of request type `E` answers; from [`MockStytch::on`].
///
/// Each method replaces the endpoint's previous answer.
#[must_use = "an expectation does nothing until `respond`, `respond_json`, `respond_with` or `fail` is called"]
pub struct Expectation<'m, E> {
    mock: &'m MockStytch,
    endpoint: PhantomData<fn() -> E>,
}

impl<E: MockEndpoint> Expectation<'_, E> {
    /// Answers every call with this response.
    ///
    /// # Panics
    ///
    /// When the response does not serialize.
    pub fn respond(self, response: E::Response) {
        let body = serde_json::to_value(&response).expect("a generated response serializes");
        self.mock.install::<E>(move |_, _| Ok(body.clone()));
    }

    /// Answers every call with this JSON body, as the Stytch API documents it.
    /// `status_code` and `request_id` are added when missing.
    ///
    /// # Panics
    ///
    /// Right here, when the body does not decode as `E::Response` (a missing
    /// required field, a wrong type), naming the field.
    pub fn respond_json(self, body: Value) {
        if let Err(error) = check_body::<E>(&body) {
            panic!("the canned response of {error}");
        }
        self.mock.install::<E>(move |_, _| Ok(body.clone()));
    }

    /// Answers each call with the JSON body the closure makes of the typed,
    /// decoded request, or with a [`MockError`]. As with
    /// [`respond_json`](Self::respond_json), `status_code` and `request_id`
    /// are added when missing, so the body is what the API reference shows.
    ///
    /// A body that does not decode as `E::Response` is answered with a 500
    /// `mock_invalid_response` error whose message names the field.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), stytch_sdk::Error> {
    /// use serde_json::json;
    /// use stytch_sdk::consumer::magic_links::email::LoginOrCreateRequest;
    /// use stytch_sdk::test_util::MockStytch;
    ///
    /// let mock = MockStytch::start().await;
    /// mock.on::<LoginOrCreateRequest>().respond_json_with(|request| {
    ///     let created = request.email.ends_with("@new.example.com");
    ///     Ok(json!({"user_id": "user-test-1", "email_id": "email-test-1", "user_created": created}))
    /// });
    /// let sent = mock
    ///     .client()
    ///     .magic_links()
    ///     .email()
    ///     .login_or_create(LoginOrCreateRequest::new("ada@new.example.com"))
    ///     .await?;
    /// assert!(sent.user_created);
    /// # Ok(()) }
    /// ```
    pub fn respond_json_with<F>(self, answer: F)
    where
        F: Fn(&E) -> Result<Value, MockError> + Send + Sync + 'static,
    {
        self.mock.install::<E>(move |_, request| {
            let body = answer(request)?;
            check_body::<E>(&body).map_err(|message| {
                MockError::new(
                    500,
                    "mock_invalid_response",
                    format!("the answer of {message}"),
                )
            })?;
            Ok(body)
        });
    }

    /// Never answers: every call runs into the client's request timeout
    /// ([`Error::Timeout`](crate::Error::Timeout)), as when Stytch hangs. A
    /// short [`ClientBuilder::timeout`](crate::ClientBuilder::timeout) on
    /// [`MockStytch::builder`] keeps such a test fast.
    pub fn time_out(self) {
        self.mock
            .install_reply::<E>(|_, _| Reply::Fault(Answer::Hang));
    }

    /// Closes the connection without answering: every call fails as when
    /// Stytch cannot be reached ([`Error::Http`](crate::Error::Http)).
    pub fn disconnect(self) {
        self.mock
            .install_reply::<E>(|_, _| Reply::Fault(Answer::Disconnect));
    }

    /// Answers each call with what the closure makes of the typed, decoded
    /// request: a response, or a [`MockError`] that the client receives as
    /// `Error::Api`.
    pub fn respond_with<F>(self, answer: F)
    where
        F: Fn(&E) -> Result<E::Response, MockError> + Send + Sync + 'static,
    {
        self.mock.install::<E>(move |_, request| {
            let response = answer(request)?;
            Ok(serde_json::to_value(&response).expect("a generated response serializes"))
        });
    }

    /// Answers every call with this Stytch error.
    pub fn fail(self, error: MockError) {
        self.mock.install::<E>(move |_, _| Err(error.clone()));
    }
}

/// Checks that `body`, completed as the mock sends it, decodes as the
/// response of `E`; the error names the endpoint and the field.
fn check_body<E: MockEndpoint>(body: &Value) -> Result<(), String> {
    let mut checked = body.clone();
    if let Some(object) = checked.as_object_mut() {
        object.entry("status_code").or_insert(json!(200));
        object
            .entry("request_id")
            .or_insert(json!("request-id-test-mock"));
    }
    let bytes = checked.to_string();
    crate::runtime::decode::<E::Response>(E::ENDPOINT_ID, bytes.as_bytes())
        .map(drop)
        .map_err(|error| format!("{} does not fit its type: {error}", E::ENDPOINT_ID))
}

/// A route whose template fits a received path: the route, the values of its
/// placeholders, and how many literal segments matched.
type Candidate = (&'static Route, Vec<(String, String)>, usize);

/// How the mock answers one received request.
pub(crate) fn answer(
    shared: &Shared,
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: &hyper::HeaderMap,
    body: &[u8],
) -> Answer {
    // The project domain's public key set, for clients built with
    // `build_verifier` (not an API endpoint, so in no route table).
    #[cfg(any(feature = "consumer", feature = "b2b"))]
    if method == "GET" && path == crate::auth::PUBLIC_JWKS_PATH {
        return Answer::ok(json!({ "keys": [shared.key().jwk()] }));
    }
    let segments: Vec<String> = path
        .split('/')
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let mut candidates: Vec<Candidate> = routes()
        .filter(|r| r.method == method)
        .filter_map(|r| {
            let template: Vec<&str> = r.path.split('/').collect();
            if template.len() != segments.len() {
                return None;
            }
            let mut params = Vec::new();
            let mut literal = 0;
            for (part, segment) in template.iter().zip(&segments) {
                match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                    Some(name) if !segment.is_empty() => {
                        params.push((name.to_owned(), segment.clone()));
                    }
                    Some(_) => return None,
                    None if part == segment => literal += 1,
                    None => return None,
                }
            }
            Some((r, params, literal))
        })
        .collect();
    // The most specific template wins: `/v1/users/search` over `/v1/users/{user_id}`.
    candidates.sort_by_key(|(_, _, literal)| std::cmp::Reverse(*literal));
    let configured = {
        let state = shared.state();
        candidates.iter().find_map(|(route, params, _)| {
            state
                .handlers
                .get(route.id)
                .map(|h| (*route, params.clone(), Arc::clone(h)))
        })
    };
    let Some((route, params, handler)) = configured else {
        let endpoints: Vec<&'static str> = candidates.iter().map(|(r, _, _)| r.id).collect();
        let (error_type, message) = if endpoints.is_empty() {
            (
                "mock_unknown_endpoint",
                format!("no Stytch endpoint is {method} {path}"),
            )
        } else {
            (
                "mock_not_configured",
                format!(
                    "the mock has no answer for {} ({method} {path}); configure one with `mock.on::<…Request>()`",
                    endpoints.join(" or ")
                ),
            )
        };
        shared.state().unmatched.push(UnmatchedCall {
            method: method.to_owned(),
            path: path.to_owned(),
            endpoints,
        });
        let error = MockError::new(404, error_type, message);
        return error.answer(&shared.request_id());
    };

    let mut fields: Vec<(String, Field)> = Vec::new();
    let form = headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if let Some(query) = query {
        decode::text_pairs(query, &mut fields);
    }
    if form {
        decode::text_pairs(&String::from_utf8_lossy(body), &mut fields);
    } else if !body.is_empty() {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => {
                fields.extend(map.into_iter().map(|(k, v)| (k, Field::Json(v))));
            }
            _ => {
                let error = MockError::new(
                    400,
                    "mock_invalid_request",
                    format!("the body of {} is not a JSON object", route.id),
                );
                return error.answer(&shared.request_id());
            }
        }
    }
    for (name, value) in params {
        fields.retain(|(n, _)| *n != name);
        fields.push((name, Field::Text(vec![value])));
    }
    if let Some((field, token_header, jwt_header)) = route.member_session {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (token, jwt) = (header(token_header), header(jwt_header));
        if token.is_some() || jwt.is_some() {
            fields.push((
                field.to_owned(),
                Field::Json(json!({"session_token": token, "session_jwt": jwt})),
            ));
        }
    }
    handler(shared, fields)
}

#[cfg(test)]
mod tests;
