//! The HTTP routes, one module per resource, assembled into one router with the shared layers:
//! body limit, tracing, panic catching, and JSON answers for unknown routes and methods.

pub mod auth;
pub mod catalog;
pub mod health;
pub mod me;
pub mod universities;

use crate::error::ApiError;
use crate::openapi::ApiDoc;
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use pretzel_api::MAX_JSON_BODY_BYTES;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

/// Builds the application's router over `state`.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/universities", get(universities::list))
        .route("/universities/{id}/terms", get(catalog::terms))
        .route("/terms/{term_id}/search", get(catalog::search))
        .route("/auth/signup", post(auth::signup))
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(me::get_me));
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/api/openapi.json", get(openapi_json))
        .nest(pretzel_api::API_PREFIX, api)
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY_BYTES))
        .layer(CatchPanicLayer::custom(|_panic| ApiError::Panic.into_response()))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn openapi_json() -> impl IntoResponse {
    axum::Json(ApiDoc::openapi())
}
