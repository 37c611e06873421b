//! The chat WebSocket endpoint, `GET /ws`: the checks before the upgrade (allowed `Origin`, then the
//! bearer token through the same [`AuthSession`] extractor every REST route uses, then the handshake
//! itself), and the hand-over of the upgraded TCP stream to one [`connection`] task, which speaks
//! WebSocket through [`codec`].
//!
//! The `Origin` check comes first and needs no database: a browser page on another site must not
//! ride on a student's credentials, while native clients send no `Origin` at all and pass.

pub mod codec;
pub mod connection;
pub mod frames;

use crate::auth::AuthSession;
use crate::error::ApiError;
use crate::server::ServedIo;
use crate::state::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{CONNECTION, ORIGIN, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_VERSION, UPGRADE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper::upgrade::OnUpgrade;

/// Origins of the Pretzel app's own webviews (Tauri v2 on macOS/Linux/iOS, and on Windows/Android).
pub const APP_ORIGINS: [&str; 3] = ["tauri://localhost", "http://tauri.localhost", "https://tauri.localhost"];

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

/// A valid WebSocket opening handshake (RFC 6455 section 4.2.1): the accept key to answer with, and
/// the connection to take over once the answer is sent.
#[derive(Debug)]
pub struct Handshake {
    accept: String,
    upgrade: OnUpgrade,
}

/// Whether the comma-separated header `name` lists `token` (case-insensitively).
fn lists_token(headers: &HeaderMap, name: axum::http::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|item| item.trim().eq_ignore_ascii_case(token))
}

impl<S: Send + Sync> FromRequestParts<S> for Handshake {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if parts.method != Method::GET {
            return Err(ApiError::NotWebSocket("the handshake is a GET request"));
        }
        if !lists_token(&parts.headers, CONNECTION, "upgrade") || !lists_token(&parts.headers, UPGRADE, "websocket") {
            return Err(ApiError::NotWebSocket("the request does not ask to upgrade to a WebSocket"));
        }
        if parts.headers.get(SEC_WEBSOCKET_VERSION).is_none_or(|version| version.as_bytes() != b"13") {
            return Err(ApiError::NotWebSocket("only WebSocket version 13 is spoken here"));
        }
        let Some(key) = parts.headers.get(SEC_WEBSOCKET_KEY) else {
            return Err(ApiError::NotWebSocket("Sec-WebSocket-Key is missing"));
        };
        let accept = codec::accept_key(key.as_bytes());
        let upgrade = parts
            .extensions
            .remove::<OnUpgrade>()
            .ok_or(ApiError::NotWebSocket("this connection cannot be upgraded"))?;
        Ok(Self { accept, upgrade })
    }
}

/// `GET /ws`: upgrades an authenticated request from an allowed origin to a chat connection.
pub async fn upgrade(
    _origin: AllowedOrigin,
    session: AuthSession,
    State(state): State<AppState>,
    handshake: Handshake,
) -> Response {
    let Handshake { accept, upgrade } = handshake;
    tokio::spawn(async move {
        let upgraded = match upgrade.await {
            Ok(upgraded) => upgraded,
            Err(error) => {
                tracing::debug!(%error, "chat upgrade failed");
                return;
            }
        };
        // Served by `server`, an upgraded connection is always its TCP stream; anything else is a bug.
        match upgraded.downcast::<ServedIo>() {
            // A task of its own: this one's state (the handshake's) would otherwise stay beside the
            // connection's for as long as the connection lives.
            Ok(parts) => drop(tokio::spawn(connection::serve(parts.io.into_inner(), parts.read_buf, state, session))),
            Err(_) => tracing::error!("an upgraded chat connection is not a TCP stream; closing it"),
        }
    });
    let mut response = StatusCode::SWITCHING_PROTOCOLS.into_response();
    let headers = response.headers_mut();
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(CONNECTION, HeaderValue::from_static("upgrade"));
    match HeaderValue::from_str(&accept) {
        Ok(accept) => {
            headers.insert(SEC_WEBSOCKET_ACCEPT, accept);
        }
        // Base64 is always a valid header value; should it not be, the client refuses the upgrade.
        Err(error) => tracing::error!(%error, "chat accept key is not a header value"),
    }
    response
}
