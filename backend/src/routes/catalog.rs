//! The course catalog over HTTP: `GET /api/v1/universities/{id}/terms`, the imported terms a client's
//! term picker offers, and `GET /api/v1/terms/{term_id}/search`, search over a term's sections.
//!
//! Both are public, without sign-in: a catalog is public fact that universities publish themselves,
//! and a prospective student should be able to browse before making an account.

use crate::db::search::{DAY_LETTERS, SearchFilter, SearchRow};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use pretzel_api::{
    ErrorBody, FieldError, SearchHit, SearchMeeting, SearchResponse, SectionId, Term, TermId, UniversityId,
};

/// The university's imported terms, newest first, with how many sections each offers.
#[utoipa::path(get, path = "/api/v1/universities/{id}/terms", tag = "catalog",
    params(("id" = i64, Path, description = "The university's id")),
    responses(
        (status = 200, body = [Term]),
        (status = 404, description = "No university with this id", body = ErrorBody),
    ))]
pub async fn terms(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Vec<Term>>, ApiError> {
    // A non-numeric id names no university, which is the same answer as an unknown one.
    let Path(id) = id.map_err(|_| ApiError::NotFound)?;
    let university = UniversityId(id);
    if state.db.university(university).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    Ok(Json(state.db.list_terms(university).await?))
}

/// Default page size.
const DEFAULT_LIMIT: u32 = 20;
/// Largest page: enough for a screen of results, small enough that one request stays cheap.
const MAX_LIMIT: u32 = 100;
/// Deepest page start: nobody pages further by hand, and deep offsets cost the database a full sort.
const MAX_OFFSET: u32 = 10_000;
/// Longest free text accepted.
const MAX_QUERY_CHARS: usize = 200;

/// Search over a term's current sections: free text over course code ("CS 225", "cs225", "cs 2"),
/// title, instructor and description, with filters. Exact course-code matches come first, then
/// code-prefix matches, then by text relevance, then by course code. Without text, `total` counts up
/// to 1,000 past `offset` and then says it is a lower bound. Public: no sign-in needed.
#[utoipa::path(get, path = "/api/v1/terms/{term_id}/search", tag = "catalog",
    params(
        ("term_id" = i64, Path, description = "The term's id"),
        ("q" = Option<String>, Query, description = "Free text, at most 200 characters"),
        ("subject" = Option<String>, Query, description = "Subject code, e.g. CS"),
        ("days" = Option<String>, Query, description = "Only sections meeting on these days and no others, letters of MTWRFSU, e.g. MW"),
        ("after" = Option<String>, Query, description = "Timed meetings all start at or after HH:MM"),
        ("before" = Option<String>, Query, description = "Timed meetings all end at or before HH:MM"),
        ("credits" = Option<u32>, Query, description = "Credits: exactly, as one of \"3 or 4\", or within a range \"1-4\""),
        ("open" = Option<bool>, Query, description = "true: only sections with open seats"),
        ("limit" = Option<u32>, Query, description = "Page size, 1 to 100, default 20"),
        ("offset" = Option<u32>, Query, description = "Matches to skip, at most 10000"),
    ),
    responses(
        (status = 200, body = SearchResponse),
        (status = 404, description = "No term with this id", body = ErrorBody),
        (status = 422, description = "A parameter is invalid; see `fields`", body = ErrorBody),
    ))]
pub async fn search(
    State(state): State<AppState>,
    term_id: Result<Path<i64>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<SearchResponse>, ApiError> {
    let Path(term_id) = term_id.map_err(|_| ApiError::NotFound)?;
    let Query(pairs) = query.map_err(|_| {
        ApiError::Validation(vec![field_error("query", "invalid", "The query string could not be read.")])
    })?;
    let filter = parse_search(&pairs)?;
    let page = state.db.search_sections(TermId(term_id), &filter).await?.ok_or(ApiError::NotFound)?;
    let mut results: Vec<SearchHit> = page.rows.into_iter().map(hit).collect();
    let ids: Vec<SectionId> = results.iter().map(|hit| hit.section_id).collect();
    let demand = state.db.section_demand(&ids).await?;
    for result in &mut results {
        result.students = demand.get(&result.section_id).copied().unwrap_or(0);
    }
    Ok(Json(SearchResponse {
        total: u64::try_from(page.total).unwrap_or(0),
        total_is_lower_bound: page.total_is_lower_bound,
        results,
    }))
}

fn field_error(field: &str, code: &str, message: &str) -> FieldError {
    FieldError { field: field.to_owned(), code: code.to_owned(), message: message.to_owned() }
}

/// Reads the query string into a filter, naming every bad parameter at once.
fn parse_search(pairs: &[(String, String)]) -> Result<SearchFilter, ApiError> {
    let mut filter = SearchFilter { limit: DEFAULT_LIMIT, ..SearchFilter::default() };
    let mut errors = Vec::new();
    for (name, value) in pairs {
        let value = value.trim();
        match name.as_str() {
            "q" if value.chars().count() > MAX_QUERY_CHARS => {
                errors.push(field_error("q", "too_long", "Search text is limited to 200 characters."));
            }
            "q" => filter.text = Some(value.to_owned()).filter(|v| !v.is_empty()),
            "subject" if value.is_empty() || value.len() > 16 || !value.chars().all(|c| c.is_ascii_alphanumeric()) => {
                errors.push(field_error("subject", "invalid", "A subject is a code of letters and digits, e.g. CS."));
            }
            "subject" => filter.subject = Some(value.to_owned()),
            "days" => {
                let upper = value.to_ascii_uppercase();
                if upper.is_empty() || !upper.chars().all(|d| DAY_LETTERS.contains(d)) {
                    errors.push(field_error("days", "invalid", "Days are letters of MTWRFSU, e.g. MW."));
                } else {
                    filter.days = Some(upper);
                }
            }
            "after" | "before" => match parse_clock(value) {
                Some(minute) if name == "after" => filter.after_minute = Some(minute),
                Some(minute) => filter.before_minute = Some(minute),
                None => errors.push(field_error(name, "invalid", "A time is HH:MM, from 00:00 to 24:00.")),
            },
            "credits" => match value.parse::<u32>() {
                Ok(credits) if credits <= 30 => filter.credits = Some(credits),
                _ => errors.push(field_error("credits", "invalid", "Credits are a whole number from 0 to 30.")),
            },
            "open" => match value {
                "true" => filter.open_only = true,
                "false" => filter.open_only = false,
                _ => errors.push(field_error("open", "invalid", "`open` is true or false.")),
            },
            "limit" => match value.parse::<u32>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => filter.limit = limit,
                _ => errors.push(field_error("limit", "out_of_range", "`limit` is from 1 to 100.")),
            },
            "offset" => match value.parse::<u32>() {
                Ok(offset) if offset <= MAX_OFFSET => filter.offset = offset,
                _ => errors.push(field_error("offset", "out_of_range", "`offset` is from 0 to 10000.")),
            },
            // A misspelt filter silently ignored would show results the student did not ask for.
            _ => errors.push(field_error(name, "unknown", "This search parameter is not known.")),
        }
    }
    if let (Some(after), Some(before)) = (filter.after_minute, filter.before_minute)
        && after >= before
    {
        errors.push(field_error("before", "invalid", "`before` must be later than `after`."));
    }
    if errors.is_empty() { Ok(filter) } else { Err(ApiError::Validation(errors)) }
}

/// `HH:MM` (00:00 to 24:00) as minutes since midnight.
fn parse_clock(text: &str) -> Option<i64> {
    let (hours, minutes) = text.split_once(':')?;
    let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(hours) || !digits(minutes) {
        return None;
    }
    let (hours, minutes): (i64, i64) = (hours.parse().ok()?, minutes.parse().ok()?);
    let valid = (hours < 24 && minutes < 60) || (hours == 24 && minutes == 0);
    valid.then_some(hours * 60 + minutes)
}

/// Minutes since midnight as `HH:MM`.
fn clock(minute: i64) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

fn hit(row: SearchRow) -> SearchHit {
    let SearchRow { section, course_code, course_title, course_credits, meetings } = row;
    SearchHit {
        section_id: SectionId(section.id),
        registration_id: section.registration_id,
        course_code,
        title: section.title.unwrap_or(course_title),
        section: section.section_code,
        kind: section.kind,
        instructors: section.instructors.into_iter().map(|i| i.name).collect(),
        credits: section.credits.or(course_credits),
        open_seats: section.open_seats.and_then(|n| u32::try_from(n).ok()),
        meetings: meetings
            .into_iter()
            .map(|m| SearchMeeting {
                days: m.days,
                start: m.start_minute.map(clock),
                end: m.end_minute.map(clock),
                location: m.location,
                start_date: m.start_date,
                end_date: m.end_date,
            })
            .collect(),
        students: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_clock_times_parse_within_the_day() {
        assert_eq!(parse_clock("09:00"), Some(540));
        assert_eq!(parse_clock("24:00"), Some(1440));
        for bad in ["25:00", "24:01", "9:00", "09:60", "0900", "ab:cd", ""] {
            assert_eq!(parse_clock(bad), None, "{bad}");
        }
        assert_eq!(clock(545), "09:05");
    }
}
