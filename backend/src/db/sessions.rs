//! Queries over `sessions` and `refresh_tokens`: one session per sign-in, a family of single-use
//! refresh tokens under it, and revocation of the whole family.

use super::{Db, DbError, now_millis};
use pretzel_api::UserId;
use sqlx::Row;

/// Why a session was ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeReason {
    /// The student logged out.
    Logout,
    /// A refresh token was presented after it had been rotated: the family is compromised.
    RefreshTokenReused,
}

impl RevokeReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::Logout => "logout",
            Self::RefreshTokenReused => "refresh_token_reused",
        }
    }
}

/// A session as the authentication check needs it.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    /// The session (token family) id.
    pub id: i64,
    /// Whose session it is.
    pub user_id: UserId,
    /// When it lapses unless refreshed, Unix milliseconds.
    pub expires_at: i64,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
}

impl SessionRecord {
    /// `true` while the session may be used.
    pub fn is_live(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

/// What presenting a refresh token led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotateOutcome {
    /// The token was valid; it is now spent and the new one is stored.
    Rotated {
        /// The session that continues.
        session_id: i64,
        /// Its owner.
        user_id: UserId,
    },
    /// No such token.
    Unknown,
    /// The token or its session has expired, or the session was revoked.
    Dead,
    /// The token had already been used; the whole session is now revoked.
    Reused,
}

impl Db {
    /// Starts a session for `user_id` whose first refresh token hashes to `refresh_hash`.
    pub async fn create_session(&self, user_id: UserId, refresh_hash: &str, ttl_ms: i64) -> Result<i64, DbError> {
        let now = now_millis();
        let mut tx = self.pool().begin().await?;
        let session_id: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (user_id, created_at, expires_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(user_id.0)
        .bind(now)
        .bind(now + ttl_ms)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, session_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(refresh_hash)
        .bind(session_id)
        .bind(now)
        .bind(now + ttl_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(session_id)
    }

    /// The session with this id, if any.
    pub async fn session(&self, id: i64) -> Result<Option<SessionRecord>, DbError> {
        let row = sqlx::query("SELECT id, user_id, expires_at, revoked_at FROM sessions WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| -> Result<SessionRecord, DbError> {
            Ok(SessionRecord {
                id: row.try_get("id")?,
                user_id: UserId(row.try_get("user_id")?),
                expires_at: row.try_get("expires_at")?,
                revoked_at: row.try_get("revoked_at")?,
            })
        })
        .transpose()
    }

    /// Spends the refresh token hashing to `old_hash` and stores `new_hash` in its place, extending
    /// the session. A token seen a second time revokes its whole session.
    pub async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new_hash: &str,
        ttl_ms: i64,
    ) -> Result<RotateOutcome, DbError> {
        let now = now_millis();
        let mut tx = self.pool().begin().await?;
        // Write first: it takes SQLite's write lock at once and makes "spend" atomic on both engines,
        // so two racing refreshes with one token cannot both succeed.
        let spent = sqlx::query("UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
            .bind(now)
            .bind(old_hash)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let row = sqlx::query(
            "SELECT t.session_id, t.expires_at AS token_expires_at, s.user_id, s.expires_at AS session_expires_at, \
             s.revoked_at FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.token_hash = $1",
        )
        .bind(old_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(RotateOutcome::Unknown);
        };
        let session_id: i64 = row.try_get("session_id")?;
        let session = SessionRecord {
            id: session_id,
            user_id: UserId(row.try_get("user_id")?),
            expires_at: row.try_get("session_expires_at")?,
            revoked_at: row.try_get("revoked_at")?,
        };
        if spent == 0 {
            if session.revoked_at.is_none() {
                revoke(&mut tx, session_id, RevokeReason::RefreshTokenReused, now).await?;
                tx.commit().await?;
            }
            return Ok(RotateOutcome::Reused);
        }
        let token_expires_at: i64 = row.try_get("token_expires_at")?;
        if token_expires_at <= now || !session.is_live(now) {
            tx.rollback().await?;
            return Ok(RotateOutcome::Dead);
        }
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, session_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(new_hash)
        .bind(session_id)
        .bind(now)
        .bind(now + ttl_ms)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id = $2")
            .bind(now + ttl_ms)
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(RotateOutcome::Rotated { session_id, user_id: session.user_id })
    }

    /// Ends a session and with it every token of its family. Idempotent.
    pub async fn revoke_session(&self, session_id: i64, reason: RevokeReason) -> Result<(), DbError> {
        let mut tx = self.pool().begin().await?;
        revoke(&mut tx, session_id, reason, now_millis()).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn revoke(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    session_id: i64,
    reason: RevokeReason,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query("UPDATE sessions SET revoked_at = $1, revoke_reason = $2 WHERE id = $3 AND revoked_at IS NULL")
        .bind(now)
        .bind(reason.as_str())
        .bind(session_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
