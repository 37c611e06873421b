//! The server's typed configuration: a TOML file, then `PRETZEL_*` environment overrides, with every
//! default in one place ([`Config::default`]).

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

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
    /// Most database connections the pool opens (`PRETZEL_DB_MAX_CONNECTIONS`).
    pub db_max_connections: u32,
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
            db_max_connections: 16,
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
                    self.db_max_connections = parse_env("PRETZEL_DB_MAX_CONNECTIONS", &value)?
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
        if self.db_max_connections == 0 {
            return Err(ConfigError::Invalid { setting: "db_max_connections", reason: "must be at least 1".into() });
        }
        if self.rate_limit_window_secs == 0 {
            return Err(ConfigError::Invalid {
                setting: "rate_limit_window_secs",
                reason: "must be at least 1".into(),
            });
        }
        if let Some(url) = &self.database_url
            && !(url.starts_with("sqlite:") || url.starts_with("postgres:") || url.starts_with("postgresql:"))
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
