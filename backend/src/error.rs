//! The HTTP layer's error type and its one mapping to a status code and the JSON error body.
//! Internal causes are logged here and never sent to the client.

use crate::auth::password::HashError;
use crate::db::DbError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pretzel_api::{Conflict, ConflictRefusal, ErrorBody, ErrorCode, ErrorDetail, FieldError};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not well-formed JSON or not UTF-8.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// Well-formed JSON with missing fields or wrong types.
    #[error("invalid body: {0}")]
    InvalidBody(String),
    /// The body is not declared as `application/json`.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The body is over the size limit.
    #[error("payload too large")]
    PayloadTooLarge,
    /// Fields failed validation.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// No such route or resource.
    #[error("not found")]
    NotFound,
    /// The route does not take this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// No `Authorization: Bearer` header.
    #[error("missing token")]
    MissingToken,
    /// The token is malformed or its signature is wrong.
    #[error("invalid token")]
    InvalidToken,
    /// The access token has expired.
    #[error("token expired")]
    TokenExpired,
    /// The session was revoked or has lapsed.
    #[error("session revoked")]
    SessionRevoked,
    /// Wrong email or password.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Unknown or expired refresh token.
    #[error("invalid refresh token")]
    InvalidRefreshToken,
    /// A spent refresh token was presented again.
    #[error("refresh token reused")]
    RefreshTokenReused,
    /// The email already has an account.
    #[error("email taken")]
    EmailTaken,
    /// The university id does not exist.
    #[error("unknown university")]
    UnknownUniversity,
    /// The change would create these overlaps in a timetable and the student did not confirm them.
    #[error("schedule conflict ({} overlaps)", .0.len())]
    ScheduleConflict(Vec<Conflict>),
    /// A section was dropped from the catalog by a later import.
    #[error("section gone")]
    SectionGone,
    /// The request contradicts the resource's state.
    #[error("state conflict: {0:?}")]
    StateConflict(StateConflict),
    /// The `Origin` header names a site the chat WebSocket does not accept.
    #[error("forbidden origin")]
    ForbiddenOrigin,
    /// `GET /ws` without a valid WebSocket handshake; says what is wrong with it.
    #[error("not a WebSocket handshake: {0}")]
    NotWebSocket(&'static str),
    /// Too many attempts.
    #[error("rate limited")]
    RateLimited {
        /// How long until the next attempt may succeed.
        retry_after: Duration,
    },
    /// The database is unreachable.
    #[error("unavailable: {0}")]
    Unavailable(DbError),
    /// A storage failure.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A password hashing failure.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// A handler panicked.
    #[error("handler panicked")]
    Panic,
}

/// Why a request contradicts the state of what it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateConflict {
    /// Deleting a term's only timetable.
    LastTimetable,
    /// A term already holds the most timetables a student keeps.
    TooManyTimetables,
    /// A timetable already holds the most sections and blocks it may.
    TooManyItems,
}

impl StateConflict {
    fn message(self) -> String {
        match self {
            Self::LastTimetable => {
                "A term keeps at least one timetable; create another before deleting this one.".into()
            }
            Self::TooManyTimetables => format!(
                "A term holds at most {} timetables; delete one first.",
                pretzel_api::timetable::MAX_TIMETABLES_PER_TERM
            ),
            Self::TooManyItems => format!(
                "A timetable holds at most {} sections and blocks; remove some first.",
                pretzel_api::timetable::MAX_TIMETABLE_ITEMS
            ),
        }
    }
}

impl ApiError {
    fn status_code_message(&self) -> (StatusCode, ErrorCode, String) {
        use ApiError as E;
        let (status, code, message): (StatusCode, ErrorCode, &str) = match self {
            E::MalformedJson(detail) => {
                return (
                    StatusCode::BAD_REQUEST,
                    ErrorCode::MalformedJson,
                    format!("The request body is not valid JSON: {detail}"),
                );
            }
            E::InvalidBody(detail) => {
                return (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorCode::InvalidBody,
                    format!("The request body does not match what this endpoint expects: {detail}"),
                );
            }
            E::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Send the body as JSON with `Content-Type: application/json`.",
            ),
            E::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "The request body is larger than the server accepts.",
            ),
            E::Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::ValidationFailed,
                "Some fields are invalid; see `fields`.",
            ),
            E::NotFound => (StatusCode::NOT_FOUND, ErrorCode::NotFound, "There is nothing at this address."),
            E::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                "This address does not accept that method.",
            ),
            E::MissingToken => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::MissingToken,
                "Sign in first: send `Authorization: Bearer <access token>`.",
            ),
            E::InvalidToken => (StatusCode::UNAUTHORIZED, ErrorCode::InvalidToken, "The access token is not valid."),
            E::TokenExpired => {
                (StatusCode::UNAUTHORIZED, ErrorCode::TokenExpired, "The access token has expired; refresh it.")
            }
            E::SessionRevoked => {
                (StatusCode::UNAUTHORIZED, ErrorCode::SessionRevoked, "This session has ended; sign in again.")
            }
            E::InvalidCredentials => {
                (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials, "The email or password is wrong.")
            }
            E::InvalidRefreshToken => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidRefreshToken,
                "The refresh token is not valid; sign in again.",
            ),
            E::RefreshTokenReused => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::RefreshTokenReused,
                "This refresh token was already used, so the session was ended for safety; sign in again.",
            ),
            E::EmailTaken => (
                StatusCode::CONFLICT,
                ErrorCode::EmailTaken,
                "An account with this email already exists; sign in instead.",
            ),
            E::UnknownUniversity => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::UnknownUniversity, "There is no university with this id.")
            }
            E::ScheduleConflict(_) => (
                StatusCode::CONFLICT,
                ErrorCode::ScheduleConflict,
                "This would overlap what the timetable already holds; see `conflicts`, and resend with \
                 `confirm_conflicts: true` to keep it anyway.",
            ),
            E::SectionGone => (
                StatusCode::GONE,
                ErrorCode::SectionGone,
                "This section was dropped from the catalog and can no longer be added.",
            ),
            E::StateConflict(reason) => return (StatusCode::CONFLICT, ErrorCode::StateConflict, reason.message()),
            E::ForbiddenOrigin => (
                StatusCode::FORBIDDEN,
                ErrorCode::ForbiddenOrigin,
                "This site may not open a chat connection; use the Pretzel app.",
            ),
            E::NotWebSocket(reason) => {
                let message = format!("This endpoint speaks WebSocket: {reason}.");
                return (StatusCode::BAD_REQUEST, ErrorCode::NotWebSocket, message);
            }
            E::RateLimited { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                "Too many attempts; wait a moment and try again.",
            ),
            E::Unavailable(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, "The server is not ready; try again shortly.")
            }
            E::Db(_) | E::Hash(_) | E::Panic => {
                (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, "Something went wrong on the server.")
            }
        };
        (status, code, message.to_owned())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.status_code_message();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let retry_after = match &self {
            ApiError::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        };
        let fields = match &self {
            ApiError::Validation(fields) => fields.clone(),
            _ => Vec::new(),
        };
        let error = ErrorDetail { code, message, fields };
        let mut response = match self {
            // The same envelope, with the overlaps beside it.
            ApiError::ScheduleConflict(conflicts) => {
                (status, axum::Json(ConflictRefusal { error, conflicts })).into_response()
            }
            _ => (status, axum::Json(ErrorBody { error })).into_response(),
        };
        if let Some(retry_after) = retry_after {
            let secs = retry_after.as_secs().max(1);
            if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonSyntaxError(e) => Self::MalformedJson(source_text(&e)),
            JsonRejection::JsonDataError(e) => Self::InvalidBody(source_text(&e)),
            JsonRejection::MissingJsonContentType(_) => Self::UnsupportedMediaType,
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            other => Self::MalformedJson(other.body_text()),
        }
    }
}

/// The innermost cause's text (serde's message with line and column), without axum's prefix.
fn source_text(err: &dyn std::error::Error) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// `axum::Json` whose rejections answer with the error body.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Self(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretzel_api::{ConflictItem, SectionId};

    async fn answer(error: ApiError) -> (StatusCode, serde_json::Value) {
        let response = error.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        (status, serde_json::from_slice(&bytes).expect("json"))
    }

    #[tokio::test]
    async fn test_timetable_refusals_keep_the_envelope_and_a_schedule_conflict_lists_the_overlaps() {
        let conflict = Conflict {
            first: ConflictItem::Section { section_id: SectionId(1), label: "CS 225 AL1".into() },
            second: ConflictItem::Section { section_id: SectionId(2), label: "MATH 241 BL2".into() },
            day: "T".into(),
            start: "10:00".into(),
            end: "10:50".into(),
            message: "CS 225 AL1 overlaps MATH 241 BL2 on Tue 10:00\u{2013}10:50".into(),
        };
        let (status, body) = answer(ApiError::ScheduleConflict(vec![conflict.clone()])).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["error"]["code"], "schedule_conflict");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(body["conflicts"], serde_json::to_value(vec![conflict]).expect("json"));
        let refusal: ConflictRefusal = serde_json::from_value(body).expect("a ConflictRefusal");
        assert_eq!(refusal.error.code, ErrorCode::ScheduleConflict);

        let (status, body) = answer(ApiError::SectionGone).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::GONE, Some("section_gone")));
        assert!(body.get("conflicts").is_none());
        let (status, body) = answer(ApiError::StateConflict(StateConflict::LastTimetable)).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("state_conflict")));
    }
}
