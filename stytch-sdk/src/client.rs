//! Client construction: credentials, hosts, timeouts and the HTTP client.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use crate::error::Error;
use crate::runtime::Transport;

/// Main API host of live projects (`project-live-…`).
pub const LIVE_API_URL: &str = "https://api.stytch.com";
/// Main API host of test projects.
pub const TEST_API_URL: &str = "https://test.stytch.com";
/// Host of the fraud and risk endpoints.
pub const TELEMETRY_URL: &str = "https://telemetry.stytch.com";

/// Client for the consumer product (users, sessions, OTPs, …).
///
/// Cloning is cheap (one reference count); share one client across tasks.
#[cfg(feature = "consumer")]
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) transport: Transport,
}

/// Client for the B2B product (organizations, members, SSO, …).
///
/// Cloning is cheap (one reference count); share one client across tasks.
#[cfg(feature = "b2b")]
#[derive(Clone, Debug)]
pub struct B2BClient {
    pub(crate) transport: Transport,
}

/// A client type that [`ClientBuilder`] can produce.
pub trait BuildClient: sealed::Sealed {}

mod sealed {
    /// Lets only this crate implement [`super::BuildClient`].
    #[allow(private_interfaces)]
    pub trait Sealed: Sized {
        fn from_transport(transport: super::Transport) -> Self;
    }
}

macro_rules! client_impl {
    ($feature:literal, $client:ident) => {
        #[cfg(feature = $feature)]
        #[allow(private_interfaces)]
        impl sealed::Sealed for $client {
            fn from_transport(transport: Transport) -> Self {
                Self { transport }
            }
        }

        #[cfg(feature = $feature)]
        impl BuildClient for $client {}

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
                self.transport.project_id()
            }
        }
    };
}

client_impl!("consumer", Client);
client_impl!("b2b", B2BClient);

/// Configures a [`Client`] or [`B2BClient`].
pub struct ClientBuilder<C> {
    project_id: String,
    secret: String,
    api_url: Option<String>,
    telemetry_url: Option<String>,
    timeout: Option<Duration>,
    http: Option<reqwest::Client>,
    auth: crate::auth::AuthConfig,
    custom_domain: Option<String>,
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
            timeout: None,
            http: None,
            auth: crate::auth::AuthConfig::default(),
            custom_domain: None,
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

    /// Fails any single call that takes longer than this.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Uses this HTTP client (its connection pool, proxy and TLS settings) for every call.
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

    /// Builds the client.
    pub fn build(self) -> Result<C, Error> {
        if self.project_id.is_empty() || self.secret.is_empty() {
            return Err(Error::Config(
                "project id and secret must not be empty".into(),
            ));
        }
        let api_url = self.api_url.unwrap_or_else(|| {
            if self.project_id.starts_with("project-live-") {
                LIVE_API_URL.to_owned()
            } else {
                TEST_API_URL.to_owned()
            }
        });
        let telemetry_url = self
            .telemetry_url
            .unwrap_or_else(|| TELEMETRY_URL.to_owned());
        for url in [&api_url, &telemetry_url] {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(Error::Config(format!(
                    "base URL `{url}` must start with http:// or https://"
                )));
            }
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        let mut auth = self.auth;
        // Tokens issued through the configured API host (a CNAME or custom
        // base URL) name it as their issuer.
        auth.api_issuer = Some(api_url.trim_end_matches('/').to_owned());
        if let Some(domain) = &self.custom_domain {
            auth.custom_domain =
                Some(crate::auth::normalize_domain(domain).map_err(Error::Config)?);
        }
        let transport = Transport::new(
            http,
            self.project_id,
            &self.secret,
            api_url,
            telemetry_url,
            self.timeout,
            auth,
        )?;
        Ok(<C as sealed::Sealed>::from_transport(transport))
    }
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("project_id", &self.project_id)
            .field("secret", &"<redacted>")
            .field("api_url", &self.api_url)
            .field("telemetry_url", &self.telemetry_url)
            .field("timeout", &self.timeout)
            .field("custom_domain", &self.custom_domain)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}
