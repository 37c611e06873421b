//! Turns a failed command into what a form shows: a message under each field and a banner.
//!
//! The shell reports failures as a [`CommandError`] (a kind, the server's code and per-field
//! problems). Forms should not branch on those themselves, and they must not show the server's
//! English: this module maps them once to translatable [`Msg`]s, attaching each problem to the
//! field the student has to fix (a taken email goes under the email field) and everything else to
//! the banner.

use crate::i18n::Msg;
use crate::ipc::is_missing_shell;
use pretzel_api::shell::{CommandError, CommandErrorKind};
use pretzel_api::{DISPLAY_NAME_MAX_CHARS, ErrorCode, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};

/// The errors a form displays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors {
    /// The general error, shown in the `.form-error` banner.
    pub banner: Option<Msg>,
    /// Per-field errors keyed by the field's wire name (`email`, `display_name`, …).
    pub fields: Vec<(String, Msg)>,
}

impl FormErrors {
    /// No errors.
    pub fn none() -> Self {
        Self::default()
    }

    /// `true` when there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.banner.is_none() && self.fields.is_empty()
    }

    /// The error of `field`, if any.
    pub fn field(&self, field: &str) -> Option<&Msg> {
        self.fields.iter().find(|(name, _)| name == field).map(|(_, msg)| msg)
    }

    /// Sets (or replaces) the error of `field`.
    pub fn set_field(&mut self, field: &str, msg: Msg) {
        self.clear_field(field);
        self.fields.push((field.to_owned(), msg));
    }

    /// Removes the error of `field` (the student started fixing it).
    pub fn clear_field(&mut self, field: &str) {
        self.fields.retain(|(name, _)| name != field);
    }

    /// Maps `error` for a form whose inputs are `form_fields`; problems with other fields (which
    /// the student could not fix here) become the banner.
    pub fn from_command_error(error: &CommandError, form_fields: &[&str]) -> Self {
        let mut out = Self::none();
        for problem in &error.fields {
            out.set_field(&problem.field, field_message(&problem.field, &problem.code));
        }
        match error.kind {
            CommandErrorKind::Server => match error.code {
                Some(ErrorCode::EmailTaken) => out.set_field("email", Msg::new("field-email-taken")),
                Some(ErrorCode::UnknownUniversity) => {
                    out.set_field("university_id", Msg::new("field-unknown-university"));
                }
                Some(ErrorCode::ValidationFailed | ErrorCode::InvalidBody) if !out.fields.is_empty() => {}
                code => out.banner = Some(Msg::new(server_banner(code))),
            },
            CommandErrorKind::Offline => out.banner = Some(Msg::new("error-offline")),
            CommandErrorKind::NotSignedIn => out.banner = Some(Msg::new("error-not-signed-in")),
            CommandErrorKind::InvalidInput if out.fields.is_empty() => {
                out.banner = Some(Msg::new("error-invalid-input"));
            }
            CommandErrorKind::InvalidInput => {}
            CommandErrorKind::Storage => out.banner = Some(Msg::new("error-storage")),
            CommandErrorKind::Internal if is_missing_shell(error) => out.banner = Some(Msg::new("error-no-shell")),
            CommandErrorKind::Internal => out.banner = Some(Msg::new("error-internal")),
        }
        if out.fields.iter().any(|(name, _)| !form_fields.contains(&name.as_str())) {
            out.fields.retain(|(name, _)| form_fields.contains(&name.as_str()));
            out.banner.get_or_insert_with(|| Msg::new("error-invalid-input"));
        }
        out
    }
}

/// The banner for a server error that is not about one field.
fn server_banner(code: Option<ErrorCode>) -> &'static str {
    match code {
        Some(ErrorCode::InvalidCredentials) => "error-invalid-credentials",
        Some(ErrorCode::RateLimited) => "error-rate-limited",
        Some(
            ErrorCode::MissingToken
            | ErrorCode::InvalidToken
            | ErrorCode::TokenExpired
            | ErrorCode::SessionRevoked
            | ErrorCode::InvalidRefreshToken
            | ErrorCode::RefreshTokenReused,
        ) => "error-session-expired",
        Some(ErrorCode::Unavailable) => "error-server-unavailable",
        Some(ErrorCode::Internal) => "error-server",
        _ => "error-generic",
    }
}

/// The message for the server's (or the UI's own) validation `code` on `field`.
pub fn field_message(field: &str, code: &str) -> Msg {
    match (field, code) {
        ("password", "too_short") => Msg::new("field-password-too-short").arg("min", PASSWORD_MIN_CHARS),
        ("password", "too_long") => Msg::new("field-password-too-long").arg("max", PASSWORD_MAX_CHARS),
        ("display_name", "too_long") => Msg::new("field-display-name-too-long").arg("max", DISPLAY_NAME_MAX_CHARS),
        (_, "too_common") => Msg::new("field-password-too-common"),
        (_, "too_long") => Msg::new("field-too-long"),
        (_, "too_short") => Msg::new("field-too-short"),
        (_, "required") => Msg::new("field-required"),
        (_, "invalid_email") => Msg::new("field-invalid-email"),
        (_, "email_taken") => Msg::new("field-email-taken"),
        (_, "unknown_university") => Msg::new("field-unknown-university"),
        (_, "invalid_url") => Msg::new("field-invalid-url"),
        _ => Msg::new("field-invalid"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretzel_api::FieldError;

    const SIGNUP: &[&str] = &["email", "password", "display_name", "university_id"];

    fn server(code: ErrorCode, fields: &[(&str, &str)]) -> CommandError {
        CommandError {
            kind: CommandErrorKind::Server,
            code: Some(code),
            message: "English from the server".into(),
            fields: fields
                .iter()
                .map(|(field, code)| FieldError { field: (*field).into(), code: (*code).into(), message: "x".into() })
                .collect(),
        }
    }

    #[test]
    fn test_validation_problems_go_under_their_fields() {
        let error = server(ErrorCode::ValidationFailed, &[("password", "too_common"), ("email", "invalid_email")]);
        let errors = FormErrors::from_command_error(&error, SIGNUP);
        assert_eq!(errors.banner, None);
        assert_eq!(errors.field("password"), Some(&Msg::new("field-password-too-common")));
        assert_eq!(errors.field("email"), Some(&Msg::new("field-invalid-email")));
    }

    #[test]
    fn test_taken_email_is_shown_under_the_email_field() {
        let errors = FormErrors::from_command_error(&server(ErrorCode::EmailTaken, &[]), SIGNUP);
        assert_eq!(errors.field("email"), Some(&Msg::new("field-email-taken")));
        assert_eq!(errors.banner, None);
        let errors = FormErrors::from_command_error(&server(ErrorCode::UnknownUniversity, &[]), SIGNUP);
        assert_eq!(errors.field("university_id"), Some(&Msg::new("field-unknown-university")));
    }

    #[test]
    fn test_general_failures_become_the_banner() {
        let login = &["email", "password"];
        let banner = |error: CommandError| FormErrors::from_command_error(&error, login).banner.map(|m| m.key);
        assert_eq!(banner(server(ErrorCode::InvalidCredentials, &[])), Some("error-invalid-credentials"));
        assert_eq!(banner(server(ErrorCode::RateLimited, &[])), Some("error-rate-limited"));
        assert_eq!(banner(server(ErrorCode::Unknown, &[])), Some("error-generic"));
        let offline =
            CommandError { kind: CommandErrorKind::Offline, code: None, message: String::new(), fields: vec![] };
        assert_eq!(banner(offline), Some("error-offline"));
        let no_shell = CommandError {
            kind: CommandErrorKind::Internal,
            code: None,
            message: crate::ipc::MISSING_SHELL_MESSAGE.into(),
            fields: vec![],
        };
        assert_eq!(banner(no_shell), Some("error-no-shell"));
    }

    #[test]
    fn test_problems_with_fields_the_form_lacks_still_show() {
        let error = server(ErrorCode::ValidationFailed, &[("display_name", "required")]);
        let errors = FormErrors::from_command_error(&error, &["email", "password"]);
        assert!(errors.fields.is_empty());
        assert!(errors.banner.is_some());
    }

    #[test]
    fn test_length_messages_carry_the_limits() {
        assert_eq!(field_message("password", "too_short").args, vec![("min", 8)]);
        assert_eq!(field_message("display_name", "too_long").args, vec![("max", 64)]);
    }
}
