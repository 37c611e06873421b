//! The HTTP routes, one module per resource, assembled into one router with the shared layers:
//! body limit, tracing, panic catching, and JSON answers for unknown routes and methods.

pub mod auth;
pub mod catalog;
pub mod health;
pub mod me;
pub mod timetables;
pub mod universities;

use crate::error::ApiError;
use crate::openapi::ApiDoc;
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
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
        .route("/me", get(me::get_me).patch(me::update_me))
        .route("/terms/{term_id}/timetables", get(timetables::list).post(timetables::create))
        .route("/timetables/{id}", axum::routing::patch(timetables::update).delete(timetables::delete))
        .route("/timetables/{id}/sections", post(timetables::add_sections))
        .route("/timetables/{id}/sections/{section_id}", delete(timetables::remove_section))
        .route("/timetables/{id}/blocks", post(timetables::create_block))
        .route("/timetables/{id}/blocks/{block_id}", delete(timetables::remove_block))
        .route("/timetables/{id}/calendar.ics", get(timetables::calendar))
        .route("/timetables/{id}/subscription", put(timetables::subscribe).delete(timetables::unsubscribe));
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route(pretzel_api::chat::WS_PATH, get(crate::ws::upgrade))
        .route("/api/openapi.json", get(openapi_json))
        // `{token}.ics` is one path segment; the handler takes the suffix off.
        .route("/calendar/{file}", get(timetables::feed))
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
