//! Where the session's tokens live between runs: the OS keychain, or a private file.
//!
//! [`TokenStore`] is the seam; [`KeyringTokenStore`] keeps the tokens in the OS keychain (Secret
//! Service, macOS/iOS Keychain, Windows Credential Manager) and [`FileTokenStore`] in a `0600`
//! `tokens.json` in the data directory, for machines without a keychain (CI, headless Linux).
//! [`TokenStoreKind::Auto`] picks between them with a quick probe of the keychain.

use crate::error::ClientError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// Keychain service name under which the tokens are stored.
pub const KEYRING_SERVICE: &str = "app.pretzel.desktop";
/// Keychain account name of the session entry.
const KEYRING_USER: &str = "session";
/// How the keychain entry is named in error messages.
const KEYRING_LOCATION: &str = "the OS keychain (app.pretzel.desktop/session)";
/// File name of the file token store inside the data directory.
pub const TOKEN_FILE_NAME: &str = "tokens.json";
/// How long [`TokenStoreKind::Auto`] waits for the keychain before falling back to the file.
const KEYRING_PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The session's token pair.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    /// Short-lived bearer token.
    pub access_token: String,
    /// Single-use token that buys the next pair.
    pub refresh_token: String,
}

impl fmt::Debug for Tokens {
    // Tokens are credentials: keep them out of logs and panic messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens").finish_non_exhaustive()
    }
}

/// Persistent storage for the session's tokens. Implementations are blocking but quick.
pub trait TokenStore: fmt::Debug + Send + Sync {
    /// The stored tokens, or `None` when signed out.
    fn load(&self) -> Result<Option<Tokens>, ClientError>;
    /// Replaces the stored tokens.
    fn save(&self, tokens: &Tokens) -> Result<(), ClientError>;
    /// Removes the stored tokens; succeeds when there were none.
    fn clear(&self) -> Result<(), ClientError>;
    /// Which kind of store this is ([`TokenStoreKind::Keyring`] or [`TokenStoreKind::File`]).
    fn kind(&self) -> TokenStoreKind;
}

/// Which token store to use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TokenStoreKind {
    /// The keychain if a quick probe finds one working, otherwise the file. If a session already
    /// lives in `tokens.json` the file keeps being used, so a keychain that appears later does not
    /// sign the student out.
    #[default]
    Auto,
    /// The OS keychain; fails when there is none.
    Keyring,
    /// `tokens.json` in the data directory.
    File,
}

impl FromStr for TokenStoreKind {
    type Err = ClientError;

    /// Parses `auto`, `keyring` or `file` (case-insensitive), as in `PRETZEL_TOKEN_STORE`.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Ok(Self::Auto),
            "keyring" => Ok(Self::Keyring),
            "file" => Ok(Self::File),
            _ => Err(ClientError::UnknownTokenStore { value: value.to_owned() }),
        }
    }
}

/// Opens the token store of the given kind for the data directory `data_dir`.
pub fn open_token_store(kind: TokenStoreKind, data_dir: &Path) -> Result<Box<dyn TokenStore>, ClientError> {
    let file = FileTokenStore::new(data_dir.join(TOKEN_FILE_NAME));
    match kind {
        TokenStoreKind::File => Ok(Box::new(file)),
        TokenStoreKind::Keyring => Ok(Box::new(KeyringTokenStore::new()?)),
        TokenStoreKind::Auto => {
            if file.path().exists() || !keyring_works(KEYRING_PROBE_TIMEOUT) {
                Ok(Box::new(file))
            } else {
                Ok(Box::new(KeyringTokenStore::new()?))
            }
        }
    }
}

/// Tokens in a JSON file readable only by the user, replaced atomically on every write.
#[derive(Debug)]
pub struct FileTokenStore {
    path: PathBuf,
}

impl FileTokenStore {
    /// A store at `path` (typically `data_dir/tokens.json`); nothing is touched until first use.
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// Path of the token file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io_error(&self, source: std::io::Error) -> ClientError {
        ClientError::Io { path: self.path.clone(), source }
    }
}

impl TokenStore for FileTokenStore {
    fn load(&self) -> Result<Option<Tokens>, ClientError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(self.io_error(error)),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| ClientError::CorruptTokens { location: self.path.display().to_string(), source })
    }

    fn save(&self, tokens: &Tokens) -> Result<(), ClientError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let json =
            serde_json::to_vec(tokens).map_err(|source| ClientError::Encode { what: "session tokens", source })?;
        // The temporary file is created 0600 in the same directory, then renamed over the old file:
        // readers see either the old pair or the new one, never half of each.
        let mut file = tempfile::Builder::new()
            .prefix(".tokens-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|error| self.io_error(error))?;
        restrict_to_owner(file.as_file()).map_err(|error| self.io_error(error))?;
        file.write_all(&json).map_err(|error| self.io_error(error))?;
        file.as_file().sync_all().map_err(|error| self.io_error(error))?;
        file.persist(&self.path).map_err(|error| self.io_error(error.error))?;
        Ok(())
    }

    fn clear(&self) -> Result<(), ClientError> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == ErrorKind::NotFound => Ok(()),
            Err(error) => Err(self.io_error(error)),
        }
    }

    fn kind(&self) -> TokenStoreKind {
        TokenStoreKind::File
    }
}

#[cfg(unix)]
fn restrict_to_owner(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict_to_owner(_file: &std::fs::File) -> std::io::Result<()> {
    // On Windows the file inherits the per-user ACL of the app data directory.
    Ok(())
}

/// Tokens as one JSON secret in the OS keychain.
#[derive(Debug)]
pub struct KeyringTokenStore {
    entry: keyring::Entry,
}

impl KeyringTokenStore {
    /// The keychain entry `app.pretzel.desktop` / `session`.
    pub fn new() -> Result<Self, ClientError> {
        if !KEYRING_SUPPORTED {
            return Err(ClientError::KeyringUnsupported);
        }
        Ok(Self { entry: keyring::Entry::new(KEYRING_SERVICE, KEYRING_USER)? })
    }
}

impl TokenStore for KeyringTokenStore {
    fn load(&self) -> Result<Option<Tokens>, ClientError> {
        match self.entry.get_password() {
            Ok(secret) => serde_json::from_str(&secret)
                .map(Some)
                .map_err(|source| ClientError::CorruptTokens { location: KEYRING_LOCATION.into(), source }),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    fn save(&self, tokens: &Tokens) -> Result<(), ClientError> {
        let secret =
            serde_json::to_string(tokens).map_err(|source| ClientError::Encode { what: "session tokens", source })?;
        Ok(self.entry.set_password(&secret)?)
    }

    fn clear(&self) -> Result<(), ClientError> {
        match self.entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    fn kind(&self) -> TokenStoreKind {
        TokenStoreKind::Keyring
    }
}

/// Platforms where the `keyring` crate is built with a real backend (see `Cargo.toml`); elsewhere it
/// would fall back to an in-memory mock that forgets the session on restart.
const KEYRING_SUPPORTED: bool = cfg!(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "ios",
    target_os = "windows"
));

/// `true` if the keychain answers a read within `timeout`. The probe runs on its own thread because
/// a missing or hung Secret Service can block a D-Bus call for much longer than that.
fn keyring_works(timeout: Duration) -> bool {
    if !KEYRING_SUPPORTED {
        return false;
    }
    let (sender, receiver) = std::sync::mpsc::channel();
    let probe = std::thread::Builder::new().name("keyring-probe".into()).spawn(move || {
        let answer = keyring::Entry::new(KEYRING_SERVICE, "probe").and_then(|entry| entry.get_password());
        let works = matches!(answer, Ok(_) | Err(keyring::Error::NoEntry));
        if let Err(error) = &answer
            && !works
        {
            tracing::info!(%error, "the OS keychain is unavailable; keeping tokens in a file");
        }
        // The receiver may have given up already; then nobody needs the answer.
        let _ = sender.send(works);
    });
    if probe.is_err() {
        return false;
    }
    receiver.recv_timeout(timeout).unwrap_or_else(|_| {
        tracing::info!("the OS keychain did not answer in time; keeping tokens in a file");
        false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(n: u32) -> Tokens {
        Tokens { access_token: format!("access-{n}"), refresh_token: format!("refresh-{n}") }
    }

    #[test]
    fn test_file_store_round_trips_and_survives_reopen() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(TOKEN_FILE_NAME);
        let store = FileTokenStore::new(path.clone());
        assert_eq!(store.load().expect("load"), None);
        store.save(&tokens(1)).expect("save");
        store.save(&tokens(2)).expect("overwrite");
        assert_eq!(FileTokenStore::new(path.clone()).load().expect("reload"), Some(tokens(2)));
        store.clear().expect("clear");
        store.clear().expect("clear twice");
        assert_eq!(FileTokenStore::new(path).load().expect("reload"), None);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("list").collect();
        assert!(leftovers.is_empty(), "temporary files left behind: {leftovers:?}");
    }

    #[cfg(unix)]
    #[test]
    fn test_file_store_is_private_to_the_user() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FileTokenStore::new(dir.path().join(TOKEN_FILE_NAME));
        store.save(&tokens(1)).expect("save");
        let mode = std::fs::metadata(store.path()).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn test_corrupt_token_file_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FileTokenStore::new(dir.path().join(TOKEN_FILE_NAME));
        std::fs::write(store.path(), b"{\"access_token\": ").expect("write");
        match store.load() {
            Err(error @ ClientError::CorruptTokens { .. }) => {
                assert!(error.to_string().contains("tokens.json"), "{error}");
            }
            other => panic!("expected CorruptTokens, got {other:?}"),
        }
        store.save(&tokens(3)).expect("a new session overwrites the corrupt file");
        assert_eq!(store.load().expect("load"), Some(tokens(3)));
    }

    #[test]
    fn test_store_kinds_parse_from_their_names() {
        assert_eq!("auto".parse::<TokenStoreKind>().ok(), Some(TokenStoreKind::Auto));
        assert_eq!("Keyring".parse::<TokenStoreKind>().ok(), Some(TokenStoreKind::Keyring));
        assert_eq!(" file ".parse::<TokenStoreKind>().ok(), Some(TokenStoreKind::File));
        assert!(matches!("vault".parse::<TokenStoreKind>(), Err(ClientError::UnknownTokenStore { .. })));
    }

    #[test]
    fn test_auto_keeps_an_existing_token_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        FileTokenStore::new(dir.path().join(TOKEN_FILE_NAME)).save(&tokens(1)).expect("save");
        let store = open_token_store(TokenStoreKind::Auto, dir.path()).expect("open");
        assert_eq!(store.kind(), TokenStoreKind::File);
        assert_eq!(store.load().expect("load"), Some(tokens(1)));
    }

    #[test]
    fn test_tokens_never_appear_in_debug_output() {
        assert!(!format!("{:?}", tokens(1)).contains("access-1"));
    }
}
