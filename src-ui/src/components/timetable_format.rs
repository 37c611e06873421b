//! How the Timetable tab writes catalog facts for students: Banner day letters as localised day
//! names, meeting lines ("MWF 10:00–10:50 · Siebel 1404"), section kinds, credits and dates.
//!
//! The catalog speaks in codes (`MTWRFSU`, `lecture`, "1-4"); every component that shows a section
//! needs the same readable form, so it is written once here, next to no view code, and tested.

use crate::i18n::{Locale, translate};
use wasm_bindgen::JsValue;

/// Banner day letters, Monday first.
pub const DAY_LETTERS: [char; 7] = ['M', 'T', 'W', 'R', 'F', 'S', 'U'];

/// The message id of a day's short name, for a Banner day letter.
pub fn day_key(letter: char) -> Option<&'static str> {
    Some(match letter.to_ascii_uppercase() {
        'M' => "timetable-day-mon",
        'T' => "timetable-day-tue",
        'W' => "timetable-day-wed",
        'R' => "timetable-day-thu",
        'F' => "timetable-day-fri",
        'S' => "timetable-day-sat",
        'U' => "timetable-day-sun",
        _ => return None,
    })
}

/// The short name of the day at `index` (0 = Monday) in `locale`.
pub fn day_name(locale: Locale, index: usize) -> String {
    DAY_LETTERS
        .get(index)
        .and_then(|letter| day_key(*letter))
        .map(|key| translate(locale, key, None))
        .unwrap_or_default()
}

/// The message id of a normalised section kind, if it is one the UI knows.
pub fn kind_key(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "lecture" => "timetable-kind-lecture",
        "lab" => "timetable-kind-lab",
        "discussion" => "timetable-kind-discussion",
        "seminar" => "timetable-kind-seminar",
        "studio" => "timetable-kind-studio",
        "online" => "timetable-kind-online",
        "independent_study" => "timetable-kind-independent-study",
        "research" => "timetable-kind-research",
        "internship" => "timetable-kind-internship",
        "other" => "timetable-kind-other",
        _ => return None,
    })
}

/// A section kind in `locale`; an unknown kind is shown as the catalog wrote it.
pub fn kind_label(locale: Locale, kind: &str) -> String {
    kind_key(kind).map_or_else(|| kind.replace('_', " "), |key| translate(locale, key, None))
}

/// One meeting pattern as a line: "MWF 10:00–10:50 · Siebel 1404". Day letters stay as the
/// catalog prints them (students read them on registration pages too); arranged times say so.
pub fn meeting_line(
    locale: Locale,
    days: &str,
    start: Option<&str>,
    end: Option<&str>,
    location: Option<&str>,
) -> String {
    let when = match (start, end) {
        (Some(start), Some(end)) => format!("{start}–{end}"),
        _ => translate(locale, "timetable-arranged", None),
    };
    let mut line = if days.trim().is_empty() { when } else { format!("{} {when}", days.trim()) };
    if let Some(location) = location.map(str::trim).filter(|location| !location.is_empty()) {
        line.push_str(" · ");
        line.push_str(location);
    }
    line
}

/// Instructors joined for a card, or `None` when the catalog names nobody.
pub fn instructors_line(instructors: &[String]) -> Option<String> {
    let names: Vec<&str> = instructors.iter().map(|name| name.trim()).filter(|name| !name.is_empty()).collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// The two ends of a credits text ("3", "1-4", "3 or 4", "1–4"), for sorting and checks.
pub fn credit_range(text: &str) -> Option<(u32, u32)> {
    let numbers: Vec<u32> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .filter_map(|n| n.parse().ok())
        .collect();
    Some((*numbers.iter().min()?, *numbers.iter().max()?))
}

/// `date` ("YYYY-MM-DD", as chrono prints a `NaiveDate`) written the way `locale` writes short
/// dates ("9/1", "9. 1.", "9/1"), using the web view's `Intl`; the ISO text when it cannot parse.
pub fn short_date(locale: Locale, iso: &str, with_weekday: bool) -> String {
    let mut parts = iso.split('-').map(|part| part.parse::<u32>().ok());
    let (Some(Some(year)), Some(Some(month)), Some(Some(day))) = (parts.next(), parts.next(), parts.next()) else {
        return iso.to_owned();
    };
    if !cfg!(target_arch = "wasm32") {
        return format!("{month}/{day}");
    }
    let date = js_sys::Date::new_with_year_month_day(year, month.saturating_sub(1) as i32, day as i32);
    let options = js_sys::Object::new();
    let mut fields = vec![("month", if with_weekday { "short" } else { "numeric" }), ("day", "numeric")];
    if with_weekday {
        fields.push(("weekday", "short"));
    }
    for (key, value) in fields {
        // Setting a plain property on a fresh object cannot fail.
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    date.to_locale_date_string(locale.tag(), &options).into()
}

/// A moment (milliseconds since the epoch) as a short date and time in `locale`.
pub fn date_time(locale: Locale, epoch_millis: i64) -> String {
    if !cfg!(target_arch = "wasm32") {
        return epoch_millis.to_string();
    }
    // Timestamps are far below 2^53 ms, so the conversion is exact.
    let date = js_sys::Date::new(&JsValue::from_f64(epoch_millis as f64));
    let options = js_sys::Object::new();
    for (key, value) in [("month", "short"), ("day", "numeric"), ("hour", "numeric"), ("minute", "2-digit")] {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    date.to_locale_string(locale.tag(), &options).into()
}

/// "HH:MM" for a number of minutes since midnight.
pub fn clock(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Minutes since midnight of an "HH:MM" text, if it is a valid time.
pub fn parse_clock(text: &str) -> Option<u32> {
    let (hours, minutes) = text.trim().split_once(':')?;
    let (hours, minutes) = (hours.parse::<u32>().ok()?, minutes.parse::<u32>().ok()?);
    (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_meeting_lines_read_like_the_catalog() {
        let line = meeting_line(Locale::En, "MWF", Some("10:00"), Some("10:50"), Some("Siebel 1404"));
        assert_eq!(line, "MWF 10:00–10:50 · Siebel 1404");
        assert_eq!(meeting_line(Locale::En, "TR", Some("09:30"), Some("10:45"), None), "TR 09:30–10:45");
        let arranged = meeting_line(Locale::En, "", None, None, Some("ONLINE"));
        assert!(arranged.ends_with(" · ONLINE"), "{arranged}");
        assert!(!arranged.starts_with(' '));
        assert_ne!(meeting_line(Locale::Ko, "", None, None, None), meeting_line(Locale::En, "", None, None, None));
    }

    #[test]
    fn test_kinds_and_days_are_localised_and_unknown_kinds_pass_through() {
        assert_eq!(kind_label(Locale::En, "lab"), "Lab");
        assert_eq!(kind_label(Locale::En, "independent_study"), "Independent study");
        assert_eq!(kind_label(Locale::En, "clinical_rotation"), "clinical rotation");
        assert_eq!(day_name(Locale::En, 3), "Thu");
        assert_eq!(day_name(Locale::Ko, 0), "월");
        assert_eq!(day_name(Locale::En, 7), "");
        assert_eq!(day_key('r'), Some("timetable-day-thu"));
    }

    #[test]
    fn test_credit_ranges_and_clock_times() {
        assert_eq!(credit_range("3"), Some((3, 3)));
        assert_eq!(credit_range("1-4"), Some((1, 4)));
        assert_eq!(credit_range("3 or 4"), Some((3, 4)));
        assert_eq!(credit_range("TBA"), None);
        assert_eq!(parse_clock("09:05"), Some(545));
        assert_eq!(parse_clock("24:00"), None);
        assert_eq!(parse_clock("9"), None);
        assert_eq!(clock(545), "09:05");
        assert_eq!(instructors_line(&[" Ada ".into(), String::new(), "Grace".into()]).as_deref(), Some("Ada, Grace"));
        assert_eq!(instructors_line(&[]), None);
    }
}
