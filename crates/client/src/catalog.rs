//! The course catalog as the app uses it: the terms of the student's university and search over a
//! term's sections, both kept in the cache so the Timetable tab still lists terms and recent search
//! results with the backend out of reach. Cached search results also supply a section's details
//! when the student adds it to a plan offline.

use crate::client::Client;
use crate::error::ClientError;
use crate::http::ApiRequest;
use pretzel_api::shell::SearchResults;
use pretzel_api::{Meeting, SearchHit, SearchQuery, SearchResponse, SectionId, Term, TermId, TimetableSection};

impl Client {
    /// The terms of the signed-in student's university, newest first; the cached list when the
    /// backend is unreachable.
    pub async fn terms(&self) -> Result<Vec<Term>, ClientError> {
        let university = self.cached_me().ok_or(ClientError::NotSignedIn)?.university.id;
        let request = ApiRequest::get(format!("/universities/{university}/terms"));
        match self.send::<Vec<Term>>(&request, None).await {
            Ok(terms) => {
                if let Err(error) = self.inner.cache.save_terms(university, &terms) {
                    tracing::warn!(%error, "could not cache the terms");
                }
                Ok(terms)
            }
            Err(error) if error.is_offline() => match self.inner.cache.terms(university) {
                Ok(Some(cached)) => Ok(cached),
                _ => Err(error),
            },
            Err(error) => Err(error),
        }
    }

    /// One page of a term's sections matching `query`. The results of the most recent distinct
    /// searches are cached; with the backend unreachable the cached results of the same search are
    /// answered with `offline: true`, and without them the request fails as offline.
    pub async fn search(&self, term: TermId, query: &SearchQuery) -> Result<SearchResults, ClientError> {
        let key = query_key(query)?;
        let request = ApiRequest::get(format!("/terms/{term}/search{}", query_string(query)?));
        match self.send::<SearchResponse>(&request, None).await {
            Ok(response) => {
                if let Err(error) = self.inner.cache.save_search_results(term, &key, &response) {
                    tracing::warn!(%error, "could not cache the search results");
                }
                Ok(SearchResults { response, offline: false })
            }
            Err(error) if error.is_offline() => match self.inner.cache.search_results(term, &key) {
                Ok(Some(response)) => Ok(SearchResults { response, offline: true }),
                _ => Err(error),
            },
            Err(error) => Err(error),
        }
    }

    /// A section's details from the cached search results of `term`, as a plan would hold it.
    pub(crate) fn cached_section(
        &self,
        term: TermId,
        section: SectionId,
    ) -> Result<Option<TimetableSection>, ClientError> {
        let pages = self.inner.cache.search_pages(term)?;
        Ok(pages.iter().flat_map(|page| &page.results).find(|hit| hit.section_id == section).map(section_of_hit))
    }
}

/// The cache key of a search: the query with its free text trimmed, lower-cased and its spaces
/// collapsed, and its codes upper-cased, so "CS 225 " and "cs  225" share one entry (the server
/// treats them alike).
pub(crate) fn query_key(query: &SearchQuery) -> Result<String, ClientError> {
    let text = |value: &Option<String>, upper: bool| {
        value
            .as_deref()
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|v| !v.is_empty())
            .map(|v| if upper { v.to_uppercase() } else { v.to_lowercase() })
    };
    let normalised = SearchQuery {
        q: text(&query.q, false),
        subject: text(&query.subject, true),
        days: text(&query.days, true),
        after: text(&query.after, false),
        before: text(&query.before, false),
        ..query.clone()
    };
    serde_json::to_string(&normalised).map_err(|source| ClientError::Encode { what: "search query", source })
}

/// `?q=…&subject=…` for the fields that are set (empty when none is).
fn query_string(query: &SearchQuery) -> Result<String, ClientError> {
    let fields = match serde_json::to_value(query) {
        Ok(serde_json::Value::Object(fields)) => fields,
        Ok(_) => return Ok(String::new()),
        Err(source) => return Err(ClientError::Encode { what: "search query", source }),
    };
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        match value {
            serde_json::Value::String(text) => serializer.append_pair(&name, &text),
            serde_json::Value::Null => continue,
            other => serializer.append_pair(&name, &other.to_string()),
        };
    }
    let encoded = serializer.finish();
    Ok(if encoded.is_empty() { encoded } else { format!("?{encoded}") })
}

/// A search hit as a plan entry, for a change queued offline; nobody else is counted until the server
/// answers.
pub(crate) fn section_of_hit(hit: &SearchHit) -> TimetableSection {
    TimetableSection {
        section_id: hit.section_id,
        registration_id: hit.registration_id.clone(),
        course_code: hit.course_code.clone(),
        title: hit.title.clone(),
        section: hit.section.clone(),
        kind: hit.kind.clone(),
        instructors: hit.instructors.clone(),
        credits: hit.credits.clone(),
        meetings: hit
            .meetings
            .iter()
            .map(|m| Meeting {
                days: m.days.clone(),
                start: m.start.clone(),
                end: m.end.clone(),
                location: m.location.clone(),
                start_date: m.start_date,
                end_date: m.end_date,
            })
            .collect(),
        students: hit.students,
        removed_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_equivalent_searches_share_a_cache_key() {
        let a = SearchQuery { q: Some("  CS   225 ".into()), subject: Some("cs".into()), ..SearchQuery::default() };
        let b = SearchQuery { q: Some("cs 225".into()), subject: Some("CS".into()), ..SearchQuery::default() };
        assert_eq!(query_key(&a).expect("key"), query_key(&b).expect("key"));
        let other_page = SearchQuery { offset: Some(20), ..b.clone() };
        assert_ne!(query_key(&other_page).expect("key"), query_key(&b).expect("key"));
        let blank = SearchQuery { q: Some("   ".into()), ..SearchQuery::default() };
        assert_eq!(query_key(&blank).expect("key"), query_key(&SearchQuery::default()).expect("key"));
    }

    #[test]
    fn test_query_strings_encode_only_the_set_fields() {
        assert_eq!(query_string(&SearchQuery::default()).expect("encode"), "");
        let query = SearchQuery {
            q: Some("data & systems".into()),
            open: Some(true),
            limit: Some(50),
            ..SearchQuery::default()
        };
        let encoded = query_string(&query).expect("encode");
        assert!(encoded.starts_with('?'), "{encoded}");
        let mut pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(encoded.trim_start_matches('?').as_bytes()).into_owned().collect();
        pairs.sort();
        assert_eq!(
            pairs,
            [("limit".into(), "50".into()), ("open".into(), "true".into()), ("q".into(), "data & systems".into())]
        );
    }
}
