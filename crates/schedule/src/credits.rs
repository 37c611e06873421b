//! Credits of a plan against the full-time minimum. Catalogs display credits as text ("3", "1-4",
//! "1 to 4", "3 or 4", "3.000", "0.5 credits"); this reads that text into a range and sums a plan,
//! counting each course once, so the server's visa warning and the client's offline view agree.
//!
//! Amounts are kept in hundredths of a credit while summing, so half credits add up exactly; the
//! totals are then rounded down to whole credits, because a half credit does not make a student
//! full-time until it adds up to a whole one (a plan worth 11.5 still warns below 12). Text in no
//! known notation counts as nothing rather than guessing.

use pretzel_api::{CreditSummary, TimetableSection};
use std::collections::HashMap;

/// Credits as a range in hundredths of a credit: `"1-4"` is 100..=400, `"3"` is 300..=300.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditRange {
    /// The least, in hundredths.
    pub min: u32,
    /// The most, in hundredths.
    pub max: u32,
}

/// Reads displayed credits: one amount, a range (`1-4`, `1–4`, `1 to 4`) or a choice (`3 or 4`),
/// amounts with up to two significant decimals (`3.0`, `0.5`, `1.000`), optionally followed by a unit
/// word (`credits`, `hours`, `units`, `cr`). `None` for anything else.
pub fn parse_credits(text: &str) -> Option<CreditRange> {
    let mut core = text.trim().to_ascii_lowercase();
    for unit in [".", "credit hours", "credits", "credit", "hours", "hour", "hrs", "units", "unit", "cr"] {
        if let Some(rest) = core.strip_suffix(unit) {
            core = rest.trim_end().to_owned();
        }
    }
    let separators = [" to ", " or ", "-", "\u{2013}"];
    let (a, b) = match separators.iter().find_map(|sep| core.split_once(sep)) {
        Some((a, b)) => (amount(a)?, amount(b)?),
        None => {
            let one = amount(&core)?;
            (one, one)
        }
    };
    Some(CreditRange { min: a.min(b), max: a.max(b) })
}

/// `"3"`, `"3.5"`, `"1.000"` in hundredths; more than two decimals only when the rest are zeros.
fn amount(text: &str) -> Option<u32> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    let (kept, rest) = fraction.split_at(fraction.len().min(2));
    if rest.bytes().any(|b| b != b'0') {
        return None;
    }
    let hundredths = match kept.len() {
        0 => 0,
        1 => kept.parse::<u32>().ok()? * 10,
        _ => kept.parse::<u32>().ok()?,
    };
    whole.parse::<u32>().ok()?.checked_mul(100)?.checked_add(hundredths)
}

/// Totals of a plan in whole credits, rounded down: `(min, max)`. `sections` are `(course code,
/// displayed credits)`; a course is counted once, at the highest bounds any of its sections shows
/// (a lecture's "4" and its lab's "0" make a 4-credit course).
pub fn plan_credit_totals<'a>(sections: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> (u32, u32) {
    let mut courses: HashMap<&str, CreditRange> = HashMap::new();
    for (course, credits) in sections {
        let range = credits.and_then(parse_credits).unwrap_or(CreditRange { min: 0, max: 0 });
        courses
            .entry(course)
            .and_modify(|seen| {
                seen.min = seen.min.max(range.min);
                seen.max = seen.max.max(range.max);
            })
            .or_insert(range);
    }
    let (min, max) =
        courses.values().fold((0u32, 0u32), |(min, max), r| (min.saturating_add(r.min), max.saturating_add(r.max)));
    (min / 100, max / 100)
}

/// The credit summary of a plan: its totals, the university's full-time minimum, and whether to warn
/// (the primary plan of a student on a student visa whose most is still below full-time).
pub fn credit_summary(
    sections: &[TimetableSection],
    full_time: u32,
    primary: bool,
    student_visa: bool,
) -> CreditSummary {
    let (min, max) = plan_credit_totals(sections.iter().map(|s| (s.course_code.as_str(), s.credits.as_deref())));
    CreditSummary { min, max, full_time, visa_warning: primary && student_visa && max < full_time }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(min: u32, max: u32) -> Option<CreditRange> {
        Some(CreditRange { min, max })
    }

    #[test]
    fn test_displayed_credits_read_into_ranges() {
        assert_eq!(parse_credits("3"), range(300, 300));
        assert_eq!(parse_credits("3.0"), range(300, 300));
        assert_eq!(parse_credits("4.000 Credits"), range(400, 400));
        assert_eq!(parse_credits("0.5"), range(50, 50));
        assert_eq!(parse_credits("1-4"), range(100, 400));
        assert_eq!(parse_credits("1\u{2013}4"), range(100, 400));
        assert_eq!(parse_credits("1 TO 4 hours."), range(100, 400));
        assert_eq!(parse_credits("3 or 4"), range(300, 400));
        assert_eq!(parse_credits("4 or 3"), range(300, 400));
        for bad in ["", "TBA", "3.333", "-1", "1-", "three", "1.2.3"] {
            assert_eq!(parse_credits(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn test_a_plan_counts_each_course_once_at_its_highest_bounds() {
        let plan = [
            ("CS 18000", Some("4")),
            ("CS 18000", Some("0")),
            ("MATH 241", Some("3 or 4")),
            ("MATH 241", Some("3 or 4")),
            ("MUS 100", Some("0.5")),
            ("ART 1", Some("1-3")),
            ("ART 1", Some("2")),
            ("X 1", Some("by arrangement")),
            ("Y 1", None),
        ];
        // min: 4 + 3 + 0.5 + 2 (the highest low end of ART 1) = 9.5 → 9; max: 4 + 4 + 0.5 + 3 = 11.5 → 11.
        assert_eq!(plan_credit_totals(plan), (9, 11));
        assert_eq!(plan_credit_totals([("A", Some("0.5")), ("B", Some("0.5"))]), (1, 1), "halves add up");
        assert_eq!(plan_credit_totals([]), (0, 0));
    }

    #[test]
    fn test_only_a_primary_plan_of_a_visa_holder_below_full_time_warns() {
        let section = |code: &str, credits: &str| TimetableSection {
            section_id: pretzel_api::SectionId(1),
            registration_id: "1".into(),
            course_code: code.into(),
            title: "T".into(),
            section: None,
            kind: "lecture".into(),
            instructors: vec![],
            credits: Some(credits.into()),
            meetings: vec![],
            students: 0,
            removed_at: None,
        };
        let light = [section("A 1", "3"), section("B 1", "1-4")];
        let summary = credit_summary(&light, 12, true, true);
        assert_eq!((summary.min, summary.max, summary.full_time, summary.visa_warning), (4, 7, 12, true));
        assert!(!credit_summary(&light, 12, false, true).visa_warning, "not the primary plan");
        assert!(!credit_summary(&light, 12, true, false).visa_warning, "no student visa");
        assert!(!credit_summary(&light, 7, true, true).visa_warning, "the most reaches full-time");
    }
}
