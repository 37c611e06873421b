//! Sign-up, login, refresh and logout under `/api/v1/auth`.

use crate::auth::AuthSession;
use crate::auth::password::{PasswordHasherPool, check_policy};
use crate::auth::tokens::{generate_refresh_token, hash_refresh_token};
use crate::db::sessions::{RevokeReason, RotateOutcome};
use crate::db::users::{NewUser, UserRecord};
use crate::db::{DbError, now_millis};
use crate::error::{ApiError, ApiJson};
use crate::routes::me::profile;
use crate::state::AppState;
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use pretzel_api::{
    DISPLAY_NAME_MAX_CHARS, FieldError, LoginRequest, LogoutResponse, RefreshRequest, SignupRequest, TokenResponse,
};
use std::net::SocketAddr;
use std::time::Instant;

/// Trims and lower-cases an email address and checks its shape.
pub fn normalize_email(raw: &str) -> Result<String, FieldError> {
    let email = raw.trim().to_lowercase();
    let invalid = || FieldError {
        field: "email".into(),
        code: "invalid_email".into(),
        message: "Enter a valid email address, like name@university.edu.".into(),
    };
    let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
    let well_formed = !local.is_empty()
        && email.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if well_formed { Ok(email) } else { Err(invalid()) }
}

/// The display-name rule, shared by sign-up and `PATCH /me`: 1 to [`DISPLAY_NAME_MAX_CHARS`] characters
/// after trimming, no control characters.
pub(crate) fn check_display_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    let problem = |code: &str, message: String| FieldError { field: "display_name".into(), code: code.into(), message };
    if name.is_empty() {
        return Err(problem("required", "Enter the name your classmates will see.".into()));
    }
    if name.chars().count() > DISPLAY_NAME_MAX_CHARS {
        return Err(problem("too_long", format!("Use at most {DISPLAY_NAME_MAX_CHARS} characters.")));
    }
    if name.chars().any(char::is_control) {
        return Err(problem("invalid", "The name cannot contain control characters.".into()));
    }
    Ok(name.to_owned())
}

fn rate_limited(state: &AppState, key: &str, limit: u32) -> Result<(), ApiError> {
    state.limits.check(key, limit, Instant::now()).map_err(|retry_after| ApiError::RateLimited { retry_after })
}

/// Starts a session for `user` and answers with its first token pair.
async fn start_session(state: &AppState, user: UserRecord) -> Result<TokenResponse, ApiError> {
    let refresh_token = generate_refresh_token();
    let session_id =
        state.db.create_session(user.id, &hash_refresh_token(&refresh_token), state.tokens.refresh_ttl_ms).await?;
    token_response(state, session_id, refresh_token, user).await
}

async fn token_response(
    state: &AppState,
    session_id: i64,
    refresh_token: String,
    user: UserRecord,
) -> Result<TokenResponse, ApiError> {
    let access_token = state.tokens.issue_access(session_id, user.id, now_millis());
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: u64::try_from(state.tokens.access_ttl_ms / 1000).unwrap_or_default(),
        refresh_token,
        refresh_expires_in: u64::try_from(state.tokens.refresh_ttl_ms / 1000).unwrap_or_default(),
        user: profile(state, user).await?,
    })
}

/// Creates an account and signs it in.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "accounts", request_body = SignupRequest, responses(
    (status = 201, body = TokenResponse),
    (status = 409, description = "email_taken", body = pretzel_api::ErrorBody),
    (status = 422, description = "validation_failed or unknown_university", body = pretzel_api::ErrorBody),
    (status = 429, description = "rate_limited", body = pretzel_api::ErrorBody),
))]
pub async fn signup(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<SignupRequest>,
) -> Result<(StatusCode, Json<TokenResponse>), ApiError> {
    let ip_key = format!("signup-ip:{}", peer.ip());
    rate_limited(&state, &ip_key, state.config.signup_limit_per_ip)?;

    let mut fields = Vec::new();
    let email = normalize_email(&request.email).map_err(|e| fields.push(e)).ok();
    if let Some(problem) = check_policy(&request.password, email.as_deref().unwrap_or_default()) {
        fields.push(problem);
    }
    let display_name = check_display_name(&request.display_name).map_err(|e| fields.push(e)).ok();
    let (Some(email), Some(display_name), true) = (email, display_name, fields.is_empty()) else {
        return Err(ApiError::Validation(fields));
    };
    if state.db.university(request.university_id).await?.is_none() {
        return Err(ApiError::UnknownUniversity);
    }

    let password_hash = PasswordHasherPool::hash(request.password).await?;
    let new_user = NewUser {
        email: &email,
        password_hash: &password_hash,
        display_name: &display_name,
        university_id: request.university_id,
    };
    let user = match state.db.insert_user(&new_user).await {
        Ok(user) => user,
        Err(DbError::UniqueViolation) => return Err(ApiError::EmailTaken),
        Err(other) => return Err(other.into()),
    };
    state.limits.record(&ip_key, Instant::now());
    tracing::info!(user_id = %user.id, "account created");
    Ok((StatusCode::CREATED, Json(start_session(&state, user).await?)))
}

/// Signs in with email and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", request_body = LoginRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, description = "invalid_credentials", body = pretzel_api::ErrorBody),
    (status = 429, description = "rate_limited, with Retry-After", body = pretzel_api::ErrorBody),
))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    // A malformed email cannot have an account; it still goes through the same steps and timing.
    let email = normalize_email(&request.email).unwrap_or_else(|_| request.email.trim().to_lowercase());
    let account_key = format!("login-account:{email}");
    let ip_key = format!("login-ip:{}", peer.ip());
    rate_limited(&state, &account_key, state.config.login_limit_per_account)?;
    rate_limited(&state, &ip_key, state.config.login_limit_per_ip)?;

    let user = state.db.user_by_email(&email).await?;
    let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
    let verified = state.passwords.verify(request.password, stored_hash).await?;
    let Some(user) = user.filter(|_| verified) else {
        let now = Instant::now();
        state.limits.record(&account_key, now);
        state.limits.record(&ip_key, now);
        return Err(ApiError::InvalidCredentials);
    };
    state.limits.clear(&account_key);
    Ok(Json(start_session(&state, user).await?))
}

/// Trades a refresh token for a new pair; the old one is spent.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "accounts", request_body = RefreshRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, description = "invalid_refresh_token or refresh_token_reused", body = pretzel_api::ErrorBody),
))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let new_refresh = generate_refresh_token();
    let outcome = state
        .db
        .rotate_refresh_token(
            &hash_refresh_token(request.refresh_token.trim()),
            &hash_refresh_token(&new_refresh),
            state.tokens.refresh_ttl_ms,
        )
        .await?;
    match outcome {
        RotateOutcome::Rotated { session_id, user_id } => {
            let user = state.db.user_by_id(user_id).await?.ok_or(ApiError::InvalidRefreshToken)?;
            Ok(Json(token_response(&state, session_id, new_refresh, user).await?))
        }
        RotateOutcome::Unknown | RotateOutcome::Dead => Err(ApiError::InvalidRefreshToken),
        RotateOutcome::Reused => {
            tracing::warn!("refresh token reused: session revoked");
            Err(ApiError::RefreshTokenReused)
        }
    }
}

/// Ends the caller's session: its access and refresh tokens stop working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts", security(("bearer" = [])), responses(
    (status = 200, body = LogoutResponse),
    (status = 401, body = pretzel_api::ErrorBody),
))]
pub async fn logout(State(state): State<AppState>, session: AuthSession) -> Result<Json<LogoutResponse>, ApiError> {
    state.db.revoke_session(session.session_id, RevokeReason::Logout).await?;
    Ok(Json(LogoutResponse { revoked: true }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_emails_are_normalised_and_checked() {
        assert_eq!(normalize_email("  Jimin.Park@Illinois.EDU ").as_deref(), Ok("jimin.park@illinois.edu"));
        for bad in ["", "no-at-sign", "@illinois.edu", "a@localhost", "a@.edu", "a@b.", "a b@c.edu", "a@b@c.edu"] {
            assert!(normalize_email(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn test_display_names_are_trimmed_and_bounded() {
        assert_eq!(check_display_name("  Wei Zhang ").as_deref(), Ok("Wei Zhang"));
        assert_eq!(check_display_name("   ").map_err(|e| e.code).expect_err("blank"), "required");
        let long = "가".repeat(DISPLAY_NAME_MAX_CHARS + 1);
        assert_eq!(check_display_name(&long).map_err(|e| e.code).expect_err("long"), "too_long");
        assert!(check_display_name(&"가".repeat(DISPLAY_NAME_MAX_CHARS)).is_ok());
    }
}
