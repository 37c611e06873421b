//! The contract between the native shell (`src-tauri`) and the UI (`src-ui`): Tauri command
//! arguments and results, event payloads, and the error every command can fail with.
//!
//! The UI never talks to the network; it invokes these commands and listens to these events.
//! Chat's commands and event live in [`chat`].

pub mod chat;

use crate::catalog::{SearchQuery, SearchResponse};
use crate::error::{ErrorCode, FieldError};
use crate::ids::{CustomBlockId, SectionId, TermId, TimetableId};
use crate::timetable::{Conflict, TermTimetables};
use crate::users::Me;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Name of the event the shell emits whenever the signed-in student changes (sign-in, sign-out,
/// or a session revoked by the server). Payload: [`SessionChanged`].
pub const EVENT_SESSION_CHANGED: &str = "session-changed";

/// Name of the event the shell emits when a term's timetables changed behind the UI's back: the
/// outbox synced (or failed) a queued change, or a refresh brought a newer copy. Payload:
/// [`TimetablesChanged`]. The UI answers by calling `term_timetables` again.
pub const EVENT_TIMETABLES_CHANGED: &str = "timetables-changed";

/// Default address of the backend the app talks to.
pub const DEFAULT_BACKEND_URL: &str = "http://127.0.0.1:8787";

/// The app's settings as the shell keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShellSettings {
    /// Base URL of the Pretzel backend, e.g. `http://127.0.0.1:8787`.
    pub backend_url: String,
    /// Language the student picked in Me (a BCP 47 tag such as `ko` or `zh-CN`); `None` follows the OS.
    pub locale: Option<String>,
    /// The operating system's preferred language (BCP 47), used when `locale` is `None`.
    pub os_locale: String,
}

/// What the UI needs at start-up: the settings and, if a session is stored, the student.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppState {
    /// Current settings.
    pub settings: ShellSettings,
    /// The signed-in student from the last session, if any (possibly from the offline cache).
    pub me: Option<Me>,
}

/// Answer of the `profile` command: the student, and whether it came from the offline cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The signed-in student.
    pub me: Me,
    /// `true` when the backend was unreachable and this is the last cached copy.
    pub offline: bool,
}

/// Payload of [`EVENT_SESSION_CHANGED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionChanged {
    /// The student now signed in, or `None` after sign-out or revocation.
    pub me: Option<Me>,
}

/// Payload of [`EVENT_TIMETABLES_CHANGED`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimetablesChanged {
    /// The term whose plans changed.
    pub term_id: TermId,
}

/// Arguments of `set_backend_url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetBackendUrl {
    /// New base URL, `http://` or `https://`.
    pub url: String,
}

/// Arguments of `set_locale`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetLocale {
    /// BCP 47 tag, or `None` to follow the OS.
    pub locale: Option<String>,
}

/// Arguments of `search_sections`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchSections {
    /// The term searched.
    pub term_id: TermId,
    /// Text and filters, as for the REST endpoint.
    pub query: SearchQuery,
}

/// Answer of `search_sections`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    /// The page of results.
    pub response: SearchResponse,
    /// `true` when the backend was unreachable and these are the cached results of the same query.
    pub offline: bool,
}

/// Arguments of `term_timetables` and of every command that needs only the term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermArgs {
    /// The term.
    pub term_id: TermId,
}

/// Answer of `term_timetables` and of `change_timetable`: the term's plans as the student should see
/// them now, with what is still waiting to reach the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimetablesView {
    /// The plans, with queued changes already applied locally.
    pub data: TermTimetables,
    /// `true` when the backend was unreachable and `data` is the cached copy.
    pub offline: bool,
    /// When `data` was last confirmed by the server.
    pub synced_at: Option<DateTime<Utc>>,
    /// Changes queued in the outbox, oldest first.
    pub pending: Vec<PendingChange>,
}

/// One queued timetable change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingChange {
    /// The outbox entry's id (for `discard_pending_change`).
    pub id: i64,
    /// What it does.
    pub change: TimetableChange,
    /// `waiting` (not yet sent), or `failed` (the server refused it; `error` says why and the student
    /// discards it).
    pub state: PendingState,
    /// Why it failed, for `failed` changes.
    pub error: Option<CommandError>,
}

/// State of a [`PendingChange`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingState {
    /// Queued; sent when the backend is reachable.
    Waiting,
    /// Refused by the server for a reason retrying cannot fix (e.g. the section was dropped).
    Failed,
}

/// Arguments of `change_timetable`: one edit of a term's plans. Online it is sent at once; offline
/// (or while earlier changes wait) it is queued in the outbox, applied to the cached copy, and sent
/// in order when the backend is back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum TimetableChange {
    /// A new plan, optionally a copy of another.
    Create {
        /// The term.
        term_id: TermId,
        /// Its name.
        name: String,
        /// Plan to copy sections and blocks from.
        copy_from: Option<TimetableId>,
    },
    /// Rename a plan.
    Rename {
        /// The plan.
        timetable_id: TimetableId,
        /// New name.
        name: String,
    },
    /// Make a plan the primary one.
    MakePrimary {
        /// The plan.
        timetable_id: TimetableId,
    },
    /// Delete a plan (not the last of its term).
    Delete {
        /// The plan.
        timetable_id: TimetableId,
    },
    /// Add sections together (a lecture with its lab).
    AddSections {
        /// The plan.
        timetable_id: TimetableId,
        /// The sections.
        section_ids: Vec<SectionId>,
        /// The student confirmed the conflicts.
        confirm_conflicts: bool,
    },
    /// Remove one section.
    RemoveSection {
        /// The plan.
        timetable_id: TimetableId,
        /// The section.
        section_id: SectionId,
    },
    /// Add a custom block.
    AddBlock {
        /// The plan.
        timetable_id: TimetableId,
        /// Its label.
        label: String,
        /// Banner day letters.
        days: String,
        /// "HH:MM".
        start: String,
        /// "HH:MM".
        end: String,
        /// The student confirmed the conflicts.
        confirm_conflicts: bool,
    },
    /// Remove a custom block.
    RemoveBlock {
        /// The plan.
        timetable_id: TimetableId,
        /// The block.
        block_id: CustomBlockId,
    },
}

impl TimetableChange {
    /// The plan this change edits; `None` for [`TimetableChange::Create`], which makes a new one.
    pub fn timetable_id(&self) -> Option<TimetableId> {
        match self {
            Self::Create { .. } => None,
            Self::Rename { timetable_id, .. }
            | Self::MakePrimary { timetable_id }
            | Self::Delete { timetable_id }
            | Self::AddSections { timetable_id, .. }
            | Self::RemoveSection { timetable_id, .. }
            | Self::AddBlock { timetable_id, .. }
            | Self::RemoveBlock { timetable_id, .. } => Some(*timetable_id),
        }
    }

    /// The plan id the change names, to rewrite it: the edited plan, or the plan a
    /// [`TimetableChange::Create`] copies from (`None` for a fresh plan).
    pub fn named_plan_mut(&mut self) -> Option<&mut TimetableId> {
        match self {
            Self::Create { copy_from, .. } => copy_from.as_mut(),
            Self::Rename { timetable_id, .. }
            | Self::MakePrimary { timetable_id }
            | Self::Delete { timetable_id }
            | Self::AddSections { timetable_id, .. }
            | Self::RemoveSection { timetable_id, .. }
            | Self::AddBlock { timetable_id, .. }
            | Self::RemoveBlock { timetable_id, .. } => Some(timetable_id),
        }
    }
}

/// Arguments of `change_timetable`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeTimetable {
    /// The term whose plans change (the answer is that term's [`TimetablesView`]).
    pub term_id: TermId,
    /// The change.
    pub change: TimetableChange,
}

/// Answer of `change_timetable`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ChangeOutcome {
    /// Applied (on the server, or queued while offline); here is the new state.
    Applied {
        /// The term's plans now.
        view: TimetablesView,
    },
    /// Not applied: it would create these conflicts. Ask the student, then resend with
    /// `confirm_conflicts: true`.
    NeedsConfirmation {
        /// The overlaps it would create.
        conflicts: Vec<Conflict>,
    },
}

/// Arguments of `discard_pending_change`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscardPending {
    /// The term the change belongs to.
    pub term_id: TermId,
    /// [`PendingChange::id`].
    pub id: i64,
}

/// Which clock the week grid uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisplayZone {
    /// The campus's time zone: times as printed in the catalog.
    Campus,
    /// The student's home time zone (from Me); falls back to campus time when none is set.
    Home,
}

/// Arguments of `week_view`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekViewArgs {
    /// The term.
    pub term_id: TermId,
    /// The plan shown.
    pub timetable_id: TimetableId,
    /// Any day of the week to show (in the display zone); `None`: this week if the term is running,
    /// else the term's first full week.
    pub week_of: Option<NaiveDate>,
    /// Campus or home time.
    pub zone: DisplayZone,
}

/// Answer of `week_view`: one plan laid out on a Monday-to-Sunday week of real dates in the chosen
/// zone, computed by the shell from the cached plan (so it works offline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekView {
    /// The IANA zone the times below are in.
    pub time_zone: String,
    /// The zone actually used (`campus` when `home` was asked but no home zone is set).
    pub zone: DisplayZone,
    /// The Monday of the week shown.
    pub week_start: NaiveDate,
    /// The previous and next weeks that still overlap the term, for the arrows; `None` at its ends.
    pub previous_week: Option<NaiveDate>,
    /// See `previous_week`.
    pub next_week: Option<NaiveDate>,
    /// Seven days, Monday first.
    pub days: Vec<WeekDay>,
    /// The first hour (0–23) any block of the plan starts in, over the whole term in this zone, so the
    /// grid does not jump between weeks; 8 when the plan is empty.
    pub first_hour: u32,
    /// One past the last hour any block ends in (1–24); 18 when the plan is empty.
    pub last_hour: u32,
    /// Sections without scheduled times (arranged, online): listed under the grid.
    pub unscheduled: Vec<WeekItemRef>,
    /// When the campus and display zones' offset differs within this week (a DST switch in one of
    /// them), the dates on which it changes, so the UI can say so.
    pub offset_changes: Vec<NaiveDate>,
}

/// One day of a [`WeekView`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekDay {
    /// The date, in the display zone.
    pub date: NaiveDate,
    /// The blocks of that day, by start time.
    pub blocks: Vec<WeekBlock>,
}

/// What a [`WeekBlock`] or an unscheduled entry stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekItemRef {
    /// The section, for section blocks.
    pub section_id: Option<SectionId>,
    /// The custom block, for custom blocks.
    pub block_id: Option<CustomBlockId>,
    /// "CS 225" or the custom block's label.
    pub title: String,
    /// "AL1 · Lecture", or empty for custom blocks.
    pub subtitle: String,
    /// A stable palette index (0–11) per course, so a course keeps its colour; custom blocks use 12.
    pub color: u8,
}

/// One meeting on the grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekBlock {
    /// What it is.
    pub item: WeekItemRef,
    /// Minutes since the display day's midnight (a meeting crossing midnight in the display zone
    /// is split in two blocks).
    pub start_minute: u32,
    /// End, minutes since midnight, at most 1440.
    pub end_minute: u32,
    /// Start and end as "HH:MM" in the display zone.
    pub start: String,
    /// See `start`.
    pub end: String,
    /// Room.
    pub location: Option<String>,
    /// `true` when it overlaps another block of the plan.
    pub conflict: bool,
    /// `true` when the catalog dropped the section.
    pub removed: bool,
}

/// Arguments of commands on one plan (`export_calendar`, `subscribe_calendar`, `revoke_calendar`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimetableArgs {
    /// The plan.
    pub timetable_id: TimetableId,
}

/// Answer of `export_calendar`: where the `.ics` file was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedCalendar {
    /// Absolute path of the file (in the Downloads folder, else the app's data folder).
    pub path: String,
}

/// Broad class of a command failure, so the UI can pick the right message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandErrorKind {
    /// The backend answered with an error; see `code` and `fields`.
    Server,
    /// The backend could not be reached.
    Offline,
    /// The request needs a signed-in student and there is none.
    NotSignedIn,
    /// The input was refused by the shell before reaching the network (e.g. a bad URL).
    InvalidInput,
    /// Local storage (cache, token store) failed.
    Storage,
    /// Anything else; the message says what.
    Internal,
}

/// The error every Tauri command returns, serialised to the UI as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandError {
    /// Broad class of the failure.
    pub kind: CommandErrorKind,
    /// The server's error code when `kind` is `server`.
    pub code: Option<ErrorCode>,
    /// A sentence for humans (English; the UI localises by `kind`/`code` where it can).
    pub message: String,
    /// Per-field problems from the server's validation.
    #[serde(default)]
    pub fields: Vec<FieldError>,
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CommandError {}
