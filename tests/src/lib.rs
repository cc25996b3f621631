//! Test support: a loopback HTTP server that records what the SDK sends and
//! answers with canned replies, plus the helpers the integration tests share
//! (fixtures, clients pointed at the server, expected headers; see [`support`]),
//! and a server that misbehaves on purpose ([`raw::RawServer`]).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

pub mod raw;
pub mod support;
pub mod wire;

pub use raw::RawServer;
pub use support::{
    assert_json_post, assert_sdk_headers, basic_auth, fixture_bytes, fixture_json, serve_once,
    timestamp,
};

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// HTTP method.
    pub method: String,
    /// Path exactly as sent (still percent-encoded), without the query.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// Raw body.
    pub body: Vec<u8>,
}

impl Recorded {
    /// Value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON (panics with the body text when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Query pairs, percent-decoded, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        form_pairs(self.query.as_deref().unwrap_or_default().as_bytes())
    }

    /// Form body pairs, percent-decoded, in order.
    pub fn form_pairs(&self) -> Vec<(String, String)> {
        form_pairs(&self.body)
    }
}

fn form_pairs(raw: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(raw);
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_component(k), decode_component(v))
        })
        .collect()
}

/// Decodes `application/x-www-form-urlencoded` text (`+` is a space).
pub fn decode_component(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A canned reply.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Content type.
    pub content_type: &'static str,
    /// Body.
    pub body: Vec<u8>,
}

impl Reply {
    /// A JSON reply.
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        Reply {
            status,
            content_type: "application/json",
            body: body.to_string().into_bytes(),
        }
    }

    /// A plain-text reply.
    pub fn text(status: u16, body: &str) -> Self {
        Reply {
            status,
            content_type: "text/html",
            body: body.as_bytes().to_vec(),
        }
    }
}

/// Answers a request when no queued reply is left; see [`MockServer::start_with`].
type Responder = Box<dyn Fn(&Recorded) -> Reply + Send + Sync>;

struct State {
    requests: Vec<Recorded>,
    replies: VecDeque<Reply>,
    responder: Responder,
}

/// A loopback server on 127.0.0.1 with a random port. It answers queued
/// replies in order, then (when none is left) with its responder: a 404 by
/// default, or the closure given to [`MockServer::start_with`]. It records
/// every request and stops when dropped.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl MockServer {
    /// Starts the server; requests beyond the queued replies get a 404.
    pub async fn start() -> Self {
        Self::start_with(|_| Reply::text(404, "no reply queued")).await
    }

    /// Starts the server with a responder that answers every request arriving
    /// when no queued reply is left, e.g. by looking up its path in a route
    /// table the test changes as it goes. The responder runs while the
    /// server's state is locked, so it must not call back into the server.
    pub async fn start_with(
        responder: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(Mutex::new(State {
            requests: Vec::new(),
            replies: VecDeque::new(),
            responder: Box::new(responder),
        }));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    break;
                };
                let state = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req: Request<Incoming>| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(handle(req, &state).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        MockServer { addr, state, task }
    }

    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues a reply.
    pub fn reply(&self, reply: Reply) {
        self.state.lock().unwrap().replies.push_back(reply);
    }

    /// Everything received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Everything received so far for `path` (compared with [`Recorded::path`]).
    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.state
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// How many requests were received for `path` so far.
    pub fn count(&self, path: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|r| r.path == path)
            .count()
    }

    /// The only request received; fails the test when there were none or several.
    pub fn single_request(&self) -> Recorded {
        let requests = self.requests();
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request, got {requests:#?}"
        );
        requests.into_iter().next().unwrap()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(req: Request<Incoming>, state: &Mutex<State>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    let recorded = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    let reply = {
        let mut state = state.lock().unwrap();
        let reply = match state.replies.pop_front() {
            Some(reply) => reply,
            None => (state.responder)(&recorded),
        };
        state.requests.push(recorded);
        reply
    };
    Response::builder()
        .status(reply.status)
        .header("content-type", reply.content_type)
        .body(Full::new(Bytes::from(reply.body)))
        .expect("valid response")
}
