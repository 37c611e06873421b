//! Queries over timetables: a student's plans per term, the sections and custom blocks in them, and
//! the private calendar feed tokens of a plan.
//!
//! Every write runs in one transaction that first locks the student's row (a no-op update): on SQLite
//! that takes the write lock at once, so a read-then-write never fails to upgrade its lock, and on
//! PostgreSQL it makes one student's plan edits wait for each other, so the per-term cap, the item cap,
//! "exactly one primary plan" and the conflict check all see the state they change. A partial unique
//! index backs the single primary should anything slip past. Reads of a whole plan take a fixed
//! number of queries however many sections it holds (meetings, demand counts and the kinds each
//! course offers are each loaded for all of the plan's sections at once).

use super::catalog::date_column;
use super::{Db, DbError, classify, now_millis};
use chrono::NaiveDate;
use pretzel_api::timetable::{MAX_TIMETABLE_ITEMS, MAX_TIMETABLES_PER_TERM};
use pretzel_api::{
    Conflict, CustomBlock, CustomBlockId, Meeting, SectionId, TermId, TimetableId, TimetableSection, UniversityId,
    UserId,
};
use pretzel_schedule::clock::format_hhmm;
use pretzel_schedule::conflicts::{PlanItem, new_conflicts};
use serde::Deserialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// The name of the plan made on a student's first look at a term.
pub const DEFAULT_PLAN_NAME: &str = "Plan A";

/// A term as a plan needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermInfo {
    /// The term.
    pub id: TermId,
    /// Its university.
    pub university_id: UniversityId,
    /// "Summer 2021".
    pub name: String,
    /// First day any section meets, when known.
    pub start_date: Option<NaiveDate>,
    /// Last day any section meets, when known.
    pub end_date: Option<NaiveDate>,
}

/// A stored plan without its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRecord {
    /// The plan.
    pub id: TimetableId,
    /// Its student.
    pub user_id: UserId,
    /// Its term.
    pub term_id: TermId,
    /// Its name.
    pub name: String,
    /// Whether it is the student's primary plan of the term.
    pub primary: bool,
    /// Creation time, Unix milliseconds.
    pub created_at: i64,
    /// Last edit, Unix milliseconds.
    pub updated_at: i64,
}

/// A plan with everything in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    /// The plan itself.
    pub record: PlanRecord,
    /// Its sections with their position in the plan's order of additions.
    pub sections: Vec<(i64, TimetableSection)>,
    /// Its custom blocks with their position in the same order.
    pub blocks: Vec<(i64, CustomBlock)>,
    /// For each course code of the plan, the kinds of live section the course offers.
    pub offered_kinds: HashMap<String, Vec<String>>,
}

impl StoredPlan {
    /// The plan's sections and blocks in the order they were added, as the conflict check sees them.
    pub fn items_in_order(&self) -> Vec<PlanItem> {
        let mut items: Vec<(i64, PlanItem)> = self
            .sections
            .iter()
            .map(|(position, section)| (*position, PlanItem::section(section)))
            .chain(self.blocks.iter().map(|(position, block)| (*position, PlanItem::block(block))))
            .collect();
        items.sort_by_key(|(position, _)| *position);
        items.into_iter().map(|(_, item)| item).collect()
    }
}

/// What creating a plan did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOutcome {
    /// A new plan.
    Created(PlanRecord),
    /// The student already created a plan with this client key: that one.
    Existing(PlanRecord),
    /// The term already holds [`MAX_TIMETABLES_PER_TERM`] plans.
    TooMany,
    /// `copy_from` names no plan of this student and term.
    UnknownSource,
}

/// What adding sections did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddOutcome {
    /// Added (or all were already in the plan).
    Added,
    /// Nothing added: these overlaps would be new and were not confirmed.
    Conflicts(Vec<Conflict>),
    /// Nothing added: these ids name no section.
    Unknown(Vec<SectionId>),
    /// Nothing added: these sections belong to another term.
    OtherTerm(Vec<SectionId>),
    /// Nothing added: these sections were dropped from the catalog.
    Gone(Vec<SectionId>),
    /// Nothing added: the plan would hold more than [`MAX_TIMETABLE_ITEMS`] items.
    TooManyItems,
}

/// A custom block to store, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBlock<'a> {
    /// Trimmed label.
    pub label: &'a str,
    /// Normalised day letters.
    pub days: &'a str,
    /// Minutes since midnight.
    pub start_minute: u32,
    /// Minutes since midnight, after the start.
    pub end_minute: u32,
    /// The client's idempotency key.
    pub client_key: &'a str,
}

/// What adding a block did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockOutcome {
    /// Added, or already added under this client key.
    Added,
    /// Nothing added: these overlaps would be new and were not confirmed.
    Conflicts(Vec<Conflict>),
    /// Nothing added: the plan is full.
    TooManyItems,
}

/// What deleting a plan did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteOutcome {
    /// Deleted (the oldest remaining plan became primary if it was the primary).
    Deleted,
    /// Refused: it is the term's only plan.
    LastOne,
}

const PLAN_COLUMNS: &str = "id, user_id, term_id, name, is_primary, created_at, updated_at";

fn row_to_plan(row: &AnyRow) -> Result<PlanRecord, DbError> {
    Ok(PlanRecord {
        id: TimetableId(row.try_get("id")?),
        user_id: UserId(row.try_get("user_id")?),
        term_id: TermId(row.try_get("term_id")?),
        name: row.try_get("name")?,
        primary: row.try_get::<i64, _>("is_primary")? != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// `$first, $first+1, …` for `count` values.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

fn minute(value: i64, column: &str) -> Result<u32, DbError> {
    u32::try_from(value).map_err(|_| DbError::Corrupt(format!("{column} {value}")))
}

/// Locks the student's row for the rest of the transaction (see the module doc).
async fn lock_student(conn: &mut AnyConnection, user: UserId) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET student_visa = student_visa WHERE id = $1").bind(user.0).execute(&mut *conn).await?;
    Ok(())
}

async fn owned_plan(conn: &mut AnyConnection, user: UserId, id: TimetableId) -> Result<Option<PlanRecord>, DbError> {
    let row = sqlx::query(&format!("SELECT {PLAN_COLUMNS} FROM timetables WHERE id = $1 AND user_id = $2"))
        .bind(id.0)
        .bind(user.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(row_to_plan).transpose()
}

async fn term_info(conn: &mut AnyConnection, term: TermId) -> Result<Option<TermInfo>, DbError> {
    let row = sqlx::query("SELECT id, university_id, name, start_date, end_date FROM terms WHERE id = $1")
        .bind(term.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| {
        Ok(TermInfo {
            id: TermId(row.try_get("id")?),
            university_id: UniversityId(row.try_get("university_id")?),
            name: row.try_get("name")?,
            start_date: date_column(&row, "start_date")?,
            end_date: date_column(&row, "end_date")?,
        })
    })
    .transpose()
}

/// A catalog section as a plan shows it, with what the loaders need besides.
struct SectionDetail {
    section: TimetableSection,
    course_id: i64,
    term_id: i64,
}

/// The sections `ids` with their meetings, in two queries. Missing dates are filled with the term's.
async fn section_details(
    conn: &mut AnyConnection,
    ids: &[i64],
    term: &TermInfo,
) -> Result<HashMap<i64, SectionDetail>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    #[derive(Deserialize)]
    struct StoredInstructor {
        name: String,
    }
    let sql = format!(
        "SELECT s.id, s.course_id, s.term_id, s.registration_id, s.section_code, s.title, s.kind, s.instructors, \
         s.credits, s.removed_at, c.course_code, c.title AS course_title, c.credits AS course_credits \
         FROM sections s JOIN courses c ON c.id = s.course_id WHERE s.id IN ({})",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query_as::<_, SectionRow>(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut details = HashMap::with_capacity(rows.len());
    for row in rows {
        let instructors: Vec<StoredInstructor> = serde_json::from_str(&row.instructors)
            .map_err(|e| DbError::Corrupt(format!("sections.instructors: {e}")))?;
        let removed_at = row
            .removed_at
            .map(|ms| {
                chrono::DateTime::from_timestamp_millis(ms)
                    .ok_or_else(|| DbError::Corrupt(format!("sections.removed_at {ms}")))
            })
            .transpose()?;
        let section = TimetableSection {
            section_id: SectionId(row.id),
            registration_id: row.registration_id,
            course_code: row.course_code,
            title: row.title.unwrap_or(row.course_title),
            section: row.section_code,
            kind: row.kind,
            instructors: instructors.into_iter().map(|i| i.name).collect(),
            credits: row.credits.or(row.course_credits),
            meetings: Vec::new(),
            students: 0,
            removed_at,
        };
        details.insert(row.id, SectionDetail { section, course_id: row.course_id, term_id: row.term_id });
    }

    let sql = format!(
        "SELECT section_id, days, start_minute, end_minute, location, start_date, end_date FROM meetings \
         WHERE section_id IN ({}) ORDER BY section_id, position",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    for row in query.fetch_all(&mut *conn).await? {
        let section_id: i64 = row.try_get("section_id")?;
        let start: Option<i64> = row.try_get("start_minute")?;
        let end: Option<i64> = row.try_get("end_minute")?;
        let meeting = Meeting {
            days: row.try_get("days")?,
            start: start.map(|m| minute(m, "meetings.start_minute")).transpose()?.map(format_hhmm),
            end: end.map(|m| minute(m, "meetings.end_minute")).transpose()?.map(format_hhmm),
            location: row.try_get("location")?,
            start_date: date_column(&row, "start_date")?.or(term.start_date),
            end_date: date_column(&row, "end_date")?.or(term.end_date),
        };
        if let Some(detail) = details.get_mut(&section_id) {
            detail.section.meetings.push(meeting);
        }
    }
    Ok(details)
}

#[derive(sqlx::FromRow)]
struct SectionRow {
    id: i64,
    course_id: i64,
    term_id: i64,
    registration_id: String,
    section_code: Option<String>,
    title: Option<String>,
    kind: String,
    instructors: String,
    credits: Option<String>,
    removed_at: Option<i64>,
    course_code: String,
    course_title: String,
    course_credits: Option<String>,
}

/// The plan's blocks with their positions, in order.
async fn plan_blocks(conn: &mut AnyConnection, plan: TimetableId) -> Result<Vec<(i64, CustomBlock)>, DbError> {
    let rows = sqlx::query(
        "SELECT id, label, days, start_minute, end_minute, position FROM custom_blocks WHERE timetable_id = $1 \
         ORDER BY position",
    )
    .bind(plan.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let block = CustomBlock {
                id: CustomBlockId(row.try_get("id")?),
                label: row.try_get("label")?,
                days: row.try_get("days")?,
                start: format_hhmm(minute(row.try_get("start_minute")?, "custom_blocks.start_minute")?),
                end: format_hhmm(minute(row.try_get("end_minute")?, "custom_blocks.end_minute")?),
            };
            Ok((row.try_get("position")?, block))
        })
        .collect()
}

/// The plan's section ids with their positions, in order.
async fn plan_entries(conn: &mut AnyConnection, plan: TimetableId) -> Result<Vec<(i64, i64)>, DbError> {
    let rows =
        sqlx::query("SELECT section_id, position FROM timetable_sections WHERE timetable_id = $1 ORDER BY position")
            .bind(plan.0)
            .fetch_all(&mut *conn)
            .await?;
    rows.iter().map(|row| Ok((row.try_get("section_id")?, row.try_get("position")?))).collect()
}

/// Demand: for each of `section_ids` that anyone holds, how many distinct students have it in their
/// primary plan. One query however many sections.
async fn section_demand(conn: &mut AnyConnection, section_ids: &[i64]) -> Result<Vec<(i64, u32)>, DbError> {
    if section_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT ts.section_id, COUNT(DISTINCT t.user_id) AS students FROM timetable_sections ts \
         JOIN timetables t ON t.id = ts.timetable_id \
         WHERE t.is_primary = 1 AND ts.section_id IN ({}) GROUP BY ts.section_id",
        placeholders(1, section_ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in section_ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            let count: i64 = row.try_get("students")?;
            Ok((row.try_get("section_id")?, u32::try_from(count).unwrap_or(u32::MAX)))
        })
        .collect()
}

/// Loads everything in `record`'s plan.
async fn load_plan(conn: &mut AnyConnection, record: PlanRecord, term: &TermInfo) -> Result<StoredPlan, DbError> {
    let entries = plan_entries(conn, record.id).await?;
    let ids: Vec<i64> = entries.iter().map(|(id, _)| *id).collect();
    let mut details = section_details(conn, &ids, term).await?;

    for (id, students) in section_demand(conn, &ids).await? {
        if let Some(detail) = details.get_mut(&id) {
            detail.section.students = students;
        }
    }

    let mut course_codes: HashMap<i64, String> = HashMap::new();
    for detail in details.values() {
        course_codes.insert(detail.course_id, detail.section.course_code.clone());
    }
    let mut offered_kinds: HashMap<String, Vec<String>> = HashMap::new();
    if !course_codes.is_empty() {
        let course_ids: Vec<i64> = course_codes.keys().copied().collect();
        let sql = format!(
            "SELECT DISTINCT course_id, kind FROM sections WHERE removed_at IS NULL AND course_id IN ({}) \
             ORDER BY course_id, kind",
            placeholders(1, course_ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in &course_ids {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let course_id: i64 = row.try_get("course_id")?;
            if let Some(code) = course_codes.get(&course_id) {
                offered_kinds.entry(code.clone()).or_default().push(row.try_get("kind")?);
            }
        }
    }

    let sections =
        entries.into_iter().filter_map(|(id, position)| details.remove(&id).map(|d| (position, d.section))).collect();
    let blocks = plan_blocks(conn, record.id).await?;
    Ok(StoredPlan { record, sections, blocks, offered_kinds })
}

/// Conflict-check items for the sections and blocks currently in the plan, in order.
async fn current_items(conn: &mut AnyConnection, plan: &PlanRecord, term: &TermInfo) -> Result<Vec<PlanItem>, DbError> {
    let entries = plan_entries(conn, plan.id).await?;
    let ids: Vec<i64> = entries.iter().map(|(id, _)| *id).collect();
    let details = section_details(conn, &ids, term).await?;
    let mut items: Vec<(i64, PlanItem)> = entries
        .iter()
        .filter_map(|(id, position)| details.get(id).map(|d| (*position, PlanItem::section(&d.section))))
        .collect();
    items.extend(plan_blocks(conn, plan.id).await?.iter().map(|(position, block)| (*position, PlanItem::block(block))));
    items.sort_by_key(|(position, _)| *position);
    Ok(items.into_iter().map(|(_, item)| item).collect())
}

async fn item_count(conn: &mut AnyConnection, plan: TimetableId) -> Result<usize, DbError> {
    let count: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM timetable_sections WHERE timetable_id = $1) + \
         (SELECT COUNT(*) FROM custom_blocks WHERE timetable_id = $1)",
    )
    .bind(plan.0)
    .fetch_one(&mut *conn)
    .await?;
    Ok(usize::try_from(count).unwrap_or(usize::MAX))
}

/// Reserves `count` positions in the plan's order and marks it edited; returns the first.
async fn reserve_positions(
    conn: &mut AnyConnection,
    plan: TimetableId,
    count: usize,
    now: i64,
) -> Result<i64, DbError> {
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    let next: i64 = sqlx::query_scalar(
        "UPDATE timetables SET next_position = next_position + $2, updated_at = $3 WHERE id = $1 \
         RETURNING next_position",
    )
    .bind(plan.0)
    .bind(count)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(next - count)
}

async fn touch(conn: &mut AnyConnection, plan: TimetableId, now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE timetables SET updated_at = $2 WHERE id = $1")
        .bind(plan.0)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Db {
    /// How many students hold each of `sections` in their primary plan (the demand signal search
    /// results show); sections nobody holds are absent.
    pub async fn section_demand(&self, sections: &[SectionId]) -> Result<HashMap<SectionId, u32>, DbError> {
        let mut conn = self.pool().acquire().await?;
        let ids: Vec<i64> = sections.iter().map(|id| id.0).collect();
        Ok(section_demand(&mut conn, &ids).await?.into_iter().map(|(id, n)| (SectionId(id), n)).collect())
    }

    /// The term, if it exists.
    pub async fn term_info(&self, term: TermId) -> Result<Option<TermInfo>, DbError> {
        let mut conn = self.pool().acquire().await?;
        term_info(&mut conn, term).await
    }

    /// The student's plans of the term, primary first, then by creation; the first call for a term
    /// creates the primary "Plan A", so the list is never empty.
    pub async fn term_plans(&self, user: UserId, term: &TermInfo) -> Result<Vec<StoredPlan>, DbError> {
        let mut conn = self.pool().acquire().await?;
        let mut records = term_plan_records(&mut conn, user, term.id).await?;
        if records.is_empty() {
            // NOT EXISTS keeps a second plan from appearing once the student has any; the partial unique
            // index turns two racing first views into one insert and one no-op. Only the first view
            // writes: every later one is a plain read.
            let now = now_millis();
            sqlx::query(
                "INSERT INTO timetables (user_id, term_id, name, is_primary, created_at, updated_at) \
                 SELECT $1, $2, $3, 1, $4, $4 WHERE NOT EXISTS \
                 (SELECT 1 FROM timetables WHERE user_id = $1 AND term_id = $2) ON CONFLICT DO NOTHING",
            )
            .bind(user.0)
            .bind(term.id.0)
            .bind(DEFAULT_PLAN_NAME)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            records = term_plan_records(&mut conn, user, term.id).await?;
        }
        let mut plans = Vec::with_capacity(records.len());
        for record in records {
            plans.push(load_plan(&mut conn, record, term).await?);
        }
        Ok(plans)
    }

    /// The student's plan `id` with everything in it, and its term; `None` if it is not theirs.
    pub async fn plan(&self, user: UserId, id: TimetableId) -> Result<Option<(StoredPlan, TermInfo)>, DbError> {
        let mut conn = self.pool().acquire().await?;
        let Some(record) = owned_plan(&mut conn, user, id).await? else {
            return Ok(None);
        };
        let term = term_info(&mut conn, record.term_id)
            .await?
            .ok_or_else(|| DbError::Corrupt(format!("timetable {id} has no term")))?;
        Ok(Some((load_plan(&mut conn, record, &term).await?, term)))
    }

    /// Creates a plan named `name` in `term`, copying `copy_from`'s sections and blocks. Idempotent by
    /// `client_key`: a repeat returns the plan made the first time. The student's first plan of a
    /// term becomes primary.
    pub async fn create_plan(
        &self,
        user: UserId,
        term: TermId,
        name: &str,
        client_key: &str,
        copy_from: Option<TimetableId>,
    ) -> Result<CreateOutcome, DbError> {
        match self.try_create_plan(user, term, name, client_key, copy_from).await {
            // Two racing requests with one key: the loser answers with the winner's plan.
            Err(DbError::UniqueViolation) => {
                let mut conn = self.pool().acquire().await?;
                match plan_by_key(&mut conn, user, client_key).await? {
                    Some(plan) => Ok(CreateOutcome::Existing(plan)),
                    None => Err(DbError::UniqueViolation),
                }
            }
            other => other,
        }
    }

    async fn try_create_plan(
        &self,
        user: UserId,
        term: TermId,
        name: &str,
        client_key: &str,
        copy_from: Option<TimetableId>,
    ) -> Result<CreateOutcome, DbError> {
        let now = now_millis();
        let mut tx = self.pool().begin().await?;
        lock_student(&mut tx, user).await?;
        if let Some(existing) = plan_by_key(&mut tx, user, client_key).await? {
            return Ok(CreateOutcome::Existing(existing));
        }
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM timetables WHERE user_id = $1 AND term_id = $2")
            .bind(user.0)
            .bind(term.0)
            .fetch_one(&mut *tx)
            .await?;
        if usize::try_from(count).unwrap_or(usize::MAX) >= MAX_TIMETABLES_PER_TERM {
            return Ok(CreateOutcome::TooMany);
        }
        let source = match copy_from {
            Some(source) => match owned_plan(&mut tx, user, source).await? {
                Some(plan) if plan.term_id == term => Some(plan),
                _ => return Ok(CreateOutcome::UnknownSource),
            },
            None => None,
        };
        let row = sqlx::query(&format!(
            "INSERT INTO timetables (user_id, term_id, name, is_primary, client_key, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {PLAN_COLUMNS}"
        ))
        .bind(user.0)
        .bind(term.0)
        .bind(name)
        .bind(i64::from(count == 0))
        .bind(client_key)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let plan = row_to_plan(&row)?;
        if let Some(source) = source {
            sqlx::query(
                "INSERT INTO timetable_sections (timetable_id, section_id, position, added_at) \
                 SELECT $1, section_id, position, $2 FROM timetable_sections WHERE timetable_id = $3",
            )
            .bind(plan.id.0)
            .bind(now)
            .bind(source.id.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO custom_blocks \
                 (timetable_id, label, days, start_minute, end_minute, position, client_key, created_at) \
                 SELECT $1, label, days, start_minute, end_minute, position, client_key, $2 FROM custom_blocks \
                 WHERE timetable_id = $3 ORDER BY position",
            )
            .bind(plan.id.0)
            .bind(now)
            .bind(source.id.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE timetables SET next_position = (SELECT next_position FROM timetables WHERE id = $2) \
                 WHERE id = $1",
            )
            .bind(plan.id.0)
            .bind(source.id.0)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(CreateOutcome::Created(plan))
    }

    /// Renames the plan and/or makes it primary (the term's previous primary stops being it).
    /// `None` if it is not the student's.
    pub async fn update_plan(
        &self,
        user: UserId,
        id: TimetableId,
        name: Option<&str>,
        make_primary: bool,
    ) -> Result<Option<()>, DbError> {
        let now = now_millis();
        let mut tx = self.pool().begin().await?;
        lock_student(&mut tx, user).await?;
        let Some(plan) = owned_plan(&mut tx, user, id).await? else {
            return Ok(None);
        };
        if make_primary && !plan.primary {
            // The old primary steps down first: the partial unique index checks each statement.
            sqlx::query(
                "UPDATE timetables SET is_primary = 0, updated_at = $3 \
                 WHERE user_id = $1 AND term_id = $2 AND is_primary = 1",
            )
            .bind(user.0)
            .bind(plan.term_id.0)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE timetables SET is_primary = 1 WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
        }
        if let Some(name) = name {
            sqlx::query("UPDATE timetables SET name = $2 WHERE id = $1")
                .bind(id.0)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        touch(&mut tx, id, now).await?;
        tx.commit().await?;
        Ok(Some(()))
    }

    /// Deletes the plan unless it is the term's last; the oldest remaining plan becomes primary when
    /// the primary goes. `None` if it is not the student's.
    pub async fn delete_plan(&self, user: UserId, id: TimetableId) -> Result<Option<DeleteOutcome>, DbError> {
        let now = now_millis();
        let mut tx = self.pool().begin().await?;
        lock_student(&mut tx, user).await?;
        let Some(plan) = owned_plan(&mut tx, user, id).await? else {
            return Ok(None);
        };
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM timetables WHERE user_id = $1 AND term_id = $2")
            .bind(user.0)
            .bind(plan.term_id.0)
            .fetch_one(&mut *tx)
            .await?;
        if count <= 1 {
            return Ok(Some(DeleteOutcome::LastOne));
        }
        sqlx::query("DELETE FROM timetables WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
        if plan.primary {
            sqlx::query(
                "UPDATE timetables SET is_primary = 1, updated_at = $3 WHERE id = \
                 (SELECT id FROM timetables WHERE user_id = $1 AND term_id = $2 ORDER BY created_at, id LIMIT 1)",
            )
            .bind(user.0)
            .bind(plan.term_id.0)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Some(DeleteOutcome::Deleted))
    }

    /// Adds sections of the plan's term, all or none; sections already in the plan are skipped.
    /// Refuses (changing nothing) unknown, other-term and dropped sections, a full plan, and new
    /// overlaps unless `confirm_conflicts`. `None` if the plan is not the student's.
    pub async fn add_sections(
        &self,
        user: UserId,
        id: TimetableId,
        section_ids: &[SectionId],
        confirm_conflicts: bool,
    ) -> Result<Option<AddOutcome>, DbError> {
        let now = now_millis();
        let mut tx = self.pool().begin().await?;
        lock_student(&mut tx, user).await?;
        let Some(plan) = owned_plan(&mut tx, user, id).await? else {
            return Ok(None);
        };
        let term = term_info(&mut tx, plan.term_id)
            .await?
            .ok_or_else(|| DbError::Corrupt(format!("timetable {id} has no term")))?;
        let held: Vec<i64> = plan_entries(&mut tx, id).await?.into_iter().map(|(section, _)| section).collect();
        let mut wanted: Vec<i64> = Vec::new();
        for section in section_ids {
            if !held.contains(&section.0) && !wanted.contains(&section.0) {
                wanted.push(section.0);
            }
        }
        if wanted.is_empty() {
            return Ok(Some(AddOutcome::Added));
        }
        let details = section_details(&mut tx, &wanted, &term).await?;
        let pick = |test: &dyn Fn(&SectionDetail) -> bool| -> Vec<SectionId> {
            wanted.iter().filter(|id| details.get(id).is_some_and(test)).map(|id| SectionId(*id)).collect()
        };
        let unknown: Vec<SectionId> =
            wanted.iter().filter(|id| !details.contains_key(id)).map(|id| SectionId(*id)).collect();
        if !unknown.is_empty() {
            return Ok(Some(AddOutcome::Unknown(unknown)));
        }
        let other_term = pick(&|d| d.term_id != plan.term_id.0);
        if !other_term.is_empty() {
            return Ok(Some(AddOutcome::OtherTerm(other_term)));
        }
        let gone = pick(&|d| d.section.removed_at.is_some());
        if !gone.is_empty() {
            return Ok(Some(AddOutcome::Gone(gone)));
        }
        if item_count(&mut tx, id).await?.saturating_add(wanted.len()) > MAX_TIMETABLE_ITEMS {
            return Ok(Some(AddOutcome::TooManyItems));
        }
        if !confirm_conflicts {
            let existing = current_items(&mut tx, &plan, &term).await?;
            let added: Vec<PlanItem> =
                wanted.iter().filter_map(|id| details.get(id)).map(|d| PlanItem::section(&d.section)).collect();
            let conflicts = new_conflicts(&existing, &added);
            if !conflicts.is_empty() {
                return Ok(Some(AddOutcome::Conflicts(conflicts)));
            }
        }
        let first = reserve_positions(&mut tx, id, wanted.len(), now).await?;
        for (offset, section) in (0i64..).zip(&wanted) {
            sqlx::query(
                "INSERT INTO timetable_sections (timetable_id, section_id, position, added_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id.0)
            .bind(*section)
            .bind(first + offset)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Some(AddOutcome::Added))
    }

    /// Removes a section from the plan (nothing happens if it is not there). `None` if the plan is
    /// not the student's.
    pub async fn remove_section(
        &self,
        user: UserId,
        id: TimetableId,
        section: SectionId,
    ) -> Result<Option<()>, DbError> {
        self.delete_from_plan(
            user,
            id,
            "DELETE FROM timetable_sections WHERE timetable_id = $1 AND section_id = $2",
            section.0,
        )
        .await
    }

    /// Adds a custom block, idempotent by its client key; refuses new overlaps unless
    /// `confirm_conflicts`, and a full plan. `None` if the plan is not the student's.
    pub async fn add_block(
        &self,
        user: UserId,
        id: TimetableId,
        block: &NewBlock<'_>,
        confirm_conflicts: bool,
    ) -> Result<Option<BlockOutcome>, DbError> {
        let now = now_millis();
        let mut tx = self.pool().begin().await?;
        lock_student(&mut tx, user).await?;
        let Some(plan) = owned_plan(&mut tx, user, id).await? else {
            return Ok(None);
        };
        let known: Option<i64> =
            sqlx::query_scalar("SELECT id FROM custom_blocks WHERE timetable_id = $1 AND client_key = $2")
                .bind(id.0)
                .bind(block.client_key)
                .fetch_optional(&mut *tx)
                .await?;
        if known.is_some() {
            return Ok(Some(BlockOutcome::Added));
        }
        if item_count(&mut tx, id).await?.saturating_add(1) > MAX_TIMETABLE_ITEMS {
            return Ok(Some(BlockOutcome::TooManyItems));
        }
        if !confirm_conflicts {
            let term = term_info(&mut tx, plan.term_id)
                .await?
                .ok_or_else(|| DbError::Corrupt(format!("timetable {id} has no term")))?;
            let existing = current_items(&mut tx, &plan, &term).await?;
            // The id is not known before the insert; conflicts name a block by its label, and the
            // refusal stores nothing, so 0 stands in.
            let candidate = PlanItem::block(&CustomBlock {
                id: CustomBlockId(0),
                label: block.label.to_owned(),
                days: block.days.to_owned(),
                start: format_hhmm(block.start_minute),
                end: format_hhmm(block.end_minute),
            });
            let conflicts = new_conflicts(&existing, &[candidate]);
            if !conflicts.is_empty() {
                return Ok(Some(BlockOutcome::Conflicts(conflicts)));
            }
        }
        let position = reserve_positions(&mut tx, id, 1, now).await?;
        sqlx::query(
            "INSERT INTO custom_blocks \
             (timetable_id, label, days, start_minute, end_minute, position, client_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.0)
        .bind(block.label)
        .bind(block.days)
        .bind(i64::from(block.start_minute))
        .bind(i64::from(block.end_minute))
        .bind(position)
        .bind(block.client_key)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        tx.commit().await?;
        Ok(Some(BlockOutcome::Added))
    }

    /// Removes a custom block (nothing happens if it is not there). `None` if the plan is not the
    /// student's.
    pub async fn remove_block(
        &self,
        user: UserId,
        id: TimetableId,
        block: CustomBlockId,
    ) -> Result<Option<()>, DbError> {
        self.delete_from_plan(user, id, "DELETE FROM custom_blocks WHERE timetable_id = $1 AND id = $2", block.0).await
    }

    /// Runs `delete` (binding the plan as `$1` and `row` as `$2`) on one of the student's plans and
    /// marks the plan changed if a row went; removing what is not there is not an error. `None` if the
    /// plan is not the student's.
    async fn delete_from_plan(
        &self,
        user: UserId,
        id: TimetableId,
        delete: &str,
        row: i64,
    ) -> Result<Option<()>, DbError> {
        let mut tx = self.pool().begin().await?;
        lock_student(&mut tx, user).await?;
        if owned_plan(&mut tx, user, id).await?.is_none() {
            return Ok(None);
        }
        let done = sqlx::query(delete).bind(id.0).bind(row).execute(&mut *tx).await?;
        if done.rows_affected() > 0 {
            touch(&mut tx, id, now_millis()).await?;
        }
        tx.commit().await?;
        Ok(Some(()))
    }

    /// Stores a new feed token hash for the plan, revoking any earlier one; returns when it was
    /// issued. `None` if the plan is not the student's.
    pub async fn issue_feed_token(
        &self,
        user: UserId,
        id: TimetableId,
        token_hash: &str,
    ) -> Result<Option<i64>, DbError> {
        let now = now_millis();
        let mut tx = self.pool().begin().await?;
        lock_student(&mut tx, user).await?;
        if owned_plan(&mut tx, user, id).await?.is_none() {
            return Ok(None);
        }
        revoke_feeds(&mut tx, id, now).await?;
        sqlx::query("INSERT INTO calendar_subscriptions (timetable_id, token_hash, created_at) VALUES ($1, $2, $3)")
            .bind(id.0)
            .bind(token_hash)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        tx.commit().await?;
        Ok(Some(now))
    }

    /// Revokes the plan's feed token, if any. `None` if the plan is not the student's.
    pub async fn revoke_feed_token(&self, user: UserId, id: TimetableId) -> Result<Option<()>, DbError> {
        let mut tx = self.pool().begin().await?;
        lock_student(&mut tx, user).await?;
        if owned_plan(&mut tx, user, id).await?.is_none() {
            return Ok(None);
        }
        revoke_feeds(&mut tx, id, now_millis()).await?;
        tx.commit().await?;
        Ok(Some(()))
    }

    /// The plan a live feed token hash belongs to, with its owner and term.
    pub async fn plan_by_feed_token(&self, token_hash: &str) -> Result<Option<(StoredPlan, TermInfo)>, DbError> {
        let mut conn = self.pool().acquire().await?;
        let row = sqlx::query(&format!(
            "SELECT {PLAN_COLUMNS} FROM timetables WHERE id = \
             (SELECT timetable_id FROM calendar_subscriptions WHERE token_hash = $1 AND revoked_at IS NULL)"
        ))
        .bind(token_hash)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(record) = row.as_ref().map(row_to_plan).transpose()? else {
            return Ok(None);
        };
        let term = term_info(&mut conn, record.term_id)
            .await?
            .ok_or_else(|| DbError::Corrupt(format!("timetable {} has no term", record.id)))?;
        Ok(Some((load_plan(&mut conn, record, &term).await?, term)))
    }
}

/// The student's plans of the term, primary first, then by creation.
async fn term_plan_records(conn: &mut AnyConnection, user: UserId, term: TermId) -> Result<Vec<PlanRecord>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT {PLAN_COLUMNS} FROM timetables WHERE user_id = $1 AND term_id = $2 \
         ORDER BY is_primary DESC, created_at, id"
    ))
    .bind(user.0)
    .bind(term.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(row_to_plan).collect()
}

async fn plan_by_key(conn: &mut AnyConnection, user: UserId, client_key: &str) -> Result<Option<PlanRecord>, DbError> {
    let row = sqlx::query(&format!("SELECT {PLAN_COLUMNS} FROM timetables WHERE user_id = $1 AND client_key = $2"))
        .bind(user.0)
        .bind(client_key)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(row_to_plan).transpose()
}

async fn revoke_feeds(conn: &mut AnyConnection, plan: TimetableId, now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE calendar_subscriptions SET revoked_at = $2 WHERE timetable_id = $1 AND revoked_at IS NULL")
        .bind(plan.0)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
