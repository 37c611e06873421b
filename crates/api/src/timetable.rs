//! Timetables: a student's named plans for a term, the sections and custom blocks in them, the
//! conflicts between them, credits against the full-time minimum, and calendar export.
//!
//! Routes (all need a bearer token unless said otherwise; another student's timetable answers 404):
//! - `GET    /api/v1/terms/{term_id}/timetables` → [`TermTimetables`] (every plan of the term).
//! - `POST   /api/v1/terms/{term_id}/timetables` with [`CreateTimetable`] → 201 [`Timetable`].
//! - `PATCH  /api/v1/timetables/{id}` with [`UpdateTimetable`] → [`Timetable`] (rename, make primary).
//! - `DELETE /api/v1/timetables/{id}` → 204 (the last plan of a term cannot be deleted: 409).
//! - `POST   /api/v1/timetables/{id}/sections` with [`AddSections`] → [`Timetable`]; 409
//!   `schedule_conflict` with [`ConflictRefusal`] when they overlap and `confirm_conflicts` is false;
//!   410 `section_gone` when a section was dropped from the catalog.
//! - `DELETE /api/v1/timetables/{id}/sections/{section_id}` → [`Timetable`] (idempotent).
//! - `POST   /api/v1/timetables/{id}/blocks` with [`CreateCustomBlock`] → [`Timetable`] (same 409 rule).
//! - `DELETE /api/v1/timetables/{id}/blocks/{block_id}` → [`Timetable`] (idempotent).
//! - `GET    /api/v1/timetables/{id}/calendar.ics` → `text/calendar`.
//! - `PUT    /api/v1/timetables/{id}/subscription` → [`CalendarSubscription`] (a new private URL;
//!   any earlier one stops working), `DELETE` → 204 (revokes it).
//! - `GET    /calendar/{token}.ics` → `text/calendar`, no bearer token: the secret is the token.

use crate::ids::{CustomBlockId, SectionId, TermId, TimetableId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Longest timetable name, in characters.
pub const TIMETABLE_NAME_MAX_CHARS: usize = 40;
/// Longest custom block label, in characters.
pub const CUSTOM_BLOCK_LABEL_MAX_CHARS: usize = 60;
/// Most timetables a student keeps per term.
pub const MAX_TIMETABLES_PER_TERM: usize = 10;
/// Most sections plus custom blocks in one timetable.
pub const MAX_TIMETABLE_ITEMS: usize = 60;

/// Everything the Timetable tab shows for one term: every plan, with the campus facts it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TermTimetables {
    /// The term.
    pub term_id: TermId,
    /// The campus's IANA time zone; every meeting time here is campus-local.
    pub campus_time_zone: String,
    /// First and last day of the term, when known (calendar export repeats weekly until `end_date`).
    pub start_date: Option<NaiveDate>,
    /// Last day of the term, when known.
    pub end_date: Option<NaiveDate>,
    /// The university's full-time minimum of credits per term.
    pub full_time_credits: u32,
    /// The student's plans, primary first, then by creation. Never empty: the first request for a
    /// term creates a primary plan named "Plan A".
    pub timetables: Vec<Timetable>,
}

/// One named plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Timetable {
    /// Stable id.
    pub id: TimetableId,
    /// The term it plans.
    pub term_id: TermId,
    /// "Plan A", "Plan B", or what the student called it.
    pub name: String,
    /// Exactly one plan per student and term is primary: the one chat rooms, credits warnings and
    /// the demand counts follow.
    pub primary: bool,
    /// Sections, grouped by course in the order they were added.
    pub sections: Vec<TimetableSection>,
    /// The student's own blocks (work shifts, commute).
    pub custom_blocks: Vec<CustomBlock>,
    /// Every overlap between two items of this plan, in day and time order.
    pub conflicts: Vec<Conflict>,
    /// Credits of the plan's courses, each course counted once.
    pub credits: CreditSummary,
    /// Courses of this plan that offer other kinds of section the plan does not hold yet
    /// (a lecture without its lab), so the UI can offer the missing part.
    pub missing_components: Vec<MissingComponent>,
    /// Changes with every edit; clients compare it to tell a stale cache.
    pub updated_at: DateTime<Utc>,
}

/// A section in a plan, with everything the grid and the detail sheet show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimetableSection {
    /// The catalog's section.
    pub section_id: SectionId,
    /// The university's own id (CRN): what the student types into registration.
    pub registration_id: String,
    /// Course code as the catalog writes it, e.g. "CS 225".
    pub course_code: String,
    /// The section's title (its own, else its course's).
    pub title: String,
    /// Section code, e.g. "AL1".
    pub section: Option<String>,
    /// Normalised kind (lecture, lab, discussion, …).
    pub kind: String,
    /// Instructors' names.
    pub instructors: Vec<String>,
    /// Credits as displayed ("3", "1-4").
    pub credits: Option<String>,
    /// When and where it meets.
    pub meetings: Vec<Meeting>,
    /// Pretzel students who have this section in their primary plan (a demand signal).
    pub students: u32,
    /// Set when a later catalog import dropped the section: the entry stays, flagged, until the
    /// student removes it.
    pub removed_at: Option<DateTime<Utc>>,
}

/// One meeting pattern: days and times in campus-local time, with the dates it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Meeting {
    /// Banner day letters, Monday first (`MTWRFSU`); empty when arranged or online.
    pub days: String,
    /// Start, campus-local "HH:MM"; absent when arranged.
    pub start: Option<String>,
    /// End, campus-local "HH:MM"; absent when arranged.
    pub end: Option<String>,
    /// Building and room.
    pub location: Option<String>,
    /// First day of this pattern, when the catalog says (else the term's).
    pub start_date: Option<NaiveDate>,
    /// Last day of this pattern, when the catalog says (else the term's).
    pub end_date: Option<NaiveDate>,
}

/// A student's own weekly block that takes part in conflict checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomBlock {
    /// Stable id.
    pub id: CustomBlockId,
    /// What it is, e.g. "Library shift".
    pub label: String,
    /// Banner day letters, Monday first, at least one.
    pub days: String,
    /// Start, campus-local "HH:MM".
    pub start: String,
    /// End, campus-local "HH:MM", after `start`.
    pub end: String,
}

/// One side of a [`Conflict`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConflictItem {
    /// A section of the plan.
    Section {
        /// Its id.
        section_id: SectionId,
        /// "CS 225 AL1": course code and section code.
        label: String,
    },
    /// A custom block of the plan.
    Block {
        /// Its id.
        block_id: CustomBlockId,
        /// The block's label.
        label: String,
    },
}

impl ConflictItem {
    /// The name the student reads: "CS 225 AL1" or the block's label.
    pub fn label(&self) -> &str {
        match self {
            Self::Section { label, .. } | Self::Block { label, .. } => label,
        }
    }
}

/// Two items of a plan that meet at the same time on the same day (and in overlapping date ranges).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conflict {
    /// The earlier-added item.
    pub first: ConflictItem,
    /// The later-added item.
    pub second: ConflictItem,
    /// The Banner day letter of the first overlapping day (`T`).
    pub day: String,
    /// Start of the overlap, campus-local "HH:MM".
    pub start: String,
    /// End of the overlap, campus-local "HH:MM".
    pub end: String,
    /// The overlap in English: "CS 225 AL1 overlaps MATH 241 BL2 on Tue 10:00–10:50".
    pub message: String,
}

/// Credits of a plan against the university's full-time minimum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditSummary {
    /// Lowest total: each course at the low end of its range ("1-4" counts 1).
    pub min: u32,
    /// Highest total: each course at the high end of its range.
    pub max: u32,
    /// The university's full-time minimum.
    pub full_time: u32,
    /// `true` when this is the primary plan, the student said they hold a student visa, and even
    /// `max` is below `full_time`: the UI shows the full-time warning.
    pub visa_warning: bool,
}

/// A kind of section a course offers that the plan does not hold yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MissingComponent {
    /// The course code, e.g. "CS 225".
    pub course_code: String,
    /// The missing kind, e.g. "lab".
    pub kind: String,
}

/// Body of `POST /api/v1/terms/{term_id}/timetables`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTimetable {
    /// The plan's name, 1 to [`TIMETABLE_NAME_MAX_CHARS`] characters after trimming.
    pub name: String,
    /// Client-chosen key (1–64 characters) that makes the request idempotent: a resend with the same
    /// key returns the plan created the first time instead of a second one (offline outbox).
    pub client_key: String,
    /// Copy the sections and blocks of this plan of the same term (e.g. start Plan B from Plan A).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_from: Option<TimetableId>,
}

/// Body of `PATCH /api/v1/timetables/{id}`; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateTimetable {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `true` makes this the primary plan (the previous primary stops being it). `false` is refused:
    /// make another plan primary instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

/// Body of `POST /api/v1/timetables/{id}/sections`: sections added together (a lecture with its
/// lab), all or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddSections {
    /// One to ten sections of the plan's term. Sections already in the plan are ignored.
    pub section_ids: Vec<SectionId>,
    /// `true` when the student saw the conflicts and wants the sections anyway.
    #[serde(default)]
    pub confirm_conflicts: bool,
}

/// Body of `POST /api/v1/timetables/{id}/blocks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateCustomBlock {
    /// 1 to [`CUSTOM_BLOCK_LABEL_MAX_CHARS`] characters after trimming.
    pub label: String,
    /// Banner day letters, Monday first (`MTWRFSU`), at least one.
    pub days: String,
    /// Start, "HH:MM" campus-local.
    pub start: String,
    /// End, "HH:MM" campus-local, after `start`.
    pub end: String,
    /// Idempotency key as in [`CreateTimetable::client_key`].
    pub client_key: String,
    /// `true` when the student saw the conflicts and wants the block anyway.
    #[serde(default)]
    pub confirm_conflicts: bool,
}

/// The body of a 409 `schedule_conflict` answer: the conflicts the change would create. The
/// standard error envelope's `error.code` is `schedule_conflict`; these sit beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConflictRefusal {
    /// The error envelope (`code` = `schedule_conflict`).
    pub error: crate::error::ErrorDetail,
    /// The new overlaps; nothing was changed.
    pub conflicts: Vec<Conflict>,
}

/// A private calendar feed URL for one plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarSubscription {
    /// Absolute `https://…/calendar/{token}.ics` (or `http://` on a local server) for calendar apps;
    /// it follows later changes to the plan until revoked.
    pub url: String,
    /// The same address with the `webcal://` scheme, which opens calendar apps directly.
    pub webcal_url: String,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
}
