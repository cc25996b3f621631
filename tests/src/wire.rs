//! The harness behind the generated `tests/endpoints.rs`: for one endpoint
//! it starts two loopback servers (main API and telemetry host), queues a full
//! and a minimal sample response, and afterwards checks that the two requests
//! the SDK sent match what the spec says: host, method, percent-encoded path,
//! query string or body, and headers.
//!
//! Expectations are computed here from the spec model and the shared
//! [`samples`](stytch_codegen::samples), independently of the SDK's runtime.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use serde_json::{Map, Value, json};
use stytch_codegen::model::{Api, Encoding, Endpoint, Host, Location, Namespace, WireFormat};
use stytch_codegen::products::{self, Auth};
use stytch_codegen::samples::{Sample, Samples, TIMESTAMP};

use crate::{MockServer, Recorded, Reply, basic_auth};

/// Project id the test clients use.
pub const PROJECT_ID: &str = "project-test-00000000-0000-4000-8000-000000000000";
/// Secret the test clients use.
pub const SECRET: &str = "secret-test-sample";
/// Public token of the clients of products that authenticate with one.
pub const PUBLIC_TOKEN: &str = "public-token-test-00000000-0000-4000-8000-000000000000";

/// The spec model, loaded once per test binary.
pub fn api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    API.get_or_init(|| {
        let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        stytch_codegen::model(&spec).unwrap_or_else(|e| panic!("spec does not load: {e}"))
    })
}

/// The sample timestamp as a value.
pub fn timestamp() -> time::OffsetDateTime {
    crate::timestamp(TIMESTAMP)
}

/// The sample member session credentials.
pub fn member_session() -> stytch_sdk::MemberSessionAuth {
    stytch_sdk::MemberSessionAuth {
        session_token: Some("member-session-token".to_owned()),
        session_jwt: Some("member-session-jwt".to_owned()),
    }
}

/// Finds an endpoint and its namespace by dotted id.
pub fn endpoint(id: &str) -> (&'static Namespace, &'static Endpoint) {
    fn find<'a>(namespaces: &'a [Namespace], id: &str) -> Option<(&'a Namespace, &'a Endpoint)> {
        namespaces.iter().find_map(|ns| {
            ns.endpoints
                .iter()
                .find(|e| e.id == id)
                .map(|e| (ns, e))
                .or_else(|| find(&ns.children, id))
        })
    }
    api()
        .verticals
        .iter()
        .find_map(|v| find(&v.namespaces, id))
        .unwrap_or_else(|| panic!("no endpoint `{id}` in the spec"))
}

/// The JSON form of a sample.
pub fn to_json(sample: &Sample) -> Value {
    match sample {
        Sample::Str(s) => json!(s),
        Sample::Int(i) => json!(i),
        Sample::Num(n) => json!(n),
        Sample::Bool(b) => json!(b),
        Sample::Timestamp => json!(TIMESTAMP),
        Sample::Json(name) => json!({ "sample": name }),
        Sample::List(inner) => json!([to_json(inner)]),
        Sample::Map(inner) => json!({ "key": to_json(inner) }),
        Sample::EmptyList => json!([]),
        Sample::EmptyMap => json!({}),
        Sample::Enum { wire, .. } => json!(wire),
        Sample::Object { fields, .. } => Value::Object(
            fields
                .iter()
                .filter_map(|(info, value)| Some((info.name.clone(), to_json(value.as_ref()?))))
                .collect(),
        ),
        Sample::Session => Value::Null,
    }
}

/// A response body for the endpoint: every field, or only the non-nilable ones.
pub fn response(endpoint: &Endpoint, full: bool) -> Value {
    let samples = Samples::new(api());
    let mut body = Map::new();
    for f in endpoint.response.iter().filter(|f| full || !f.nilable) {
        let value = to_json(&samples.value(&f.ty, &f.name, full, 0));
        match value {
            // The keys of a `rest` field sit beside the other fields.
            Value::Object(extra) if f.rest => body.extend(extra),
            value => {
                body.insert(f.name.clone(), value);
            }
        }
    }
    if endpoint.response.is_empty() {
        body.insert("active".into(), json!(true));
    }
    Value::Object(body)
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode_segment(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// What the SDK must send for the endpoint's sample request.
#[derive(Debug)]
pub struct Expected {
    /// HTTP method.
    pub method: String,
    /// Encoded path.
    pub path: String,
    /// Body or query parameters.
    pub params: BTreeMap<String, Value>,
    /// Member session headers, when the endpoint takes them.
    pub headers: Vec<(String, String)>,
}

/// Computes the expected request from the spec.
pub fn expected(endpoint: &Endpoint) -> Expected {
    let samples = Samples::new(api());
    let mut path = endpoint.path.clone();
    let mut params = BTreeMap::new();
    let mut headers = Vec::new();
    for p in &endpoint.params {
        let sample = samples.param(p);
        match &p.location {
            Location::Path => {
                // The validator allows string, integer, boolean and enum path parameters.
                let value = match &sample {
                    Sample::Str(value) => value.clone(),
                    Sample::Int(value) => value.to_string(),
                    Sample::Bool(value) => value.to_string(),
                    Sample::Enum { wire, .. } => wire.to_string(),
                    _ => panic!(
                        "path parameter {} is not a string, integer, boolean or enum",
                        p.name
                    ),
                };
                path = path.replace(&format!("{{{}}}", p.name), &encode_segment(&value));
            }
            Location::Header { token, jwt } => {
                let session = member_session();
                headers.push((
                    token.to_ascii_lowercase(),
                    session.session_token.unwrap_or_default(),
                ));
                headers.push((
                    jwt.to_ascii_lowercase(),
                    session.session_jwt.unwrap_or_default(),
                ));
            }
            Location::Query | Location::Body => {
                let value = match (p.format, &sample) {
                    (Some(WireFormat::SpaceSeparated), Sample::List(item)) => {
                        let Sample::Str(item) = item.as_ref() else {
                            panic!(
                                "space-separated parameter {} is not a list of strings",
                                p.name
                            )
                        };
                        json!(item)
                    }
                    _ => to_json(&sample),
                };
                params.insert(p.name.clone(), value);
            }
            // Evaluated by the SDK, never sent.
            Location::Local => {}
        }
    }
    path = path.replace("{project_id}", &encode_segment(PROJECT_ID));
    Expected {
        method: endpoint.http.clone(),
        path,
        params,
        headers,
    }
}

/// Flattens parameters the way a query string or form body carries them.
fn as_pairs(params: &BTreeMap<String, Value>) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (name, value) in params {
        let items = match value {
            Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        };
        for item in items {
            let text = match item {
                Value::String(s) => s,
                other => other.to_string(),
            };
            pairs.push((name.clone(), text));
        }
    }
    pairs.sort();
    pairs
}

/// One endpoint under test.
pub struct Case {
    endpoint: &'static Endpoint,
    host: Host,
    api: MockServer,
    telemetry: MockServer,
}

impl Case {
    /// Starts both servers and queues a full, then a minimal response on the endpoint's host.
    pub async fn start(id: &str) -> Case {
        let (ns, endpoint) = endpoint(id);
        let case = Case {
            endpoint,
            host: ns.host,
            api: MockServer::start().await,
            telemetry: MockServer::start().await,
        };
        let server = case.target();
        server.reply(Reply::json(200, &response(endpoint, true)));
        server.reply(Reply::json(200, &response(endpoint, false)));
        case
    }

    fn target(&self) -> &MockServer {
        match self.host {
            Host::Api => &self.api,
            Host::Telemetry => &self.telemetry,
        }
    }

    /// A consumer client pointed at the servers.
    pub fn consumer(&self) -> stytch_sdk::Client {
        self.client()
    }

    /// A B2B client pointed at the servers.
    pub fn b2b(&self) -> stytch_sdk::B2BClient {
        self.client()
    }

    /// A SAML Shield client pointed at the API server.
    pub fn samlshield(&self) -> stytch_sdk::SamlShieldClient {
        stytch_sdk::SamlShieldClient::builder(PUBLIC_TOKEN)
            .api_url(self.api.url())
            .build()
            .expect("client builds")
    }

    /// A Management API client pointed at the API server, with the test
    /// credentials as its workspace key.
    pub fn management(&self) -> stytch_sdk::ManagementClient {
        stytch_sdk::ManagementClient::builder(PROJECT_ID, SECRET)
            .api_url(self.api.url())
            .build()
            .expect("client builds")
    }

    fn client<C: stytch_sdk::BuildClient>(&self) -> C {
        self.api
            .client_builder(PROJECT_ID, SECRET)
            .telemetry_url(self.telemetry.url())
            .build()
            .expect("client builds")
    }

    /// Checks both requests against the spec.
    pub fn verify(&self) {
        let other = match self.host {
            Host::Api => &self.telemetry,
            Host::Telemetry => &self.api,
        };
        assert!(
            other.requests().is_empty(),
            "{}: request went to the wrong host",
            self.endpoint.id
        );
        let requests = self.target().requests();
        assert_eq!(
            requests.len(),
            2,
            "{}: expected two requests",
            self.endpoint.id
        );
        let expected = expected(self.endpoint);
        for request in &requests {
            self.check(request, &expected);
        }
    }

    fn check(&self, request: &Recorded, expected: &Expected) {
        let id = &self.endpoint.id;
        assert_eq!(request.method, expected.method, "{id}: method");
        assert_eq!(request.path, expected.path, "{id}: path");
        let product = id.split('.').next().and_then(products::product);
        let authorization = match product.map(|p| p.auth) {
            Some(Auth::PublicToken) => format!("Bearer {PUBLIC_TOKEN}"),
            // The harness uses the same pair as workspace key id and secret.
            Some(Auth::ProjectSecret | Auth::WorkspaceKey) | None => basic_auth(PROJECT_ID, SECRET),
        };
        assert_eq!(
            request.header("authorization"),
            Some(authorization.as_str()),
            "{id}: credentials"
        );
        assert_eq!(
            request.header("user-agent"),
            Some(stytch_sdk::USER_AGENT),
            "{id}: user agent"
        );
        for (name, value) in &expected.headers {
            assert_eq!(
                request.header(name),
                Some(value.as_str()),
                "{id}: header {name}"
            );
        }
        match self.endpoint.encoding {
            Encoding::Json => {
                assert_eq!(
                    request.header("content-type"),
                    Some("application/json"),
                    "{id}: content type"
                );
                assert_eq!(
                    request.query, None,
                    "{id}: a JSON endpoint sends no query string"
                );
                let body = request.json();
                let expected_body: Map<String, Value> =
                    expected.params.clone().into_iter().collect();
                assert_eq!(body, Value::Object(expected_body), "{id}: JSON body");
            }
            Encoding::Query => {
                assert!(
                    request.body.is_empty(),
                    "{id}: a query endpoint sends no body"
                );
                let mut pairs = request.query_pairs();
                pairs.sort();
                assert_eq!(pairs, as_pairs(&expected.params), "{id}: query string");
            }
            Encoding::Form => {
                assert_eq!(
                    request.header("content-type"),
                    Some("application/x-www-form-urlencoded"),
                    "{id}: content type"
                );
                let mut pairs = request.form_pairs();
                pairs.sort();
                assert_eq!(pairs, as_pairs(&expected.params), "{id}: form body");
            }
        }
    }
}
