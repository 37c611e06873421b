//! Course search over a term's stored sections: free text over course code, title, instructors and
//! description, filters on subject, days, times, credits and open seats, ranked exact code first, then
//! code prefix, then text relevance, then code.
//!
//! The text index is per engine (an FTS5 table on SQLite, a weighted `tsvector` with a GIN index on
//! PostgreSQL, both in `migrations/*/0003_search.sql`) and is rebuilt per term by [`reindex_term`]
//! inside the import's transaction; everything else (joins, filters, ordering, paging) is one query
//! text for both engines, so the two can only differ in how they score relevance.

use super::catalog::{AnyQuery, Param, StoredMeeting, StoredSection, Tx, bind_all, date_column, row_to_section};
use super::{Db, DbError, Engine};
use pretzel_api::TermId;
use sqlx::Row;
use std::collections::HashMap;

/// Banner day letters, Monday first; the only letters a `days` filter may hold.
pub const DAY_LETTERS: &str = "MTWRFSU";

/// What to search for. Text fields are as the student typed them; the route has checked ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilter {
    /// Free text; blank means "every section".
    pub text: Option<String>,
    /// Subject code, any case.
    pub subject: Option<String>,
    /// Day letters from [`DAY_LETTERS`]: only sections meeting on these days and no others.
    pub days: Option<String>,
    /// Only sections whose timed meetings all start at or after this minute of the day.
    pub after_minute: Option<i64>,
    /// Only sections whose timed meetings all end at or before this minute of the day.
    pub before_minute: Option<i64>,
    /// Only sections worth exactly this many credits (or this as one of "3 or 4").
    pub credits: Option<u32>,
    /// Only sections with open seats.
    pub open_only: bool,
    /// Page size.
    pub limit: u32,
    /// Matches to skip.
    pub offset: u32,
}

/// One matching section with its course's code, title and credits, and its meetings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRow {
    /// The section as stored.
    pub section: StoredSection,
    /// Its course's code as written.
    pub course_code: String,
    /// Its course's title.
    pub course_title: String,
    /// Its course's credits as displayed.
    pub course_credits: Option<String>,
    /// Its meetings in source order.
    pub meetings: Vec<StoredMeeting>,
}

/// One page of matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPage {
    /// Matches in all pages.
    pub total: i64,
    /// This page, best first.
    pub rows: Vec<SearchRow>,
}

/// Builds the index rows of term `$1`'s live sections (SQLite); kept in step with the migration.
const SQLITE_REINDEX: [&str; 2] = [
    "DELETE FROM section_search WHERE rowid IN (SELECT id FROM sections WHERE term_id = $1)",
    "INSERT INTO section_search (rowid, term_id, code, compact_code, title, instructors, description) \
     SELECT s.id, s.term_id, c.course_code, c.compact_code, c.title || ' ' || COALESCE(s.title, ''), \
     COALESCE((SELECT group_concat(json_extract(j.value, '$.name'), ' ') FROM json_each(s.instructors) j), ''), \
     COALESCE(c.description, '') \
     FROM sections s JOIN courses c ON c.id = s.course_id WHERE s.term_id = $1 AND s.removed_at IS NULL",
];

/// Builds the index rows of term `$1`'s live sections (PostgreSQL); kept in step with the migration.
const POSTGRES_REINDEX: [&str; 2] = [
    "DELETE FROM section_search WHERE term_id = $1",
    "INSERT INTO section_search (section_id, term_id, doc) \
     SELECT s.id, s.term_id, \
     setweight(to_tsvector('simple', c.course_code || ' ' || c.compact_code), 'A') \
     || setweight(to_tsvector('simple', c.title || ' ' || COALESCE(s.title, '')), 'B') \
     || setweight(to_tsvector('simple', COALESCE( \
        (SELECT string_agg(j ->> 'name', ' ') FROM json_array_elements(s.instructors::json) j), '')), 'B') \
     || setweight(to_tsvector('simple', COALESCE(c.description, '')), 'D') \
     FROM sections s JOIN courses c ON c.id = s.course_id WHERE s.term_id = $1 AND s.removed_at IS NULL",
];

/// Rebuilds the search index rows of one term from its stored courses and sections.
pub(super) async fn reindex_term(tx: &mut Tx<'_>, engine: Engine, term_id: i64) -> Result<(), DbError> {
    let statements = match engine {
        Engine::Sqlite => SQLITE_REINDEX,
        Engine::Postgres => POSTGRES_REINDEX,
    };
    for sql in statements {
        sqlx::query(sql).bind(term_id).execute(&mut **tx).await?;
    }
    Ok(())
}

/// The words of `text`, lower-cased: what both engines' tokenizers would make of it.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// `text` as a compact code (`CS 2` → `cs2`), the way `courses.compact_code` is derived.
fn compact(text: &str) -> String {
    text.chars().filter(|c| *c != ' ').collect::<String>().to_lowercase()
}

/// Escapes `LIKE` wildcards so the student's `%` or `_` match themselves (with `ESCAPE '\'`).
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A query under construction: SQL fragments and the values their placeholders name, in order.
#[derive(Default)]
struct Binds(Vec<Param>);

impl Binds {
    fn push(&mut self, value: Param) -> String {
        self.0.push(value);
        format!("${}", self.0.len())
    }
}

/// The `WITH`, `FROM … WHERE` and ranking parts shared by the count and the page query.
struct Plan {
    with: String,
    from_where: String,
    code_rank: String,
    score: String,
    binds: Binds,
}

fn plan(engine: Engine, term: TermId, filter: &SearchFilter) -> Plan {
    let mut binds = Binds::default();
    let term_param = binds.push(Param::Int(Some(term.0)));
    let mut with = String::new();
    let mut join = String::new();
    let mut conditions = vec![format!("s.term_id = {term_param}"), "s.removed_at IS NULL".to_owned()];
    let mut code_rank = "2".to_owned();
    let mut score = "0".to_owned();

    if let Some(text) = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let exact = compact(text);
        let prefix_param_value = format!("{}%", escape_like(&exact));
        let exact_param = binds.push(Param::Text(Some(exact)));
        let prefix_param = binds.push(Param::Text(Some(prefix_param_value)));
        let is_exact = format!("c.compact_code = {exact_param}");
        let is_prefix = format!("c.compact_code LIKE {prefix_param} ESCAPE '\\'");
        code_rank = format!("CASE WHEN {is_exact} THEN 0 WHEN {is_prefix} THEN 1 ELSE 2 END");
        let words = words(text);
        if words.is_empty() {
            // Nothing for the text index (punctuation only): only the code can match.
            conditions.push(is_prefix);
        } else {
            // Every word must match, each as a prefix, so results follow the student's typing.
            let cte = match engine {
                Engine::Sqlite => {
                    let query = words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" ");
                    let query_param = binds.push(Param::Text(Some(query)));
                    // Weights per column (term_id, code, compact_code, title, instructors, description):
                    // a word in the code or title says more than one in the description.
                    format!(
                        "fts AS (SELECT rowid AS section_id, bm25(section_search, 0.0, 10.0, 10.0, 4.0, 4.0, 1.0) \
                         AS score FROM section_search WHERE section_search MATCH {query_param} \
                         AND term_id = {term_param})"
                    )
                }
                Engine::Postgres => {
                    let query = words.iter().map(|w| format!("{w}:*")).collect::<Vec<_>>().join(" & ");
                    let query_param = binds.push(Param::Text(Some(query)));
                    // Negated so that, as with bm25, lower sorts first.
                    format!(
                        "fts AS (SELECT section_id, -ts_rank(doc, to_tsquery('simple', {query_param})) AS score \
                         FROM section_search WHERE term_id = {term_param} \
                         AND doc @@ to_tsquery('simple', {query_param}))"
                    )
                }
            };
            with = format!("WITH {cte} ");
            join = " LEFT JOIN fts f ON f.section_id = s.id".to_owned();
            conditions.push(format!("(f.section_id IS NOT NULL OR {is_prefix})"));
            // Code matches are ordered by code alone; relevance orders only the text matches. A course
            // ranks by its best section, so its sections stay together in the list (bm25 scores each
            // section a little differently, as their instructor lists differ in length).
            score = format!("MIN(CASE WHEN {is_prefix} THEN 0 ELSE COALESCE(f.score, 0) END) OVER (PARTITION BY c.id)");
        }
    }
    if let Some(subject) = &filter.subject {
        let param = binds.push(Param::Text(Some(subject.trim().to_uppercase())));
        conditions.push(format!("upper(c.subject) = {param}"));
    }
    if let Some(days) = &filter.days {
        let wanted = days.to_uppercase();
        // The letters are inlined, never the student's text: only letters of DAY_LETTERS get here.
        let others: Vec<String> =
            DAY_LETTERS.chars().filter(|d| !wanted.contains(*d)).map(|d| format!("m.days LIKE '%{d}%'")).collect();
        conditions.push("EXISTS (SELECT 1 FROM meetings m WHERE m.section_id = s.id AND m.days <> '')".to_owned());
        if !others.is_empty() {
            conditions.push(format!(
                "NOT EXISTS (SELECT 1 FROM meetings m WHERE m.section_id = s.id AND ({}))",
                others.join(" OR ")
            ));
        }
    }
    if filter.after_minute.is_some() || filter.before_minute.is_some() {
        let after = binds.push(Param::Int(Some(filter.after_minute.unwrap_or(0))));
        let before = binds.push(Param::Int(Some(filter.before_minute.unwrap_or(24 * 60))));
        // A section with no timed meeting is not "between" anything, so it does not match a window.
        conditions.push(
            "EXISTS (SELECT 1 FROM meetings m WHERE m.section_id = s.id AND m.start_minute IS NOT NULL)".to_owned(),
        );
        conditions.push(format!(
            "NOT EXISTS (SELECT 1 FROM meetings m WHERE m.section_id = s.id AND m.start_minute IS NOT NULL \
             AND (m.start_minute < {after} OR m.end_minute > {before}))"
        ));
    }
    if let Some(credits) = filter.credits {
        let exact = binds.push(Param::Text(Some(credits.to_string())));
        let first = binds.push(Param::Text(Some(format!("{credits} or %"))));
        let second = binds.push(Param::Text(Some(format!("% or {credits}"))));
        let shown = "COALESCE(s.credits, c.credits)";
        conditions.push(format!("({shown} = {exact} OR {shown} LIKE {first} OR {shown} LIKE {second})"));
    }
    if filter.open_only {
        conditions.push("s.open_seats > 0".to_owned());
    }
    let from_where =
        format!("FROM sections s JOIN courses c ON c.id = s.course_id{join} WHERE {}", conditions.join(" AND "));
    Plan { with, from_where, code_rank, score, binds }
}

fn query_with<'q>(sql: &'q str, binds: &[Param]) -> AnyQuery<'q> {
    bind_all(sqlx::query(sql), binds.iter().cloned())
}

impl Db {
    /// One page of term `term`'s live sections matching `filter`, best first; `None` if there is no
    /// such term.
    pub async fn search_sections(&self, term: TermId, filter: &SearchFilter) -> Result<Option<SearchPage>, DbError> {
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM terms WHERE id = $1").bind(term.0).fetch_optional(self.pool()).await?;
        if exists.is_none() {
            return Ok(None);
        }
        let Plan { with, from_where, code_rank, score, mut binds } = plan(self.engine(), term, filter);
        let count_sql = format!("{with}SELECT COUNT(*) AS total {from_where}");
        let total: i64 = query_with(&count_sql, &binds.0).fetch_one(self.pool()).await?.try_get("total")?;

        let limit = binds.push(Param::Int(Some(i64::from(filter.limit))));
        let offset = binds.push(Param::Int(Some(i64::from(filter.offset))));
        // Ranking columns are computed inside and sorted outside: PostgreSQL allows output names in
        // ORDER BY only bare, not inside expressions.
        let page_sql = format!(
            "{with}SELECT * FROM (SELECT s.id, s.course_id, s.registration_id, s.section_code, s.title, s.kind, \
             s.kind_label, s.instructors, s.credits, s.status, s.capacity, s.open_seats, s.waitlist, s.removed_at, \
             c.course_code, c.compact_code, c.title AS course_title, c.credits AS course_credits, \
             {code_rank} AS code_rank, {score} AS score {from_where}) hits \
             ORDER BY code_rank, score, compact_code, course_code, COALESCE(section_code, ''), id \
             LIMIT {limit} OFFSET {offset}"
        );
        let rows = query_with(&page_sql, &binds.0).fetch_all(self.pool()).await?;
        let mut hits = rows
            .iter()
            .map(|row| {
                Ok(SearchRow {
                    section: row_to_section(row)?,
                    course_code: row.try_get("course_code")?,
                    course_title: row.try_get("course_title")?,
                    course_credits: row.try_get("course_credits")?,
                    meetings: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>, DbError>>()?;
        let mut meetings = self.meetings_of_sections(hits.iter().map(|h| h.section.id)).await?;
        for hit in &mut hits {
            hit.meetings = meetings.remove(&hit.section.id).unwrap_or_default();
        }
        Ok(Some(SearchPage { total, rows: hits }))
    }

    /// The meetings of a page of sections in one query, by section id, each in source order.
    async fn meetings_of_sections(
        &self,
        ids: impl Iterator<Item = i64>,
    ) -> Result<HashMap<i64, Vec<StoredMeeting>>, DbError> {
        let mut binds = Binds::default();
        let placeholders: Vec<String> = ids.map(|id| binds.push(Param::Int(Some(id)))).collect();
        let mut out: HashMap<i64, Vec<StoredMeeting>> = HashMap::new();
        if placeholders.is_empty() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT section_id, days, start_minute, end_minute, location, start_date, end_date FROM meetings \
             WHERE section_id IN ({}) ORDER BY section_id, position",
            placeholders.join(", ")
        );
        for row in query_with(&sql, &binds.0).fetch_all(self.pool()).await? {
            out.entry(row.try_get("section_id")?).or_default().push(StoredMeeting {
                days: row.try_get("days")?,
                start_minute: row.try_get("start_minute")?,
                end_minute: row.try_get("end_minute")?,
                location: row.try_get("location")?,
                start_date: date_column(&row, "start_date")?,
                end_date: date_column(&row, "end_date")?,
            });
        }
        Ok(out)
    }
}
