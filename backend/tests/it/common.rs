//! Shared helpers: where the sample catalogs are, parsing them, and one exact comparison of a
//! section against what a person read off the raw file.

use pretzel_backend::import::notation::hh_mm;
use pretzel_backend::import::{Format, ParseReport, SectionKind};
use std::path::PathBuf;

/// A file under `assets/catalogs/`.
pub fn catalog(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/catalogs").join(path)
}

pub fn read(path: &str) -> Vec<u8> {
    std::fs::read(catalog(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn parse(format: Format, path: &str) -> ParseReport {
    parse_bytes(format, &read(path))
}

pub fn parse_bytes(format: Format, bytes: &[u8]) -> ParseReport {
    format.importer().parse(bytes).unwrap_or_else(|e| panic!("parse failed: {e}"))
}

/// (courses, sections, meetings, meetings with times, skipped)
pub fn counts(report: &ParseReport) -> (usize, usize, usize, usize, usize) {
    let timed = report.sections().flat_map(|(_, s)| &s.meetings).filter(|m| m.time.is_some()).count();
    (report.course_count(), report.section_count(), report.meeting_count(), timed, report.skipped.len())
}

/// A meeting as read off the raw file: days (`"Mon Wed"`), start, end, location.
pub type M<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);

/// A meeting rendered for comparison: days, start, end, location.
type Rendered = (String, Option<String>, Option<String>, Option<String>);

/// What a section should be, field by field.
pub struct Want<'a> {
    pub code: &'a str,
    pub title: &'a str,
    pub section: Option<&'a str>,
    pub kind: SectionKind,
    pub instructors: &'a [&'a str],
    pub credits: Option<&'a str>,
    pub meetings: &'a [M<'a>],
}

/// A [`Want`] for a section that has a code and credits, the common case.
pub fn want<'a>(
    code: &'a str,
    title: &'a str,
    section: &'a str,
    kind: SectionKind,
    instructors: &'a [&'a str],
    credits: &'a str,
    meetings: &'a [M<'a>],
) -> Want<'a> {
    Want { code, title, section: Some(section), kind, instructors, credits: Some(credits), meetings }
}

/// Compares the section with `registration_id` to `want` exactly; credits are the section's, else
/// the course's, as the JSON contract reports them.
#[track_caller]
pub fn assert_section(report: &ParseReport, registration_id: &str, want: Want<'_>) {
    let (course, section) = report.section(registration_id).unwrap_or_else(|| panic!("no section {registration_id}"));
    let meetings: Vec<Rendered> = section
        .meetings
        .iter()
        .map(|m| {
            (m.days.names().join(" "), m.time.map(|t| hh_mm(t.start)), m.time.map(|t| hh_mm(t.end)), m.location.clone())
        })
        .collect();
    let expected: Vec<Rendered> = want
        .meetings
        .iter()
        .map(|(days, start, end, location)| {
            (days.to_string(), start.map(str::to_owned), end.map(str::to_owned), location.map(str::to_owned))
        })
        .collect();
    let credits = section.credits.as_ref().or(course.credits.as_ref()).map(ToString::to_string);
    let actual = (
        course.course_code.as_str(),
        section.title.as_deref().unwrap_or(&course.title),
        section.section_code.as_deref(),
        section.kind,
        section.instructors.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
        credits.as_deref(),
        meetings,
    );
    let wanted = (want.code, want.title, want.section, want.kind, want.instructors.to_vec(), want.credits, expected);
    assert_eq!(actual, wanted, "section {registration_id}");
}
