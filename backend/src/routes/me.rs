//! `GET /api/v1/me`: the signed-in student's profile.

use crate::auth::AuthSession;
use crate::db::users::UserRecord;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use pretzel_api::Me;

/// The signed-in student.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])), responses(
    (status = 200, body = Me),
    (status = 401, body = pretzel_api::ErrorBody),
))]
pub async fn get_me(State(state): State<AppState>, session: AuthSession) -> Result<Json<Me>, ApiError> {
    let user = state.db.user_by_id(session.user_id).await?.ok_or(ApiError::SessionRevoked)?;
    Ok(Json(profile(&state, user).await?))
}

/// A stored account as the API shows it.
pub async fn profile(state: &AppState, user: UserRecord) -> Result<Me, ApiError> {
    let university = state
        .db
        .university(user.university_id)
        .await?
        .ok_or_else(|| crate::db::DbError::Corrupt(format!("user {} has no university", user.id)))?;
    let created_at = chrono::DateTime::from_timestamp_millis(user.created_at)
        .ok_or_else(|| crate::db::DbError::Corrupt(format!("user {} created_at out of range", user.id)))?;
    Ok(Me { id: user.id, email: user.email, display_name: user.display_name, university, created_at })
}
