//! Course search over a term's stored sections: free text over course code, title, instructors and
//! description, filters on subject, days, times, credits and open seats, listed exact code first, then
//! code prefix, then text matches: by relevance when there are few, title matches first when there are many.
//!
//! Two structures serve it, both rebuilt per term by [`reindex_term`] inside the import's transaction.
//! `search_facets` holds one row per live section with what filters and ordering read (codes, a day
//! bitmask, earliest start and latest end, numeric credit bounds, open seats) under indexes in result
//! order, and numbers the term's sections in that order (`ordinal`, `(term id << 32) + n`; on SQLite the
//! table's key, so a text match finds its row in one integer-keyed descent). The text index
//! (an FTS5 table on SQLite, weighted `tsvector`s with GIN indexes on PostgreSQL) is keyed or indexed by
//! that number too, so a term's documents are one range of it, read in code order. On PostgreSQL each
//! document row also holds its facet row's code and filter columns, so a text match is tested where the
//! GIN index found it, and a days filter's index is ANDed with the GIN index's matches.
//!
//! A search without text walks a facets index and stops after one page. A search with text first counts
//! its matches, stopping [`COUNT_CAP`] past the page start as a search without text does. Up to
//! [`RANKED_MATCHES`] of them are all scored (bm25, `ts_rank`) and ranked by relevance, each course by its
//! best section, and the count is exact. A broader search costs no more than its page: it lists, each in
//! code order, the exact code, the codes it prefixes, the courses whose code or title holds every word
//! (the *title matches*), then the remaining matches, reading each group in code order until the page is
//! full; the total is a lower bound once counting stopped. Which of the two a search takes depends only
//! on its text and filters, never on the page asked for, so its pages never overlap or skip.
//! Everything but the text match is one query text for both engines (`migrations/*/0005_search_speed.sql`,
//! `0007_search_rank.sql`, `0008_search_filters.sql` and SQLite's `0009_search_facets_by_ordinal.sql`
//! describe the tables), so the two can only differ in how they score relevance; a broad search scores
//! nothing and lists the same sections in the same order on both. A page's rows come with their meetings
//! in the same query.

use super::catalog::{AnyQuery, Param, StoredMeeting, StoredSection, Tx, bind_all, date_column, row_to_section};
use super::{Db, DbError, Engine};
use crate::import::notation::{Credits, parse_credits};
use pretzel_api::TermId;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use std::collections::HashMap;

/// Banner day letters, Monday first; the only letters a `days` filter may hold. A letter's bit in
/// `search_facets.days_mask` is 1 shifted by its place here.
pub use pretzel_schedule::clock::DAY_LETTERS;

/// Matches counted past the page start before counting stops and the total becomes a lower bound.
pub const COUNT_CAP: i64 = 1_000;

/// The most matches a text search scores and ranks by relevance; a search matching more lists them by
/// group in code order. At most [`COUNT_CAP`], so a ranked search's count is always exact.
pub const RANKED_MATCHES: i64 = 500;

const _: () = assert!(RANKED_MATCHES <= COUNT_CAP);

/// Sections of a term a broad search first walks on PostgreSQL, in code order, looking for a group's
/// matches. A walk stops at the page, while the group's GIN index must read and sort all its matches,
/// so walking wins for a group with many matches and the index for one with few: the walk goes on in
/// windows sized by the matches seen so far while it expects to fill the page within [`MAX_WALK`]
/// more sections, and the GIN index answers for the rest of the term otherwise. A search filtered by
/// days or subject does not walk: few sections of a window pass such a filter, and its own index
/// narrows the GIN index's matches (or yields the subject's few rows) before any is read.
const WALK: i64 = 1_000;

/// The most sections a PostgreSQL walk expects to read in one more window before it leaves the rest
/// to the GIN index (a section costs about a microsecond to test, a GIN match a few).
const MAX_WALK: i64 = 8_000;

/// The ordinals of term `term`'s sections lie in `(first, last]`.
fn ordinal_range(term: TermId) -> (i64, i64) {
    let first = term.0 << 32;
    (first, first + i64::from(u32::MAX))
}

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

/// Builds the text index rows of term `$1`'s live sections (SQLite) from their facet rows; kept in step
/// with the migration. The rowid is the section's ordinal, so the term's rows are one rowid range.
const SQLITE_TEXT_REINDEX: [&str; 2] = [
    "DELETE FROM section_search WHERE rowid > ($1 << 32) AND rowid <= ($1 << 32) + 4294967295",
    "INSERT INTO section_search (rowid, code, compact_code, title, section_title, instructors, description) \
     SELECT x.ordinal, c.course_code, c.compact_code, c.title, COALESCE(s.title, ''), \
     COALESCE((SELECT group_concat(json_extract(j.value, '$.name'), ' ') FROM json_each(s.instructors) j), ''), \
     COALESCE(c.description, '') \
     FROM search_facets x JOIN sections s ON s.id = x.section_id JOIN courses c ON c.id = s.course_id \
     WHERE x.term_id = $1 ORDER BY x.ordinal",
];

/// Builds the text index rows of term `$1`'s live sections (PostgreSQL) from their facet rows; kept in
/// step with the migrations. `#term<id>` is a lexeme the `simple` parser never produces from text (it
/// splits at `#`). `strong` holds what is the same for every section of a course: codes and title.
/// The filter columns are the facet row's, so a text search tests its filters on the document's row.
/// Rows are written in ordinal order, so a walk in that order reads the table's pages in turn.
const POSTGRES_TEXT_REINDEX: [&str; 2] = [
    "DELETE FROM section_search WHERE term_id = $1",
    "INSERT INTO section_search (section_id, term_id, ordinal, compact_code, subject, days_mask, earliest_start, \
     latest_end, credits_low, credits_high, credits_span, open_seats, doc, strong) \
     SELECT s.id, s.term_id, x.ordinal, x.compact_code, x.subject, x.days_mask, x.earliest_start, x.latest_end, \
     x.credits_low, x.credits_high, x.credits_span, x.open_seats, \
     setweight(to_tsvector('simple', c.course_code || ' ' || c.compact_code), 'A') \
     || setweight(to_tsvector('simple', c.title || ' ' || COALESCE(s.title, '')), 'B') \
     || setweight(to_tsvector('simple', COALESCE( \
        (SELECT string_agg(j ->> 'name', ' ') FROM json_array_elements(s.instructors::json) j), '')), 'B') \
     || setweight(to_tsvector('simple', COALESCE(c.description, '')), 'D') \
     || array_to_tsvector(ARRAY['#term' || s.term_id]), \
     to_tsvector('simple', c.course_code || ' ' || c.compact_code || ' ' || c.title) \
     || array_to_tsvector(ARRAY['#term' || s.term_id]) \
     FROM search_facets x JOIN sections s ON s.id = x.section_id JOIN courses c ON c.id = s.course_id \
     WHERE x.term_id = $1 ORDER BY x.ordinal",
];

/// Builds the facet rows of term `$1`'s live sections (both engines but for `collate`, which PostgreSQL
/// needs to number them in the byte order its "C" facet columns sort in); kept in step with the
/// migrations. Credit bounds come from `credit_notations`, which [`note_credit_notations`] has filled
/// first. The meeting summaries are subqueries per section over `meetings (section_id, position)`: a join
/// to a grouped subquery was planned as a nested loop by PostgreSQL, whose statistics do not yet know the
/// rows this same transaction has just written, and ran for minutes on 100,000 sections.
fn facets_reindex(collate: &str) -> [String; 2] {
    [
        "DELETE FROM search_facets WHERE term_id = $1".to_owned(),
        format!(
            "INSERT INTO search_facets (section_id, term_id, course_id, subject, compact_code, course_code, \
             section_code, days_mask, earliest_start, latest_end, credits_low, credits_high, credits_span, \
             open_seats, ordinal) \
             SELECT s.id, s.term_id, s.course_id, upper(c.subject), c.compact_code, c.course_code, \
             COALESCE(s.section_code, ''), \
             COALESCE((SELECT MAX(CASE WHEN m.days LIKE '%M%' THEN 1 ELSE 0 END) \
                + MAX(CASE WHEN m.days LIKE '%T%' THEN 2 ELSE 0 END) \
                + MAX(CASE WHEN m.days LIKE '%W%' THEN 4 ELSE 0 END) \
                + MAX(CASE WHEN m.days LIKE '%R%' THEN 8 ELSE 0 END) \
                + MAX(CASE WHEN m.days LIKE '%F%' THEN 16 ELSE 0 END) \
                + MAX(CASE WHEN m.days LIKE '%S%' THEN 32 ELSE 0 END) \
                + MAX(CASE WHEN m.days LIKE '%U%' THEN 64 ELSE 0 END) \
                FROM meetings m WHERE m.section_id = s.id), 0), \
             (SELECT MIN(m.start_minute) FROM meetings m WHERE m.section_id = s.id), \
             (SELECT MAX(m.end_minute) FROM meetings m WHERE m.section_id = s.id), \
             n.low, n.high, COALESCE(n.span, 0), s.open_seats, \
             ($1 << 32) + ROW_NUMBER() OVER (ORDER BY c.compact_code{collate}, c.course_code{collate}, \
                s.course_id, COALESCE(s.section_code, ''){collate}, s.id) \
             FROM sections s JOIN courses c ON c.id = s.course_id \
             LEFT JOIN credit_notations n ON n.shown = COALESCE(s.credits, c.credits) \
             WHERE s.term_id = $1 AND s.removed_at IS NULL"
        ),
    ]
}

/// Rebuilds the search index and facet rows of one term from its stored courses, sections and
/// meetings: the facets first, as the text index takes their ordinals.
pub(super) async fn reindex_term(tx: &mut Tx<'_>, engine: Engine, term_id: i64) -> Result<(), DbError> {
    let (text, collate) = match engine {
        Engine::Sqlite => (SQLITE_TEXT_REINDEX, ""),
        Engine::Postgres => (POSTGRES_TEXT_REINDEX, " COLLATE \"C\""),
    };
    note_credit_notations(tx, term_id).await?;
    for sql in facets_reindex(collate).iter().map(String::as_str).chain(text) {
        sqlx::query(sql).bind(term_id).execute(&mut **tx).await?;
    }
    if engine == Engine::Postgres {
        // A large import changes the tables' statistics at once; without them the planner could walk
        // the wrong index until autovacuum gets round to it. ANALYZE in the transaction sees its rows.
        sqlx::query("ANALYZE search_facets, section_search").execute(&mut **tx).await?;
        // A bulk insert leaves up to 4 MB of GIN entries in the index's unsorted pending list, which
        // every text search then reads through (5 ms of a 13 ms search at 100,000 sections) until
        // autovacuum merges it; merging it now costs the import a moment instead.
        for index in ["section_search_doc", "section_search_strong"] {
            sqlx::query(&format!("SELECT gin_clean_pending_list('{index}'::regclass)")).execute(&mut **tx).await?;
        }
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
        // Written into the SQL like the term, not bound: the generic plan PostgreSQL moves a prepared
        // statement to after a few runs cannot see a bound window, and (with a bound cap) counted a days
        // and time search by a sequential scan in 12 ms instead of 2 at 100,000 sections. Numbers
        // cannot carry SQL.
        let after = filter.after_minute.unwrap_or(0);
        let before = filter.before_minute.unwrap_or(24 * 60);
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

/// The meetings of a result row `s`, one joined row each (none when it has none); a page ordered by
/// section then `m.position` lists each section's rows together, in source order. Reading them with
/// the page spares a query. PostgreSQL reads them per section by key in a LATERAL subquery behind
/// OFFSET 0: joined plainly, it hashed the whole table when its statistics were stale.
fn meeting_join(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "LEFT JOIN meetings m ON m.section_id = s.id",
        Engine::Postgres => {
            "LEFT JOIN LATERAL (SELECT position, days, start_minute, end_minute, location, start_date, end_date \
             FROM meetings WHERE section_id = s.id OFFSET 0) m ON TRUE"
        }
    }
}

/// The columns of [`meeting_join`]'s rows.
const MEETING_COLUMNS: &str = "m.position AS meeting_position, m.days AS meeting_days, \
     m.start_minute AS meeting_start, m.end_minute AS meeting_end, m.location AS meeting_location, \
     m.start_date AS meeting_start_date, m.end_date AS meeting_end_date";

/// The facet columns every hit carries: its ids and what ties are broken by.
const FACET_SELECT: &str = "x.section_id, x.course_id, x.compact_code, x.course_code, x.section_code";

/// Code order over `search_facets x`, which its indexes hold and ordinals number.
const CODE_ORDER: &str = "x.compact_code, x.course_code, x.section_code, x.section_id";

/// The columns of a PostgreSQL document row that a walk tests: its codes, filter columns and texts.
const POSTGRES_DOCUMENT_COLUMNS: &str = "section_id, term_id, ordinal, compact_code, subject, days_mask, \
     earliest_start, latest_end, credits_low, credits_high, credits_span, open_seats, doc, strong";

/// The columns SQLite's text index weighs a title match by: codes and the course's title, the same for
/// every section of a course.
const SQLITE_TITLE_COLUMNS: &str = "{code compact_code title}";

/// A search's text as a compact code and as words.
struct Text {
    /// As a compact code (`CS 2` → `cs2`).
    compact: String,
    /// Its words, lower-cased; empty when it is only punctuation, and then only a code can match.
    words: Vec<String>,
}

impl Text {
    /// The text of `filter`, unless it has none but blanks.
    fn of(filter: &SearchFilter) -> Option<Self> {
        let text = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
        Some(Self { compact: compact(text), words: words(text) })
    }

    /// Every word as a prefix, for FTS5.
    fn fts_words(&self) -> String {
        self.words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" ")
    }

    /// Every word as a prefix, for `to_tsquery`.
    fn ts_words(&self) -> String {
        self.words.iter().map(|w| format!("{w}:*")).collect::<Vec<_>>().join(" & ")
    }
}

/// Whether `column` (a PostgreSQL document's `doc` or `strong`) holds the words placeholder `words`
/// names, as a condition on a `section_search` row of term `term` that also meets `filter`. The GIN
/// index answers it with the term's marker ANDed in, so it returns only the term's matches; a days
/// filter's index starts with the term and narrows them as well, and the planner ANDs the two, so the
/// marker (whose posting list is the whole term) is left out. A subject's few hundred rows come from
/// its index sooner than the GIN index finds a broad word's matches, which the planner, costing GIN
/// prefix scans low, would AND with them, so they are tested row by row: `ts_match_vq` is what `@@`
/// calls, and no index answers it.
fn pg_text_test(term: TermId, filter: &SearchFilter, column: &str, words: &str, binds: &mut Binds) -> String {
    if filter.subject.is_some() {
        format!("ts_match_vq({column}, to_tsquery('simple', {words}))")
    } else if filter.days.is_some() {
        format!("{column} @@ to_tsquery('simple', {words})")
    } else {
        let marker = binds.push(term_marker(term));
        format!("{column} @@ (to_tsquery('simple', {words}) && {marker}::tsquery)")
    }
}

/// The term marker lexeme of `term` as a tsquery (PostgreSQL).
fn term_marker(term: TermId) -> Param {
    Param::Text(Some(format!("'#term{}'", term.0)))
}

/// What one query of a search asks of `search_facets x` (or of a PostgreSQL `section_search x` row,
/// which holds the same code and filter columns), with the values pushed onto its binds.
struct Scope {
    /// The term and every filter.
    filters: String,
    /// Whether a filter other than the term applies.
    filtered: bool,
    /// The section's course code is the text.
    exact: String,
    /// The section's course code starts with the text, or is it.
    is_prefix: String,
    /// The section's course code starts with the text and is longer.
    longer_prefix: String,
}

fn scope(term: TermId, filter: &SearchFilter, text: &Text, binds: &mut Binds) -> Scope {
    let (filters, filtered) = facet_filters(term, filter, binds);
    // Every string starting with the prefix sorts between it and it followed by the last code point,
    // under SQLite's binary order and PostgreSQL's "C" collation of the facet columns alike.
    let exact = binds.push(Param::Text(Some(text.compact.clone())));
    let upper = binds.push(Param::Text(Some(format!("{}\u{10FFFF}", text.compact))));
    Scope {
        filters,
        filtered,
        exact: format!("x.compact_code = {exact}"),
        is_prefix: format!("(x.compact_code >= {exact} AND x.compact_code < {upper})"),
        longer_prefix: format!("(x.compact_code > {exact} AND x.compact_code < {upper})"),
    }
}

/// The conditions on `search_facets x` for the term and the filters, and whether there are filters.
fn facet_filters(term: TermId, filter: &SearchFilter, binds: &mut Binds) -> (String, bool) {
    // The term is written into the SQL, not bound: PostgreSQL switches a prepared statement to a generic
    // plan after a few runs, and a plan for "any term" walked all 100,000 rows of the large term to count
    // a small term's 0 open sections. A number cannot carry SQL, and each term gets its own plan.
    let mut conditions = vec![format!("x.term_id = {}", term.0)];
    conditions.extend(facet_conditions(filter, binds));
    (conditions.join(" AND "), conditions.len() > 1)
}

/// A search without text: the facets' index is already in result order, so the page is its first
/// matches; the count stops [`COUNT_CAP`] past the page start. Returns the page, the count and their values.
fn plan_browse(engine: Engine, term: TermId, filter: &SearchFilter) -> (String, String, Binds) {
    let mut binds = Binds::default();
    let meetings = meeting_join(engine);
    let (filters, _) = facet_filters(term, filter, &mut binds);
    // The page bounds are written into the SQL too: a generic plan assumes a bound LIMIT keeps a tenth
    // of the rows, and then prefers a scan that stops early to the filters' own index.
    let (limit, offset) = (filter.limit, filter.offset);
    let cap = i64::from(filter.offset) + COUNT_CAP + 1;
    let page = format!(
        "SELECT {ROW_COLUMNS}, {MEETING_COLUMNS} FROM (SELECT {FACET_SELECT} FROM search_facets x WHERE {filters} \
         ORDER BY {CODE_ORDER} LIMIT {limit} OFFSET {offset}) p \
         JOIN sections s ON s.id = p.section_id JOIN courses c ON c.id = s.course_id {meetings} \
         ORDER BY p.compact_code, p.course_code, p.section_code, p.section_id, m.position"
    );
    let count =
        format!("SELECT COUNT(*) AS total FROM (SELECT 1 AS one FROM search_facets x WHERE {filters} LIMIT {cap}) t");
    (page, count, binds)
}

/// The text matches outside the code matches, as `FACET_SELECT` columns, `code_rank` 2 and a `score`
/// (lower is better) when `scored`, else 0.
fn text_hits(
    engine: Engine,
    term: TermId,
    filter: &SearchFilter,
    text: &Text,
    scope: &Scope,
    binds: &mut Binds,
    scored: bool,
) -> String {
    let Scope { filters, filtered, is_prefix, .. } = scope;
    let (fts, score) = match engine {
        Engine::Sqlite => {
            let query = binds.push(Param::Text(Some(text.fts_words())));
            let (first, last) = ordinal_range(term);
            // Weights per column (code, compact_code, title, section_title, instructors, description):
            // a word in the code or title says more than one in the description.
            // The filters are checked per match before its score is computed, so a selective filter
            // spares scoring matches it drops (bm25 costs about a microsecond a row). The term alone
            // needs no check: the rowid range has already narrowed the matches to it.
            // A subject leaves a few hundred facet rows, gathered once from its index into a set
            // that each match is looked up in (the `+` keeps SQLite from handing the set to FTS5,
            // which would rerun the whole MATCH per member); other filters may leave most of the
            // term, which would cost more to gather than to look up per match by key. Unscored
            // matches skip that lookup: the join below makes it anyway.
            let check = if !filtered {
                String::new()
            } else if filter.subject.is_some() {
                format!("AND +rowid IN (SELECT x.ordinal FROM search_facets x WHERE {filters})")
            } else if !scored {
                String::new()
            } else {
                format!(
                    "AND EXISTS (SELECT 1 FROM search_facets x WHERE x.ordinal = section_search.rowid AND {filters})"
                )
            };
            let score = if scored { "bm25(section_search, 10.0, 10.0, 4.0, 4.0, 4.0, 1.0)" } else { "0.0" };
            let sql = format!(
                "SELECT rowid AS ordinal, {score} AS score FROM section_search \
                 WHERE section_search MATCH {query} AND rowid > {first} AND rowid <= {last} {check}"
            );
            (sql, "f.score".to_owned())
        }
        Engine::Postgres => {
            let query = binds.push(Param::Text(Some(text.ts_words())));
            // The filters are tested on the document's own row, so only the matches they keep are
            // scored and looked up in the facets (below). The rank reads only the student's words, is
            // negated so that, as with bm25, lower sorts first, and has its query as a subquery so
            // that it is parsed once, not once per match.
            let test = pg_text_test(term, filter, "x.doc", &query, binds);
            let sql = format!(
                "SELECT x.section_id, x.doc FROM section_search x WHERE {filters} AND {test} AND NOT {is_prefix}"
            );
            let score = if scored {
                format!("-ts_rank(f.doc, (SELECT to_tsquery('simple', {query})))")
            } else {
                "0.0".to_owned()
            };
            (sql, score)
        }
    };
    // Left to themselves, SQLite looped over the term's facets running the MATCH once per row, and
    // PostgreSQL hashed all 100,000 facet rows of a term to join 2,000 matches. CROSS JOIN fixes
    // SQLite's loop order. PostgreSQL has tested everything already and looks up each kept match's
    // facets by key, in a LATERAL subquery behind OFFSET 0 (which it does not flatten).
    let join = match engine {
        Engine::Postgres => format!(
            "CROSS JOIN LATERAL (SELECT {FACET_SELECT} FROM search_facets x \
             WHERE x.section_id = f.section_id OFFSET 0) x"
        ),
        Engine::Sqlite => {
            format!("CROSS JOIN search_facets x ON x.ordinal = f.ordinal WHERE {filters} AND NOT {is_prefix}")
        }
    };
    format!("SELECT {FACET_SELECT}, 2 AS code_rank, {score} AS score FROM ({fts}) f {join}")
}

/// Counts a text search's matches, code matches and text matches alike, stopping [`COUNT_CAP`] past the
/// page start, and tells whether any is a code match (which most broad searches have none of, and then
/// skip looking for them). Returns the SQL (`total` and `codes`, 0 or 1) and its values.
fn plan_count(engine: Engine, term: TermId, filter: &SearchFilter, text: &Text) -> (String, Binds) {
    let mut binds = Binds::default();
    let scope = scope(term, filter, text, &mut binds);
    let codes = format!("SELECT x.section_id FROM search_facets x WHERE {} AND {}", scope.filters, scope.is_prefix);
    let mut hits = codes.clone();
    if !text.words.is_empty() {
        let text_hits = if engine == Engine::Postgres {
            // The document's own row holds its code and filter columns, sparing a facet lookup per
            // match.
            let words = binds.push(Param::Text(Some(text.ts_words())));
            let test = pg_text_test(term, filter, "x.doc", &words, &mut binds);
            let Scope { filters, filtered, is_prefix, .. } = &scope;
            let doc_hits =
                format!("SELECT x.section_id FROM section_search x WHERE {filters} AND {test} AND NOT {is_prefix}");
            if text.words.len() == 1 && !filtered {
                // One word and no filter is the search most likely to match past the cap, and its title
                // matches alone often do: they come first, from the `strong` index, whose posting lists
                // are about half the size of `doc`'s, and the matches elsewhere in the document are read
                // from `doc` only if the count has not stopped by then (2-3 ms less for "introduction"
                // at 100,000 sections). The two parts split the same matches, so the count is the same.
                let strong = pg_text_test(term, filter, "x.strong", &words, &mut binds);
                format!(
                    "SELECT x.section_id FROM section_search x WHERE {filters} AND {strong} AND NOT {is_prefix} \
                     UNION ALL {doc_hits} AND NOT x.strong @@ (SELECT to_tsquery('simple', {words}))"
                )
            } else {
                doc_hits
            }
        } else {
            text_hits(engine, term, filter, text, &scope, &mut binds, false)
        };
        hits.push_str(&format!(" UNION ALL SELECT h.section_id FROM ({text_hits}) h"));
    }
    let cap = binds.push(Param::Int(Some(i64::from(filter.offset) + COUNT_CAP + 1)));
    let sql = format!(
        "SELECT COUNT(*) AS total, (SELECT COUNT(*) FROM ({codes} LIMIT 1) c) AS codes FROM ({hits} LIMIT {cap}) t"
    );
    (sql, binds)
}

/// One page of a text search with at most [`RANKED_MATCHES`] matches, ranked exact code first, then
/// code prefix, then relevance, each course by its best section. Returns the SQL and its values.
fn plan_ranked(engine: Engine, term: TermId, filter: &SearchFilter, text: &Text) -> (String, Binds) {
    let mut binds = Binds::default();
    let scope = scope(term, filter, text, &mut binds);
    // Code matches are ordered by code alone (score 0); relevance orders only the other text matches.
    let mut hits = format!(
        "SELECT {FACET_SELECT}, CASE WHEN {} THEN 0 ELSE 1 END AS code_rank, 0.0 AS score \
         FROM search_facets x WHERE {} AND {}",
        scope.exact, scope.filters, scope.is_prefix
    );
    if !text.words.is_empty() {
        // Every word must match, each as a prefix, so results follow the student's typing.
        let text_hits = text_hits(engine, term, filter, text, &scope, &mut binds, true);
        hits.push_str(&format!(" UNION ALL {text_hits}"));
    }
    let limit = binds.push(Param::Int(Some(i64::from(filter.limit))));
    let offset = binds.push(Param::Int(Some(i64::from(filter.offset))));
    let courses = binds.push(Param::Int(Some(i64::from(filter.offset) + i64::from(filter.limit))));
    let meetings = meeting_join(engine);
    // A course ranks by its best section, so its sections stay together in the list (each section
    // scores a little differently, as their instructor lists differ in length); the course id breaks
    // ties between courses sharing a code. Every course has a hit, so the first `offset + limit`
    // courses hold the page: ranking courses and keeping those before sorting their hits spares
    // sorting (and joining) every hit. A course's code rank and codes are the same on all its hits;
    // MIN only picks that one value.
    let page = format!(
        "WITH hits AS MATERIALIZED ({hits}), \
         best AS MATERIALIZED (SELECT course_id, MIN(code_rank) AS code_rank, MIN(score) AS best, \
           MIN(compact_code) AS compact_code, MIN(course_code) AS course_code FROM hits GROUP BY course_id \
           ORDER BY 2, 3, 4, 5, 1 LIMIT {courses}), \
         ranked AS (SELECT h.section_id, b.code_rank, b.best, b.compact_code, b.course_code, b.course_id, \
           h.section_code FROM hits h JOIN best b ON b.course_id = h.course_id \
           ORDER BY b.code_rank, b.best, b.compact_code, b.course_code, b.course_id, h.section_code, h.section_id \
           LIMIT {limit} OFFSET {offset}) \
         SELECT {ROW_COLUMNS}, {MEETING_COLUMNS} FROM ranked p \
         JOIN sections s ON s.id = p.section_id JOIN courses c ON c.id = s.course_id {meetings} \
         ORDER BY p.code_rank, p.best, p.compact_code, p.course_code, p.course_id, p.section_code, p.section_id, \
         m.position"
    );
    (page, binds)
}

/// The groups a broad search lists, in order, each in code order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    /// The course code is the text, then the codes it starts.
    Code,
    /// Every word is in the course's code or title (and the code does not start with the text).
    Title,
    /// Every word is somewhere in the section's document, but not all in the course's code or title.
    Mention,
}

/// Where a text group's query looks, by ordinal: on SQLite, and for PostgreSQL's GIN index, every
/// section after `after`; for a PostgreSQL walk, the sections in `(after, to]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    After(i64),
    Walk { after: i64, to: i64 },
}

/// The first `wanted` section ids of `group` in code order (within `reach` on PostgreSQL), as one
/// `section_id` column. Returns the SQL and its values.
fn plan_group(
    engine: Engine,
    term: TermId,
    filter: &SearchFilter,
    text: &Text,
    group: Group,
    reach: Reach,
    wanted: i64,
) -> (String, Binds) {
    let mut binds = Binds::default();
    let scope = scope(term, filter, text, &mut binds);
    let Scope { filters, exact, is_prefix, longer_prefix, .. } = &scope;
    let limit = binds.push(Param::Int(Some(wanted)));
    let (first, last) = ordinal_range(term);
    let sql = match (group, engine) {
        // Each part reads its range of the code index in order and stops at the page.
        (Group::Code, _) => format!(
            "SELECT section_id FROM (\
             SELECT * FROM (SELECT 0 AS part, {FACET_SELECT} FROM search_facets x WHERE {filters} AND {exact} \
               ORDER BY {CODE_ORDER} LIMIT {limit}) e \
             UNION ALL SELECT * FROM (SELECT 1 AS part, {FACET_SELECT} FROM search_facets x \
               WHERE {filters} AND {longer_prefix} ORDER BY {CODE_ORDER} LIMIT {limit}) p) c \
             ORDER BY part, compact_code, course_code, section_code, section_id"
        ),
        (Group::Title | Group::Mention, Engine::Sqlite) => {
            // FTS5 returns matches in rowid order, which is code order, and stops reading its doclists
            // once the page is full. A column filter reads the title columns alone.
            let words = text.fts_words();
            let query = match group {
                Group::Title => format!("{SQLITE_TITLE_COLUMNS} : ({words})"),
                _ => format!("({words}) NOT {SQLITE_TITLE_COLUMNS} : ({words})"),
            };
            let query = binds.push(Param::Text(Some(query)));
            format!(
                "SELECT x.section_id FROM section_search CROSS JOIN search_facets x ON x.ordinal = section_search.rowid \
                 WHERE section_search MATCH {query} AND section_search.rowid > {first} \
                 AND section_search.rowid <= {last} AND {filters} AND NOT {is_prefix} \
                 ORDER BY section_search.rowid LIMIT {limit}"
            )
        }
        (Group::Title | Group::Mention, Engine::Postgres) => {
            let words = binds.push(Param::Text(Some(text.ts_words())));
            // Parsed once, not once per row.
            let query = format!("(SELECT to_tsquery('simple', {words}))");
            // The document's row holds its code and filter columns, so a match is tested on it alone.
            match reach {
                Reach::Walk { after, to } => {
                    let test = match group {
                        Group::Title => format!("x.strong @@ {query}"),
                        _ => format!("x.doc @@ {query} AND NOT x.strong @@ {query}"),
                    };
                    // The LIMIT keeps the walk a subquery of its own, read in index order and tested
                    // row by row until the page is full.
                    format!(
                        "SELECT x.section_id FROM (SELECT {POSTGRES_DOCUMENT_COLUMNS} FROM section_search \
                         WHERE ordinal > {after} AND ordinal <= {to} ORDER BY ordinal LIMIT {}) x \
                         WHERE {filters} AND NOT {is_prefix} AND {test} ORDER BY x.ordinal LIMIT {limit}",
                        to - after
                    )
                }
                Reach::After(after) => {
                    let test = match group {
                        Group::Title => pg_text_test(term, filter, "x.strong", &words, &mut binds),
                        _ => format!(
                            "{} AND NOT x.strong @@ {query}",
                            pg_text_test(term, filter, "x.doc", &words, &mut binds)
                        ),
                    };
                    // The matches are read from the GIN index (and'ed with a filter's index when
                    // one helps) and sorted. `+ 0` hides the ordinal index from that sort, so the
                    // planner does not walk the rest of the term in order instead.
                    format!(
                        "SELECT x.section_id FROM section_search x WHERE {filters} AND x.ordinal > {after} \
                         AND NOT {is_prefix} AND {test} ORDER BY x.ordinal + 0 LIMIT {limit}"
                    )
                }
            }
        }
    };
    (sql, binds)
}

fn query_with<'q>(sql: &'q str, binds: &[Param]) -> AnyQuery<'q> {
    bind_all(sqlx::query(sql), binds.iter().cloned())
}

/// A page's results from rows of `ROW_COLUMNS` and `MEETING_COLUMNS`, a section's rows together and
/// its meetings in source order, in the order the rows come.
fn search_rows(rows: &[AnyRow]) -> Result<Vec<SearchRow>, DbError> {
    let mut out: Vec<SearchRow> = Vec::new();
    for row in rows {
        let id: i64 = row.try_get("id")?;
        if out.last().is_none_or(|last| last.section.id != id) {
            out.push(SearchRow {
                section: row_to_section(row)?,
                course_code: row.try_get("course_code")?,
                course_title: row.try_get("course_title")?,
                course_credits: row.try_get("course_credits")?,
                meetings: Vec::new(),
            });
        }
        let position: Option<i64> = row.try_get("meeting_position")?;
        if let (Some(_), Some(last)) = (position, out.last_mut()) {
            last.meetings.push(StoredMeeting {
                days: row.try_get::<Option<String>, _>("meeting_days")?.unwrap_or_default(),
                start_minute: row.try_get("meeting_start")?,
                end_minute: row.try_get("meeting_end")?,
                location: row.try_get("meeting_location")?,
                start_date: date_column(row, "meeting_start_date")?,
                end_date: date_column(row, "meeting_end_date")?,
            });
        }
    }
    Ok(out)
}

impl Db {
    /// One page of term `term`'s live sections matching `filter`, best first; `None` if there is no
    /// such term.
    pub async fn search_sections(&self, term: TermId, filter: &SearchFilter) -> Result<Option<SearchPage>, DbError> {
        let (rows, counted) = match Text::of(filter) {
            None => {
                let (page, count, binds) = plan_browse(self.engine(), term, filter);
                let rows = query_with(&page, &binds.0).fetch_all(self.pool()).await?;
                let counted: i64 = query_with(&count, &binds.0).fetch_one(self.pool()).await?.try_get("total")?;
                (search_rows(&rows)?, counted)
            }
            Some(text) => {
                let (count, binds) = plan_count(self.engine(), term, filter, &text);
                let count = query_with(&count, &binds.0).fetch_one(self.pool()).await?;
                let counted: i64 = count.try_get("total")?;
                let has_codes = count.try_get::<i64, _>("codes")? > 0;
                let rows = if counted <= i64::from(filter.offset) {
                    Vec::new()
                } else if counted <= RANKED_MATCHES {
                    let (page, binds) = plan_ranked(self.engine(), term, filter, &text);
                    search_rows(&query_with(&page, &binds.0).fetch_all(self.pool()).await?)?
                } else {
                    let ids = broad_page(self.pool(), self.engine(), term, filter, &text, has_codes).await?;
                    rows_in_order(self.pool(), self.engine(), &ids).await?
                };
                (rows, counted)
            }
        };
        // A match is a live section of the term, so only a search without any tells whether the term
        // exists, which spares every other search a query.
        if counted == 0 {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM terms WHERE id = $1")
                .bind(term.0)
                .fetch_optional(self.pool())
                .await?;
            if exists.is_none() {
                return Ok(None);
            }
        }
        let cap = i64::from(filter.offset) + COUNT_CAP;
        let (total, total_is_lower_bound) = (counted.min(cap), counted > cap);
        Ok(Some(SearchPage { total, total_is_lower_bound, rows }))
    }
}

/// The section ids of one page of a broad text search: each group's first sections in code order,
/// group after group, until the page is full; the code group only when `has_codes`.
async fn broad_page(
    pool: &AnyPool,
    engine: Engine,
    term: TermId,
    filter: &SearchFilter,
    text: &Text,
    has_codes: bool,
) -> Result<Vec<i64>, DbError> {
    let offset = usize::try_from(filter.offset).unwrap_or(usize::MAX);
    let end = offset.saturating_add(usize::try_from(filter.limit).unwrap_or(usize::MAX));
    let text_groups: &[Group] = if text.words.is_empty() { &[] } else { &[Group::Title, Group::Mention] };
    let code_group: &[Group] = if has_codes { &[Group::Code] } else { &[] };
    let (first, last) = ordinal_range(term);
    let mut ids: Vec<i64> = Vec::new();
    for &group in code_group.iter().chain(text_groups) {
        let walks =
            engine == Engine::Postgres && group != Group::Code && filter.days.is_none() && filter.subject.is_none();
        let mut reach = if walks { Reach::Walk { after: first, to: first + WALK } } else { Reach::After(first) };
        // Sections walked and matches found in this group so far.
        let (mut walked, mut found) = (0_i64, 0_i64);
        loop {
            let Some(wanted) = end.checked_sub(ids.len()).filter(|w| *w > 0) else {
                return Ok(ids.split_off(offset.min(ids.len())));
            };
            let wanted = i64::try_from(wanted).unwrap_or(i64::MAX);
            let (sql, binds) = plan_group(engine, term, filter, text, group, reach, wanted);
            let rows = query_with(&sql, &binds.0).fetch_all(pool).await?;
            for row in &rows {
                ids.push(row.try_get("section_id")?);
            }
            let Reach::Walk { after, to } = reach else { break };
            let got = i64::try_from(rows.len()).unwrap_or(i64::MAX);
            if got == wanted {
                continue;
            }
            if to >= last {
                break;
            }
            walked += to - after;
            found += got;
            // At the density seen so far, the sections left to walk to fill the page; a window without a
            // match (or past the term's end) leaves the rest to the index. The next window is twice that:
            // the walk stops at the page, so a longer window costs only if matches thin out, while one too
            // short costs another query (a deep page, 120 title matches for page 6, took three windows at
            // one and a half times). It never exceeds the longest window it had at that factor.
            let expected = if got == 0 { i64::MAX } else { (wanted - got).saturating_mul(walked) / found };
            reach = if expected <= MAX_WALK {
                let window = expected.saturating_mul(2).clamp(WALK, MAX_WALK + MAX_WALK / 2);
                Reach::Walk { after: to, to: to.saturating_add(window).min(last) }
            } else {
                Reach::After(to)
            };
        }
    }
    Ok(ids.split_off(offset.min(ids.len())))
}

/// The result rows of sections `ids`, with their meetings, in that order.
async fn rows_in_order(pool: &AnyPool, engine: Engine, ids: &[i64]) -> Result<Vec<SearchRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut binds = Binds::default();
    let placeholders: Vec<String> = ids.iter().map(|id| binds.push(Param::Int(Some(*id)))).collect();
    let sql = format!(
        "SELECT {ROW_COLUMNS}, {MEETING_COLUMNS} FROM sections s JOIN courses c ON c.id = s.course_id {} \
         WHERE s.id IN ({}) ORDER BY s.id, m.position",
        meeting_join(engine),
        placeholders.join(", ")
    );
    let mut rows = search_rows(&query_with(&sql, &binds.0).fetch_all(pool).await?)?;
    let place: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|row| place.get(&row.section.id).copied().unwrap_or(usize::MAX));
    Ok(rows)
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
    fn test_text_words_match_each_as_a_prefix_on_both_engines() {
        let filter = SearchFilter { text: Some("  Data-Structures (CS 2) ".to_owned()), ..SearchFilter::default() };
        let text = Text::of(&filter).expect("text");
        assert_eq!(text.compact, "data-structures(cs2)");
        assert_eq!(text.fts_words(), "\"data\"* \"structures\"* \"cs\"* \"2\"*");
        assert_eq!(text.ts_words(), "data:* & structures:* & cs:* & 2:*");
        let blank = SearchFilter { text: Some("   ".to_owned()), ..SearchFilter::default() };
        assert!(Text::of(&blank).is_none());
        let punctuation = SearchFilter { text: Some("%_*".to_owned()), ..SearchFilter::default() };
        assert!(Text::of(&punctuation).expect("text").words.is_empty());
    }

    #[test]
    fn test_ordinal_ranges_of_terms_do_not_overlap() {
        let (first, last) = ordinal_range(TermId(7));
        assert_eq!((first, last), (7 << 32, (8 << 32) - 1));
        assert!(ordinal_range(TermId(8)).0 >= last);
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
