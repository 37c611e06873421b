//! What `pretzel-backend import` prints: the `--json` contract object (one per run, used to check
//! importers from outside) and the short summary for people, each with what the import wrote when it
//! was not a dry run.
//!
//! The JSON shape is a contract, so it has its own types here rather than serialising the parsed
//! model, which is free to grow.

use super::notation::{DaySet, hh_mm};
use super::terms::term_name;
use super::{Format, ParseReport, SectionKind};
use crate::db::catalog::{Changes, ImportReport};
use serde::Serialize;

/// The `--json` object: distinct counts after de-duplication, what was skipped, and one record per
/// section.
#[derive(Debug, Serialize)]
pub struct ImportSummary<'a> {
    /// Distinct courses.
    pub courses: usize,
    /// Distinct sections.
    pub sections: usize,
    /// Meetings over all sections.
    pub meetings: usize,
    /// Rows, sections or pages left out.
    pub skipped: Vec<SkippedEntry>,
    /// One entry per section, in source order.
    pub records: Vec<SectionEntry<'a>>,
    /// What the import changed in storage; absent on a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<WriteReport>,
}

/// What an import changed, as counts (the lists are in the log of runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WriteReport {
    /// Courses added, changed and removed.
    pub courses: ChangeCounts,
    /// Sections added, changed and removed.
    pub sections: ChangeCounts,
}

/// How many were added, changed and removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ChangeCounts {
    /// New, or back after a previous import removed them.
    pub added: usize,
    /// Listed again with different content.
    pub changed: usize,
    /// Not listed any more; kept, marked removed.
    pub removed: usize,
}

impl From<&Changes> for ChangeCounts {
    fn from(changes: &Changes) -> Self {
        Self { added: changes.added.len(), changed: changes.changed.len(), removed: changes.removed.len() }
    }
}

impl From<&ImportReport> for WriteReport {
    fn from(report: &ImportReport) -> Self {
        Self { courses: (&report.courses).into(), sections: (&report.sections).into() }
    }
}

/// A skipped row and why.
#[derive(Debug, Serialize)]
pub struct SkippedEntry {
    /// Where, e.g. `line 17`, `course AASP100 section 0101`, `section heading 12`.
    pub location: String,
    /// Why it was left out.
    pub reason: String,
}

/// One section with its course.
#[derive(Debug, Serialize)]
pub struct SectionEntry<'a> {
    /// The source's own section id (CRN, umd.io `section_id`).
    pub registration_id: &'a str,
    /// The course code as the source writes it (`CS 10100`, `AASP100`).
    pub course_code: &'a str,
    /// The section's title, or the course's when the section has none of its own.
    pub title: &'a str,
    /// The section code (`AL1`, `0101`); `null` when the source gives none.
    pub section: Option<&'a str>,
    /// The normalised kind (`lecture`, `lab`, `online`, …).
    pub kind: SectionKind,
    /// Instructor names in source order.
    pub instructors: Vec<&'a str>,
    /// The section's credits, else the course's (`3`, `1-4`, `3 or 4`).
    pub credits: Option<String>,
    /// When and where it meets.
    pub meetings: Vec<MeetingEntry<'a>>,
}

/// One meeting pattern.
#[derive(Debug, Serialize)]
pub struct MeetingEntry<'a> {
    /// `Mon` … `Sun`; empty when arranged.
    pub days: DaySet,
    /// `HH:MM`, 24-hour campus-local; `null` when arranged or to be announced.
    pub start: Option<String>,
    /// `HH:MM`, 24-hour campus-local; `null` when arranged or to be announced.
    pub end: Option<String>,
    /// Building and room, or `null`.
    pub location: Option<&'a str>,
}

impl<'a> ImportSummary<'a> {
    /// The contract object for `report`.
    pub fn new(report: &'a ParseReport) -> Self {
        let records = report
            .sections()
            .map(|(course, section)| SectionEntry {
                registration_id: &section.registration_id,
                course_code: &course.course_code,
                title: section.title.as_deref().unwrap_or(&course.title),
                section: section.section_code.as_deref(),
                kind: section.kind,
                instructors: section.instructors.iter().map(|i| i.name.as_str()).collect(),
                credits: section.credits.as_ref().or(course.credits.as_ref()).map(ToString::to_string),
                meetings: section
                    .meetings
                    .iter()
                    .map(|m| MeetingEntry {
                        days: m.days,
                        start: m.time.map(|t| hh_mm(t.start)),
                        end: m.time.map(|t| hh_mm(t.end)),
                        location: m.location.as_deref(),
                    })
                    .collect(),
            })
            .collect();
        Self {
            courses: report.course_count(),
            sections: report.section_count(),
            meetings: report.meeting_count(),
            skipped: report
                .skipped
                .iter()
                .map(|s| SkippedEntry { location: s.location.to_string(), reason: s.reason.to_string() })
                .collect(),
            records,
            report: None,
        }
    }

    /// The same object with what the import wrote.
    pub fn with_report(self, written: &ImportReport) -> Self {
        Self { report: Some(written.into()), ..self }
    }
}

/// Where an import was written, for the human summary.
#[derive(Debug, Clone, Copy)]
pub struct Written<'a> {
    /// The university's short name.
    pub university: &'a str,
    /// The term code.
    pub term: &'a str,
    /// What changed.
    pub report: &'a ImportReport,
}

/// Identifiers listed one by one per kind of change in the human summary; the rest are counted.
const LISTED_CHANGES: usize = 10;

/// Skipped rows listed one by one in the human summary; the rest are counted.
const LISTED_SKIPS: usize = 20;

/// A few lines for a person: counts, what was skipped, and what was written (or that nothing was).
pub fn human(report: &ParseReport, format: Format, source: &str, written: Option<Written<'_>>) -> String {
    let timed = report.sections().flat_map(|(_, s)| &s.meetings).filter(|m| m.time.is_some()).count();
    let mut out = format!(
        "{source} ({}): {} courses, {} sections, {} meetings ({timed} with times), {} skipped\n",
        format.name(),
        report.course_count(),
        report.section_count(),
        report.meeting_count(),
        report.skipped.len(),
    );
    for skipped in report.skipped.iter().take(LISTED_SKIPS) {
        out.push_str(&format!("  skipped {skipped}\n"));
    }
    if report.skipped.len() > LISTED_SKIPS {
        out.push_str(&format!("  … and {} more skipped\n", report.skipped.len() - LISTED_SKIPS));
    }
    let Some(written) = written else {
        out.push_str("dry run: nothing was written\n");
        return out;
    };
    let counts = WriteReport::from(written.report);
    let line = |c: ChangeCounts| format!("{} added, {} changed, {} removed", c.added, c.changed, c.removed);
    out.push_str(&format!(
        "wrote {} {} ({}): courses {}; sections {}\n",
        written.university,
        written.term,
        term_name(written.term),
        line(counts.courses),
        line(counts.sections),
    ));
    for (kind, changes) in [("course", &written.report.courses), ("section", &written.report.sections)] {
        for (verb, keys) in [("added", &changes.added), ("changed", &changes.changed), ("removed", &changes.removed)] {
            if keys.is_empty() {
                continue;
            }
            let shown: Vec<&str> = keys.iter().take(LISTED_CHANGES).map(String::as_str).collect();
            let more = keys.len().saturating_sub(LISTED_CHANGES);
            let tail = if more > 0 { format!(" … and {more} more") } else { String::new() };
            out.push_str(&format!("  {kind}s {verb}: {}{tail}\n", shown.join(", ")));
        }
    }
    out
}
