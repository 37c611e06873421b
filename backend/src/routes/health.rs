//! `/healthz` (the process answers) and `/readyz` (and its database does).

use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use pretzel_api::HealthResponse;

/// Liveness: the process is up.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, body = HealthResponse)))]
pub async fn healthz() -> Json<HealthResponse> {
    Json(HealthResponse { status: "ok".into() })
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "system", responses(
    (status = 200, body = HealthResponse),
    (status = 503, body = pretzel_api::ErrorBody),
))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<HealthResponse>, ApiError> {
    state.db.ping().await.map_err(ApiError::Unavailable)?;
    Ok(Json(HealthResponse { status: "ok".into() }))
}
