//! [`Client`], the one object the shell talks to: it ties the HTTP transport, the session and the
//! local cache together into the operations the app offers (settings, sign-up, sign-in, profile…;
//! the catalog and timetables add theirs in `catalog.rs` and `timetable.rs`).
//!
//! Authorized calls all go through [`Client::send_authorized_raw`], the single place that attaches
//! the access token, refreshes it once when the server says it expired, and ends the session when
//! the server says it is gone. Every request leaves through `send_raw`, which also notices the
//! backend coming back and wakes the outbox.

use crate::cache::{CACHE_FILE_NAME, Cache};
use crate::error::ClientError;
use crate::http::{ApiRequest, Http, RawAnswer};
use crate::session::{Session, SessionGuard};
use crate::settings::{BACKEND_URL_KEY, LOCALE_KEY, Settings, normalize_locale, validate_backend_url};
use crate::tokens::{TokenStoreKind, Tokens, open_token_store};
use pretzel_api::shell::{DEFAULT_BACKEND_URL, Profile, SessionChanged, TimetablesChanged};
use pretzel_api::{
    ErrorCode, LoginRequest, LogoutResponse, Me, RefreshRequest, SignupRequest, TokenResponse, University, UpdateMe,
};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use tokio::sync::{Notify, broadcast};

/// How many session changes a slow subscriber may fall behind before it skips to the newest.
const SESSION_EVENT_CAPACITY: usize = 16;
/// How many timetable announcements a slow subscriber may fall behind (it only needs the newest).
const TIMETABLE_EVENT_CAPACITY: usize = 64;

/// How to build a [`Client`].
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Directory for the cache database and (with the file token store) `tokens.json`; created if
    /// missing.
    pub data_dir: PathBuf,
    /// Backend base URL for this run, overriding (but not replacing) the persisted setting.
    pub backend_url: Option<String>,
    /// Where the session tokens are kept.
    pub token_store: TokenStoreKind,
}

/// The native client core. Cheap to clone; all clones share one session, cache and connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    data_dir: PathBuf,
    http: Http,
    pub(crate) cache: Cache,
    session: Session,
    settings: RwLock<Settings>,
    session_events: broadcast::Sender<SessionChanged>,
    pub(crate) timetable_events: broadcast::Sender<TimetablesChanged>,
    /// Held while the outbox is read and sent, and while a change decides between sending and
    /// queueing, so changes reach the server in the order the student made them.
    pub(crate) outbox_lock: tokio::sync::Mutex<()>,
    /// Woken when the backend answers again after being unreachable, so waiting sends go at once.
    pub(crate) outbox_wakeup: Notify,
    /// Whether the last request reached the backend.
    reachable: AtomicBool,
    /// Course chat: its events, connection state and requests waiting for the socket's answer.
    pub(crate) chat: crate::chat::ChatState,
}

impl Client {
    /// Opens the data directory (cache, token store) and loads the settings. Blocking: it touches the
    /// disk and, with [`TokenStoreKind::Auto`], probes the OS keychain for up to two seconds.
    pub fn new(options: ClientOptions) -> Result<Self, ClientError> {
        let data_dir = options.data_dir;
        std::fs::create_dir_all(&data_dir).map_err(|source| ClientError::Io { path: data_dir.clone(), source })?;
        let cache = Cache::open(&data_dir.join(CACHE_FILE_NAME))?;
        let backend_url = match options.backend_url {
            Some(url) => validate_backend_url(&url)?,
            None => match cache.setting(BACKEND_URL_KEY)? {
                Some(saved) => validate_backend_url(&saved).unwrap_or_else(|error| {
                    tracing::warn!(%error, "ignoring the saved backend URL");
                    DEFAULT_BACKEND_URL.to_owned()
                }),
                None => DEFAULT_BACKEND_URL.to_owned(),
            },
        };
        let locale = cache.setting(LOCALE_KEY)?;
        let session = Session::open(open_token_store(options.token_store, &data_dir)?);
        tracing::debug!(data_dir = %data_dir.display(), %backend_url, store = ?session.store_kind(), "client ready");
        Ok(Self {
            inner: Arc::new(Inner {
                data_dir,
                http: Http::new()?,
                cache,
                session,
                settings: RwLock::new(Settings { backend_url, locale }),
                session_events: broadcast::channel(SESSION_EVENT_CAPACITY).0,
                timetable_events: broadcast::channel(TIMETABLE_EVENT_CAPACITY).0,
                outbox_lock: tokio::sync::Mutex::new(()),
                outbox_wakeup: Notify::new(),
                reachable: AtomicBool::new(true),
                chat: crate::chat::ChatState::new(),
            }),
        })
    }

    /// The data directory this client keeps its files in.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// Where the session tokens are kept ([`TokenStoreKind::Keyring`] or [`TokenStoreKind::File`];
    /// `Auto` has been resolved).
    pub fn token_store_kind(&self) -> TokenStoreKind {
        self.inner.session.store_kind()
    }

    /// The settings in effect.
    pub fn settings(&self) -> Settings {
        self.inner.settings.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Validates, persists and switches to a new backend base URL. The session is kept: if the new
    /// server does not know it, the next authorized request ends it.
    pub fn set_backend_url(&self, url: &str) -> Result<Settings, ClientError> {
        let url = validate_backend_url(url)?;
        self.inner.cache.set_setting(BACKEND_URL_KEY, Some(&url))?;
        let settings = self.update_settings(|settings| settings.backend_url = url);
        // Another server may be reachable where the last one was not: let waiting sends try it now.
        self.inner.outbox_wakeup.notify_one();
        self.inner.chat.backend_changed();
        Ok(settings)
    }

    /// Validates and persists the student's language; `None` (or a blank tag) follows the OS.
    pub fn set_locale(&self, locale: Option<String>) -> Result<Settings, ClientError> {
        let locale = normalize_locale(locale)?;
        self.inner.cache.set_setting(LOCALE_KEY, locale.as_deref())?;
        Ok(self.update_settings(|settings| settings.locale = locale))
    }

    /// The university catalog. When the server is unreachable the last fetched catalog stands in, if
    /// there is one.
    pub async fn universities(&self) -> Result<Vec<University>, ClientError> {
        match self.send::<Vec<University>>(&ApiRequest::get("/universities"), None).await {
            Ok(universities) => {
                if let Err(error) = self.inner.cache.save_universities(&universities) {
                    tracing::warn!(%error, "could not cache the university catalog");
                }
                Ok(universities)
            }
            Err(error) if error.is_offline() => match self.inner.cache.universities() {
                Ok(cached) if !cached.is_empty() => Ok(cached),
                _ => Err(error),
            },
            Err(error) => Err(error),
        }
    }

    /// Creates an account and signs it in.
    pub async fn sign_up(&self, request: SignupRequest) -> Result<Me, ClientError> {
        let response = self.send(&ApiRequest::post("/auth/signup", &request)?, None).await?;
        self.begin_session(response).await
    }

    /// Signs in with email and password.
    pub async fn log_in(&self, request: LoginRequest) -> Result<Me, ClientError> {
        let response = self.send(&ApiRequest::post("/auth/login", &request)?, None).await?;
        self.begin_session(response).await
    }

    /// Signs out: asks the server to revoke the session (best effort: offline or failing, it is
    /// skipped) and always forgets the tokens and the cached profile locally.
    pub async fn log_out(&self) -> Result<(), ClientError> {
        if self.inner.session.tokens().is_some() {
            let revoke = ApiRequest::post_empty("/auth/logout");
            if let Err(error) = self.send_authorized::<LogoutResponse>(&revoke).await {
                tracing::info!(%error, "could not revoke the session on the server; forgetting it locally");
            }
        }
        let guard = self.inner.session.lock().await;
        self.end_session(&guard)
    }

    /// The signed-in student, fresh from the server; when the server is unreachable, the cached copy
    /// with `offline: true`. Fails with [`ClientError::NotSignedIn`] without a session and with
    /// [`ClientError::SessionEnded`] when the server has revoked it (the local session is then cleared).
    pub async fn profile(&self) -> Result<Profile, ClientError> {
        match self.send_authorized::<Me>(&ApiRequest::get("/me")).await {
            Ok(me) => {
                self.cache_profile(&me);
                Ok(Profile { me, offline: false })
            }
            Err(error) if error.is_offline() => match self.cached_me() {
                Some(me) => Ok(Profile { me, offline: true }),
                None => Err(error),
            },
            Err(error) => Err(error),
        }
    }

    /// The last known profile of the signed-in student, without touching the network; `None` when
    /// signed out or never fetched. A cache that cannot be read counts as empty (and is logged).
    pub fn cached_me(&self) -> Option<Me> {
        if !self.is_signed_in() {
            return None;
        }
        self.inner.cache.profile().unwrap_or_else(|error| {
            tracing::warn!(%error, "could not read the cached profile");
            None
        })
    }

    /// Changes the signed-in student's profile (display name, home time zone, student visa) and
    /// caches the answer.
    pub async fn update_me(&self, request: UpdateMe) -> Result<Me, ClientError> {
        let me: Me = self.send_authorized(&ApiRequest::patch("/me", &request)?).await?;
        self.cache_profile(&me);
        Ok(me)
    }

    /// `true` when a session is stored (it may still turn out to be revoked on the server).
    pub fn is_signed_in(&self) -> bool {
        self.inner.session.tokens().is_some()
    }

    /// Announcements of every sign-in and sign-out, including sessions the server ended. The shell
    /// forwards them to the UI as the `session-changed` event.
    pub fn subscribe_session(&self) -> broadcast::Receiver<SessionChanged> {
        self.inner.session_events.subscribe()
    }

    /// Announcements that a term's plans changed behind the UI's back (the outbox sent or gave up
    /// on queued changes). The shell forwards them as the `timetables-changed` event.
    pub fn subscribe_timetables(&self) -> broadcast::Receiver<TimetablesChanged> {
        self.inner.timetable_events.subscribe()
    }

    /// Sends an unauthenticated (or explicitly authenticated) request to the current backend.
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        request: &ApiRequest,
        bearer: Option<&str>,
    ) -> Result<T, ClientError> {
        self.send_raw(request, bearer).await?.json()
    }

    /// The one place requests leave the client: it also notices when the backend answers again after
    /// being unreachable and wakes the outbox.
    async fn send_raw(&self, request: &ApiRequest, bearer: Option<&str>) -> Result<RawAnswer, ClientError> {
        let base_url = self.settings().backend_url;
        let result = self.inner.http.send(&base_url, request, bearer).await;
        match &result {
            Err(error) if error.is_offline() => self.inner.reachable.store(false, Ordering::Relaxed),
            _ => {
                if !self.inner.reachable.swap(true, Ordering::Relaxed) {
                    self.inner.outbox_wakeup.notify_one();
                }
            }
        }
        result
    }

    /// Sends `request` with the session's access token and decodes the answer as `T`.
    pub(crate) async fn send_authorized<T: DeserializeOwned>(&self, request: &ApiRequest) -> Result<T, ClientError> {
        self.send_authorized_raw(request).await?.json()
    }

    /// Sends `request` with the session's access token and ignores the answer's body (204 answers).
    pub(crate) async fn send_authorized_empty(&self, request: &ApiRequest) -> Result<(), ClientError> {
        self.send_authorized_raw(request).await.map(drop)
    }

    /// Sends `request` with the session's access token. On `token_expired` it refreshes the pair and
    /// retries once; when the server reports the session gone it ends it locally.
    pub(crate) async fn send_authorized_raw(&self, request: &ApiRequest) -> Result<RawAnswer, ClientError> {
        let tokens = self.inner.session.tokens().ok_or(ClientError::NotSignedIn)?;
        let (used, result) = match self.send_raw(request, Some(&tokens.access_token)).await {
            Err(ClientError::Server { ref detail, .. }) if detail.code == ErrorCode::TokenExpired => {
                let fresh = self.refresh(&tokens).await?;
                let result = self.send_raw(request, Some(&fresh.access_token)).await;
                (fresh, result)
            }
            result => (tokens, result),
        };
        match result {
            Err(ClientError::Server { status, detail })
                if matches!(detail.code, ErrorCode::SessionRevoked | ErrorCode::InvalidToken) =>
            {
                // The session is gone (revoked, or a token this server can never accept), unless a
                // new sign-in replaced it while this request was in flight.
                let guard = self.inner.session.lock().await;
                if guard.tokens().as_ref() != Some(&used) {
                    return Err(ClientError::Server { status, detail });
                }
                self.end_session(&guard)?;
                Err(ClientError::SessionEnded { code: detail.code })
            }
            other => other,
        }
    }

    /// The session's current token pair, if signed in (the chat connection's upgrade carries it).
    pub(crate) fn access_tokens(&self) -> Option<Tokens> {
        self.inner.session.tokens()
    }

    /// Trades the refresh token of `stale` for a new pair, unless another request already did.
    pub(crate) async fn refresh(&self, stale: &Tokens) -> Result<Tokens, ClientError> {
        let guard = self.inner.session.lock().await;
        match guard.tokens() {
            None => return Err(ClientError::NotSignedIn),
            Some(current) if current != *stale => return Ok(current),
            Some(_) => {}
        }
        let request =
            ApiRequest::post("/auth/refresh", &RefreshRequest { refresh_token: stale.refresh_token.clone() })?;
        match self.send::<TokenResponse>(&request, None).await {
            Ok(response) => {
                let tokens = tokens_of(&response);
                guard.replace(tokens.clone())?;
                self.cache_profile(&response.user);
                Ok(tokens)
            }
            Err(ClientError::Server { detail, .. })
                if matches!(
                    detail.code,
                    ErrorCode::SessionRevoked | ErrorCode::InvalidRefreshToken | ErrorCode::RefreshTokenReused
                ) =>
            {
                self.end_session(&guard)?;
                Err(ClientError::SessionEnded { code: detail.code })
            }
            Err(error) => Err(error),
        }
    }

    /// Stores a new session from a sign-up or sign-in answer and announces it.
    async fn begin_session(&self, response: TokenResponse) -> Result<Me, ClientError> {
        let guard = self.inner.session.lock().await;
        guard.replace(tokens_of(&response))?;
        self.cache_profile(&response.user);
        self.announce(Some(response.user.clone()));
        Ok(response.user)
    }

    /// Forgets the tokens, the cached profile and the student's plans and queued changes, and
    /// announces the sign-out. All are attempted even if one fails; the first failure is returned.
    fn end_session(&self, guard: &SessionGuard<'_>) -> Result<(), ClientError> {
        let tokens = guard.clear();
        let profile = self.inner.cache.clear_profile();
        let student_data = self.inner.cache.clear_student_data();
        self.announce(None);
        tokens.and(profile).and(student_data)
    }

    fn announce(&self, me: Option<Me>) {
        // No subscriber (e.g. in tests) is fine: nobody needs to hear it.
        let _ = self.inner.session_events.send(SessionChanged { me });
    }

    /// The profile cache is an optimisation: failing to write it must not fail the operation.
    pub(crate) fn cache_profile(&self, me: &Me) {
        if let Err(error) = self.inner.cache.save_profile(me) {
            tracing::warn!(%error, "could not cache the profile");
        }
    }

    fn update_settings(&self, change: impl FnOnce(&mut Settings)) -> Settings {
        let mut settings = self.inner.settings.write().unwrap_or_else(PoisonError::into_inner);
        change(&mut settings);
        settings.clone()
    }
}

fn tokens_of(response: &TokenResponse) -> Tokens {
    Tokens { access_token: response.access_token.clone(), refresh_token: response.refresh_token.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(dir: &Path) -> ClientOptions {
        ClientOptions { data_dir: dir.join("data"), backend_url: None, token_store: TokenStoreKind::File }
    }

    #[test]
    fn test_a_fresh_client_uses_the_default_backend_and_is_signed_out() {
        let dir = tempfile::tempdir().expect("temp dir");
        let client = Client::new(options(dir.path())).expect("client");
        assert_eq!(client.settings(), Settings { backend_url: DEFAULT_BACKEND_URL.into(), locale: None });
        assert!(!client.is_signed_in());
        assert_eq!(client.cached_me(), None);
        assert_eq!(client.token_store_kind(), TokenStoreKind::File);
        assert!(client.data_dir().join(CACHE_FILE_NAME).exists());
    }

    #[test]
    fn test_settings_persist_across_clients() {
        let dir = tempfile::tempdir().expect("temp dir");
        let client = Client::new(options(dir.path())).expect("client");
        let settings = client.set_backend_url("https://pretzel.example/").expect("set url");
        assert_eq!(settings.backend_url, "https://pretzel.example");
        client.set_locale(Some("ko".into())).expect("set locale");
        drop(client);
        let reopened = Client::new(options(dir.path())).expect("reopen");
        assert_eq!(
            reopened.settings(),
            Settings { backend_url: "https://pretzel.example".into(), locale: Some("ko".into()) }
        );
        assert_eq!(reopened.set_locale(None).expect("clear locale").locale, None);
    }

    #[test]
    fn test_the_url_override_wins_but_is_not_persisted() {
        let dir = tempfile::tempdir().expect("temp dir");
        Client::new(options(dir.path())).expect("client").set_backend_url("http://saved:1").expect("set");
        let overridden =
            Client::new(ClientOptions { backend_url: Some("http://override:2/".into()), ..options(dir.path()) })
                .expect("client");
        assert_eq!(overridden.settings().backend_url, "http://override:2");
        drop(overridden);
        assert_eq!(Client::new(options(dir.path())).expect("client").settings().backend_url, "http://saved:1");
    }

    #[test]
    fn test_invalid_urls_are_refused_and_not_persisted() {
        let dir = tempfile::tempdir().expect("temp dir");
        let client = Client::new(options(dir.path())).expect("client");
        assert!(matches!(client.set_backend_url("ftp://x"), Err(ClientError::UnsupportedUrl { .. })));
        assert!(matches!(client.set_backend_url("nope"), Err(ClientError::InvalidUrl { .. })));
        assert_eq!(client.settings().backend_url, DEFAULT_BACKEND_URL);
        let bad_override = ClientOptions { backend_url: Some("nope".into()), ..options(dir.path()) };
        assert!(matches!(Client::new(bad_override), Err(ClientError::InvalidUrl { .. })));
    }

    #[tokio::test]
    async fn test_signed_out_calls_fail_without_the_network() {
        let dir = tempfile::tempdir().expect("temp dir");
        let client = Client::new(options(dir.path())).expect("client");
        assert!(matches!(client.profile().await, Err(ClientError::NotSignedIn)));
        let mut events = client.subscribe_session();
        client.log_out().await.expect("logging out while signed out is fine");
        assert_eq!(events.try_recv().ok(), Some(SessionChanged { me: None }));
    }

    #[tokio::test]
    async fn test_an_unreachable_server_reads_as_offline() {
        let dir = tempfile::tempdir().expect("temp dir");
        // Port 9 (discard) on loopback has no listener: the connection is refused at once.
        let client =
            Client::new(ClientOptions { backend_url: Some("http://127.0.0.1:9".into()), ..options(dir.path()) })
                .expect("client");
        let error = client.universities().await.expect_err("nothing listens there");
        assert!(error.is_offline(), "{error:?}");
    }
}
