//! The state every handler shares: storage, token signer, password hasher, rate limits, config.

use crate::auth::password::PasswordHasherPool;
use crate::auth::rate_limit::RateLimiter;
use crate::auth::tokens::TokenSigner;
use crate::config::Config;
use crate::db::Db;
use std::sync::Arc;

/// Cloned into every handler; all fields are cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Issues and checks access tokens.
    pub tokens: TokenSigner,
    /// Hashes and verifies passwords.
    pub passwords: PasswordHasherPool,
    /// Failed logins and sign-ups per account and per IP.
    pub limits: Arc<RateLimiter>,
    /// The configuration the server started with.
    pub config: Arc<Config>,
    /// Chat connections' shared hub: live subscriptions, fan-out, send rate.
    pub chat: crate::chat::ChatHub,
}
