//! Support shared by the chat tests: the catalog their rooms come from, the `/ws` upgrade request, a
//! TCP forwarder the test can cut (standing for a network that drops connections), and the real
//! `pretzel-backend` binary run as a child process.

use pretzel_api::TermId;
use pretzel_backend::config::Config;
use pretzel_backend::db::catalog::{ImportOrigin, StoredSection};
use pretzel_backend::import::Format;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// Imports the UIUC Winter 2025 catalog into the storage `config` names, before any server runs on
/// it; returns the term and its sections.
pub async fn import_chat_catalog(config: &Config) -> (TermId, Vec<StoredSection>) {
    let db = pretzel_backend::open_storage(config).await.unwrap();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/catalogs/uiuc/2025-wi.csv");
    let parsed = Format::UiucCsv.importer().parse(&std::fs::read(path).unwrap()).unwrap();
    let uiuc = db.find_university("UIUC").await.unwrap().unwrap().id;
    let sources = vec!["test".to_owned()];
    let origin = ImportOrigin { format: Format::UiucCsv, sources: &sources, started_at: 0 };
    let term = db.apply_import(uiuc, "2025-wi", &parsed, &origin).await.unwrap().term_id;
    let sections = db.sections_of_term(term).await.unwrap();
    db.close().await;
    (term, sections)
}

/// The upgrade request for `/ws` on the server at `base` (`http://host:port`), with the bearer
/// `token` when given.
pub fn ws_request(base: &str, token: Option<&str>) -> Request {
    let url = format!("{}/ws", base.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().unwrap();
    if let Some(token) = token {
        request.headers_mut().insert("authorization", HeaderValue::from_str(&format!("Bearer {token}")).unwrap());
    }
    request
}

/// What the forwarder's connections are told to do.
#[derive(Debug, Clone, Copy)]
struct Links {
    /// `false` while cut: every connection closes and new ones are closed at once.
    up: bool,
    /// Bumped to close the connections open now while new ones still go through.
    generation: u64,
}

/// A TCP forwarder on a loopback port to `upstream`. The test can cut it (closing every forwarded
/// connection and refusing new ones) and restore it, or drop the connections open now: the peers on
/// both sides see their connection end, as when a network path goes away.
pub struct Forwarder {
    addr: SocketAddr,
    links: Arc<watch::Sender<Links>>,
    task: JoinHandle<()>,
}

impl Forwarder {
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let links = Arc::new(watch::channel(Links { up: true, generation: 0 }).0);
        let accepting = Arc::clone(&links);
        let task = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let now = *accepting.borrow();
                if !now.up {
                    // Cut: the peer sees its connection closed at once.
                    continue;
                }
                let mut change = accepting.subscribe();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = change.wait_for(|links| !links.up || links.generation != now.generation) => {}
                    }
                    // Both sockets close here.
                });
            }
        });
        Self { addr, links, task }
    }

    /// The `host:port` to connect to instead of the upstream.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn cut(&self) {
        self.links.send_modify(|links| links.up = false);
    }

    pub fn restore(&self) {
        self.links.send_modify(|links| links.up = true);
    }

    /// Closes the connections open now; later ones go through.
    pub fn drop_connections(&self) {
        self.links.send_modify(|links| links.generation += 1);
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.task.abort();
        self.cut();
    }
}

/// Builds the backend binary (so it is never stale) and returns its path.
pub fn backend_binary() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let status = std::process::Command::new(cargo)
        .args(["build", "--quiet", "-p", "pretzel-backend", "--bin", "pretzel-backend"])
        .current_dir(&workspace)
        .status()
        .unwrap();
    assert!(status.success(), "building pretzel-backend failed");
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace.join("target"));
    target.join("debug/pretzel-backend")
}

/// A `pretzel-backend serve` child process, killed (SIGKILL) when dropped.
pub struct BackendProcess {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    child: std::process::Child,
}

impl BackendProcess {
    /// Starts `binary serve` on `127.0.0.1:port` with `config`'s storage, Redis and chat settings
    /// (as `PRETZEL_*` variables, as a deployment sets them) and waits until it answers `/readyz`.
    /// Panics after `patience`.
    pub async fn spawn(binary: &std::path::Path, config: &Config, port: u16, patience: Duration) -> Self {
        let mut command = std::process::Command::new(binary);
        command
            .arg("serve")
            .env("PRETZEL_LISTEN", format!("127.0.0.1:{port}"))
            .env("PRETZEL_DATA_DIR", &config.data_dir)
            .env("PRETZEL_REDIS_PREFIX", &config.redis_prefix)
            .env("PRETZEL_LOAD_SAMPLE_CATALOGS", "false")
            .env("PRETZEL_CHAT_SEND_LIMIT", config.chat_send_limit.to_string())
            .env("PRETZEL_LOG", "warn")
            .stdout(std::process::Stdio::null());
        if let Some(url) = &config.database_url {
            command.env("PRETZEL_DATABASE_URL", url);
        }
        if let Some(url) = &config.redis_url {
            command.env("PRETZEL_REDIS_URL", url);
        }
        let mut process = Self { base: format!("http://127.0.0.1:{port}"), child: command.spawn().unwrap() };
        let http = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            if let Ok(response) = http.get(format!("{}/readyz", process.base)).send().await
                && response.status().is_success()
            {
                return process;
            }
            if let Some(status) = process.child.try_wait().unwrap() {
                panic!("the backend process on port {port} exited before it was ready: {status}");
            }
            assert!(tokio::time::Instant::now() < deadline, "the backend process did not become ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Kills the process with SIGKILL (no shutdown of any kind) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for BackendProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A free loopback port (free when this returns: the probe listener is closed).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}
