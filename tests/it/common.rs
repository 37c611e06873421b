//! Shared test support: a real backend on `127.0.0.1:0` over a fresh SQLite file or a fresh
//! PostgreSQL database, and small HTTP helpers.

use pretzel_api::{
    ErrorBody, ErrorCode, SectionId, SignupRequest, TermId, TermTimetables, TimetableId, TokenResponse, UniversityId,
};
use pretzel_backend::config::Config;
use pretzel_backend::db::Db;
use pretzel_backend::db::catalog::ImportOrigin;
use pretzel_backend::import::{Format, ParseReport};
use pretzel_client::{Client, ClientOptions, TokenStoreKind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The PostgreSQL server the scale-mode tests use (`PRETZEL_TEST_POSTGRES` overrides).
pub fn postgres_admin_url() -> String {
    std::env::var("PRETZEL_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A sample catalog file the project ships, by its path under `assets/catalogs/`.
pub fn catalog_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/catalogs").join(relative)
}

/// The sample catalog `files` (under `assets/catalogs/`) parsed as `format` and joined.
pub fn parse_files(format: Format, files: &[&str]) -> ParseReport {
    let documents = files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(catalog_path(f)).unwrap();
            (f.to_string(), format.importer().parse(&bytes).unwrap())
        })
        .collect();
    ParseReport::merge(documents)
}

/// Purdue's two Summer 2021 subject pages (CS and COM), joined as the first-start loading joins them.
pub fn purdue_summer() -> ParseReport {
    parse_files(
        Format::Banner8Html,
        &["purdue/202130.CS.bwckschd.p_get_crse_unsec.html", "purdue/202130.COM.bwckschd.p_get_crse_unsec.html"],
    )
}

/// Imports `parsed` as term `term` of the university named `short_name`; its id.
pub async fn import(db: &Db, short_name: &str, term: &str, format: Format, parsed: &ParseReport) -> TermId {
    let university = db.find_university(short_name).await.unwrap().unwrap().id;
    let sources = vec!["test".to_owned()];
    let origin = ImportOrigin { format, sources: &sources, started_at: 0 };
    db.apply_import(university, term, parsed, &origin).await.unwrap().term_id
}

/// Which storage engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Runs one async test body on both engines: `test_both_dbs!(name, body_fn)`.
macro_rules! test_both_dbs {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body(crate::common::Engine::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$body(crate::common::Engine::Postgres).await
            }
        }
    };
}

/// A throwaway PostgreSQL database, dropped (with its connections) when this is dropped.
#[derive(Debug)]
pub struct PgDatabase {
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    pub async fn create() -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "pretzel_it_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            uuid::Uuid::new_v4().simple().to_string().get(..8).unwrap_or("x")
        );
        let admin = postgres_admin_url();
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.expect("connect to PostgreSQL");
        sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str()).await.expect("create database");
        let base = admin.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin);
        Self { url: format!("{base}/{name}"), name }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs inside the test's runtime; a separate thread with its own runtime can block.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async move {
                    if let Ok(mut conn) = <sqlx::PgConnection as sqlx::Connection>::connect(&postgres_admin_url()).await
                    {
                        let _ = sqlx::Executor::execute(
                            &mut conn,
                            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                        )
                        .await;
                    }
                });
            }
        })
        .join();
    }
}

/// Storage that outlives a server restart: a data dir (SQLite) or a database (PostgreSQL).
#[derive(Debug)]
pub struct Storage {
    pub data_dir: tempfile::TempDir,
    pub postgres: Option<PgDatabase>,
}

impl Storage {
    pub async fn new(engine: Engine) -> Self {
        let data_dir = tempfile::tempdir().expect("tempdir");
        let postgres = match engine {
            Engine::Sqlite => None,
            Engine::Postgres => Some(PgDatabase::create().await),
        };
        Self { data_dir, postgres }
    }

    /// A config for a server on this storage (listen address is ignored: tests bind their own).
    /// The sample catalogs are not loaded: importing thousands of sections would slow every start;
    /// the tests of that loading turn it on.
    pub fn config(&self) -> Config {
        Config {
            data_dir: self.data_dir.path().to_path_buf(),
            database_url: self.postgres.as_ref().map(|pg| pg.url.clone()),
            db_max_connections: Some(4),
            load_sample_catalogs: false,
            ..Config::default()
        }
    }

    pub fn sqlite_file(&self) -> PathBuf {
        self.data_dir.path().join("pretzel.sqlite3")
    }
}

/// A running backend on a loopback port.
#[derive(Debug)]
pub struct TestServer {
    pub base: String,
    pub http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), pretzel_backend::ServeError>>>,
}

impl TestServer {
    /// Starts the real server with `config` on `127.0.0.1:0` and waits until it answers `/readyz`.
    pub async fn start(config: Config) -> Self {
        Self::start_at(config, "127.0.0.1:0").await
    }

    /// Starts the real server on `addr`, e.g. the address of a server that was just stopped, so a
    /// client configured with that URL finds it again (a backend restart, from the client's side).
    pub async fn start_at(config: Config, addr: &str) -> Self {
        let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(pretzel_backend::run(listener, config, async move {
            let _ = rx.await;
        }));
        let server =
            Self { base: format!("http://{addr}"), http: reqwest::Client::new(), shutdown: Some(tx), task: Some(task) };
        for _ in 0..200 {
            if let Ok(response) = server.http.get(server.url("/readyz")).send().await
                && response.status().is_success()
            {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("server on {addr} did not become ready");
    }

    pub async fn on(storage: &Storage) -> Self {
        Self::start(storage.config()).await
    }

    /// `host:port` the server listens on, for [`TestServer::start_at`].
    pub fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server exited cleanly");
        }
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.http.post(self.url(path)).json(body).send().await.expect("request")
    }

    pub async fn get_authed(&self, path: &str, token: &str) -> reqwest::Response {
        self.http.get(self.url(path)).bearer_auth(token).send().await.expect("request")
    }

    /// Signs up a fresh student and returns the token response.
    pub async fn sign_up(&self, email: &str, password: &str) -> TokenResponse {
        let request = SignupRequest {
            email: email.into(),
            password: password.into(),
            display_name: "Test Student".into(),
            university_id: UniversityId(1),
        };
        let response = self.http.post(self.url("/api/v1/auth/signup")).json(&request).send().await.expect("signup");
        assert_eq!(response.status(), 201, "signup failed: {}", response.text().await.unwrap_or_default());
        response.json().await.expect("token response")
    }

    /// The id of the primary plan of the student holding `token` in `term`.
    pub async fn primary_plan(&self, term: TermId, token: &str) -> TimetableId {
        let response = self.get_authed(&format!("/api/v1/terms/{term}/timetables"), token).await;
        assert_eq!(response.status(), 200);
        let plans: TermTimetables = response.json().await.expect("term timetables");
        plans.timetables.iter().find(|t| t.primary).expect("a primary plan").id
    }

    /// Adds `sections` to `plan`, conflicts confirmed; the server must accept.
    pub async fn add_sections(&self, plan: TimetableId, token: &str, sections: &[SectionId]) {
        let response = self
            .http
            .post(self.url(&format!("/api/v1/timetables/{plan}/sections")))
            .bearer_auth(token)
            .json(&serde_json::json!({ "section_ids": sections, "confirm_conflicts": true }))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Asserts `response` has `status` and the error body with `code`; returns the body.
pub async fn expect_error(response: reqwest::Response, status: u16, code: ErrorCode) -> ErrorBody {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(content_type.starts_with("application/json"), "error content-type was {content_type:?}");
    let text = response.text().await.expect("body");
    let body: ErrorBody = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not an error body ({e}): {text}"));
    assert_eq!(body.error.code, code, "body: {text}");
    assert!(!body.error.message.is_empty());
    body
}

pub const GOOD_PASSWORD: &str = "maple-syrup-in-seoul";

/// A Pretzel client core (what the app runs) on `base`, keeping its cache and tokens in `data_dir`.
pub fn client_on(base: &str, data_dir: &Path) -> Client {
    Client::new(ClientOptions {
        data_dir: data_dir.to_path_buf(),
        backend_url: Some(base.to_owned()),
        token_store: TokenStoreKind::File,
    })
    .expect("client")
}

/// A unique email for this test.
pub fn fresh_email(tag: &str) -> String {
    format!("{tag}-{}@illinois.edu", uuid::Uuid::new_v4().simple())
}
