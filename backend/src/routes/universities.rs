//! `GET /api/v1/universities`.

use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use pretzel_api::University;

/// Every university a student can sign up with.
#[utoipa::path(get, path = "/api/v1/universities", tag = "universities", responses(
    (status = 200, body = [University]),
))]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<University>>, ApiError> {
    Ok(Json(state.db.list_universities().await?))
}
