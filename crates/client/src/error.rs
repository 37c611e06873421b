//! The client core's one error type, and its single mapping onto the shell's [`CommandError`].
//!
//! Every fallible function in this crate returns [`ClientError`]; the Tauri shell turns it into the
//! JSON error the UI sees through `impl From<ClientError> for CommandError`, so the classification
//! (server answer, offline, signed out, bad input, storage, internal) is decided here, once.

use pretzel_api::shell::{CommandError, CommandErrorKind};
use pretzel_api::{Conflict, ErrorCode, ErrorDetail, TimetableId};
use std::error::Error as _;
use std::path::PathBuf;

/// Everything that can go wrong in the client core.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The backend answered with an error body (`{"error": {...}}`).
    #[error("the server refused the request ({status}, {}): {}", .detail.code, .detail.message)]
    Server {
        /// HTTP status of the answer.
        status: u16,
        /// The error the server sent: stable code, message and per-field problems.
        detail: ErrorDetail,
    },

    /// The backend refused a timetable change because it would create overlaps (409
    /// `schedule_conflict`); nothing was changed. Resend with `confirm_conflicts: true` to keep them.
    #[error("the change would create {} schedule conflict(s): {}", .conflicts.len(), .detail.message)]
    ScheduleConflict {
        /// The error envelope the server sent.
        detail: ErrorDetail,
        /// The overlaps the change would create.
        conflicts: Vec<Conflict>,
    },

    /// The backend could not be reached: connection refused, DNS failure, timeout, connection reset.
    #[error("could not reach the Pretzel server")]
    Offline {
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },

    /// Any other HTTP-level failure (building the client or the request, reading the body).
    #[error("the HTTP request failed")]
    Http {
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },

    /// The backend answered with something that is not the JSON the contract promises.
    #[error("the server sent an unexpected response (HTTP {status})")]
    UnexpectedResponse {
        /// HTTP status of the answer.
        status: u16,
        /// Why the body could not be decoded.
        #[source]
        source: serde_json::Error,
    },

    /// A value could not be written as JSON (a bug, not a runtime condition: the contract's types
    /// always serialise).
    #[error("could not encode the {what} as JSON")]
    Encode {
        /// What was being encoded, e.g. `request body`.
        what: &'static str,
        /// The serialiser's error.
        #[source]
        source: serde_json::Error,
    },

    /// The backend is unreachable and what the request needs is not in the offline cache (a term's
    /// plans never fetched, or a section never seen in search results).
    #[error("the {what} is not available offline")]
    NotAvailableOffline {
        /// What is missing, e.g. `timetables of this term`.
        what: &'static str,
    },

    /// A timetable id that is not among the term's plans as this client knows them.
    #[error("timetable {id} is not one of the term's plans")]
    UnknownTimetable {
        /// The id asked for.
        id: TimetableId,
    },

    /// The request needs a signed-in student and no session is stored.
    #[error("no student is signed in")]
    NotSignedIn,

    /// The server ended the session (logged out elsewhere, revoked, or a refresh token was reused);
    /// the local tokens and cached profile have been cleared.
    #[error("the session has ended ({code}); sign in again")]
    SessionEnded {
        /// The server's reason, e.g. `session_revoked` or `refresh_token_reused`.
        code: ErrorCode,
    },

    /// A backend URL that does not parse as a URL.
    #[error("`{url}` is not a valid URL")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it does not parse.
        #[source]
        source: url::ParseError,
    },

    /// A backend URL that parses but cannot be used as a backend address.
    #[error("`{url}` cannot be used as the server address: {reason}")]
    UnsupportedUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it (wrong scheme, no host, credentials, query or fragment).
        reason: &'static str,
    },

    /// A locale that is not a plausible BCP 47 language tag.
    #[error("`{locale}` is not a language tag such as `ko` or `zh-CN`")]
    InvalidLocale {
        /// The locale as given.
        locale: String,
    },

    /// A token store name other than `auto`, `keyring` or `file`.
    #[error("unknown token store `{value}`; expected `auto`, `keyring` or `file`")]
    UnknownTokenStore {
        /// The name as given.
        value: String,
    },

    /// The local SQLite cache failed.
    #[error("the local cache failed")]
    Cache {
        /// The SQLite error.
        #[from]
        source: rusqlite::Error,
    },

    /// The local cache was written by a newer version of Pretzel than this one.
    #[error(
        "the local cache {} has schema version {found}, but this version of Pretzel only knows up to \
         {supported}; update Pretzel or remove the file",
        .path.display()
    )]
    CacheTooNew {
        /// Path of the cache file.
        path: PathBuf,
        /// The schema version found in the file.
        found: i64,
        /// The newest schema version this build knows.
        supported: i64,
    },

    /// A value in the local cache is not valid JSON for its type.
    #[error("the cached {what} is corrupt")]
    CorruptCacheEntry {
        /// Which entry, e.g. `profile`.
        what: &'static str,
        /// Why it does not decode.
        #[source]
        source: serde_json::Error,
    },

    /// Reading or writing a local file or directory failed.
    #[error("could not access {}", .path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The token store holds something that is not a token pair.
    #[error("the stored session tokens in {location} are corrupt; sign in again")]
    CorruptTokens {
        /// Where the tokens are stored: the token file's path, or the keychain entry.
        location: String,
        /// Why they do not decode.
        #[source]
        source: serde_json::Error,
    },

    /// The OS keychain failed.
    #[error("the OS keychain failed")]
    Keyring {
        /// The keychain error.
        #[from]
        source: keyring::Error,
    },

    /// The keychain was asked for explicitly but this platform has no supported keychain.
    #[error("this platform has no supported OS keychain; use the file token store")]
    KeyringUnsupported,
}

impl ClientError {
    /// `true` when the backend could not be reached, so a cached answer may stand in.
    pub fn is_offline(&self) -> bool {
        matches!(self, Self::Offline { .. })
    }

    /// `true` when the server refused the request for a reason sending it again cannot fix (a 4xx
    /// answer other than an expired session or a rate limit), so a queued change must stop waiting.
    pub fn is_permanent_refusal(&self) -> bool {
        match self {
            Self::ScheduleConflict { .. } => true,
            Self::Server { status, detail } => {
                (400..500).contains(status)
                    && !matches!(
                        detail.code,
                        ErrorCode::RateLimited
                            | ErrorCode::TokenExpired
                            | ErrorCode::MissingToken
                            | ErrorCode::InvalidToken
                            | ErrorCode::SessionRevoked
                    )
            }
            _ => false,
        }
    }

    /// The server's error code, when the server answered with one.
    pub fn server_code(&self) -> Option<ErrorCode> {
        match self {
            Self::Server { detail, .. } | Self::ScheduleConflict { detail, .. } => Some(detail.code),
            Self::SessionEnded { code } => Some(*code),
            _ => None,
        }
    }

    /// Classifies a reqwest error: unreachable server versus anything else.
    pub(crate) fn from_reqwest(source: reqwest::Error) -> Self {
        if source.is_connect() || source.is_timeout() || source.is_request() {
            Self::Offline { source }
        } else {
            Self::Http { source }
        }
    }

    /// The error and its causes as one line, e.g. `could not reach …: error sending request: …`.
    fn message_with_causes(&self) -> String {
        let mut message = self.to_string();
        let mut cause = self.source();
        while let Some(error) = cause {
            message.push_str(": ");
            message.push_str(&error.to_string());
            cause = error.source();
        }
        message
    }
}

impl From<ClientError> for CommandError {
    fn from(error: ClientError) -> Self {
        let kind = match &error {
            ClientError::Server { detail, .. } | ClientError::ScheduleConflict { detail, .. } => {
                return CommandError {
                    kind: CommandErrorKind::Server,
                    code: Some(detail.code),
                    message: detail.message.clone(),
                    fields: detail.fields.clone(),
                };
            }
            ClientError::Offline { .. } | ClientError::NotAvailableOffline { .. } => CommandErrorKind::Offline,
            ClientError::NotSignedIn | ClientError::SessionEnded { .. } => CommandErrorKind::NotSignedIn,
            ClientError::InvalidUrl { .. }
            | ClientError::UnsupportedUrl { .. }
            | ClientError::InvalidLocale { .. }
            | ClientError::UnknownTokenStore { .. }
            | ClientError::UnknownTimetable { .. } => CommandErrorKind::InvalidInput,
            ClientError::Cache { .. }
            | ClientError::CacheTooNew { .. }
            | ClientError::CorruptCacheEntry { .. }
            | ClientError::Io { .. }
            | ClientError::CorruptTokens { .. }
            | ClientError::Keyring { .. }
            | ClientError::KeyringUnsupported => CommandErrorKind::Storage,
            ClientError::Http { .. } | ClientError::UnexpectedResponse { .. } | ClientError::Encode { .. } => {
                CommandErrorKind::Internal
            }
        };
        CommandError { kind, code: error.server_code(), message: error.message_with_causes(), fields: Vec::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretzel_api::FieldError;

    #[test]
    fn test_server_errors_keep_code_message_and_fields() {
        let error = ClientError::Server {
            status: 422,
            detail: ErrorDetail {
                code: ErrorCode::ValidationFailed,
                message: "The request has invalid fields.".into(),
                fields: vec![FieldError {
                    field: "password".into(),
                    code: "too_short".into(),
                    message: "Use at least 8 characters.".into(),
                }],
            },
        };
        let command = CommandError::from(error);
        assert_eq!(command.kind, CommandErrorKind::Server);
        assert_eq!(command.code, Some(ErrorCode::ValidationFailed));
        assert_eq!(command.message, "The request has invalid fields.");
        assert_eq!(command.fields.len(), 1);
    }

    #[test]
    fn test_ended_sessions_read_as_not_signed_in_with_the_reason() {
        let command = CommandError::from(ClientError::SessionEnded { code: ErrorCode::RefreshTokenReused });
        assert_eq!(command.kind, CommandErrorKind::NotSignedIn);
        assert_eq!(command.code, Some(ErrorCode::RefreshTokenReused));
        assert_eq!(CommandError::from(ClientError::NotSignedIn).code, None);
    }

    #[test]
    fn test_bad_input_and_storage_are_classified() {
        let bad_url = ClientError::UnsupportedUrl { url: "ftp://x".into(), reason: "use http or https" };
        assert_eq!(CommandError::from(bad_url).kind, CommandErrorKind::InvalidInput);
        let too_new = ClientError::CacheTooNew { path: "c.sqlite3".into(), found: 9, supported: 1 };
        let command = CommandError::from(too_new);
        assert_eq!(command.kind, CommandErrorKind::Storage);
        assert!(command.message.contains("schema version 9"), "{}", command.message);
    }

    #[test]
    fn test_command_messages_include_the_cause() {
        let source = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let command = CommandError::from(ClientError::Io { path: "/x/tokens.json".into(), source });
        assert_eq!(command.message, "could not access /x/tokens.json: denied");
    }
}
