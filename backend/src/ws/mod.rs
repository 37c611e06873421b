//! The chat WebSocket endpoint, `GET /ws`: the checks before the upgrade (allowed `Origin`, then the
//! bearer token through the same [`AuthSession`] extractor every REST route uses), the socket's size
//! limits, and the hand-over to one [`connection`] task per socket.
//!
//! The `Origin` check comes first and needs no database: a browser page on another site must not
//! ride on a student's credentials, while native clients send no `Origin` at all and pass.

pub mod connection;
pub mod frames;

use crate::auth::AuthSession;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{FromRequestParts, State};
use axum::http::header::ORIGIN;
use axum::http::request::Parts;
use axum::response::Response;
use pretzel_api::chat::CLOSE_FRAME_BYTES;

/// Origins of the Pretzel app's own webviews (Tauri v2 on macOS/Linux/iOS, and on Windows/Android).
pub const APP_ORIGINS: [&str; 3] = ["tauri://localhost", "http://tauri.localhost", "https://tauri.localhost"];

/// Socket read buffer: client frames are a few hundred bytes (a larger one grows it while it is read),
/// and every idle connection keeps this much, so the default 128 KiB would dominate memory.
const READ_BUFFER_BYTES: usize = 512;
/// Bytes gathered before a write reaches the socket (each frame is flushed at once anyway).
const WRITE_BUFFER_BYTES: usize = 4 * 1024;

/// Proof that the request's `Origin` (if any) is allowed; refuses with 403 otherwise.
#[derive(Debug, Clone, Copy)]
pub struct AllowedOrigin;

impl FromRequestParts<AppState> for AllowedOrigin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(origin) = parts.headers.get(ORIGIN) else {
            return Ok(Self);
        };
        let origin = origin.to_str().map_err(|_| ApiError::ForbiddenOrigin)?;
        let allowed = APP_ORIGINS.contains(&origin)
            || state.chat.settings().allowed_origins.iter().any(|o| o.eq_ignore_ascii_case(origin));
        if allowed { Ok(Self) } else { Err(ApiError::ForbiddenOrigin) }
    }
}

/// `GET /ws`: upgrades an authenticated request from an allowed origin to a chat connection.
pub async fn upgrade(
    _origin: AllowedOrigin,
    session: AuthSession,
    State(state): State<AppState>,
    ws: WebSocketUpgrade,
) -> Response {
    // The socket refuses what is too big to read; frames between MAX_FRAME_BYTES and this are read and
    // answered with an error frame (see `connection`), which keeps the connection usable.
    ws.max_message_size(CLOSE_FRAME_BYTES)
        .max_frame_size(CLOSE_FRAME_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .on_failed_upgrade(|error| tracing::debug!(%error, "chat upgrade failed"))
        .on_upgrade(move |socket| connection::serve(socket, state, session))
}
