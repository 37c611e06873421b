//! A small HTTP/1.1 server on 127.0.0.1:0 whose answers can fail on purpose (503 first, 404,
//! oversized bodies, no answer at all), counting the requests per path and keeping the User-Agents.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the server answers to one request.
pub enum Reply {
    /// 200 with a Content-Length.
    Body(Vec<u8>),
    /// 200 without a Content-Length: the body ends when the connection closes.
    Unsized(Vec<u8>),
    /// An empty answer with this status (and `Retry-After: 1` for 503).
    Status(u16),
    /// No answer for a minute.
    Hang,
}

type Route = Box<dyn Fn(&str, usize) -> Reply + Send + Sync>;

#[derive(Default)]
struct Seen {
    hits: HashMap<String, usize>,
    user_agents: Vec<String>,
}

pub struct Loopback {
    pub base: String,
    seen: Arc<Mutex<Seen>>,
    task: JoinHandle<()>,
}

impl Loopback {
    /// Serves `route(path, nth request for that path, 1-based)`.
    pub async fn start(route: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let seen = Arc::new(Mutex::new(Seen::default()));
        let route: Arc<Route> = Arc::new(Box::new(route));
        let task = {
            let seen = seen.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let (seen, route) = (seen.clone(), route.clone());
                    tokio::spawn(async move {
                        let _ = answer(stream, &seen, &route).await;
                    });
                }
            })
        };
        Self { base, seen, task }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn hits(&self, path: &str) -> usize {
        self.seen.lock().expect("lock").hits.get(path).copied().unwrap_or(0)
    }

    pub fn user_agents(&self) -> Vec<String> {
        self.seen.lock().expect("lock").user_agents.clone()
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(mut stream: TcpStream, seen: &Mutex<Seen>, route: &Route) -> std::io::Result<()> {
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 64 * 1024 {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        request.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&request).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let user_agent = head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("user-agent")).map(|(_, v)| v.trim()))
        .unwrap_or_default()
        .to_owned();
    let nth = {
        let mut seen = seen.lock().expect("lock");
        seen.user_agents.push(user_agent);
        let hits = seen.hits.entry(path.clone()).or_default();
        *hits += 1;
        *hits
    };
    let (status, headers, body) = match route(&path, nth) {
        Reply::Body(body) => (200, format!("Content-Length: {}\r\n", body.len()), body),
        Reply::Unsized(body) => (200, String::new(), body),
        Reply::Status(503) => (503, "Retry-After: 1\r\nContent-Length: 0\r\n".to_owned(), Vec::new()),
        Reply::Status(status) => (status, "Content-Length: 0\r\n".to_owned(), Vec::new()),
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            return Ok(());
        }
    };
    let head = format!("HTTP/1.1 {status} Test\r\n{headers}Connection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(&body).await?;
    stream.shutdown().await
}
