//! Localisation: every string a student reads comes from here.
//!
//! The translations live in `locales/<tag>/main.ftl` (Fluent) and are compiled into the wasm binary,
//! so switching language never waits for the network. [`I18n`] is a Leptos context holding the
//! current [`Locale`] in a signal: views that read text through [`t`] or [`I18n::t`] re-render the
//! moment the student picks another language. A key missing in Korean or Chinese falls back to
//! English, and a key missing everywhere shows the key itself (the tests make sure neither happens).

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use leptos::prelude::*;
use std::sync::LazyLock;
use unic_langid::{LanguageIdentifier, langid};

/// A language the UI is translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    /// English, also the fallback for every other language.
    En,
    /// Korean.
    Ko,
    /// Simplified Chinese.
    ZhCn,
}

impl Locale {
    /// Every supported locale, in the order the language picker lists them.
    pub const ALL: [Locale; 3] = [Locale::En, Locale::Ko, Locale::ZhCn];

    /// The BCP 47 tag, as stored in the shell's settings and set on `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ko => "ko",
            Locale::ZhCn => "zh-CN",
        }
    }

    /// The language's own name for itself, so students can find it whatever the UI language is.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Ko => "한국어",
            Locale::ZhCn => "简体中文",
        }
    }

    /// Matches any BCP 47 or POSIX-style tag (`ko-KR`, `zh_CN.UTF-8`, `en-US`) by its primary
    /// language: Korean and Chinese map to their translation, everything else to English.
    pub fn from_tag(tag: &str) -> Locale {
        let primary = tag.trim().split(['-', '_', '.', '@']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "ko" => Locale::Ko,
            "zh" => Locale::ZhCn,
            _ => Locale::En,
        }
    }

    /// The Fluent source of this locale.
    pub fn source(self) -> &'static str {
        match self {
            Locale::En => include_str!("../locales/en/main.ftl"),
            Locale::Ko => include_str!("../locales/ko/main.ftl"),
            Locale::ZhCn => include_str!("../locales/zh-CN/main.ftl"),
        }
    }

    fn langid(self) -> LanguageIdentifier {
        match self {
            Locale::En => langid!("en"),
            Locale::Ko => langid!("ko"),
            Locale::ZhCn => langid!("zh-CN"),
        }
    }

    fn index(self) -> usize {
        match self {
            Locale::En => 0,
            Locale::Ko => 1,
            Locale::ZhCn => 2,
        }
    }
}

/// Picks the UI language: the student's explicit choice, else the OS language the shell reports,
/// else the browser's; empty values are skipped and nothing at all means English.
pub fn resolve_locale(chosen: Option<&str>, os: Option<&str>, browser: Option<&str>) -> Locale {
    [chosen, os, browser].into_iter().flatten().find(|tag| !tag.trim().is_empty()).map_or(Locale::En, Locale::from_tag)
}

/// The web view's preferred language (`navigator.language`), if there is a window to ask.
pub fn browser_language() -> Option<String> {
    web_sys::window()?.navigator().language()
}

type Bundle = FluentBundle<FluentResource>;

/// One bundle per locale, indexed by [`Locale::index`], parsed once on first use.
static BUNDLES: LazyLock<Vec<Bundle>> = LazyLock::new(|| Locale::ALL.into_iter().map(bundle).collect());

fn bundle(locale: Locale) -> Bundle {
    // A syntax error still yields every entry that parsed; the tests reject such files anyway.
    let resource = FluentResource::try_new(locale.source().to_owned()).unwrap_or_else(|(partial, _)| partial);
    let mut bundle = Bundle::new_concurrent(vec![locale.langid()]);
    // Bidi isolation marks are invisible in the UI but break copy-paste and text assertions.
    bundle.set_use_isolating(false);
    if let Err(errors) = bundle.add_resource(resource) {
        // Only duplicate ids fail here; the first definition wins, which is the safe choice.
        leptos::logging::warn!("{} translations: {errors:?}", locale.tag());
    }
    bundle
}

/// A message to show later, kept as a key and its arguments so it re-translates when the language
/// changes (error banners, field errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    /// The Fluent message id.
    pub key: &'static str,
    /// Numeric arguments the message refers to as `{ $name }`.
    pub args: Vec<(&'static str, i64)>,
}

impl Msg {
    /// A message without arguments.
    pub fn new(key: &'static str) -> Self {
        Self { key, args: Vec::new() }
    }

    /// Adds the numeric argument `name`.
    pub fn arg(mut self, name: &'static str, value: usize) -> Self {
        self.args.push((name, i64::try_from(value).unwrap_or(i64::MAX)));
        self
    }
}

/// Formats `key` in `locale`, falling back to English and then to the key itself.
pub fn translate(locale: Locale, key: &str, args: Option<&FluentArgs>) -> String {
    for locale in [locale, Locale::En] {
        let Some(bundle) = BUNDLES.get(locale.index()) else { continue };
        if let Some(pattern) = bundle.get_message(key).and_then(|message| message.value()) {
            let mut errors = Vec::new();
            return bundle.format_pattern(pattern, args, &mut errors).into_owned();
        }
    }
    key.to_owned()
}

/// Formats a [`Msg`] in `locale`.
pub fn translate_msg(locale: Locale, msg: &Msg) -> String {
    if msg.args.is_empty() {
        return translate(locale, msg.key, None);
    }
    let mut args = FluentArgs::new();
    for (name, value) in &msg.args {
        args.set(*name, *value);
    }
    translate(locale, msg.key, Some(&args))
}

/// The reactive language context. Reading text through it subscribes the view to language changes.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl I18n {
    /// A context starting in `locale`.
    pub fn new(locale: Locale) -> Self {
        Self { locale: RwSignal::new(locale) }
    }

    /// The current language (tracked).
    pub fn locale(&self) -> Locale {
        self.locale.get()
    }

    /// Switches the whole UI to `locale`.
    pub fn set_locale(&self, locale: Locale) {
        self.locale.set(locale);
    }

    /// The text of `key` in the current language (tracked).
    pub fn t(&self, key: &str) -> String {
        translate(self.locale.get(), key, None)
    }

    /// The text of `msg` in the current language (tracked).
    pub fn msg(&self, msg: &Msg) -> String {
        translate_msg(self.locale.get(), msg)
    }
}

/// Creates the language context for this part of the view tree and returns it.
pub fn provide_i18n(locale: Locale) -> I18n {
    let i18n = I18n::new(locale);
    provide_context(i18n);
    i18n
}

/// The language context; English when none was provided (e.g. a component tested on its own).
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| provide_i18n(Locale::En))
}

/// A reactive translation for views: `{t("login-title")}` re-renders when the language changes.
pub fn t(key: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(locale: Locale) -> BTreeSet<String> {
        let resource = fluent_syntax::parser::parse(locale.source())
            .unwrap_or_else(|(_, errors)| panic!("{} has syntax errors: {errors:?}", locale.tag()));
        resource
            .body
            .iter()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn test_every_locale_has_exactly_the_english_keys() {
        let english = keys(Locale::En);
        assert!(english.len() > 50, "the English catalog looks truncated");
        for locale in [Locale::Ko, Locale::ZhCn] {
            let other = keys(locale);
            let missing: Vec<_> = english.difference(&other).collect();
            let extra: Vec<_> = other.difference(&english).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", locale.tag());
            assert!(extra.is_empty(), "{} has keys English lacks: {extra:?}", locale.tag());
        }
    }

    #[test]
    fn test_every_message_formats_without_errors_in_every_locale() {
        let mut args = FluentArgs::new();
        for name in ["min", "max", "year"] {
            args.set(name, 8);
        }
        for locale in Locale::ALL {
            let bundle = &BUNDLES[locale.index()];
            for key in keys(locale) {
                let message = bundle.get_message(&key).unwrap_or_else(|| panic!("{key} not in bundle"));
                let pattern = message.value().unwrap_or_else(|| panic!("{key} has no value"));
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{}: {key}: {errors:?}", locale.tag());
                assert!(!text.trim().is_empty(), "{}: {key} is empty", locale.tag());
                assert!(!text.contains('\u{2068}'), "bidi isolation marks leaked into {key}");
            }
        }
    }

    /// Every key the Rust sources ask for exists in English (and so, by the test above, everywhere).
    #[test]
    fn test_every_key_used_in_the_sources_exists() {
        let english = keys(Locale::En);
        let prefixes: BTreeSet<&str> = english.iter().filter_map(|key| key.split('-').next()).collect();
        let mut unknown = Vec::new();
        let mut used = 0;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("read src dir") {
                let path = entry.expect("dir entry").path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let source = std::fs::read_to_string(&path).expect("read source");
                let mut pieces = source.split('"');
                let mut before = pieces.next().unwrap_or_default();
                while let (Some(literal), Some(after)) = (pieces.next(), pieces.next()) {
                    // Element ids and CSS classes look like keys but are attribute values.
                    let is_attribute = ["class=", "id=", "for="].iter().any(|attr| before.ends_with(attr));
                    let looks_like_key = literal.contains('-')
                        && literal.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                        && literal.split('-').next().is_some_and(|prefix| prefixes.contains(prefix));
                    if looks_like_key && !is_attribute {
                        used += 1;
                        if !english.contains(literal) {
                            unknown.push(format!("{}: {literal}", path.display()));
                        }
                    }
                    before = after;
                }
            }
        }
        assert!(used > 50, "found only {used} keys in the sources; is the scan broken?");
        assert!(unknown.is_empty(), "keys missing from locales/en/main.ftl: {unknown:#?}");
    }

    #[test]
    fn test_locale_matching_uses_the_primary_language() {
        assert_eq!(Locale::from_tag("ko"), Locale::Ko);
        assert_eq!(Locale::from_tag("ko-KR"), Locale::Ko);
        assert_eq!(Locale::from_tag("ko_KR.UTF-8"), Locale::Ko);
        assert_eq!(Locale::from_tag("zh"), Locale::ZhCn);
        assert_eq!(Locale::from_tag("zh-Hans-CN"), Locale::ZhCn);
        assert_eq!(Locale::from_tag("ZH-cn"), Locale::ZhCn);
        assert_eq!(Locale::from_tag("en-US"), Locale::En);
        assert_eq!(Locale::from_tag("fr-CA"), Locale::En);
        assert_eq!(Locale::from_tag("kok"), Locale::En);
        assert_eq!(Locale::from_tag(""), Locale::En);
    }

    #[test]
    fn test_resolution_prefers_choice_then_os_then_browser() {
        assert_eq!(resolve_locale(Some("zh-CN"), Some("ko-KR"), Some("en")), Locale::ZhCn);
        assert_eq!(resolve_locale(None, Some("ko-KR"), Some("zh")), Locale::Ko);
        assert_eq!(resolve_locale(Some(""), Some(" "), Some("zh-TW")), Locale::ZhCn);
        assert_eq!(resolve_locale(None, None, None), Locale::En);
    }

    #[test]
    fn test_translations_differ_by_locale_and_fall_back_to_english() {
        assert_eq!(translate(Locale::En, "nav-timetable", None), "Timetable");
        assert_eq!(translate(Locale::Ko, "nav-timetable", None), "시간표");
        assert_eq!(translate(Locale::ZhCn, "nav-timetable", None), "课程表");
        assert_eq!(translate(Locale::Ko, "no-such-key", None), "no-such-key");
        let msg = Msg::new("field-password-too-short").arg("min", 8);
        assert!(translate_msg(Locale::En, &msg).contains('8'));
        assert!(translate_msg(Locale::Ko, &msg).contains('8'));
    }

    #[test]
    fn test_dates_name_the_month_in_english_and_show_a_year_only_when_asked() {
        let day = |key: &'static str| Msg::new(key).arg("min", 11).arg("max", 28);
        assert_eq!(translate_msg(Locale::En, &day("chats-date")), "Nov 28");
        assert_eq!(translate_msg(Locale::En, &day("chats-day-date")), "November 28");
        assert_eq!(translate_msg(Locale::En, &day("chats-day-date-year").arg("year", 2025)), "November 28, 2025");
        assert_eq!(translate_msg(Locale::En, &Msg::new("chats-day-date").arg("min", 1).arg("max", 2)), "January 2");
        assert_eq!(translate_msg(Locale::Ko, &day("chats-day-date-year").arg("year", 2025)), "2025년 11월 28일");
        assert_eq!(translate_msg(Locale::ZhCn, &day("chats-day-date")), "11月28日");
    }
}
