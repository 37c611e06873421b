//! Queries over the course catalog: terms, courses, sections, meetings, and the log of import runs.
//!
//! [`Db::apply_import`] is the one way a catalog is written. It takes a term's whole catalog as an
//! importer parsed it and, in one transaction, brings the stored term in line with it: nothing
//! half-imported is ever visible, and a failure leaves the term as it was. Rows are keyed by the
//! source's own identifiers (course code, registration id) and updated in place, so their ids stay
//! stable for the timetables that will point at them. A section missing from a later import is marked
//! removed rather than deleted, so those timetable entries can be flagged to their students; it is
//! un-marked if it comes back. Each course and section keeps a hash of its normalised stored content,
//! which is how a re-import tells "changed" from "the same" without comparing column by column.

use super::{Db, DbError, now_millis};
use crate::import::notation::DateRange;
use crate::import::terms::term_name;
use crate::import::{CourseRecord, Format, Instructor, Meeting, ParseReport, SectionRecord};
use chrono::{NaiveDate, Timelike};
use pretzel_api::{Term, TermId, UniversityId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::{HashMap, HashSet};

/// Most values bound in one batched statement. Measured on the sample catalogs: PostgreSQL is as
/// fast at 500 as at 8,000, while SQLite's binding slows with the number of parameters in a statement
/// (8,000 per statement took six times as long as 500); below ~150, round trips start to cost.
const MAX_BINDS: usize = 500;

/// Where an import came from, for the log of runs.
#[derive(Debug, Clone, Copy)]
pub struct ImportOrigin<'a> {
    /// The format the sources were read as.
    pub format: Format,
    /// The files or URLs read, in order.
    pub sources: &'a [String],
    /// When reading the sources began, Unix milliseconds.
    pub started_at: i64,
}

/// What one import did to courses or to sections, by the source's identifiers (course codes,
/// registration ids), each list sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// New to the term, or back after a previous import had removed them.
    pub added: Vec<String>,
    /// Stored before and listed again with different content.
    pub changed: Vec<String>,
    /// Stored before and missing from this import; kept, marked removed.
    pub removed: Vec<String>,
}

impl Changes {
    /// Whether nothing was added, changed or removed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    fn sort(&mut self) {
        self.added.sort_unstable();
        self.changed.sort_unstable();
        self.removed.sort_unstable();
    }
}

/// What [`Db::apply_import`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// The term written to (created by the first import of its code).
    pub term_id: TermId,
    /// The row in `import_runs` that logs this import.
    pub run_id: i64,
    /// Courses added, changed and removed.
    pub courses: Changes,
    /// Sections added, changed and removed.
    pub sections: Changes,
}

impl ImportReport {
    /// Whether the import found the term exactly as stored.
    pub fn is_unchanged(&self) -> bool {
        self.courses.is_empty() && self.sections.is_empty()
    }
}

/// A stored course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCourse {
    /// Row id, stable across re-imports.
    pub id: i64,
    /// Subject or department code.
    pub subject: String,
    /// Number within the subject.
    pub number: String,
    /// The code as the source writes it.
    pub course_code: String,
    /// The title.
    pub title: String,
    /// The catalog description, where the source has one.
    pub description: Option<String>,
    /// Credits as displayed (`3`, `1-4`, `3 or 4`).
    pub credits: Option<String>,
    /// When a later import stopped listing it, Unix milliseconds.
    pub removed_at: Option<i64>,
}

/// A stored section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSection {
    /// Row id, stable across re-imports.
    pub id: i64,
    /// Its course's row id.
    pub course_id: i64,
    /// The source's own id for the section.
    pub registration_id: String,
    /// The section code as written.
    pub section_code: Option<String>,
    /// The section's own title, when it differs from the course's.
    pub title: Option<String>,
    /// The normalised kind (`lecture`, `lab`, …).
    pub kind: String,
    /// The source's label for the kind.
    pub kind_label: Option<String>,
    /// Instructors in source order.
    pub instructors: Vec<Instructor>,
    /// The section's own credits, when it fixes them.
    pub credits: Option<String>,
    /// Enrollment status as the source writes it.
    pub status: Option<String>,
    /// Seats in total.
    pub capacity: Option<i64>,
    /// Seats still open.
    pub open_seats: Option<i64>,
    /// Students on the waitlist.
    pub waitlist: Option<i64>,
    /// When a later import stopped listing it, Unix milliseconds.
    pub removed_at: Option<i64>,
}

/// A stored meeting pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMeeting {
    /// Banner day letters, Monday first (`MWF`); empty when arranged.
    pub days: String,
    /// Minutes since midnight, campus-local; `None` when arranged.
    pub start_minute: Option<i64>,
    /// Minutes since midnight, campus-local; `None` when arranged.
    pub end_minute: Option<i64>,
    /// Building and room, or the source's word for the place.
    pub location: Option<String>,
    /// The first day the pattern runs.
    pub start_date: Option<NaiveDate>,
    /// The last day the pattern runs.
    pub end_date: Option<NaiveDate>,
}

/// How much of a term is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogCounts {
    /// Courses currently offered.
    pub courses: i64,
    /// Courses marked removed.
    pub removed_courses: i64,
    /// Sections currently offered.
    pub sections: i64,
    /// Sections marked removed.
    pub removed_sections: i64,
    /// Meetings of the sections currently offered.
    pub meetings: i64,
}

/// One logged import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRun {
    /// Row id.
    pub id: i64,
    /// The term written to.
    pub term_id: TermId,
    /// The format's command-line name (`umdio-json`).
    pub format: String,
    /// The files or URLs read.
    pub sources: Vec<String>,
    /// When reading began, Unix milliseconds.
    pub started_at: i64,
    /// When the write committed, Unix milliseconds.
    pub finished_at: i64,
    /// Distinct courses parsed.
    pub courses: i64,
    /// Distinct sections parsed.
    pub sections: i64,
    /// Meetings parsed.
    pub meetings: i64,
    /// Rows skipped while parsing.
    pub skipped: i64,
    /// What happened to courses.
    pub course_changes: Changes,
    /// What happened to sections.
    pub section_changes: Changes,
}

/// A value bound into a statement. Rows are built as lists of these so one batched-insert helper
/// serves every table, and so the content hash is taken over exactly what is stored.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Param {
    Int(Option<i64>),
    Text(Option<String>),
}

fn text(value: &str) -> Param {
    Param::Text(Some(value.to_owned()))
}

fn opt_text(value: Option<&str>) -> Param {
    Param::Text(value.map(str::to_owned))
}

fn opt_count(value: Option<u32>) -> Param {
    Param::Int(value.map(i64::from))
}

fn iso_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// A course's stored columns after `term_id`, in insert order, without the hash.
fn course_values(course: &CourseRecord) -> Vec<Param> {
    vec![
        text(&course.subject),
        text(&course.number),
        text(&course.course_code),
        text(&course.title),
        opt_text(course.description.as_deref()),
        Param::Text(course.credits.as_ref().map(ToString::to_string)),
    ]
}

/// A section's stored columns after `course_id, term_id`, in insert order, without the hash.
fn section_values(section: &SectionRecord) -> Vec<Param> {
    let instructors: Vec<Value> = section
        .instructors
        .iter()
        .map(|i| {
            let mut object = serde_json::Map::new();
            object.insert("name".into(), Value::from(i.name.as_str()));
            object.insert("primary".into(), Value::from(i.primary));
            Value::Object(object)
        })
        .collect();
    vec![
        text(&section.registration_id),
        opt_text(section.section_code.as_deref()),
        opt_text(section.title.as_deref()),
        text(section.kind.as_str()),
        opt_text(section.kind_label.as_deref()),
        Param::Text(Some(Value::Array(instructors).to_string())),
        Param::Text(section.credits.as_ref().map(ToString::to_string)),
        opt_text(section.status.as_deref()),
        opt_count(section.capacity),
        opt_count(section.open_seats),
        opt_count(section.waitlist),
    ]
}

/// A meeting's stored columns after `section_id, position`, in insert order.
fn meeting_values(meeting: &Meeting) -> Vec<Param> {
    let minute = |t: chrono::NaiveTime| i64::from(t.num_seconds_from_midnight() / 60);
    vec![
        Param::Text(Some(meeting.days.letters())),
        Param::Int(meeting.time.map(|t| minute(t.start))),
        Param::Int(meeting.time.map(|t| minute(t.end))),
        opt_text(meeting.location.as_deref()),
        Param::Text(meeting.dates.map(|d| iso_date(d.first))),
        Param::Text(meeting.dates.map(|d| iso_date(d.last))),
        opt_text(meeting.kind_label.as_deref()),
    ]
}

/// SHA-256 over values, each tagged with its type and length-prefixed so no two different
/// sequences hash alike; hex.
fn content_hash<'p>(values: impl IntoIterator<Item = &'p Param>) -> String {
    let mut hasher = Sha256::new();
    for value in values {
        match value {
            Param::Int(None) => hasher.update([0]),
            Param::Int(Some(n)) => {
                hasher.update([1]);
                hasher.update(n.to_le_bytes());
            }
            Param::Text(None) => hasher.update([2]),
            Param::Text(Some(s)) => {
                hasher.update([3]);
                hasher.update((s.len() as u64).to_le_bytes());
                hasher.update(s.as_bytes());
            }
        }
    }
    format!("{:x}", hasher.finalize())
}

/// A course as it is to be stored.
struct PlannedCourse<'a> {
    code: &'a str,
    values: Vec<Param>,
    hash: String,
}

/// A section as it is to be stored, with its meetings.
struct PlannedSection<'a> {
    course_code: &'a str,
    registration_id: &'a str,
    values: Vec<Param>,
    meetings: Vec<Vec<Param>>,
    hash: String,
}

fn plan_course(course: &CourseRecord) -> PlannedCourse<'_> {
    let values = course_values(course);
    let hash = content_hash(&values);
    PlannedCourse { code: &course.course_code, values, hash }
}

fn plan_section<'a>(course: &'a CourseRecord, section: &'a SectionRecord) -> PlannedSection<'a> {
    let values = section_values(section);
    let meetings: Vec<Vec<Param>> = section.meetings.iter().map(meeting_values).collect();
    // The course code is in the hash so a section moved to another course counts as changed; the
    // meeting count separates one meeting's values from the next.
    let code = text(&course.course_code);
    let count = Param::Int(i64::try_from(meetings.len()).ok());
    let hash = content_hash(
        std::iter::once(&code).chain(&values).chain(std::iter::once(&count)).chain(meetings.iter().flatten()),
    );
    PlannedSection {
        course_code: &course.course_code,
        registration_id: &section.registration_id,
        values,
        meetings,
        hash,
    }
}

/// The stored key, hash and state of a course or section.
struct Stored {
    id: i64,
    hash: String,
    removed_at: Option<i64>,
}

/// The first and last day any meeting of `parsed` runs, if the source gives dates.
fn term_span(parsed: &ParseReport) -> Option<DateRange> {
    parsed
        .sections()
        .flat_map(|(_, s)| &s.meetings)
        .filter_map(|m| m.dates)
        .reduce(|a, b| DateRange { first: a.first.min(b.first), last: a.last.max(b.last) })
}

/// Refuses a report with a course code or registration id twice: which listing should the one stored
/// row become? The importers never produce one ([`ParseReport::merge`] merges repeats).
fn check_unique(parsed: &ParseReport) -> Result<(), DbError> {
    let mut codes = HashSet::new();
    for course in &parsed.records {
        if !codes.insert(course.course_code.as_str()) {
            return Err(DbError::DuplicateInImport { kind: "course", key: course.course_code.clone() });
        }
    }
    let mut ids = HashSet::new();
    for (_, section) in parsed.sections() {
        if !ids.insert(section.registration_id.as_str()) {
            return Err(DbError::DuplicateInImport { kind: "section", key: section.registration_id.clone() });
        }
    }
    Ok(())
}

impl Db {
    /// Writes `parsed`, the whole catalog of term `term_code`, for `university`, and logs the run.
    ///
    /// One transaction: on any error nothing is written. Re-importing the same catalog changes
    /// nothing and reports nothing. Courses and sections are matched by course code and registration
    /// id; changed ones are updated in place (their ids stay), new ones inserted, missing ones marked
    /// removed (and un-marked when they come back, which reports them as added).
    pub async fn apply_import(
        &self,
        university: UniversityId,
        term_code: &str,
        parsed: &ParseReport,
        origin: &ImportOrigin<'_>,
    ) -> Result<ImportReport, DbError> {
        check_unique(parsed)?;
        if self.university(university).await?.is_none() {
            return Err(DbError::UnknownUniversity(university));
        }
        // Hashing is CPU work; done before the transaction, it does not hold the write lock.
        let courses: Vec<PlannedCourse<'_>> = parsed.records.iter().map(plan_course).collect();
        let sections: Vec<PlannedSection<'_>> = parsed.sections().map(|(c, s)| plan_section(c, s)).collect();
        let now = now_millis();

        let mut tx = self.pool().begin().await?;
        // Write first (as in sessions.rs): on SQLite this takes the write lock at once; on PostgreSQL
        // the row lock on the term makes two imports of one term wait for each other, not interleave.
        let term_id: i64 = sqlx::query_scalar(
            "INSERT INTO terms (university_id, code, name, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (university_id, code) DO UPDATE SET name = excluded.name RETURNING id",
        )
        .bind(university.0)
        .bind(term_code)
        .bind(term_name(term_code))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;

        let mut course_changes = Changes::default();
        let course_ids = write_courses(&mut tx, term_id, &courses, now, &mut course_changes).await?;
        let mut section_changes = Changes::default();
        write_sections(&mut tx, term_id, &sections, &course_ids, now, &mut section_changes).await?;
        // An unchanged import leaves the index as it is; any change re-indexes the whole term, which
        // is simpler than tracking which rows each course or section change touches.
        if !course_changes.is_empty() || !section_changes.is_empty() {
            super::search::reindex_term(&mut tx, self.engine(), term_id).await?;
        }
        course_changes.sort();
        section_changes.sort();

        if let Some(span) = term_span(parsed) {
            sqlx::query("UPDATE terms SET start_date = $1, end_date = $2 WHERE id = $3")
                .bind(iso_date(span.first))
                .bind(iso_date(span.last))
                .bind(term_id)
                .execute(&mut *tx)
                .await?;
        }
        let run_id = log_run(&mut tx, university, term_id, parsed, origin, &course_changes, &section_changes).await?;
        tx.commit().await?;
        Ok(ImportReport { term_id: TermId(term_id), run_id, courses: course_changes, sections: section_changes })
    }

    /// The university's imported terms, newest first (term codes sort by time within a source).
    pub async fn list_terms(&self, university: UniversityId) -> Result<Vec<Term>, DbError> {
        let rows = sqlx::query(&format!("{TERM_SELECT} WHERE t.university_id = $1 ORDER BY t.code DESC"))
            .bind(university.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(row_to_term).collect()
    }

    /// The university's term with this code, if it was imported.
    pub async fn term_by_code(&self, university: UniversityId, code: &str) -> Result<Option<Term>, DbError> {
        let row = sqlx::query(&format!("{TERM_SELECT} WHERE t.university_id = $1 AND t.code = $2"))
            .bind(university.0)
            .bind(code)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(row_to_term).transpose()
    }

    /// Every course of the term, removed ones included, in the order they were first stored.
    pub async fn courses_of_term(&self, term: TermId) -> Result<Vec<StoredCourse>, DbError> {
        let rows = sqlx::query(
            "SELECT id, subject, number, course_code, title, description, credits, removed_at \
             FROM courses WHERE term_id = $1 ORDER BY id",
        )
        .bind(term.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredCourse {
                    id: row.try_get("id")?,
                    subject: row.try_get("subject")?,
                    number: row.try_get("number")?,
                    course_code: row.try_get("course_code")?,
                    title: row.try_get("title")?,
                    description: row.try_get("description")?,
                    credits: row.try_get("credits")?,
                    removed_at: row.try_get("removed_at")?,
                })
            })
            .collect()
    }

    /// Every section of the term, removed ones included, in the order they were first stored.
    pub async fn sections_of_term(&self, term: TermId) -> Result<Vec<StoredSection>, DbError> {
        let rows = sqlx::query(
            "SELECT id, course_id, registration_id, section_code, title, kind, kind_label, instructors, credits, \
             status, capacity, open_seats, waitlist, removed_at FROM sections WHERE term_id = $1 ORDER BY id",
        )
        .bind(term.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(row_to_section).collect()
    }

    /// The section's meetings in source order.
    pub async fn meetings_of_section(&self, section_id: i64) -> Result<Vec<StoredMeeting>, DbError> {
        let rows = sqlx::query(
            "SELECT days, start_minute, end_minute, location, start_date, end_date FROM meetings \
             WHERE section_id = $1 ORDER BY position",
        )
        .bind(section_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredMeeting {
                    days: row.try_get("days")?,
                    start_minute: row.try_get("start_minute")?,
                    end_minute: row.try_get("end_minute")?,
                    location: row.try_get("location")?,
                    start_date: date_column(row, "start_date")?,
                    end_date: date_column(row, "end_date")?,
                })
            })
            .collect()
    }

    /// How many courses, sections and meetings the term holds.
    pub async fn catalog_counts(&self, term: TermId) -> Result<CatalogCounts, DbError> {
        let row = sqlx::query(
            "SELECT \
             (SELECT COUNT(*) FROM courses WHERE term_id = $1 AND removed_at IS NULL) AS courses, \
             (SELECT COUNT(*) FROM courses WHERE term_id = $1 AND removed_at IS NOT NULL) AS removed_courses, \
             (SELECT COUNT(*) FROM sections WHERE term_id = $1 AND removed_at IS NULL) AS sections, \
             (SELECT COUNT(*) FROM sections WHERE term_id = $1 AND removed_at IS NOT NULL) AS removed_sections, \
             (SELECT COUNT(*) FROM meetings m JOIN sections s ON s.id = m.section_id \
              WHERE s.term_id = $1 AND s.removed_at IS NULL) AS meetings",
        )
        .bind(term.0)
        .fetch_one(self.pool())
        .await?;
        Ok(CatalogCounts {
            courses: row.try_get("courses")?,
            removed_courses: row.try_get("removed_courses")?,
            sections: row.try_get("sections")?,
            removed_sections: row.try_get("removed_sections")?,
            meetings: row.try_get("meetings")?,
        })
    }

    /// Every import written for the university, oldest first.
    pub async fn import_runs(&self, university: UniversityId) -> Result<Vec<ImportRun>, DbError> {
        let rows = sqlx::query(
            "SELECT id, term_id, format, sources, started_at, finished_at, courses, sections, meetings, skipped, \
             report FROM import_runs WHERE university_id = $1 ORDER BY id",
        )
        .bind(university.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(row_to_run).collect()
    }
}

const TERM_SELECT: &str = "SELECT t.id, t.university_id, t.code, t.name, t.start_date, t.end_date, \
     (SELECT COUNT(*) FROM sections s WHERE s.term_id = t.id AND s.removed_at IS NULL) AS section_count \
     FROM terms t";

fn row_to_term(row: &AnyRow) -> Result<Term, DbError> {
    let count: i64 = row.try_get("section_count")?;
    Ok(Term {
        id: TermId(row.try_get("id")?),
        university_id: UniversityId(row.try_get("university_id")?),
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        start_date: date_column(row, "start_date")?,
        end_date: date_column(row, "end_date")?,
        section_count: u32::try_from(count).map_err(|_| DbError::Corrupt(format!("section count {count}")))?,
    })
}

pub(super) fn date_column(row: &AnyRow, column: &str) -> Result<Option<NaiveDate>, DbError> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| t.parse().map_err(|e| DbError::Corrupt(format!("{column} {t:?}: {e}")))).transpose()
}

pub(super) fn row_to_section(row: &AnyRow) -> Result<StoredSection, DbError> {
    #[derive(Deserialize)]
    struct StoredInstructor {
        name: String,
        primary: bool,
    }
    let json: String = row.try_get("instructors")?;
    let instructors: Vec<StoredInstructor> =
        serde_json::from_str(&json).map_err(|e| DbError::Corrupt(format!("sections.instructors: {e}")))?;
    Ok(StoredSection {
        id: row.try_get("id")?,
        course_id: row.try_get("course_id")?,
        registration_id: row.try_get("registration_id")?,
        section_code: row.try_get("section_code")?,
        title: row.try_get("title")?,
        kind: row.try_get("kind")?,
        kind_label: row.try_get("kind_label")?,
        instructors: instructors.into_iter().map(|i| Instructor { name: i.name, primary: i.primary }).collect(),
        credits: row.try_get("credits")?,
        status: row.try_get("status")?,
        capacity: row.try_get("capacity")?,
        open_seats: row.try_get("open_seats")?,
        waitlist: row.try_get("waitlist")?,
        removed_at: row.try_get("removed_at")?,
    })
}

fn row_to_run(row: &AnyRow) -> Result<ImportRun, DbError> {
    #[derive(Deserialize)]
    struct Logged {
        courses: Changes,
        sections: Changes,
    }
    let sources: String = row.try_get("sources")?;
    let sources: Vec<String> =
        serde_json::from_str(&sources).map_err(|e| DbError::Corrupt(format!("import_runs.sources: {e}")))?;
    let report: String = row.try_get("report")?;
    let report: Logged =
        serde_json::from_str(&report).map_err(|e| DbError::Corrupt(format!("import_runs.report: {e}")))?;
    Ok(ImportRun {
        id: row.try_get("id")?,
        term_id: TermId(row.try_get("term_id")?),
        format: row.try_get("format")?,
        sources,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        courses: row.try_get("courses")?,
        sections: row.try_get("sections")?,
        meetings: row.try_get("meetings")?,
        skipped: row.try_get("skipped")?,
        course_changes: report.courses,
        section_changes: report.sections,
    })
}

pub(super) type Tx<'c> = Transaction<'c, Any>;

/// Loads the term's stored rows of `table` by their source key column.
async fn stored_by_key(
    tx: &mut Tx<'_>,
    table: &str,
    key: &str,
    term_id: i64,
) -> Result<HashMap<String, Stored>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT id, {key} AS source_key, content_hash, removed_at FROM {table} WHERE term_id = $1"
    ))
    .bind(term_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| {
            let stored = Stored {
                id: row.try_get("id")?,
                hash: row.try_get("content_hash")?,
                removed_at: row.try_get("removed_at")?,
            };
            Ok((row.try_get("source_key")?, stored))
        })
        .collect()
}

/// Inserts, updates and marks removed the term's courses; returns every listed course's row id by
/// course code.
async fn write_courses(
    tx: &mut Tx<'_>,
    term_id: i64,
    courses: &[PlannedCourse<'_>],
    now: i64,
    changes: &mut Changes,
) -> Result<HashMap<String, i64>, DbError> {
    let stored = stored_by_key(tx, "courses", "course_code", term_id).await?;
    let mut ids: HashMap<String, i64> = HashMap::with_capacity(courses.len());
    let mut inserts = Vec::new();
    for course in courses {
        let Some(row) = stored.get(course.code) else {
            let mut values = Vec::with_capacity(course.values.len() + 2);
            values.push(Param::Int(Some(term_id)));
            values.extend(course.values.iter().cloned());
            values.push(text(&course.hash));
            inserts.push(values);
            changes.added.push(course.code.to_owned());
            continue;
        };
        ids.insert(course.code.to_owned(), row.id);
        let changed = row.hash != course.hash;
        if !changed && row.removed_at.is_none() {
            continue;
        }
        // Every column is rewritten (one statement for "changed", "back" and both) and the id stays.
        let mut values = course.values.clone();
        values.push(text(&course.hash));
        values.push(Param::Int(Some(row.id)));
        bind_all(
            sqlx::query(
                "UPDATE courses SET subject = $1, number = $2, course_code = $3, title = $4, description = $5, \
                 credits = $6, content_hash = $7, removed_at = NULL WHERE id = $8",
            ),
            values,
        )
        .execute(&mut **tx)
        .await?;
        let list = if row.removed_at.is_some() { &mut changes.added } else { &mut changes.changed };
        list.push(course.code.to_owned());
    }
    let inserted = insert_rows(
        tx,
        "courses (term_id, subject, number, course_code, title, description, credits, content_hash)",
        inserts,
        Some("id, course_code"),
    )
    .await?;
    for row in &inserted {
        ids.insert(row.try_get("course_code")?, row.try_get("id")?);
    }
    let listed: HashSet<&str> = courses.iter().map(|c| c.code).collect();
    let gone = missing(&stored, |code| listed.contains(code), changes);
    execute_for_ids(tx, "UPDATE courses SET removed_at = $1 WHERE id", &[now], &gone).await?;
    Ok(ids)
}

/// Inserts, updates and marks removed the term's sections, and rewrites the meetings of the new and
/// changed ones.
async fn write_sections(
    tx: &mut Tx<'_>,
    term_id: i64,
    sections: &[PlannedSection<'_>],
    course_ids: &HashMap<String, i64>,
    now: i64,
    changes: &mut Changes,
) -> Result<(), DbError> {
    let stored = stored_by_key(tx, "sections", "registration_id", term_id).await?;
    let course_id = |section: &PlannedSection<'_>| {
        // Every listed course was stored just before; a miss would be a bug in `write_courses`.
        course_ids
            .get(section.course_code)
            .copied()
            .ok_or_else(|| DbError::Corrupt(format!("course {} of a section was not stored", section.course_code)))
    };
    let mut inserts = Vec::new();
    let mut new_meetings: HashMap<&str, &[Vec<Param>]> = HashMap::new();
    // Meetings have no identity of their own in any source, so a changed section's are replaced whole.
    let mut rewritten: Vec<i64> = Vec::new();
    let mut meeting_rows: Vec<Vec<Param>> = Vec::new();
    for section in sections {
        let Some(row) = stored.get(section.registration_id) else {
            let mut values = Vec::with_capacity(section.values.len() + 3);
            values.push(Param::Int(Some(course_id(section)?)));
            values.push(Param::Int(Some(term_id)));
            values.extend(section.values.iter().cloned());
            values.push(text(&section.hash));
            inserts.push(values);
            new_meetings.insert(section.registration_id, &section.meetings);
            changes.added.push(section.registration_id.to_owned());
            continue;
        };
        let changed = row.hash != section.hash;
        if !changed && row.removed_at.is_none() {
            continue;
        }
        let mut values = vec![Param::Int(Some(course_id(section)?))];
        values.extend(section.values.iter().cloned());
        values.push(text(&section.hash));
        values.push(Param::Int(Some(row.id)));
        bind_all(
            sqlx::query(
                "UPDATE sections SET course_id = $1, registration_id = $2, section_code = $3, title = $4, kind = $5, \
                 kind_label = $6, instructors = $7, credits = $8, status = $9, capacity = $10, open_seats = $11, \
                 waitlist = $12, content_hash = $13, removed_at = NULL WHERE id = $14",
            ),
            values,
        )
        .execute(&mut **tx)
        .await?;
        if changed {
            rewritten.push(row.id);
            meeting_rows.extend(meeting_params(row.id, &section.meetings));
        }
        let list = if row.removed_at.is_some() { &mut changes.added } else { &mut changes.changed };
        list.push(section.registration_id.to_owned());
    }
    let inserted = insert_rows(
        tx,
        "sections (course_id, term_id, registration_id, section_code, title, kind, kind_label, instructors, \
         credits, status, capacity, open_seats, waitlist, content_hash)",
        inserts,
        Some("id, registration_id"),
    )
    .await?;
    for row in &inserted {
        let registration_id: String = row.try_get("registration_id")?;
        if let Some(meetings) = new_meetings.get(registration_id.as_str()) {
            meeting_rows.extend(meeting_params(row.try_get("id")?, meetings));
        }
    }
    let listed: HashSet<&str> = sections.iter().map(|s| s.registration_id).collect();
    let gone = missing(&stored, |id| listed.contains(id), changes);
    execute_for_ids(tx, "UPDATE sections SET removed_at = $1 WHERE id", &[now], &gone).await?;
    execute_for_ids(tx, "DELETE FROM meetings WHERE section_id", &[], &rewritten).await?;
    insert_rows(
        tx,
        "meetings (section_id, position, days, start_minute, end_minute, location, start_date, end_date, kind_label)",
        meeting_rows,
        None,
    )
    .await?;
    Ok(())
}

/// The meeting rows of section `section_id`, positions in source order.
fn meeting_params(section_id: i64, meetings: &[Vec<Param>]) -> impl Iterator<Item = Vec<Param>> + '_ {
    meetings.iter().enumerate().map(move |(position, values)| {
        let mut row = Vec::with_capacity(values.len() + 2);
        row.push(Param::Int(Some(section_id)));
        row.push(Param::Int(i64::try_from(position).ok()));
        row.extend(values.iter().cloned());
        row
    })
}

/// The ids of stored rows still live but not `listed` now, recording their keys as removed.
fn missing(stored: &HashMap<String, Stored>, listed: impl Fn(&str) -> bool, changes: &mut Changes) -> Vec<i64> {
    stored
        .iter()
        .filter(|(key, row)| row.removed_at.is_none() && !listed(key))
        .map(|(key, row)| {
            changes.removed.push(key.clone());
            row.id
        })
        .collect()
}

pub(super) type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

pub(super) fn bind_all(mut query: AnyQuery<'_>, values: impl IntoIterator<Item = Param>) -> AnyQuery<'_> {
    for value in values {
        query = match value {
            Param::Int(v) => query.bind(v),
            Param::Text(v) => query.bind(v),
        };
    }
    query
}

/// `$first, $first+1, …` for `count` values.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Inserts `rows` into `into` (`"table (col, …)"`) with multi-row `VALUES` statements of at most
/// [`MAX_BINDS`] values: one round trip per few dozen rows instead of one per row. Returns the
/// `returning` columns of every row, matched by key by the caller (row order is not promised).
async fn insert_rows(
    tx: &mut Tx<'_>,
    into: &str,
    rows: Vec<Vec<Param>>,
    returning: Option<&str>,
) -> Result<Vec<AnyRow>, DbError> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(Vec::new());
    };
    let per_statement = (MAX_BINDS / width).max(1);
    let mut out = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Param>> = rows.by_ref().take(per_statement).collect();
        let tuples: Vec<String> =
            (0..chunk.len()).map(|i| format!("({})", placeholders(i * width + 1, width))).collect();
        let mut sql = format!("INSERT INTO {into} VALUES {}", tuples.join(", "));
        if let Some(columns) = returning {
            sql.push_str(" RETURNING ");
            sql.push_str(columns);
        }
        let query = bind_all(sqlx::query(&sql), chunk.into_iter().flatten());
        if returning.is_some() {
            out.extend(query.fetch_all(&mut **tx).await?);
        } else {
            query.execute(&mut **tx).await?;
        }
    }
    Ok(out)
}

/// Runs `head IN (…)` over `ids`, in chunks, with `leading` bound first as `$1`, `$2`, ….
async fn execute_for_ids(tx: &mut Tx<'_>, head: &str, leading: &[i64], ids: &[i64]) -> Result<(), DbError> {
    for chunk in ids.chunks(MAX_BINDS) {
        let sql = format!("{head} IN ({})", placeholders(leading.len() + 1, chunk.len()));
        let values = leading.iter().chain(chunk).map(|&id| Param::Int(Some(id)));
        bind_all(sqlx::query(&sql), values).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Records the run with what was parsed and what changed.
async fn log_run(
    tx: &mut Tx<'_>,
    university: UniversityId,
    term_id: i64,
    parsed: &ParseReport,
    origin: &ImportOrigin<'_>,
    courses: &Changes,
    sections: &Changes,
) -> Result<i64, DbError> {
    let changes = |c: &Changes| {
        let mut object = serde_json::Map::new();
        object.insert("added".into(), Value::from(c.added.clone()));
        object.insert("changed".into(), Value::from(c.changed.clone()));
        object.insert("removed".into(), Value::from(c.removed.clone()));
        Value::Object(object)
    };
    let skipped: Vec<Value> = parsed
        .skipped
        .iter()
        .map(|s| {
            let mut object = serde_json::Map::new();
            object.insert("location".into(), Value::from(s.location.to_string()));
            object.insert("reason".into(), Value::from(s.reason.to_string()));
            Value::Object(object)
        })
        .collect();
    let mut report = serde_json::Map::new();
    report.insert("courses".into(), changes(courses));
    report.insert("sections".into(), changes(sections));
    report.insert("skipped".into(), Value::Array(skipped));
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let run_id: i64 = sqlx::query_scalar(
        "INSERT INTO import_runs (university_id, term_id, format, sources, started_at, finished_at, courses, \
         sections, meetings, skipped, report) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(university.0)
    .bind(term_id)
    .bind(origin.format.name())
    .bind(Value::from(origin.sources.to_vec()).to_string())
    .bind(origin.started_at)
    .bind(now_millis())
    .bind(count(parsed.course_count()))
    .bind(count(parsed.section_count()))
    .bind(count(parsed.meeting_count()))
    .bind(count(parsed.skipped.len()))
    .bind(Value::Object(report).to_string())
    .fetch_one(&mut **tx)
    .await?;
    Ok(run_id)
}
