//! `GET /api/v1/me` and `PATCH /api/v1/me`: the signed-in student's profile, and the edits a student
//! makes to it (display name, home time zone, student visa).

use crate::auth::AuthSession;
use crate::db::users::{ProfileChange, UserRecord};
use crate::error::{ApiError, ApiJson};
use crate::routes::auth::check_display_name;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use pretzel_api::{FieldError, Me, UpdateMe};

/// The signed-in student.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])), responses(
    (status = 200, body = Me),
    (status = 401, body = pretzel_api::ErrorBody),
))]
pub async fn get_me(State(state): State<AppState>, session: AuthSession) -> Result<Json<Me>, ApiError> {
    let user = state.db.user_by_id(session.user_id).await?.ok_or(ApiError::SessionRevoked)?;
    Ok(Json(profile(&state, user).await?))
}

/// Changes the given fields of the signed-in student's profile; absent fields stay as they are.
#[utoipa::path(patch, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])), request_body = UpdateMe,
    responses(
        (status = 200, body = Me),
        (status = 401, body = pretzel_api::ErrorBody),
        (status = 422, body = pretzel_api::ErrorBody,
            description = "validation_failed: an unknown time zone or a bad name"),
    ))]
pub async fn update_me(
    State(state): State<AppState>,
    session: AuthSession,
    ApiJson(request): ApiJson<UpdateMe>,
) -> Result<Json<Me>, ApiError> {
    let mut fields = Vec::new();
    let display_name =
        request.display_name.as_deref().map(check_display_name).transpose().map_err(|e| fields.push(e)).ok().flatten();
    let home_time_zone = match request.home_time_zone.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(zone) => match zone.parse::<chrono_tz::Tz>() {
            // The canonical spelling, so clients can compare and look it up as they please.
            Ok(tz) => Some(Some(tz.name())),
            Err(_) => {
                fields.push(FieldError {
                    field: "home_time_zone".into(),
                    code: "unknown_time_zone".into(),
                    message: "Use an IANA time zone name such as Asia/Seoul, or an empty text to clear it.".into(),
                });
                None
            }
        },
    };
    if !fields.is_empty() {
        return Err(ApiError::Validation(fields));
    }
    let change =
        ProfileChange { display_name: display_name.as_deref(), home_time_zone, student_visa: request.student_visa };
    let user = state.db.update_profile(session.user_id, &change).await?.ok_or(ApiError::SessionRevoked)?;
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
    Ok(Me {
        id: user.id,
        email: user.email,
        display_name: user.display_name,
        university,
        created_at,
        home_time_zone: user.home_time_zone,
        student_visa: user.student_visa,
    })
}
