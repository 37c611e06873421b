//! The student's app settings (backend address, chosen language) and the rules that validate them.
//!
//! The values are persisted in the cache's `settings` table by [`crate::Client`]; this module only
//! knows what a valid value looks like, so the rules can be unit-tested without any storage.

use crate::error::ClientError;
use pretzel_api::shell::ShellSettings;
use url::Url;

/// Key of the backend URL in the `settings` table.
pub(crate) const BACKEND_URL_KEY: &str = "backend_url";
/// Key of the chosen locale in the `settings` table.
pub(crate) const LOCALE_KEY: &str = "locale";

/// The settings the client core keeps. The shell adds the OS language to make a [`ShellSettings`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Base URL of the backend in effect, without a trailing slash, e.g. `http://127.0.0.1:8787`.
    pub backend_url: String,
    /// The language the student picked (BCP 47), or `None` to follow the OS.
    pub locale: Option<String>,
}

impl Settings {
    /// Completes these settings with the operating system's preferred language.
    pub fn with_os_locale(self, os_locale: impl Into<String>) -> ShellSettings {
        ShellSettings { backend_url: self.backend_url, locale: self.locale, os_locale: os_locale.into() }
    }
}

/// Checks that `url` can serve as the backend's base URL and returns it normalised (no trailing
/// slash), so that `base + "/api/v1/..."` is always well-formed.
///
/// Accepted: `http` or `https` with a host, optionally a port and a path prefix. Refused: other
/// schemes, user credentials, query strings and fragments.
pub fn validate_backend_url(url: &str) -> Result<String, ClientError> {
    let trimmed = url.trim();
    let parsed = Url::parse(trimmed).map_err(|source| ClientError::InvalidUrl { url: url.to_owned(), source })?;
    let refuse = |reason| Err(ClientError::UnsupportedUrl { url: url.to_owned(), reason });
    if !matches!(parsed.scheme(), "http" | "https") {
        return refuse("the address must start with http:// or https://");
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return refuse("the address has no host name");
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return refuse("the address must not contain a user name or password");
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return refuse("the address must not contain `?` or `#`");
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// Checks that `locale` looks like a BCP 47 tag (`ko`, `zh-CN`, `zh-Hant-TW`) and returns it
/// trimmed; an empty or blank value means "follow the OS" and becomes `None`.
///
/// This is a shape check, not a registry lookup: the UI falls back to English for tags it has no
/// translation for.
pub fn normalize_locale(locale: Option<String>) -> Result<Option<String>, ClientError> {
    let Some(raw) = locale else { return Ok(None) };
    let tag = raw.trim();
    if tag.is_empty() {
        return Ok(None);
    }
    let mut subtags = tag.split(['-', '_']);
    let language_ok =
        subtags.next().is_some_and(|l| (2..=8).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphabetic()));
    let rest_ok = subtags.all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()));
    if language_ok && rest_ok && tag.len() <= 35 {
        Ok(Some(tag.replace('_', "-")))
    } else {
        Err(ClientError::InvalidLocale { locale: raw })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_backend_urls_are_normalised() {
        assert_eq!(validate_backend_url("http://127.0.0.1:8787").ok(), Some("http://127.0.0.1:8787".into()));
        assert_eq!(validate_backend_url(" https://pretzel.example/ ").ok(), Some("https://pretzel.example".into()));
        assert_eq!(
            validate_backend_url("https://example.edu/pretzel/").ok(),
            Some("https://example.edu/pretzel".into())
        );
        assert_eq!(validate_backend_url("HTTP://LOCALHOST:80").ok(), Some("http://localhost".into()));
    }

    #[test]
    fn test_backend_urls_that_cannot_work_are_refused() {
        for bad in ["", "not a url", "http://"] {
            assert!(
                matches!(validate_backend_url(bad), Err(ClientError::InvalidUrl { .. })),
                "{bad:?} should not parse"
            );
        }
        for bad in [
            "localhost:8787",
            "ftp://example.com",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "http://user:pw@example.com",
            "http://example.com/?x=1",
            "http://example.com/#top",
        ] {
            assert!(
                matches!(validate_backend_url(bad), Err(ClientError::UnsupportedUrl { .. })),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn test_locales_are_checked_for_shape() {
        assert_eq!(normalize_locale(None).ok(), Some(None));
        assert_eq!(normalize_locale(Some("  ".into())).ok(), Some(None));
        assert_eq!(normalize_locale(Some("ko".into())).ok(), Some(Some("ko".into())));
        assert_eq!(normalize_locale(Some("zh_CN".into())).ok(), Some(Some("zh-CN".into())));
        assert_eq!(normalize_locale(Some("zh-Hant-TW".into())).ok(), Some(Some("zh-Hant-TW".into())));
        for bad in ["k", "ko-", "<script>", "en US", "1a"] {
            assert!(
                matches!(normalize_locale(Some(bad.into())), Err(ClientError::InvalidLocale { .. })),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn test_settings_gain_the_os_locale() {
        let settings = Settings { backend_url: "http://x".into(), locale: None };
        assert_eq!(settings.with_os_locale("fr-FR").os_locale, "fr-FR");
    }
}
