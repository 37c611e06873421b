//! The server's typed configuration: a TOML file, then `PRETZEL_*` environment overrides, with every
//! default in one place ([`Config::default`]).

use crate::db::Engine;
use crate::import::Format;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// Pool size on SQLite unless configured. Chat sends have a connection of their own (see
/// `db::chat_writer`), and readers beyond the cores only wait their turn: each pooled connection
/// keeps its own page cache and parsed schema, about 0.7 MiB once warm, which sixteen of them
/// made the largest part of the server's memory.
pub const SQLITE_POOL_SIZE: u32 = 4;

/// Pool size on PostgreSQL unless configured.
pub const POSTGRES_POOL_SIZE: u32 = 16;

/// Everything the server can be told at start-up.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on (`PRETZEL_LISTEN`).
    pub listen: SocketAddr,
    /// Folder for the embedded database and other server files (`PRETZEL_DATA_DIR`); created on start.
    pub data_dir: PathBuf,
    /// `sqlite:…` or `postgres:…` (`PRETZEL_DATABASE_URL`); unset means a SQLite file in `data_dir`.
    pub database_url: Option<String>,
    /// Most database connections the pool opens (`PRETZEL_DB_MAX_CONNECTIONS`); unset means
    /// [`SQLITE_POOL_SIZE`] on SQLite and [`POSTGRES_POOL_SIZE`] on PostgreSQL.
    pub db_max_connections: Option<u32>,
    /// Lifetime of an access token in seconds (`PRETZEL_ACCESS_TOKEN_TTL_SECS`).
    pub access_token_ttl_secs: u64,
    /// Lifetime of an unused refresh token (and of an idle session) in seconds (`PRETZEL_REFRESH_TOKEN_TTL_SECS`).
    pub refresh_token_ttl_secs: u64,
    /// Failed logins allowed per account within the window (`PRETZEL_LOGIN_LIMIT_PER_ACCOUNT`).
    pub login_limit_per_account: u32,
    /// Failed logins allowed per client IP within the window (`PRETZEL_LOGIN_LIMIT_PER_IP`).
    pub login_limit_per_ip: u32,
    /// Sign-ups allowed per client IP within the window (`PRETZEL_SIGNUP_LIMIT_PER_IP`).
    pub signup_limit_per_ip: u32,
    /// Length of the rate-limit window in seconds (`PRETZEL_RATE_LIMIT_WINDOW_SECS`).
    pub rate_limit_window_secs: u64,
    /// Log line format (`PRETZEL_LOG_FORMAT`): `pretty` for people, `json` for collectors.
    pub log_format: LogFormat,
    /// A URL or `mailto:` address that the catalog importer puts in its User-Agent so the operators
    /// of the schedule servers it downloads from can reach us (`PRETZEL_IMPORT_CONTACT`).
    pub import_contact: Option<String>,
    /// Folder holding the shipped assets, `catalogs/` among them (`PRETZEL_ASSETS_DIR`); unset means
    /// `./assets` when it exists, else the source tree's `assets/` (see [`Config::effective_assets_dir`]).
    pub assets_dir: Option<PathBuf>,
    /// Import the sample catalogs (UMD, Purdue) from `assets_dir` on start when their terms are not
    /// stored yet (`PRETZEL_LOAD_SAMPLE_CATALOGS`, `true` or `false`).
    pub load_sample_catalogs: bool,
    /// The server pings each chat connection this often, in seconds, and drops one that stays silent
    /// for two intervals (`PRETZEL_CHAT_HEARTBEAT_SECS`).
    pub chat_heartbeat_secs: u64,
    /// Chat messages one student may send within `chat_send_window_secs`, over all their connections
    /// (`PRETZEL_CHAT_SEND_LIMIT`).
    pub chat_send_limit: u32,
    /// Length of the chat send-rate window in seconds (`PRETZEL_CHAT_SEND_WINDOW_SECS`).
    pub chat_send_window_secs: u64,
    /// Live frames queued for one chat connection before it counts as too slow and is closed
    /// (`PRETZEL_CHAT_QUEUE_FRAMES`); it then catches up by resuming.
    pub chat_queue_frames: u32,
    /// `Origin` values the chat WebSocket accepts besides the app's own (`tauri://localhost`,
    /// `http://tauri.localhost`, `https://tauri.localhost`); `PRETZEL_CHAT_ALLOWED_ORIGINS` takes them
    /// comma-separated. Connections without an `Origin` header (native clients) are always accepted.
    pub chat_allowed_origins: Vec<String>,
    /// `redis://…` URL of the Redis server that carries chat events between backend nodes
    /// (`PRETZEL_REDIS_URL`); unset means one node, with fan-out in process. Several nodes share one
    /// PostgreSQL database, which assigns every message's order.
    pub redis_url: Option<String>,
    /// Prefix of the Redis channel names, so that several deployments (or test runs) can share one
    /// Redis server (`PRETZEL_REDIS_PREFIX`).
    pub redis_prefix: String,
    /// Catalogs downloaded and re-imported on a schedule (`[[catalog_sources]]` tables, or
    /// `PRETZEL_CATALOG_SOURCES` holding the same tables as a JSON array); empty means none.
    pub catalog_sources: Vec<CatalogSource>,
}

/// One term's catalog that the server downloads from its publisher and re-imports on a schedule
/// (`import::refresh`). Its URLs are the term's whole catalog, as for `pretzel-backend import`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogSource {
    /// The university's short name (`Purdue`, any case) or numeric id; it must be a seeded one.
    pub university: String,
    /// The term as the source names it (`202130`).
    pub term: String,
    /// The documents' format: `uiuc-csv`, `umdio-json` or `banner8-html`.
    #[serde(deserialize_with = "format_by_name")]
    pub format: Format,
    /// The `http(s)` URLs of the term's documents (Banner publishes one page per subject), joined into
    /// one catalog; at least one.
    pub urls: Vec<String>,
    /// Minutes between refreshes; 360 when neither this nor `every_secs` is given.
    pub every_minutes: Option<u64>,
    /// Seconds between refreshes, instead of `every_minutes`: for tests and demonstrations, since a
    /// schedule server should not be asked more often than every few hours.
    pub every_secs: Option<u64>,
}

impl CatalogSource {
    /// Time between refreshes.
    pub fn interval(&self) -> Duration {
        match (self.every_secs, self.every_minutes) {
            (Some(secs), _) => Duration::from_secs(secs),
            (None, Some(minutes)) => Duration::from_secs(minutes.saturating_mul(60)),
            (None, None) => Duration::from_secs(360 * 60),
        }
    }

    /// Why this source cannot be used, if it cannot.
    fn problem(&self) -> Option<String> {
        if self.university.trim().is_empty() || self.term.trim().is_empty() {
            return Some("`university` and `term` must not be empty".into());
        }
        if self.urls.is_empty() {
            return Some("`urls` must list at least one URL".into());
        }
        for url in &self.urls {
            match url::Url::parse(url) {
                Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {}
                Ok(_) => return Some(format!("{url:?} is not an http(s) URL")),
                Err(e) => return Some(format!("{url:?} is not a URL: {e}")),
            }
        }
        match (self.every_secs, self.every_minutes) {
            (Some(_), Some(_)) => Some("give `every_minutes` or `every_secs`, not both".into()),
            (Some(0), None) | (None, Some(0)) => Some("the interval must be at least 1".into()),
            _ => None,
        }
    }
}

/// Reads a [`Format`] by its command-line name, so the file and `import --format` spell it alike.
fn format_by_name<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Format, D::Error> {
    let name = String::deserialize(deserializer)?;
    <Format as clap::ValueEnum>::from_str(&name, false).map_err(|_| {
        serde::de::Error::custom(format!("unknown format {name:?}: expected uiuc-csv, umdio-json or banner8-html"))
    })
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable, one event per line.
    Pretty,
    /// One JSON object per line.
    Json,
}

impl FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pretty" => Ok(Self::Pretty),
            "json" => Ok(Self::Json),
            _ => Err("expected `pretty` or `json`".into()),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            db_max_connections: None,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 30 * 24 * 60 * 60,
            login_limit_per_account: 10,
            login_limit_per_ip: 100,
            signup_limit_per_ip: 30,
            rate_limit_window_secs: 15 * 60,
            log_format: LogFormat::Pretty,
            import_contact: None,
            assets_dir: None,
            load_sample_catalogs: true,
            chat_heartbeat_secs: 20,
            chat_send_limit: 30,
            chat_send_window_secs: 10,
            chat_queue_frames: 1024,
            chat_allowed_origins: Vec::new(),
            redis_url: None,
            redis_prefix: "pretzel".into(),
            catalog_sources: Vec::new(),
        }
    }
}

/// Why the configuration could not be loaded. Each message names the file or variable at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O failure.
        source: std::io::Error,
    },
    /// The config file is not valid TOML or has unknown or mistyped keys.
    #[error("invalid config file {path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the TOML parser said.
        source: Box<toml::de::Error>,
    },
    /// An environment variable holds a value of the wrong form.
    #[error("invalid value {value:?} for {var}: {reason}")]
    Env {
        /// The variable, e.g. `PRETZEL_LISTEN`.
        var: &'static str,
        /// The value found.
        value: String,
        /// What was expected.
        reason: String,
    },
    /// A value is well-formed but unusable.
    #[error("invalid setting {setting}: {reason}")]
    Invalid {
        /// The setting's name.
        setting: &'static str,
        /// Why it cannot be used.
        reason: String,
    },
}

impl Config {
    /// Loads the TOML file at `path` (if any), then applies `PRETZEL_*` variables from `env`.
    pub fn load(path: Option<&Path>, env: impl IntoIterator<Item = (String, String)>) -> Result<Self, ConfigError> {
        let mut config = match path {
            Some(path) => Self::from_toml_file(path)?,
            None => Self::default(),
        };
        config.apply_env(env)?;
        config.validate()?;
        Ok(config)
    }

    fn from_toml_file(path: &Path) -> Result<Self, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        toml::from_str(&text).map_err(|source| ConfigError::Parse { path: path.to_owned(), source: Box::new(source) })
    }

    fn apply_env(&mut self, env: impl IntoIterator<Item = (String, String)>) -> Result<(), ConfigError> {
        for (key, value) in env {
            match key.as_str() {
                "PRETZEL_LISTEN" => self.listen = parse_env("PRETZEL_LISTEN", &value)?,
                "PRETZEL_DATA_DIR" => self.data_dir = PathBuf::from(value),
                "PRETZEL_DATABASE_URL" => self.database_url = if value.trim().is_empty() { None } else { Some(value) },
                "PRETZEL_DB_MAX_CONNECTIONS" => {
                    self.db_max_connections = Some(parse_env("PRETZEL_DB_MAX_CONNECTIONS", &value)?)
                }
                "PRETZEL_ACCESS_TOKEN_TTL_SECS" => {
                    self.access_token_ttl_secs = parse_env("PRETZEL_ACCESS_TOKEN_TTL_SECS", &value)?
                }
                "PRETZEL_REFRESH_TOKEN_TTL_SECS" => {
                    self.refresh_token_ttl_secs = parse_env("PRETZEL_REFRESH_TOKEN_TTL_SECS", &value)?
                }
                "PRETZEL_LOGIN_LIMIT_PER_ACCOUNT" => {
                    self.login_limit_per_account = parse_env("PRETZEL_LOGIN_LIMIT_PER_ACCOUNT", &value)?
                }
                "PRETZEL_LOGIN_LIMIT_PER_IP" => {
                    self.login_limit_per_ip = parse_env("PRETZEL_LOGIN_LIMIT_PER_IP", &value)?
                }
                "PRETZEL_SIGNUP_LIMIT_PER_IP" => {
                    self.signup_limit_per_ip = parse_env("PRETZEL_SIGNUP_LIMIT_PER_IP", &value)?
                }
                "PRETZEL_RATE_LIMIT_WINDOW_SECS" => {
                    self.rate_limit_window_secs = parse_env("PRETZEL_RATE_LIMIT_WINDOW_SECS", &value)?
                }
                "PRETZEL_LOG_FORMAT" => self.log_format = parse_env("PRETZEL_LOG_FORMAT", &value)?,
                "PRETZEL_IMPORT_CONTACT" => {
                    self.import_contact = if value.trim().is_empty() { None } else { Some(value) }
                }
                "PRETZEL_ASSETS_DIR" => {
                    self.assets_dir = if value.trim().is_empty() { None } else { Some(PathBuf::from(value)) }
                }
                "PRETZEL_LOAD_SAMPLE_CATALOGS" => {
                    self.load_sample_catalogs = parse_env("PRETZEL_LOAD_SAMPLE_CATALOGS", &value)?
                }
                "PRETZEL_CHAT_HEARTBEAT_SECS" => {
                    self.chat_heartbeat_secs = parse_env("PRETZEL_CHAT_HEARTBEAT_SECS", &value)?
                }
                "PRETZEL_CHAT_SEND_LIMIT" => self.chat_send_limit = parse_env("PRETZEL_CHAT_SEND_LIMIT", &value)?,
                "PRETZEL_CHAT_SEND_WINDOW_SECS" => {
                    self.chat_send_window_secs = parse_env("PRETZEL_CHAT_SEND_WINDOW_SECS", &value)?
                }
                "PRETZEL_CHAT_QUEUE_FRAMES" => self.chat_queue_frames = parse_env("PRETZEL_CHAT_QUEUE_FRAMES", &value)?,
                "PRETZEL_CHAT_ALLOWED_ORIGINS" => {
                    self.chat_allowed_origins =
                        value.split(',').map(str::trim).filter(|o| !o.is_empty()).map(str::to_owned).collect()
                }
                "PRETZEL_REDIS_URL" => self.redis_url = if value.trim().is_empty() { None } else { Some(value) },
                "PRETZEL_REDIS_PREFIX" => self.redis_prefix = value,
                "PRETZEL_CATALOG_SOURCES" => {
                    self.catalog_sources = if value.trim().is_empty() {
                        Vec::new()
                    } else {
                        serde_json::from_str(&value).map_err(|e| ConfigError::Env {
                            var: "PRETZEL_CATALOG_SOURCES",
                            value: value.clone(),
                            reason: format!("expected a JSON array of catalog sources: {e}"),
                        })?
                    }
                }
                // Other PRETZEL_* variables belong to the app or to later features; not ours to judge.
                _ => {}
            }
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.access_token_ttl_secs == 0 {
            return Err(ConfigError::Invalid { setting: "access_token_ttl_secs", reason: "must be at least 1".into() });
        }
        if self.refresh_token_ttl_secs <= self.access_token_ttl_secs {
            return Err(ConfigError::Invalid {
                setting: "refresh_token_ttl_secs",
                reason: "must be longer than access_token_ttl_secs".into(),
            });
        }
        if self.db_max_connections == Some(0) {
            return Err(ConfigError::Invalid { setting: "db_max_connections", reason: "must be at least 1".into() });
        }
        if self.rate_limit_window_secs == 0 {
            return Err(ConfigError::Invalid {
                setting: "rate_limit_window_secs",
                reason: "must be at least 1".into(),
            });
        }
        for (setting, value) in [
            ("chat_heartbeat_secs", self.chat_heartbeat_secs),
            ("chat_send_limit", u64::from(self.chat_send_limit)),
            ("chat_send_window_secs", self.chat_send_window_secs),
            ("chat_queue_frames", u64::from(self.chat_queue_frames)),
        ] {
            if value == 0 {
                return Err(ConfigError::Invalid { setting, reason: "must be at least 1".into() });
            }
        }
        if self.redis_prefix.is_empty() {
            return Err(ConfigError::Invalid { setting: "redis_prefix", reason: "must not be empty".into() });
        }
        for (index, source) in self.catalog_sources.iter().enumerate() {
            let same_term = |other: &CatalogSource| {
                other.university.trim().eq_ignore_ascii_case(source.university.trim()) && other.term == source.term
            };
            // An import is a term's whole catalog: two sources of one term would undo each other.
            let duplicate = self.catalog_sources[..index].iter().any(same_term);
            if let Some(problem) = source.problem().or(duplicate.then(|| "another source has the same term".into())) {
                return Err(ConfigError::Invalid {
                    setting: "catalog_sources",
                    reason: format!("source #{} ({} {}): {problem}", index + 1, source.university, source.term),
                });
            }
        }
        if let Some(url) = &self.database_url
            && Engine::of_url(url).is_none()
        {
            return Err(ConfigError::Invalid {
                setting: "database_url",
                reason: "must start with `sqlite:` or `postgres:`".into(),
            });
        }
        Ok(())
    }

    /// The assets folder in effect: the configured one; else `./assets` when it exists (the server
    /// started from a checkout or an unpacked release); else the `assets/` of the source tree this
    /// binary was built from, so `cargo run` and the tests work from any folder.
    pub fn effective_assets_dir(&self) -> PathBuf {
        if let Some(dir) = &self.assets_dir {
            return dir.clone();
        }
        let local = PathBuf::from("assets");
        if local.is_dir() { local } else { Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets") }
    }

    /// The pool size in effect: the configured one, or the engine's default for `url`.
    pub fn effective_pool_size(&self, url: &str) -> u32 {
        self.db_max_connections.unwrap_or(match Engine::of_url(url) {
            Some(Engine::Sqlite) => SQLITE_POOL_SIZE,
            _ => POSTGRES_POOL_SIZE,
        })
    }

    /// The database URL in effect: the configured one, or the embedded SQLite file in `data_dir`.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("pretzel.sqlite3").display()),
        }
    }
}

fn parse_env<T: FromStr>(var: &'static str, value: &str) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    value.trim().parse().map_err(|e: T::Err| ConfigError::Env { var, value: value.to_owned(), reason: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn test_defaults_match_the_documented_contract() {
        let config = Config::load(None, env(&[])).expect("defaults load");
        assert_eq!(config.listen.to_string(), "127.0.0.1:8787");
        assert_eq!(config.data_dir, PathBuf::from("./data"));
        assert!(config.effective_database_url().starts_with("sqlite://./data/pretzel.sqlite3"));
        assert_eq!(config.import_contact, None);
        assert!(config.load_sample_catalogs);
        assert_eq!(config.assets_dir, None);
        assert!(config.effective_assets_dir().join("catalogs/umd/201905.json").is_file(), "the source tree's assets");
    }

    #[test]
    fn test_sample_catalog_settings_come_from_file_or_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pretzel.toml");
        std::fs::write(&path, "load_sample_catalogs = false\nassets_dir = \"/srv/pretzel/assets\"\n").expect("write");
        let config = Config::load(Some(&path), env(&[])).expect("load");
        assert!(!config.load_sample_catalogs);
        assert_eq!(config.effective_assets_dir(), PathBuf::from("/srv/pretzel/assets"));
        let config = Config::load(
            Some(&path),
            env(&[("PRETZEL_LOAD_SAMPLE_CATALOGS", "true"), ("PRETZEL_ASSETS_DIR", "/opt/assets")]),
        )
        .expect("load");
        assert!(config.load_sample_catalogs);
        assert_eq!(config.effective_assets_dir(), PathBuf::from("/opt/assets"));
        let err = Config::load(None, env(&[("PRETZEL_LOAD_SAMPLE_CATALOGS", "yes please")])).expect_err("bad bool");
        assert!(err.to_string().contains("PRETZEL_LOAD_SAMPLE_CATALOGS"), "{err}");
    }

    #[test]
    fn test_import_contact_comes_from_file_or_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pretzel.toml");
        std::fs::write(&path, "import_contact = \"https://pretzel.example/bots\"\n").expect("write");
        let config = Config::load(Some(&path), env(&[])).expect("load");
        assert_eq!(config.import_contact.as_deref(), Some("https://pretzel.example/bots"));
        let config =
            Config::load(Some(&path), env(&[("PRETZEL_IMPORT_CONTACT", "mailto:ops@pretzel.example")])).expect("load");
        assert_eq!(config.import_contact.as_deref(), Some("mailto:ops@pretzel.example"));
    }

    #[test]
    fn test_chat_settings_come_from_file_or_environment() {
        let config = Config::load(None, env(&[])).expect("defaults");
        assert_eq!((config.chat_heartbeat_secs, config.chat_send_limit, config.chat_queue_frames), (20, 30, 1024));
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pretzel.toml");
        std::fs::write(&path, "chat_send_limit = 5\nchat_allowed_origins = [\"https://pretzel.example\"]\n")
            .expect("write");
        let config = Config::load(
            Some(&path),
            env(&[
                ("PRETZEL_CHAT_HEARTBEAT_SECS", "5"),
                ("PRETZEL_CHAT_ALLOWED_ORIGINS", "https://a.example, https://b.example"),
            ]),
        )
        .expect("load");
        assert_eq!(config.chat_send_limit, 5);
        assert_eq!(config.chat_heartbeat_secs, 5);
        assert_eq!(config.chat_allowed_origins, vec!["https://a.example", "https://b.example"]);
        let err = Config::load(None, env(&[("PRETZEL_CHAT_QUEUE_FRAMES", "0")])).expect_err("zero queue");
        assert!(err.to_string().contains("chat_queue_frames"), "{err}");
    }

    #[test]
    fn test_redis_settings_come_from_file_or_environment() {
        let config = Config::load(None, env(&[])).expect("defaults");
        assert_eq!((config.redis_url.as_deref(), config.redis_prefix.as_str()), (None, "pretzel"));
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pretzel.toml");
        std::fs::write(&path, "redis_url = \"redis://10.0.0.5:6379/\"\nredis_prefix = \"campus\"\n").expect("write");
        let config = Config::load(Some(&path), env(&[("PRETZEL_REDIS_PREFIX", "staging")])).expect("load");
        assert_eq!(config.redis_url.as_deref(), Some("redis://10.0.0.5:6379/"));
        assert_eq!(config.redis_prefix, "staging");
        let config = Config::load(Some(&path), env(&[("PRETZEL_REDIS_URL", " ")])).expect("load");
        assert_eq!(config.redis_url, None, "an empty variable turns Redis off");
        let err = Config::load(None, env(&[("PRETZEL_REDIS_PREFIX", "")])).expect_err("empty prefix");
        assert!(err.to_string().contains("redis_prefix"), "{err}");
    }

    #[test]
    fn test_catalog_sources_come_from_file_or_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pretzel.toml");
        std::fs::write(
            &path,
            "[[catalog_sources]]\nuniversity = \"Purdue\"\nterm = \"202130\"\nformat = \"banner8-html\"\n\
             urls = [\"https://a.example/CS.html\", \"https://a.example/COM.html\"]\nevery_minutes = 90\n",
        )
        .expect("write");
        let config = Config::load(Some(&path), env(&[])).expect("load");
        let [source] = config.catalog_sources.as_slice() else { panic!("one source: {config:?}") };
        assert_eq!((source.format, source.urls.len()), (Format::Banner8Html, 2));
        assert_eq!(source.interval(), Duration::from_secs(90 * 60));

        let json = r#"[{"university": "UMD", "term": "201912", "format": "umdio-json",
                        "urls": ["http://127.0.0.1:9/umd.json"], "every_secs": 2}]"#;
        let config = Config::load(Some(&path), env(&[("PRETZEL_CATALOG_SOURCES", json)])).expect("env");
        let [source] = config.catalog_sources.as_slice() else { panic!("one source: {config:?}") };
        assert_eq!((source.university.as_str(), source.format), ("UMD", Format::UmdioJson));
        assert_eq!(source.interval(), Duration::from_secs(2));
        let config = Config::load(Some(&path), env(&[("PRETZEL_CATALOG_SOURCES", "")])).expect("cleared");
        assert!(config.catalog_sources.is_empty());
        let defaults = CatalogSource { every_minutes: None, every_secs: None, ..source.clone() };
        assert_eq!(defaults.interval(), Duration::from_secs(6 * 60 * 60));
    }

    #[test]
    fn test_unusable_catalog_sources_are_refused_with_the_reason() {
        let load = |changes: serde_json::Value| {
            let mut source = serde_json::json!({
                "university": "UMD", "term": "201912", "format": "umdio-json", "urls": ["https://x.example/a"]
            });
            if let (Some(source), Some(changes)) = (source.as_object_mut(), changes.as_object()) {
                source.extend(changes.clone());
            }
            Config::load(None, env(&[("PRETZEL_CATALOG_SOURCES", &format!("[{source}]"))]))
        };
        assert!(load(serde_json::json!({})).is_ok());
        for (changes, expected) in [
            (serde_json::json!({"urls": []}), "at least one URL"),
            (serde_json::json!({"urls": ["ftp://x.example/a"]}), "not an http(s) URL"),
            (serde_json::json!({"urls": ["/srv/umd.json"]}), "not a URL"),
            (serde_json::json!({"every_secs": 0}), "at least 1"),
            (serde_json::json!({"every_minutes": 0}), "at least 1"),
            (serde_json::json!({"every_secs": 5, "every_minutes": 5}), "not both"),
            (serde_json::json!({"term": " "}), "must not be empty"),
        ] {
            let err = load(changes.clone()).expect_err(&changes.to_string());
            assert!(err.to_string().contains("catalog_sources") && err.to_string().contains(expected), "{err}");
        }
        let twice = format!(
            "[{0}, {0}]",
            r#"{"university": "UMD", "term": "1", "format": "umdio-json", "urls": ["https://x.example/a"]}"#
        );
        let err = Config::load(None, env(&[("PRETZEL_CATALOG_SOURCES", &twice)])).expect_err("same term twice");
        assert!(err.to_string().contains("source #2 (UMD 1): another source has the same term"), "{err}");
        for (changes, expected) in [
            (serde_json::json!({"format": "pdf"}), "unknown format"),
            (serde_json::json!({"every_hours": 1}), "every_hours"),
        ] {
            let err = load(changes.clone()).expect_err(&changes.to_string());
            assert!(err.to_string().contains("PRETZEL_CATALOG_SOURCES") && err.to_string().contains(expected), "{err}");
        }
    }

    #[test]
    fn test_environment_overrides_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pretzel.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:9000\"\naccess_token_ttl_secs = 60\n").expect("write");
        let config =
            Config::load(Some(&path), env(&[("PRETZEL_LISTEN", "127.0.0.1:9100"), ("PRETZEL_UNRELATED", "x")]))
                .expect("load");
        assert_eq!(config.listen.to_string(), "127.0.0.1:9100");
        assert_eq!(config.access_token_ttl_secs, 60);
    }

    #[test]
    fn test_bad_config_gives_errors_naming_the_culprit() {
        let err = Config::load(None, env(&[("PRETZEL_LISTEN", "not an address")])).expect_err("bad listen");
        assert!(err.to_string().contains("PRETZEL_LISTEN"), "{err}");

        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pretzel.toml");
        std::fs::write(&path, "listen_addr = \"127.0.0.1:9000\"\n").expect("write");
        let err = Config::load(Some(&path), env(&[])).expect_err("unknown key");
        assert!(err.to_string().contains("listen_addr"), "{err}");

        let err = Config::load(None, env(&[("PRETZEL_DATABASE_URL", "mysql://x")])).expect_err("bad url");
        assert!(err.to_string().contains("database_url"), "{err}");

        let missing = dir.path().join("missing.toml");
        let err = Config::load(Some(&missing), env(&[])).expect_err("missing file");
        assert!(err.to_string().contains("missing.toml"), "{err}");
    }
}
