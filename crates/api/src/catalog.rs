//! The course catalog: the terms imported for a university, and search over a term's sections.

use crate::ids::{TermId, UniversityId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One imported term, as listed by `GET /api/v1/universities/{id}/terms`, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Term {
    /// Stable id; later catalog and timetable requests name the term by it.
    pub id: TermId,
    /// The university the term belongs to.
    pub university_id: UniversityId,
    /// The term's code as the university's catalog writes it, e.g. "202130" or "2025-su".
    pub code: String,
    /// The name students use, e.g. "Summer 2021" or "Winter 2019–20".
    pub name: String,
    /// The first day any section meets, when the catalog gives meeting dates.
    pub start_date: Option<NaiveDate>,
    /// The last day any section meets, when the catalog gives meeting dates.
    pub end_date: Option<NaiveDate>,
    /// Sections currently offered (sections dropped by a later import are not counted).
    pub section_count: u32,
}

/// The query string of `GET /api/v1/terms/{term_id}/search`. Every field is optional; with none the
/// term's sections are listed by course code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// Free text over course code ("CS 225", "cs225", "cs 2" as a code prefix), title, instructor
    /// and description; at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Only this subject (department) code, e.g. "CS"; case does not matter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Only sections meeting on these days and no others, as Banner letters Monday first
    /// (`MTWRFSU`), e.g. "MW". Sections with no scheduled days do not match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<String>,
    /// Only sections whose timed meetings all start at or after this campus-local time, "HH:MM".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Only sections whose timed meetings all end at or before this campus-local time, "HH:MM".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Only sections worth this many credits: exactly, as one of "3 or 4", or within a range "1-4".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits: Option<u32>,
    /// `true`: only sections with open seats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<bool>,
    /// Results per page, 1 to 100; 20 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Results to skip, for paging; 0 by default, at most 10,000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
}

/// The answer to `GET /api/v1/terms/{term_id}/search`: one page of matching sections, best first —
/// exact course-code matches, then code-prefix matches, then by text relevance, then by course code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResponse {
    /// How many sections match in all pages; with `total_is_lower_bound`, at least this many.
    pub total: u64,
    /// `true` when counting stopped early and more than `total` sections match (show "1000+").
    /// Without text, counting stops 1,000 matches past the requested `offset`, because an exact count
    /// of a large term costs more than the page; paging towards the end therefore counts exactly.
    /// Searches with text are always counted exactly. Absent from older servers: `false`.
    #[serde(default)]
    pub total_is_lower_bound: bool,
    /// This page of matches.
    pub results: Vec<SearchHit>,
}

/// One matching section with what a result list shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    /// Stable id; timetables name the section by it.
    pub section_id: crate::ids::SectionId,
    /// The university's own id for the section (Banner CRN, umd.io section id).
    pub registration_id: String,
    /// The course code as the catalog writes it, e.g. "CS 15900" or "AASP100".
    pub course_code: String,
    /// The section's own title when it has one (topics courses), else the course's.
    pub title: String,
    /// The section code, e.g. "L01" or "0101", when the catalog gives one.
    pub section: Option<String>,
    /// The normalised kind: lecture, lab, discussion, seminar, studio, online, independent_study,
    /// research, internship or other.
    pub kind: String,
    /// Instructors' names in the catalog's order.
    pub instructors: Vec<String>,
    /// Credits as displayed ("3", "1-4", "3 or 4"): the section's own, else the course's.
    pub credits: Option<String>,
    /// Seats still open, when the catalog says.
    pub open_seats: Option<u32>,
    /// When and where the section meets, in the catalog's order.
    pub meetings: Vec<SearchMeeting>,
    /// Pretzel students who have this section in their primary timetable (a demand signal).
    #[serde(default)]
    pub students: u32,
}

/// One meeting pattern of a [`SearchHit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchMeeting {
    /// Banner day letters, Monday first (`MWF`); empty when arranged or online.
    pub days: String,
    /// Start, campus-local "HH:MM"; absent when the time is arranged.
    pub start: Option<String>,
    /// End, campus-local "HH:MM"; absent when the time is arranged.
    pub end: Option<String>,
    /// Building and room, or the catalog's word for the place ("ONLINE").
    pub location: Option<String>,
    /// First day this pattern runs, when the catalog says (else the term's first day). Summer modules
    /// and half-semester courses start and end inside the term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    /// Last day this pattern runs, when the catalog says (else the term's last day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
}
