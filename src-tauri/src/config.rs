//! The shell's start-up configuration, read once from `PRETZEL_*` environment variables so that
//! tests, the end-to-end suite and developers can point the app at a data directory, a backend and
//! a token store without touching the saved settings.

use pretzel_client::{ClientError, TokenStoreKind};
use std::path::PathBuf;

/// Environment variable naming the data directory (cache, token file).
pub const ENV_DATA_DIR: &str = "PRETZEL_APP_DATA_DIR";
/// Environment variable overriding the backend base URL for this run.
pub const ENV_BACKEND_URL: &str = "PRETZEL_BACKEND_URL";
/// Environment variable choosing the token store: `auto`, `keyring` or `file`.
pub const ENV_TOKEN_STORE: &str = "PRETZEL_TOKEN_STORE";

/// How the shell sets up its [`pretzel_client::Client`].
#[derive(Debug, Clone, Default)]
pub struct ShellConfig {
    /// Data directory; `None` uses Tauri's per-app data directory (e.g.
    /// `~/.local/share/app.pretzel.desktop` on Linux).
    pub data_dir: Option<PathBuf>,
    /// Backend base URL for this run, overriding the saved setting; `None` uses the saved one.
    pub backend_url: Option<String>,
    /// Where session tokens are kept; [`TokenStoreKind::Auto`] by default.
    pub token_store: TokenStoreKind,
}

impl ShellConfig {
    /// Reads [`ENV_DATA_DIR`], [`ENV_BACKEND_URL`] and [`ENV_TOKEN_STORE`]; unset or empty variables
    /// keep the defaults.
    pub fn from_env() -> Result<Self, ClientError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`ShellConfig::from_env`], reading variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ClientError> {
        let get = |name| lookup(name).filter(|value| !value.trim().is_empty());
        Ok(Self {
            data_dir: get(ENV_DATA_DIR).map(PathBuf::from),
            backend_url: get(ENV_BACKEND_URL),
            token_store: get(ENV_TOKEN_STORE).map(|value| value.parse()).transpose()?.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<ShellConfig, ClientError> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ShellConfig::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn test_unset_or_empty_variables_keep_the_defaults() {
        let config = config(&[(ENV_BACKEND_URL, "")]).expect("config");
        assert_eq!(config.data_dir, None);
        assert_eq!(config.backend_url, None);
        assert_eq!(config.token_store, TokenStoreKind::Auto);
    }

    #[test]
    fn test_variables_override_the_defaults() {
        let config = config(&[
            (ENV_DATA_DIR, "/tmp/pretzel"),
            (ENV_BACKEND_URL, "http://127.0.0.1:9999"),
            (ENV_TOKEN_STORE, "file"),
        ])
        .expect("config");
        assert_eq!(config.data_dir, Some(PathBuf::from("/tmp/pretzel")));
        assert_eq!(config.backend_url.as_deref(), Some("http://127.0.0.1:9999"));
        assert_eq!(config.token_store, TokenStoreKind::File);
    }

    #[test]
    fn test_an_unknown_token_store_is_an_error() {
        assert!(matches!(config(&[(ENV_TOKEN_STORE, "vault")]), Err(ClientError::UnknownTokenStore { .. })));
    }
}
