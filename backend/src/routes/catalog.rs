//! The course catalog over HTTP. For now `GET /api/v1/universities/{id}/terms`, the imported terms a
//! client's term picker offers; search and sections come with the search feature.

use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use pretzel_api::{ErrorBody, Term, UniversityId};

/// The university's imported terms, newest first, with how many sections each offers.
#[utoipa::path(get, path = "/api/v1/universities/{id}/terms", tag = "catalog",
    params(("id" = i64, Path, description = "The university's id")),
    responses(
        (status = 200, body = [Term]),
        (status = 404, description = "No university with this id", body = ErrorBody),
    ))]
pub async fn terms(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Vec<Term>>, ApiError> {
    // A non-numeric id names no university, which is the same answer as an unknown one.
    let Path(id) = id.map_err(|_| ApiError::NotFound)?;
    let university = UniversityId(id);
    if state.db.university(university).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    Ok(Json(state.db.list_terms(university).await?))
}
