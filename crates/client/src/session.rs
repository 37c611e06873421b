//! The signed-in session's token pair: its in-memory copy, its persistent [`TokenStore`], and the
//! lock that orders its transitions.
//!
//! Refresh tokens are single-use, so two requests that both find their access token expired must
//! not both spend the same refresh token (the server would revoke the session). Every transition
//! (sign-in, refresh, sign-out) therefore happens under [`Session::lock`], and only the
//! [`SessionGuard`] it returns can change the tokens.

use crate::error::ClientError;
use crate::tokens::{TokenStore, TokenStoreKind, Tokens};
use std::sync::{Mutex, PoisonError};

/// The session state shared by every clone of a [`crate::Client`].
#[derive(Debug)]
pub(crate) struct Session {
    store: Box<dyn TokenStore>,
    /// The current pair, read without waiting by requests and `is_signed_in`.
    current: Mutex<Option<Tokens>>,
    /// Held for the whole of a transition, network round trip included.
    transitions: tokio::sync::Mutex<()>,
}

impl Session {
    /// Loads the stored pair. A store that cannot be read counts as signed out (and is logged): the
    /// app must still start, and the next sign-in overwrites whatever is there.
    pub(crate) fn open(store: Box<dyn TokenStore>) -> Self {
        let current = store.load().unwrap_or_else(|error| {
            tracing::warn!(%error, "could not read the stored session; starting signed out");
            None
        });
        Self { store, current: Mutex::new(current), transitions: tokio::sync::Mutex::new(()) }
    }

    /// The current pair, if signed in.
    pub(crate) fn tokens(&self) -> Option<Tokens> {
        self.current.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The kind of store the tokens persist in.
    pub(crate) fn store_kind(&self) -> TokenStoreKind {
        self.store.kind()
    }

    /// Waits for any transition in progress to finish and starts a new one.
    pub(crate) async fn lock(&self) -> SessionGuard<'_> {
        SessionGuard { session: self, _transition: self.transitions.lock().await }
    }

    fn set_current(&self, tokens: Option<Tokens>) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = tokens;
    }
}

/// Permission to change the session, held for the duration of one transition.
#[derive(Debug)]
pub(crate) struct SessionGuard<'a> {
    session: &'a Session,
    _transition: tokio::sync::MutexGuard<'a, ()>,
}

impl SessionGuard<'_> {
    /// The current pair, if signed in.
    pub(crate) fn tokens(&self) -> Option<Tokens> {
        self.session.tokens()
    }

    /// Persists `tokens` and makes them current.
    pub(crate) fn replace(&self, tokens: Tokens) -> Result<(), ClientError> {
        self.session.store.save(&tokens)?;
        self.session.set_current(Some(tokens));
        Ok(())
    }

    /// Forgets the tokens: in memory first, so this process is signed out even if the store fails.
    pub(crate) fn clear(&self) -> Result<(), ClientError> {
        self.session.set_current(None);
        self.session.store.clear()
    }
}
