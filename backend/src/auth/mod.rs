//! Authentication: password hashing and policy, access and refresh tokens, login rate limits, and
//! the extractor that turns a bearer token into a live session on every request.

pub mod password;
pub mod rate_limit;
pub mod tokens;

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use pretzel_api::UserId;

/// The caller of an authenticated route: a verified token whose session is still live.
#[derive(Debug, Clone, Copy)]
pub struct AuthSession {
    /// The signed-in student.
    pub user_id: UserId,
    /// The session the token belongs to.
    pub session_id: i64,
    /// When the presented access token expires, Unix milliseconds (a chat connection closes then).
    pub access_expires_at: i64,
}

impl FromRequestParts<AppState> for AuthSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).ok_or(ApiError::MissingToken)?;
        let value = header.to_str().map_err(|_| ApiError::InvalidToken)?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or(ApiError::InvalidToken)?
            .trim();
        let now = crate::db::now_millis();
        let claims = state.tokens.verify_access(token, now)?;
        // Checked on every request so that logout and revocation take effect at once.
        let session = state.db.session(claims.session_id).await?.ok_or(ApiError::SessionRevoked)?;
        if session.user_id != claims.user_id || !session.is_live(now) {
            return Err(ApiError::SessionRevoked);
        }
        Ok(Self { user_id: claims.user_id, session_id: claims.session_id, access_expires_at: claims.expires_at })
    }
}
