//! The one error body every failing request answers with:
//! `{"error": {"code": "...", "message": "...", "fields": [...]}}`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Envelope of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The details of an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable, machine-readable code; clients branch on this, never on `message`.
    pub code: ErrorCode,
    /// A sentence for humans (English).
    pub message: String,
    /// Per-field problems when the request body failed validation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// One invalid field of a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's name as it appears in the JSON body, e.g. `"password"`.
    pub field: String,
    /// Stable code of the problem, e.g. `"too_short"`, `"too_common"`, `"invalid_email"`.
    pub code: String,
    /// A sentence for humans (English).
    pub message: String,
}

/// Stable error codes. New codes may appear; clients treat unknown ones as [`ErrorCode::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not well-formed JSON (or not UTF-8). 400.
    MalformedJson,
    /// The JSON is well-formed but has missing fields or wrong types. 422.
    InvalidBody,
    /// The body is not `application/json`. 415.
    UnsupportedMediaType,
    /// The body is larger than the server accepts. 413.
    PayloadTooLarge,
    /// One or more fields failed validation; see `fields`. 422.
    ValidationFailed,
    /// No route or resource at this path. 404.
    NotFound,
    /// The route exists but not with this method. 405.
    MethodNotAllowed,
    /// No bearer token was sent. 401.
    MissingToken,
    /// The bearer token is malformed or its signature is wrong. 401.
    InvalidToken,
    /// The access token has expired; refresh it. 401.
    TokenExpired,
    /// The session was logged out or revoked. 401.
    SessionRevoked,
    /// Email or password is wrong (deliberately not saying which). 401.
    InvalidCredentials,
    /// The refresh token is unknown or expired. 401.
    InvalidRefreshToken,
    /// A refresh token was presented twice; the whole session was revoked. 401.
    RefreshTokenReused,
    /// An account with this email already exists. 409.
    EmailTaken,
    /// The university id does not exist. 422.
    UnknownUniversity,
    /// The change would make the timetable overlap itself; the body lists the conflicts. Resend
    /// with `confirm_conflicts: true` to keep them. 409.
    ScheduleConflict,
    /// The section was dropped from the catalog by a later import and cannot be added. 410.
    SectionGone,
    /// The request contradicts the resource's state (e.g. deleting a term's only timetable). 409.
    StateConflict,
    /// The request's `Origin` header names a site the server does not accept (the chat WebSocket). 403.
    ForbiddenOrigin,
    /// `GET /ws` was not a valid WebSocket handshake (the message says why). 400.
    #[serde(rename = "not_websocket")]
    NotWebSocket,
    /// Too many attempts; retry after the `Retry-After` header's seconds. 429.
    RateLimited,
    /// The server failed; the cause is in its logs. 500.
    Internal,
    /// The server (or its database) is not ready. 503.
    Unavailable,
    /// A code this client version does not know.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedJson => "malformed_json",
            Self::InvalidBody => "invalid_body",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge => "payload_too_large",
            Self::ValidationFailed => "validation_failed",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::MissingToken => "missing_token",
            Self::InvalidToken => "invalid_token",
            Self::TokenExpired => "token_expired",
            Self::SessionRevoked => "session_revoked",
            Self::InvalidCredentials => "invalid_credentials",
            Self::InvalidRefreshToken => "invalid_refresh_token",
            Self::RefreshTokenReused => "refresh_token_reused",
            Self::EmailTaken => "email_taken",
            Self::UnknownUniversity => "unknown_university",
            Self::ScheduleConflict => "schedule_conflict",
            Self::SectionGone => "section_gone",
            Self::StateConflict => "state_conflict",
            Self::ForbiddenOrigin => "forbidden_origin",
            Self::NotWebSocket => "not_websocket",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_error_body_json_shape_is_stable() {
        let body = ErrorBody {
            error: ErrorDetail {
                code: ErrorCode::ValidationFailed,
                message: "The request has invalid fields.".into(),
                fields: vec![FieldError {
                    field: "password".into(),
                    code: "too_short".into(),
                    message: "Use at least 8 characters.".into(),
                }],
            },
        };
        let json = serde_json::to_string(&body).expect("serialise");
        assert_eq!(
            json,
            r#"{"error":{"code":"validation_failed","message":"The request has invalid fields.","fields":[{"field":"password","code":"too_short","message":"Use at least 8 characters."}]}}"#
        );
        let without_fields = ErrorBody {
            error: ErrorDetail { code: ErrorCode::NotFound, message: "No such route.".into(), fields: vec![] },
        };
        assert_eq!(
            serde_json::to_string(&without_fields).expect("serialise"),
            r#"{"error":{"code":"not_found","message":"No such route."}}"#
        );
    }

    #[test]
    fn test_every_code_round_trips_through_its_wire_name() {
        let all = [
            ErrorCode::MalformedJson,
            ErrorCode::InvalidBody,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::PayloadTooLarge,
            ErrorCode::ValidationFailed,
            ErrorCode::NotFound,
            ErrorCode::MethodNotAllowed,
            ErrorCode::MissingToken,
            ErrorCode::InvalidToken,
            ErrorCode::TokenExpired,
            ErrorCode::SessionRevoked,
            ErrorCode::InvalidCredentials,
            ErrorCode::InvalidRefreshToken,
            ErrorCode::RefreshTokenReused,
            ErrorCode::EmailTaken,
            ErrorCode::UnknownUniversity,
            ErrorCode::ScheduleConflict,
            ErrorCode::SectionGone,
            ErrorCode::StateConflict,
            ErrorCode::ForbiddenOrigin,
            ErrorCode::NotWebSocket,
            ErrorCode::RateLimited,
            ErrorCode::Internal,
            ErrorCode::Unavailable,
        ];
        for code in all {
            let json = serde_json::to_string(&code).expect("serialise");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let back: ErrorCode = serde_json::from_str(&json).expect("deserialise");
            assert_eq!(back, code);
        }
    }

    #[test]
    fn test_unknown_codes_from_newer_servers_do_not_break_clients() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"error":{"code":"brand_new_code","message":"x"}}"#).expect("parse");
        assert_eq!(body.error.code, ErrorCode::Unknown);
    }
}
