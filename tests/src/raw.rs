//! A loopback server that misbehaves on purpose: each connection's request is
//! read and recorded, then a test-supplied script writes whatever bytes it
//! likes to the socket (or nothing at all). It serves redirects with custom
//! headers, answers that never come, bodies that dribble in byte by byte and
//! bodies that never end.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::Recorded;

/// A loopback server on 127.0.0.1 with a random port, running a script per
/// connection. It stops accepting when dropped.
pub struct RawServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    connections: Arc<Mutex<usize>>,
    task: tokio::task::JoinHandle<()>,
}

impl RawServer {
    /// Starts the server. For every connection it reads one request (head and
    /// `Content-Length` body), records it, and hands it with the socket to
    /// `script`, which answers (or not) and returns when done with the
    /// connection; the connection is then closed.
    pub async fn start<F, Fut>(script: F) -> Self
    where
        F: Fn(Recorded, TcpStream) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let script = Arc::new(script);
        let (seen, opened) = (requests.clone(), connections.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                *opened.lock().unwrap() += 1;
                let (seen, script) = (seen.clone(), script.clone());
                tokio::spawn(async move {
                    if let Some(request) = read_request(&mut stream).await {
                        seen.lock().unwrap().push(request.clone());
                        script(request, stream).await;
                    }
                });
            }
        });
        RawServer {
            addr,
            requests,
            connections,
            task,
        }
    }

    /// A server that accepts connections, reads the request and never answers.
    pub async fn silent() -> Self {
        Self::start(|_, stream| async move {
            std::future::pending::<()>().await;
            drop(stream);
        })
        .await
    }

    /// A server answering every request with this status, extra headers and body.
    pub async fn answering(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Self {
        let response = response_bytes(status, headers, body);
        Self::start(move |_, mut stream| {
            let response = response.clone();
            async move {
                let _ = stream.write_all(&response).await;
                let _ = stream.shutdown().await;
            }
        })
        .await
    }

    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request read so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// How many connections were accepted so far (whether or not a request
    /// was read on them).
    pub fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The bytes of a complete HTTP/1.1 response with `Content-Length` and
/// `Connection: close`.
pub fn response_bytes(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status} Status\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Writes `bytes` one at a time, pausing `pause` before each.
pub async fn dribble(stream: &mut TcpStream, bytes: &[u8], pause: Duration) {
    for byte in bytes {
        tokio::time::sleep(pause).await;
        if stream.write_all(&[*byte]).await.is_err() {
            return;
        }
    }
}

/// Reads one request: the head up to the blank line, then `Content-Length`
/// bytes of body.
async fn read_request(stream: &mut TcpStream) -> Option<Recorded> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (target, None),
    };
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    Some(Recorded {
        method,
        path,
        query,
        headers,
        body,
    })
}
