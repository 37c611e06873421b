//! Course search over a term's stored sections: free text over course code, title, instructors and
//! description, filters on subject, days, times, credits and open seats, ranked exact code first, then
//! code prefix, then text relevance, then code.
//!
//! Two structures serve it, both rebuilt per term by [`reindex_term`] inside the import's transaction.
//! The text index (an FTS5 table on SQLite, a weighted `tsvector` with a GIN index on PostgreSQL) holds
//! a term marker next to the words, so a match is narrowed to its term inside the index instead of
//! every term's matches being scored. `search_facets` holds one row per live section with what filters
//! and ordering read (codes, a day bitmask, earliest start and latest end, numeric credit bounds, open
//! seats) under indexes in result order. A search without text walks such an index and stops after one
//! page; a search with text scores only its term's matches. Counting without text stops [`COUNT_CAP`]
//! matches past the page start, because an exact count of a large term costs more than the page.
//! Everything but the text match is one query text for both engines (`migrations/*/0005_search_speed.sql`
//! describes the tables), so the two can only differ in how they score relevance.

use super::catalog::{AnyQuery, Param, StoredMeeting, StoredSection, Tx, bind_all, date_column, row_to_section};
use super::{Db, DbError, Engine};
use crate::import::notation::{Credits, parse_credits};
use pretzel_api::TermId;
use sqlx::Row;
use std::collections::HashMap;

/// Banner day letters, Monday first; the only letters a `days` filter may hold. A letter's bit in
/// `search_facets.days_mask` is 1 shifted by its place here.
pub use pretzel_schedule::clock::DAY_LETTERS;

/// Matches counted past the page start before counting stops and the total becomes a lower bound.
pub const COUNT_CAP: i64 = 1_000;

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
    /// Only sections worth this many credits: exactly, as one of "3 or 4", or within a range "1-4".
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
    /// Matches in all pages; when `total_is_lower_bound`, counting stopped there.
    pub total: i64,
    /// `total` is `offset + COUNT_CAP` and more sections match.
    pub total_is_lower_bound: bool,
    /// This page, best first.
    pub rows: Vec<SearchRow>,
}

/// Builds the text index rows of term `$1`'s live sections (SQLite); kept in step with the migration.
/// The `term` column holds `t<term id>`, a token only that column has, so a query can name the term.
const SQLITE_TEXT_REINDEX: [&str; 2] = [
    "DELETE FROM section_search WHERE rowid IN (SELECT id FROM sections WHERE term_id = $1)",
    "INSERT INTO section_search (rowid, term, code, compact_code, title, instructors, description) \
     SELECT s.id, 't' || s.term_id, c.course_code, c.compact_code, c.title || ' ' || COALESCE(s.title, ''), \
     COALESCE((SELECT group_concat(json_extract(j.value, '$.name'), ' ') FROM json_each(s.instructors) j), ''), \
     COALESCE(c.description, '') \
     FROM sections s JOIN courses c ON c.id = s.course_id WHERE s.term_id = $1 AND s.removed_at IS NULL",
];

/// Builds the text index rows of term `$1`'s live sections (PostgreSQL); kept in step with the
/// migration. `#term<id>` is a lexeme the `simple` parser never produces from text (it splits at `#`).
const POSTGRES_TEXT_REINDEX: [&str; 2] = [
    "DELETE FROM section_search WHERE term_id = $1",
    "INSERT INTO section_search (section_id, term_id, doc) \
     SELECT s.id, s.term_id, \
     setweight(to_tsvector('simple', c.course_code || ' ' || c.compact_code), 'A') \
     || setweight(to_tsvector('simple', c.title || ' ' || COALESCE(s.title, '')), 'B') \
     || setweight(to_tsvector('simple', COALESCE( \
        (SELECT string_agg(j ->> 'name', ' ') FROM json_array_elements(s.instructors::json) j), '')), 'B') \
     || setweight(to_tsvector('simple', COALESCE(c.description, '')), 'D') \
     || array_to_tsvector(ARRAY['#term' || s.term_id]) \
     FROM sections s JOIN courses c ON c.id = s.course_id WHERE s.term_id = $1 AND s.removed_at IS NULL",
];

/// Builds the facet rows of term `$1`'s live sections (both engines); kept in step with the migration.
/// Credit bounds come from `credit_notations`, which [`note_credit_notations`] has filled first. The
/// meeting summaries are subqueries per section over `meetings (section_id, position)`: a join to a
/// grouped subquery was planned as a nested loop by PostgreSQL, whose statistics do not yet know the
/// rows this same transaction has just written, and ran for minutes on 100,000 sections.
const FACETS_REINDEX: [&str; 2] = [
    "DELETE FROM search_facets WHERE term_id = $1",
    "INSERT INTO search_facets (section_id, term_id, course_id, subject, compact_code, course_code, section_code, \
     days_mask, earliest_start, latest_end, credits_low, credits_high, credits_span, open_seats) \
     SELECT s.id, s.term_id, s.course_id, upper(c.subject), c.compact_code, c.course_code, \
     COALESCE(s.section_code, ''), \
     COALESCE((SELECT MAX(CASE WHEN m.days LIKE '%M%' THEN 1 ELSE 0 END) \
        + MAX(CASE WHEN m.days LIKE '%T%' THEN 2 ELSE 0 END) + MAX(CASE WHEN m.days LIKE '%W%' THEN 4 ELSE 0 END) \
        + MAX(CASE WHEN m.days LIKE '%R%' THEN 8 ELSE 0 END) + MAX(CASE WHEN m.days LIKE '%F%' THEN 16 ELSE 0 END) \
        + MAX(CASE WHEN m.days LIKE '%S%' THEN 32 ELSE 0 END) + MAX(CASE WHEN m.days LIKE '%U%' THEN 64 ELSE 0 END) \
        FROM meetings m WHERE m.section_id = s.id), 0), \
     (SELECT MIN(m.start_minute) FROM meetings m WHERE m.section_id = s.id), \
     (SELECT MAX(m.end_minute) FROM meetings m WHERE m.section_id = s.id), \
     n.low, n.high, COALESCE(n.span, 0), s.open_seats \
     FROM sections s JOIN courses c ON c.id = s.course_id \
     LEFT JOIN credit_notations n ON n.shown = COALESCE(s.credits, c.credits) \
     WHERE s.term_id = $1 AND s.removed_at IS NULL",
];

/// Rebuilds the search index and facet rows of one term from its stored courses, sections and
/// meetings.
pub(super) async fn reindex_term(tx: &mut Tx<'_>, engine: Engine, term_id: i64) -> Result<(), DbError> {
    let text = match engine {
        Engine::Sqlite => SQLITE_TEXT_REINDEX,
        Engine::Postgres => POSTGRES_TEXT_REINDEX,
    };
    note_credit_notations(tx, term_id).await?;
    for sql in text.iter().chain(&FACETS_REINDEX) {
        sqlx::query(sql).bind(term_id).execute(&mut **tx).await?;
    }
    if engine == Engine::Postgres {
        // A large import changes the tables' statistics at once; without them the planner could walk
        // the wrong index until autovacuum gets round to it. ANALYZE in the transaction sees its rows.
        sqlx::query("ANALYZE search_facets, section_search").execute(&mut **tx).await?;
        // A bulk insert leaves up to 4 MB of GIN entries in the index's unsorted pending list, which
        // every text search then reads through (5 ms of a 13 ms search at 100,000 sections) until
        // autovacuum merges it; merging it now costs the import a moment instead.
        sqlx::query("SELECT gin_clean_pending_list('section_search_doc'::regclass)").execute(&mut **tx).await?;
    }
    Ok(())
}

/// Credit notations per statement when recording new ones (four values each).
const NOTATIONS_PER_STATEMENT: usize = 100;

/// Records the numeric bounds of every credit notation term `term_id` shows that `credit_notations`
/// does not know yet, parsed by the importers' own [`parse_credits`]. A term shows a few dozen
/// notations at most, so this is a handful of rows however large the term.
async fn note_credit_notations(tx: &mut Tx<'_>, term_id: i64) -> Result<(), DbError> {
    let unknown: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT COALESCE(s.credits, c.credits) FROM sections s JOIN courses c ON c.id = s.course_id \
         WHERE s.term_id = $1 AND COALESCE(s.credits, c.credits) IS NOT NULL \
         AND COALESCE(s.credits, c.credits) NOT IN (SELECT shown FROM credit_notations)",
    )
    .bind(term_id)
    .fetch_all(&mut **tx)
    .await?;
    for chunk in unknown.chunks(NOTATIONS_PER_STATEMENT) {
        let mut binds = Binds::default();
        let tuples: Vec<String> = chunk
            .iter()
            .map(|shown| {
                let (low, high, span) = credit_bounds(shown);
                let values = [
                    binds.push(Param::Text(Some(shown.clone()))),
                    binds.push(Param::Int(low)),
                    binds.push(Param::Int(high)),
                    binds.push(Param::Int(Some(span))),
                ];
                format!("({})", values.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO credit_notations (shown, low, high, span) VALUES {} ON CONFLICT (shown) DO NOTHING",
            tuples.join(", ")
        );
        bind_all(sqlx::query(&sql), binds.0).execute(&mut **tx).await?;
    }
    Ok(())
}

/// A displayed credit notation as (least, most, 1 when every amount between counts), in hundredths;
/// no bounds when the notation is not one the importers understand.
fn credit_bounds(shown: &str) -> (Option<i64>, Option<i64>, i64) {
    let hundredths = |amount: crate::import::notation::CreditAmount| Some(i64::from(amount.0));
    match parse_credits(shown) {
        Some(Credits::Exact(amount)) => (hundredths(amount), hundredths(amount), 0),
        Some(Credits::Range { min, max }) => (hundredths(min), hundredths(max), 1),
        Some(Credits::Either(a, b)) => (hundredths(a.min(b)), hundredths(a.max(b)), 0),
        Some(Credits::Unparsed(_)) | None => (None, None, 0),
    }
}

/// The words of `text`, lower-cased: what both engines' tokenizers would make of it.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// `text` as a compact code (`CS 2` → `cs2`), the way `courses.compact_code` is derived.
fn compact(text: &str) -> String {
    text.chars().filter(|c| *c != ' ').collect::<String>().to_lowercase()
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

/// The day masks a section may have to match a `days` filter: "some scheduled day, and none outside
/// the wanted ones" is "a non-empty subset of the wanted days", at most 127 values. Both engines look
/// such a list up in the days index, and PostgreSQL estimates it from its statistics, where it took a
/// bitwise test to match one row in 100,000 and chose a full scan.
fn day_masks(days: &str) -> Vec<i64> {
    let wanted = days.to_uppercase();
    let wanted: i64 =
        DAY_LETTERS.chars().enumerate().filter(|(_, d)| wanted.contains(*d)).map(|(bit, _)| 1_i64 << bit).sum();
    (1..=wanted).filter(|mask| mask & !wanted == 0).collect()
}

/// The conditions on `search_facets x` that the filters other than text ask for.
fn facet_conditions(filter: &SearchFilter, binds: &mut Binds) -> Vec<String> {
    let mut conditions = Vec::new();
    if let Some(subject) = &filter.subject {
        let param = binds.push(Param::Text(Some(subject.trim().to_uppercase())));
        conditions.push(format!("x.subject = {param}"));
    }
    if let Some(days) = &filter.days {
        // The numbers are computed from DAY_LETTERS, never taken from the student's text.
        let masks: Vec<String> = day_masks(days).iter().map(i64::to_string).collect();
        conditions.push(format!("x.days_mask IN ({})", masks.join(", ")));
    }
    if filter.after_minute.is_some() || filter.before_minute.is_some() {
        let after = binds.push(Param::Int(Some(filter.after_minute.unwrap_or(0))));
        let before = binds.push(Param::Int(Some(filter.before_minute.unwrap_or(24 * 60))));
        // A section with no timed meeting is not "between" anything, so it does not match a window.
        conditions
            .push(format!("x.earliest_start IS NOT NULL AND x.earliest_start >= {after} AND x.latest_end <= {before}"));
    }
    if let Some(credits) = filter.credits {
        let wanted = binds.push(Param::Int(Some(i64::from(credits) * 100)));
        conditions.push(format!(
            "(x.credits_low = {wanted} OR x.credits_high = {wanted} \
             OR (x.credits_span = 1 AND x.credits_low <= {wanted} AND x.credits_high >= {wanted}))"
        ));
    }
    if filter.open_only {
        conditions.push("x.open_seats > 0".to_owned());
    }
    conditions
}

/// The columns of a result row, read from `sections s` and `courses c`.
const ROW_COLUMNS: &str = "s.id, s.course_id, s.registration_id, s.section_code, s.title, s.kind, s.kind_label, \
     s.instructors, s.credits, s.status, s.capacity, s.open_seats, s.waitlist, s.removed_at, c.course_code, \
     c.title AS course_title, c.credits AS course_credits";

/// The facet columns every hit carries: its ids and what ties are broken by.
const FACET_SELECT: &str = "x.section_id, x.course_id, x.compact_code, x.course_code, x.section_code";

/// The SQL and values of one search: the page (with a `total` column when the count comes with it)
/// and, when it does not, a capped count.
struct Plan {
    page: String,
    count: Option<String>,
    binds: Binds,
}

fn plan(engine: Engine, term: TermId, filter: &SearchFilter) -> Plan {
    let mut binds = Binds::default();
    // The term is written into the SQL, not bound: PostgreSQL switches a prepared statement to a generic
    // plan after a few runs, and a plan for "any term" walked all 100,000 rows of the large term to count
    // a small term's 0 open sections. A number cannot carry SQL, and each term gets its own plan.
    let term_param = term.0.to_string();
    let mut conditions = vec![format!("x.term_id = {term_param}")];
    conditions.extend(facet_conditions(filter, &mut binds));
    let filters = conditions.join(" AND ");

    let Some(text) = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
        // No text: the facets' index is already in result order, so the page is its first matches.
        let limit = binds.push(Param::Int(Some(i64::from(filter.limit))));
        let offset = binds.push(Param::Int(Some(i64::from(filter.offset))));
        let cap = binds.push(Param::Int(Some(i64::from(filter.offset) + COUNT_CAP + 1)));
        let page = format!(
            "SELECT {ROW_COLUMNS} FROM (SELECT {FACET_SELECT} FROM search_facets x WHERE {filters} \
             ORDER BY x.compact_code, x.course_code, x.section_code, x.section_id LIMIT {limit} OFFSET {offset}) p \
             JOIN sections s ON s.id = p.section_id JOIN courses c ON c.id = s.course_id \
             ORDER BY p.compact_code, p.course_code, p.section_code, p.section_id"
        );
        let count = format!(
            "SELECT COUNT(*) AS total FROM (SELECT 1 AS one FROM search_facets x WHERE {filters} LIMIT {cap}) t"
        );
        return Plan { page, count: Some(count), binds };
    };

    let exact = compact(text);
    // Every string starting with the prefix sorts between it and it followed by the last code point,
    // under SQLite's binary order and PostgreSQL's "C" collation of the facet columns alike.
    let upper = format!("{exact}\u{10FFFF}");
    let exact_param = binds.push(Param::Text(Some(exact)));
    let upper_param = binds.push(Param::Text(Some(upper)));
    let is_prefix = format!("(x.compact_code >= {exact_param} AND x.compact_code < {upper_param})");
    // Code matches are ordered by code alone (score 0); relevance orders only the other text matches.
    let code_hits = format!(
        "SELECT {FACET_SELECT}, CASE WHEN x.compact_code = {exact_param} THEN 0 ELSE 1 END AS code_rank, \
         0.0 AS score FROM search_facets x WHERE {filters} AND {is_prefix}"
    );
    let words = words(text);
    let hits = if words.is_empty() {
        // Nothing for the text index (punctuation only): only the code can match.
        code_hits
    } else {
        // Every word must match, each as a prefix, so results follow the student's typing.
        let (fts, score) = match engine {
            Engine::Sqlite => {
                let phrases = words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" ");
                let query = binds.push(Param::Text(Some(format!("term : \"t{}\" AND ({phrases})", term.0))));
                // Weights per column (term, code, compact_code, title, instructors, description):
                // a word in the code or title says more than one in the description.
                // The filters are checked per match before its score is computed, so a selective filter
                // spares scoring matches it drops (bm25 costs about a microsecond a row). The term
                // alone needs no check: the index's term marker has already narrowed the matches to it.
                // A subject leaves a few hundred facet rows, gathered once from its index into a set
                // that each match is looked up in (the `+` keeps SQLite from handing the set to FTS5,
                // which would rerun the whole MATCH per member); other filters may leave most of the
                // term, which would cost more to gather than to look up per match by key.
                let check = if conditions.len() == 1 {
                    String::new()
                } else if filter.subject.is_some() {
                    format!("AND +rowid IN (SELECT x.section_id FROM search_facets x WHERE {filters})")
                } else {
                    format!(
                        "AND EXISTS (SELECT 1 FROM search_facets x WHERE x.section_id = section_search.rowid \
                         AND {filters})"
                    )
                };
                let sql = format!(
                    "SELECT rowid AS section_id, bm25(section_search, 0.0, 10.0, 10.0, 4.0, 4.0, 1.0) AS score \
                     FROM section_search WHERE section_search MATCH {query} {check}"
                );
                (sql, "f.score".to_owned())
            }
            Engine::Postgres => {
                let query = words.iter().map(|w| format!("{w}:*")).collect::<Vec<_>>().join(" & ");
                let query = binds.push(Param::Text(Some(query)));
                let marker = binds.push(Param::Text(Some(format!("'#term{}'", term.0))));
                // The term's marker narrows the GIN search. The rank is taken after the filters (below),
                // reads only the student's words, is negated so that, as with bm25, lower sorts first,
                // and has its query as a subquery so that it is parsed once, not once per match.
                let sql = format!(
                    "SELECT section_id, doc FROM section_search \
                     WHERE term_id = {term_param} AND doc @@ (to_tsquery('simple', {query}) && {marker}::tsquery)"
                );
                (sql, format!("-ts_rank(f.doc, (SELECT to_tsquery('simple', {query})))"))
            }
        };
        // Left to themselves, SQLite looped over the term's facets running the MATCH once per row, and
        // PostgreSQL hashed all 100,000 facet rows of a term to join 2,000 matches. CROSS JOIN fixes
        // SQLite's loop order. On PostgreSQL, a search with no filter but the term looks up each
        // match's facets by key, in a LATERAL subquery behind OFFSET 0 (which it does not flatten);
        // with filters, the planner's own join starts from the few facet rows they leave.
        let join = match engine {
            Engine::Postgres if conditions.len() == 1 => format!(
                "CROSS JOIN LATERAL (SELECT {FACET_SELECT} FROM search_facets x \
                 WHERE x.section_id = f.section_id AND {filters} AND NOT {is_prefix} OFFSET 0) x"
            ),
            Engine::Postgres => {
                format!("JOIN search_facets x ON x.section_id = f.section_id WHERE {filters} AND NOT {is_prefix}")
            }
            Engine::Sqlite => {
                format!("CROSS JOIN search_facets x ON x.section_id = f.section_id WHERE {filters} AND NOT {is_prefix}")
            }
        };
        format!("{code_hits} UNION ALL SELECT {FACET_SELECT}, 2 AS code_rank, {score} AS score FROM ({fts}) f {join}")
    };
    let limit = binds.push(Param::Int(Some(i64::from(filter.limit))));
    let offset = binds.push(Param::Int(Some(i64::from(filter.offset))));
    let courses = binds.push(Param::Int(Some(i64::from(filter.offset) + i64::from(filter.limit))));
    // A course ranks by its best section, so its sections stay together in the list (each section
    // scores a little differently, as their instructor lists differ in length); the course id breaks
    // ties between courses sharing a code. Every course has a hit, so the first `offset + limit`
    // courses hold the page: ranking courses and keeping those before sorting their hits spares
    // sorting (and joining) every hit, which cost more than scoring them at 9,000 matches. Every hit
    // is scored anyway, so the exact count comes with the page at little extra cost. A course's code
    // rank and codes are the same on all its hits; MIN only picks that one value.
    let page = format!(
        "WITH hits AS MATERIALIZED ({hits}), \
         best AS MATERIALIZED (SELECT course_id, MIN(code_rank) AS code_rank, MIN(score) AS best, \
           MIN(compact_code) AS compact_code, MIN(course_code) AS course_code FROM hits GROUP BY course_id \
           ORDER BY 2, 3, 4, 5, 1 LIMIT {courses}), \
         ranked AS (SELECT h.section_id, b.code_rank, b.best, b.compact_code, b.course_code, b.course_id, \
           h.section_code FROM hits h JOIN best b ON b.course_id = h.course_id \
           ORDER BY b.code_rank, b.best, b.compact_code, b.course_code, b.course_id, h.section_code, h.section_id \
           LIMIT {limit} OFFSET {offset}) \
         SELECT {ROW_COLUMNS}, (SELECT COUNT(*) FROM hits) AS total FROM ranked p \
         JOIN sections s ON s.id = p.section_id JOIN courses c ON c.id = s.course_id \
         ORDER BY p.code_rank, p.best, p.compact_code, p.course_code, p.course_id, p.section_code, p.section_id"
    );
    Plan { page, count: None, binds }
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
        let Plan { page, count, binds } = plan(self.engine(), term, filter);
        let rows = query_with(&page, &binds.0).fetch_all(self.pool()).await?;
        let (total, total_is_lower_bound) = match &count {
            Some(count_sql) => {
                let counted: i64 = query_with(count_sql, &binds.0).fetch_one(self.pool()).await?.try_get("total")?;
                let cap = i64::from(filter.offset) + COUNT_CAP;
                (counted.min(cap), counted > cap)
            }
            // Each row of the page carries the exact count; a page past the end has no row to carry
            // it, so the first match is asked for instead.
            None => match rows.first() {
                Some(row) => (row.try_get("total")?, false),
                None if filter.offset == 0 => (0, false),
                None => {
                    let first = SearchFilter { limit: 1, offset: 0, ..filter.clone() };
                    let Plan { page, binds, .. } = plan(self.engine(), term, &first);
                    let row = query_with(&page, &binds.0).fetch_optional(self.pool()).await?;
                    (row.map(|r| r.try_get("total")).transpose()?.unwrap_or(0), false)
                }
            },
        };
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
        Ok(Some(SearchPage { total, total_is_lower_bound, rows: hits }))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_day_masks_are_the_non_empty_subsets_of_the_wanted_days() {
        assert_eq!(day_masks("MW"), [1, 4, 5]);
        assert_eq!(day_masks("r"), [8]);
        assert_eq!(day_masks("MTWRFSU").len(), 127);
        assert_eq!(day_masks("MTWRF").len(), 31);
        assert!(day_masks("MTWRF").iter().all(|mask| mask & (32 | 64) == 0));
    }

    #[test]
    fn test_credit_bounds_follow_the_importers_notations() {
        assert_eq!(credit_bounds("3"), (Some(300), Some(300), 0));
        assert_eq!(credit_bounds("1-4"), (Some(100), Some(400), 1));
        assert_eq!(credit_bounds("3 or 4"), (Some(300), Some(400), 0));
        assert_eq!(credit_bounds("4 or 3"), (Some(300), Some(400), 0));
        assert_eq!(credit_bounds("0.5-2"), (Some(50), Some(200), 1));
        assert_eq!(credit_bounds("Variable"), (None, None, 0));
        assert_eq!(credit_bounds(""), (None, None, 0));
    }
}
