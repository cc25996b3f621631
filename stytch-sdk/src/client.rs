//! Client construction: credentials, hosts, timeouts and the HTTP client.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::AuthState;
use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::runtime::{
    Credentials, Endpoint, Product, RequestOptions, Scheme, Transport, TransportConfig,
};

/// What every handle of a client reaches: the transport that sends its
/// requests and the state of its local token checks (key and policy
/// caches). The client owns both; generated handles borrow the core to send,
/// `auth` borrows it to verify.
#[derive(Clone)]
pub(crate) struct Core {
    /// Sends every request, with this handle's options.
    pub(crate) transport: Transport,
    /// Caches and settings of local verification, shared by every handle.
    pub(crate) auth: Arc<AuthState>,
}

impl Core {
    /// Key and policy caches and settings of local token verification.
    pub(crate) fn auth(&self) -> &AuthState {
        &self.auth
    }

    /// The project id (or other credential id) the client authenticates as.
    pub(crate) fn project_id(&self) -> &str {
        self.transport.project_id()
    }

    /// Sends one request through the transport (see [`Transport::send`]).
    pub(crate) async fn send<E: Endpoint>(&self, request: &E) -> Result<E::Response, Error> {
        self.transport.send(request).await
    }

    /// The same client with other (checked) request options.
    pub(crate) fn with_options(&self, options: RequestOptions) -> Self {
        Self {
            transport: self.transport.with_options(options),
            auth: Arc::clone(&self.auth),
        }
    }
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.transport, f)
    }
}

/// Main API host of live projects (`project-live-…`).
pub const LIVE_API_URL: &str = "https://api.stytch.com";
/// Main API host of test projects.
pub const TEST_API_URL: &str = "https://test.stytch.com";
/// Host of the fraud and risk endpoints.
pub const TELEMETRY_URL: &str = "https://telemetry.stytch.com";
/// Host of the SAML Shield service.
pub const SAML_SHIELD_URL: &str = "https://api.samlshield.com";
/// Host of the Management API (workspace actions).
pub const MANAGEMENT_URL: &str = "https://management.stytch.com";

/// Default limit for opening a connection (TCP and TLS handshake): 10 seconds.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit for one attempt of a call, from sending the request until
/// the whole response body is read: 30 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit of a response body: 10 MiB.
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 10 * 1024 * 1024;

/// Client for the consumer product (users, sessions, OTPs, …).
///
/// Cloning is cheap (one reference count); share one client across tasks.
#[cfg(feature = "consumer")]
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) core: Core,
}

/// Client for the B2B product (organizations, members, SSO, …).
///
/// Cloning is cheap (one reference count); share one client across tasks.
#[cfg(feature = "b2b")]
#[derive(Clone, Debug)]
pub struct B2BClient {
    pub(crate) core: Core,
}

/// Client for SAML Shield, Stytch's service that checks SAML responses
/// before your service provider trusts them. It authenticates with the
/// project's public token (no secret) and talks to its own host
/// ([`SAML_SHIELD_URL`]).
///
/// ```no_run
/// # async fn run(saml_response: String) -> Result<(), stytch_sdk::Error> {
/// use stytch_sdk::samlshield::saml::ValidateRequest;
///
/// let shield = stytch_sdk::SamlShieldClient::new("public-token-live-…")?;
/// shield.saml().validate(ValidateRequest::new(saml_response)).await?;
/// # Ok(()) }
/// ```
///
/// Cloning is cheap (one reference count); share one client across tasks.
#[cfg(feature = "samlshield")]
#[derive(Clone, Debug)]
pub struct SamlShieldClient {
    pub(crate) core: Core,
}

/// Client for the Stytch Management API: the workspace-level API that
/// creates and configures projects and their environments (secrets, public
/// tokens, redirect URLs, email and JWT templates, password strength, RBAC
/// policy, SDK settings, country allowlists, event log streaming, trusted
/// token profiles). Use it to provision projects from code or CI and to keep
/// settings such as redirect URLs and the RBAC policy in version control.
///
/// It authenticates with a workspace management key, which a workspace admin
/// creates in the Stytch dashboard (Workspace settings, Management API): its
/// key id and secret are sent as HTTP Basic credentials. An OAuth access token
/// for the workspace works too ([`ManagementClient::with_access_token`]). The
/// host is [`MANAGEMENT_URL`]; point [`ClientBuilder::api_url`] elsewhere for
/// a proxy or a test server.
///
/// ```no_run
/// # async fn run() -> Result<(), stytch_sdk::Error> {
/// use stytch_sdk::management::redirect_urls::GetAllRequest;
///
/// let management = stytch_sdk::ManagementClient::new("workspace-key-id", "workspace-key-secret")?;
/// let urls = management
///     .redirect_urls()
///     .get_all(GetAllRequest::new("my-project", "production"))
///     .await?;
/// for url in urls.redirect_urls {
///     println!("{}", url.url);
/// }
/// # Ok(()) }
/// ```
///
/// The example `management_reconcile` keeps a project's redirect URLs and
/// RBAC policy in line with a file in the repository.
///
/// Cloning is cheap (one reference count); share one client across tasks.
#[cfg(feature = "management")]
#[derive(Clone, Debug)]
pub struct ManagementClient {
    pub(crate) core: Core,
}

/// A client type that [`ClientBuilder`] can produce.
pub trait BuildClient: sealed::Sealed {}

mod sealed {
    /// Lets only this crate implement [`super::BuildClient`].
    #[allow(private_interfaces)]
    pub trait Sealed: Sized {
        /// The product of the client, from the generated product table:
        /// credentials, default host.
        fn product() -> crate::runtime::Product;
        fn from_core(core: super::Core) -> Self;
    }
}

/// What every client type has: the sealed construction hook and per-call
/// variants of the transport limits.
macro_rules! client_common {
    ($feature:literal, $client:ident) => {
        #[cfg(feature = $feature)]
        impl BuildClient for $client {}

        #[cfg(feature = $feature)]
        impl $client {
            /// A handle whose calls use other [`RequestOptions`]: a timeout,
            /// a retry policy, extra headers. `change` gets this handle's
            /// options. It shares connections and caches with `self`; making
            /// one costs a reference count and a copy of the options. Fails
            /// with [`Error::Config`] naming a header that is reserved or
            /// invalid.
            ///
            /// ```no_run
            /// # use std::time::Duration;
            #[doc = concat!("# fn run(client: stytch_sdk::", stringify!($client), ") -> Result<(), stytch_sdk::Error> {")]
            /// let handle = client.with_options(|o| {
            ///     o.timeout(Duration::from_secs(2)).header("x-correlation-id", "job-42")
            /// })?;
            /// # let _ = handle; Ok(()) }
            /// ```
            pub fn with_options(
                &self,
                change: impl FnOnce(RequestOptions) -> RequestOptions,
            ) -> Result<Self, Error> {
                let options = change(self.core.transport.options().clone()).checked()?;
                Ok(Self {
                    core: self.core.with_options(options),
                })
            }

            /// A handle whose calls use another per-attempt timeout (see
            /// [`ClientBuilder::timeout`]). It shares connections and caches
            /// with `self`: `client.with_timeout(Duration::from_secs(2))`.
            pub fn with_timeout(&self, timeout: Duration) -> Self {
                let options = self.core.transport.options().clone().timeout(timeout);
                Self {
                    core: self.core.with_options(options),
                }
            }

            /// A handle whose calls use another retry policy (see
            /// [`ClientBuilder::retry`]); shares connections and caches with `self`.
            pub fn with_retry(&self, retry: RetryPolicy) -> Self {
                let options = self.core.transport.options().clone().retry(retry);
                Self {
                    core: self.core.with_options(options),
                }
            }
        }
    };
}

client_common!("consumer", Client);
client_common!("b2b", B2BClient);
client_common!("samlshield", SamlShieldClient);
client_common!("management", ManagementClient);

#[cfg(feature = "management")]
#[allow(private_interfaces)]
impl sealed::Sealed for ManagementClient {
    fn product() -> Product {
        crate::management::PRODUCT
    }
    fn from_core(core: Core) -> Self {
        Self { core }
    }
}

#[cfg(feature = "management")]
impl ManagementClient {
    /// Creates a client with default settings from a workspace management
    /// key (its id and its secret, both from the Stytch dashboard).
    pub fn new(
        workspace_key_id: impl Into<String>,
        workspace_key_secret: impl Into<String>,
    ) -> Result<Self, Error> {
        Self::builder(workspace_key_id, workspace_key_secret).build()
    }

    /// Starts configuring a client that authenticates with a workspace
    /// management key (host, timeouts, retries, HTTP client).
    pub fn builder(
        workspace_key_id: impl Into<String>,
        workspace_key_secret: impl Into<String>,
    ) -> ClientBuilder<Self> {
        ClientBuilder::new(workspace_key_id, workspace_key_secret)
    }

    /// Creates a client with default settings that authenticates with an
    /// access token for the workspace, sent as a bearer token.
    pub fn with_access_token(access_token: impl Into<String>) -> Result<Self, Error> {
        Self::access_token_builder(access_token).build()
    }

    /// Starts configuring a client that authenticates with an access token.
    pub fn access_token_builder(access_token: impl Into<String>) -> ClientBuilder<Self> {
        let mut builder = ClientBuilder::new("", "");
        builder.access_token = Some(access_token.into());
        builder
    }
}

#[cfg(feature = "samlshield")]
#[allow(private_interfaces)]
impl sealed::Sealed for SamlShieldClient {
    fn product() -> Product {
        crate::samlshield::PRODUCT
    }
    fn from_core(core: Core) -> Self {
        Self { core }
    }
}

#[cfg(feature = "samlshield")]
impl SamlShieldClient {
    /// Creates a client with default settings for the project's public token.
    pub fn new(public_token: impl Into<String>) -> Result<Self, Error> {
        Self::builder(public_token).build()
    }

    /// Starts configuring a client (host, timeouts, retries, HTTP client);
    /// the builder's secret stays empty, as SAML Shield needs none.
    pub fn builder(public_token: impl Into<String>) -> ClientBuilder<Self> {
        ClientBuilder::new(public_token, "")
    }
}

macro_rules! client_impl {
    ($feature:literal, $client:ident, $product:expr) => {
        #[cfg(feature = $feature)]
        #[allow(private_interfaces)]
        impl sealed::Sealed for $client {
            fn product() -> Product {
                $product
            }
            fn from_core(core: Core) -> Self {
                Self { core }
            }
        }

        #[cfg(feature = $feature)]
        impl $client {
            /// Creates a client with default settings. The API host follows from the
            /// project id: `project-live-…` uses the live host, anything else the test host.
            pub fn new(
                project_id: impl Into<String>,
                secret: impl Into<String>,
            ) -> Result<Self, Error> {
                Self::builder(project_id, secret).build()
            }

            /// Starts configuring a client (hosts, timeout, HTTP client).
            pub fn builder(
                project_id: impl Into<String>,
                secret: impl Into<String>,
            ) -> ClientBuilder<Self> {
                ClientBuilder::new(project_id, secret)
            }

            /// The project id this client authenticates as.
            pub fn project_id(&self) -> &str {
                self.core.project_id()
            }
        }
    };
}

client_impl!("consumer", Client, crate::consumer::PRODUCT);
client_impl!("b2b", B2BClient, crate::b2b::PRODUCT);

/// Configures a [`Client`] or [`B2BClient`].
pub struct ClientBuilder<C> {
    project_id: String,
    secret: String,
    api_url: Option<String>,
    telemetry_url: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    max_response_size: usize,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
    auth: crate::auth::AuthConfig,
    custom_domain: Option<String>,
    /// A bearer token used instead of the id and secret (Management API).
    access_token: Option<String>,
    client: PhantomData<fn() -> C>,
}

impl<C: BuildClient> ClientBuilder<C> {
    /// Starts from a project id and secret with the default hosts.
    pub fn new(project_id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            project_id: project_id.into(),
            secret: secret.into(),
            api_url: None,
            telemetry_url: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            retry: RetryPolicy::default(),
            http: None,
            auth: crate::auth::AuthConfig::default(),
            custom_domain: None,
            access_token: None,
            client: PhantomData,
        }
    }

    /// Sends main API calls to this base URL instead (a proxy, a custom domain, a test server).
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.api_url = Some(url.into());
        self
    }

    /// Sends fraud and risk calls to this base URL instead.
    pub fn telemetry_url(mut self, url: impl Into<String>) -> Self {
        self.telemetry_url = Some(url.into());
        self
    }

    /// Fails an attempt that has not received its whole response within this
    /// time, counted from sending the request (connecting included) until the
    /// last byte of the body. Each retry gets the time anew. Applies to every
    /// call, including the key set and RBAC policy fetches of token
    /// verification, and also when you pass your own HTTP client.
    /// Default: [`DEFAULT_TIMEOUT`] (30 s). Per call: [`Client::with_timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Fails a connection that is not established (TCP and TLS) within this
    /// time. Default: [`DEFAULT_CONNECT_TIMEOUT`] (10 s). It configures the
    /// built-in HTTP client only; with [`http_client`](Self::http_client),
    /// set it on your own client (the request timeout still bounds it).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Largest response body read, in bytes; a longer one fails the call with
    /// [`Error::ResponseTooLarge`] after reading at most this much.
    /// Default: [`DEFAULT_MAX_RESPONSE_SIZE`] (10 MiB).
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// How calls that failed in a transient way are repeated; see
    /// [`RetryPolicy`] (default: 3 attempts, 100 ms base delay, 5 s cap, for
    /// GET and idempotent endpoints only). `RetryPolicy::disabled()` turns
    /// retries off. Per call: [`Client::with_retry`].
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Uses this HTTP client (its connection pool, proxy and TLS settings) for
    /// every call.
    ///
    /// Build it with `redirect(reqwest::redirect::Policy::none())`: the SDK
    /// turns redirect answers into [`Error::Redirect`], but a client that
    /// follows redirects itself sends the request, with its member session
    /// headers, to wherever the redirect points before the SDK sees it.
    /// The connect timeout of this builder does not apply to your client.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Also accepts session JWTs issued under this custom domain (such as
    /// `login.example.com`, the domain your Stytch project serves auth from),
    /// in addition to the default issuer `stytch.com/<project_id>`. Both the
    /// bare host and `https://<host>` are then accepted as `iss`.
    pub fn custom_domain(mut self, domain: impl Into<String>) -> Self {
        self.custom_domain = Some(domain.into());
        self
    }

    /// How long the project's signing keys (JWKS) are trusted before they are
    /// fetched again. Default: 10 minutes.
    pub fn jwks_max_age(mut self, max_age: Duration) -> Self {
        self.auth.jwks_max_age = max_age;
        self
    }

    /// Shortest time between two key set fetches caused by a token whose key
    /// id is not in the cache; tokens with other unknown key ids are rejected
    /// meanwhile. This keeps forged key ids from turning into API calls.
    /// Default: 30 seconds.
    pub fn jwks_refresh_interval(mut self, interval: Duration) -> Self {
        self.auth.jwks_refresh_interval = interval;
        self
    }

    /// How long the cached RBAC policy is used before it is fetched again.
    /// Default: 5 minutes.
    pub fn rbac_policy_max_age(mut self, max_age: Duration) -> Self {
        self.auth.policy_max_age = max_age;
        self
    }

    /// How long past its max age a cached key set or RBAC policy (project
    /// or organization) is still used while fetching a new one fails. Past
    /// that, verifications that need it fail with
    /// [`AuthError::Fetch`](crate::auth::AuthError::Fetch). Zero disables
    /// the grace period. Default: 30 minutes.
    pub fn cache_grace_period(mut self, grace: Duration) -> Self {
        self.auth.cache_grace = grace;
        self
    }

    /// After a failed key set or policy fetch, no new fetch starts for
    /// `initial`; each further failure in a row doubles the wait, up to
    /// `max`. Calls meanwhile get the last fetch error (or the cached copy
    /// within the grace period) without waiting. Default: 1 second, at most
    /// 30 seconds.
    pub fn fetch_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.auth.fetch_backoff = crate::auth::cache_backoff(initial, max);
        self
    }

    /// How many organizations' custom RBAC roles (B2B) are kept; beyond
    /// that the least recently used organization is dropped and fetched
    /// again when next needed. Default: 1024.
    pub fn org_policy_cache_capacity(mut self, capacity: usize) -> Self {
        self.auth.org_policy_capacity = capacity.max(1);
        self
    }

    /// Builds the client after checking the configuration: the project id must
    /// be non-empty and free of `:` (it is the user name of the Basic
    /// credentials), the secret non-empty, and both base URLs absolute
    /// `http`/`https` URLs without query or fragment.
    pub fn build(self) -> Result<C, Error> {
        let kind = if self.access_token.is_some() {
            Kind::Bearer
        } else if C::product().scheme == Scheme::PublicToken {
            Kind::PublicToken
        } else {
            Kind::Secret
        };
        let core = self.core(kind)?;
        Ok(<C as sealed::Sealed>::from_core(core))
    }

    /// The transport and auth state of the configuration, after checking it.
    fn core(self, kind: Kind) -> Result<Core, Error> {
        let product = C::product();
        let [id_name, secret_name] = product.credential_names;
        if kind == Kind::Bearer {
            if self.access_token.as_deref().is_none_or(str::is_empty) {
                return Err(Error::Config("access token must not be empty".into()));
            }
        } else if kind == Kind::PublicToken {
            if self.project_id.is_empty() {
                return Err(Error::Config("public token must not be empty".into()));
            }
        } else {
            if self.project_id.is_empty() {
                return Err(Error::Config(format!("{id_name} must not be empty")));
            }
            if self.project_id.contains(':') {
                return Err(Error::Config(format!(
                    "{id_name} must not contain `:` (it would make the Basic credentials ambiguous)"
                )));
            }
            if kind == Kind::Secret && self.secret.is_empty() {
                return Err(Error::Config(format!("{secret_name} must not be empty")));
            }
        }
        let api_url = self
            .api_url
            .unwrap_or_else(|| (product.default_host)(&self.project_id).to_owned());
        let telemetry_url = self
            .telemetry_url
            .unwrap_or_else(|| TELEMETRY_URL.to_owned());
        check_base_url("api_url", &api_url)?;
        check_base_url("telemetry_url", &telemetry_url)?;
        #[cfg(not(any(feature = "rustls", feature = "native-tls")))]
        if self.http.is_none()
            && [&api_url, &telemetry_url]
                .iter()
                .any(|u| u.to_ascii_lowercase().starts_with("https:"))
        {
            return Err(Error::Config(
                "https URLs need the `rustls` or `native-tls` feature (or your own HTTP client)"
                    .into(),
            ));
        }
        let http = match self.http {
            Some(http) => http,
            None => {
                let builder = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .connect_timeout(self.connect_timeout);
                #[cfg(all(feature = "rustls", not(feature = "native-tls")))]
                let builder = builder.tls_backend_rustls();
                #[cfg(feature = "native-tls")]
                let builder = builder.tls_backend_native();
                builder
                    .build()
                    .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?
            }
        };
        let mut auth = self.auth;
        auth.fetch_timeout = self.timeout;
        // Tokens issued through the configured API host (a CNAME or custom
        // base URL) name it as their issuer.
        auth.api_issuer = Some(api_url.trim_end_matches('/').to_owned());
        if let Some(domain) = &self.custom_domain {
            auth.custom_domain =
                Some(crate::auth::normalize_domain(domain).map_err(Error::Config)?);
        }
        let credentials = match kind {
            Kind::Bearer => Credentials::Bearer(self.access_token.as_deref().unwrap_or_default()),
            Kind::PublicToken => Credentials::PublicToken,
            Kind::Secret => Credentials::Secret(&self.secret),
            Kind::Nothing => Credentials::Nothing,
        };
        let auth = Arc::new(AuthState::new(&self.project_id, auth));
        let transport = Transport::new(
            self.project_id,
            credentials,
            TransportConfig {
                http,
                api_base: api_url,
                telemetry_base: telemetry_url,
                max_response_size: self.max_response_size,
                options: RequestOptions::new(self.timeout, self.retry),
            },
        )?;
        Ok(Core { transport, auth })
    }
}

/// Which credentials a built transport sends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The project id and secret (HTTP Basic).
    Secret,
    /// The public token as a bearer token.
    PublicToken,
    /// None: public endpoints only.
    #[cfg_attr(not(any(feature = "consumer", feature = "b2b")), allow(dead_code))]
    Nothing,
    /// An access token as a bearer token (Management API).
    Bearer,
}

/// The two least-privilege builds of the consumer and B2B builders: a token
/// provider for calling services, a verifier for verifying ones.
macro_rules! least_privilege_builds {
    ($feature:literal, $client:ident, $product:ty, $jwt_options:ident) => {
        #[cfg(feature = $feature)]
        impl ClientBuilder<$client> {
            /// Builds only an [`M2mTokenProvider`](crate::auth::M2mTokenProvider)
            /// for the M2M client `client_id`, with `scopes` (none: the
            /// client's default scopes), for a calling service that needs
            /// nothing else from Stytch.
            ///
            /// It sends no project credentials: the token endpoint
            /// (`POST /v1/public/{project_id}/oauth2/token`) is public and
            /// takes the client credentials in the body, so the builder's
            /// secret is not used (pass an empty one) and the service never
            /// holds the project secret, which can administer the whole
            /// project. Hosts, timeout, retries and the HTTP client come from
            /// this builder as for a client.
            ///
            /// ```no_run
            /// # async fn run() -> Result<(), stytch_sdk::Error> {
            #[doc = concat!("let tokens = stytch_sdk::", stringify!($client), "::builder(\"project-live-…\", \"\")")]
            ///     .build_token_provider("m2m-client-live-…", "client secret", ["read:users"])?;
            /// let bearer = tokens.access_token().await?;
            /// # let _ = bearer; Ok(()) }
            /// ```
            pub fn build_token_provider<I, S>(
                self,
                client_id: impl Into<String>,
                client_secret: impl Into<String>,
                scopes: I,
            ) -> Result<crate::auth::M2mTokenProvider, Error>
            where
                I: IntoIterator<Item = S>,
                S: Into<String>,
            {
                let core = self.core(Kind::Nothing)?;
                Ok(crate::auth::M2mTokenProvider::new::<$product>(
                    core,
                    client_id.into(),
                    client_secret.into(),
                    scopes.into_iter().map(Into::into).collect(),
                ))
            }

            /// Builds a client for local token checks only, from the project
            /// id and the project domain, without the project secret.
            ///
            /// Stytch serves the project's key set without credentials at
            /// `https://<project_domain>/.well-known/jwks.json`. The project
            /// domain is the default one the dashboard shows
            /// (`….customers.stytch.dev`) or your custom domain. The client:
            ///
            /// - fetches its keys from there and sends no `Authorization`
            ///   header, so the builder's secret is not used (pass an empty one);
            /// - sends calls to `https://<project_domain>` unless
            ///   [`api_url`](Self::api_url) says otherwise;
            /// - accepts the domain as a token issuer, like
            ///   [`custom_domain`](Self::custom_domain), besides
            ///   `stytch.com/<project_id>`.
            ///
            /// Use its `_local` checks: `sessions().authenticate_jwt_local`,
            /// `m2m().authenticate_token` and `idp().introspect_token_local`.
            /// Authorization checks need the project's RBAC policy, which
            /// only the project secret can fetch: they fail with
            /// [`Error::Config`] (inside
            /// [`AuthError::Fetch`](crate::auth::AuthError::Fetch)) before
            /// any request. API calls, the fallback of `authenticate_jwt`
            /// included, go out without credentials and Stytch refuses them.
            ///
            /// ```no_run
            /// # async fn run(jwt: &str) -> Result<(), stytch_sdk::Error> {
            #[doc = concat!("use stytch_sdk::auth::", stringify!($jwt_options), ";")]
            ///
            #[doc = concat!("let verifier = stytch_sdk::", stringify!($client), "::builder(\"project-live-…\", \"\")")]
            ///     .build_verifier("login.example.com")?;
            #[doc = concat!("let session = verifier.sessions().authenticate_jwt_local(jwt, &", stringify!($jwt_options), "::new()).await?;")]
            /// # let _ = session; Ok(()) }
            /// ```
            pub fn build_verifier(
                mut self,
                project_domain: impl Into<String>,
            ) -> Result<$client, Error> {
                let domain =
                    crate::auth::normalize_domain(&project_domain.into()).map_err(Error::Config)?;
                if self.api_url.is_none() {
                    self.api_url = Some(format!("https://{domain}"));
                }
                self.custom_domain = Some(domain);
                self.auth.verification_only = true;
                let core = self.core(Kind::Nothing)?;
                Ok(<$client as sealed::Sealed>::from_core(core))
            }
        }
    };
}

least_privilege_builds!(
    "consumer",
    Client,
    crate::consumer::ConsumerProduct,
    SessionJwtOptions
);
least_privilege_builds!(
    "b2b",
    B2BClient,
    crate::b2b::B2bProduct,
    MemberSessionJwtOptions
);

/// Accepts absolute `http`/`https` URLs with a host and without query or fragment.
fn check_base_url(name: &str, url: &str) -> Result<(), Error> {
    let problem = match reqwest::Url::parse(url) {
        Err(e) => format!("does not parse ({e})"),
        Ok(parsed) if !matches!(parsed.scheme(), "http" | "https") => {
            "must use http:// or https://".to_owned()
        }
        Ok(parsed) if parsed.host_str().is_none_or(str::is_empty) => "has no host".to_owned(),
        Ok(parsed) if parsed.query().is_some() || parsed.fragment().is_some() => {
            "must not have a query or fragment".to_owned()
        }
        Ok(_) => return Ok(()),
    };
    // Only up to the path: a query or fragment may hold a token pasted by mistake.
    let shown = crate::error::without_query(url);
    Err(Error::Config(format!("{name} `{shown}` {problem}")))
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("project_id", &self.project_id)
            .field("secret", &"<redacted>")
            .field("api_url", &self.api_url)
            .field("telemetry_url", &self.telemetry_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_response_size", &self.max_response_size)
            .field("retry", &self.retry)
            .field("custom_domain", &self.custom_domain)
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "<redacted>"),
            )
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    /// The public host constants name the hosts the generated product table
    /// chooses by default.
    #[test]
    fn host_constants_match_the_product_table() {
        #[cfg(feature = "consumer")]
        {
            let host = crate::consumer::PRODUCT.default_host;
            assert_eq!(host("project-live-1"), super::LIVE_API_URL);
            assert_eq!(host("project-test-1"), super::TEST_API_URL);
        }
        #[cfg(feature = "b2b")]
        {
            let host = crate::b2b::PRODUCT.default_host;
            assert_eq!(host("project-live-1"), super::LIVE_API_URL);
            assert_eq!(host("project-test-1"), super::TEST_API_URL);
        }
        #[cfg(feature = "samlshield")]
        assert_eq!(
            (crate::samlshield::PRODUCT.default_host)("public-token-1"),
            super::SAML_SHIELD_URL
        );
        #[cfg(feature = "management")]
        assert_eq!(
            (crate::management::PRODUCT.default_host)("key-1"),
            super::MANAGEMENT_URL
        );
    }
}
