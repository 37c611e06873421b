//! The scheduled catalog refresh: one task per configured `[[catalog_sources]]` entry that downloads
//! the term's documents, parses and joins them, and writes them with [`Db::apply_import`], then waits
//! for the next tick.
//!
//! It walks the very road of `pretzel-backend import` ([`read_catalog`] is shared with that command),
//! so a scheduled import and a manual one cannot disagree. An attempt that fails anywhere (a download,
//! a parse past the bad-row threshold, a catalog that comes back empty, the database) writes nothing:
//! the stored catalog stays as it was, the failure is logged at `warn` with the time of the last
//! success, and the next attempt comes after a pause that starts at a minute and doubles up to the
//! interval, so a broken publisher is neither hammered nor forgotten for hours. Several server nodes
//! may run the same sources: an import is a whole term applied in one transaction and compared by
//! content, so a second identical import changes nothing, and one that loses a race with another
//! node's fails, is logged, and finds nothing left to change next time. The tasks stop with the
//! server: a refresh in flight is dropped (an open transaction rolls back) rather than waited for.

use super::fetch::{FetchError, FetchPolicy, read_source};
use super::{Format, ImportError, ParseReport};
use crate::config::{CatalogSource, Config};
use crate::db::catalog::{ImportOrigin, ImportReport};
use crate::db::{Db, DbError};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The first pause after a failed refresh; each further failure doubles it, up to the interval.
const FIRST_RETRY_PAUSE: Duration = Duration::from_secs(60);

/// Why a term's documents could not be read as one catalog.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A document could not be read or downloaded.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// A document is not a catalog in the given format, or too much of it is malformed.
    #[error("cannot import {document} as {format}: {error}")]
    Parse {
        /// The document's path or URL.
        document: String,
        /// The format it was read as.
        format: &'static str,
        /// What the importer said; part of this error's message rather than its `source()`, so the
        /// one-line log and the command's report both show it, and only once.
        error: ImportError,
    },
    /// The parser panicked.
    #[error("the parser stopped unexpectedly: {0}")]
    Panicked(#[from] tokio::task::JoinError),
}

/// Reads every document of a term (`sources`: file paths or http(s) URLs, downloaded under `policy`),
/// parses each as `format` and joins them into the term's one catalog. Any failure fails the whole
/// catalog, because an import is a term's whole catalog and a missing page would read as removals.
pub async fn read_catalog(
    format: Format,
    sources: &[String],
    policy: &FetchPolicy,
) -> Result<ParseReport, CatalogError> {
    let mut documents = Vec::with_capacity(sources.len());
    for source in sources {
        let bytes = read_source(source, policy).await?;
        // Parsing a megabyte of HTML or JSON is CPU work: keep it off the async workers.
        let report = tokio::task::spawn_blocking(move || format.importer().parse(&bytes))
            .await?
            .map_err(|error| CatalogError::Parse { document: source.clone(), format: format.name(), error })?;
        tracing::info!(
            source = %source,
            courses = report.course_count(),
            sections = report.section_count(),
            meetings = report.meeting_count(),
            skipped = report.skipped.len(),
            "parsed"
        );
        documents.push((source.clone(), report));
    }
    Ok(ParseReport::merge(documents))
}

/// Why one refresh of a source wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// The documents could not be read as a catalog.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The documents parsed but list no section at all. Applied, that would mark the whole term
    /// removed; a publisher's empty or placeholder page is far likelier than a term with no classes.
    #[error("the sources list no sections; the stored catalog is kept")]
    Empty,
    /// The configured university is not one the server knows.
    #[error("unknown university {0:?}")]
    UnknownUniversity(String),
    /// The database failed (or another node's import of the same term won a race).
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The running refresh tasks; [`Refreshers::stop`] ends them.
#[derive(Debug)]
pub struct Refreshers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Refreshers {
    /// Starts one task per configured catalog source; each refreshes at once, then every interval.
    pub fn start(config: &Config, db: &Db) -> Self {
        let (stop, stopped) = watch::channel(false);
        let tasks = config
            .catalog_sources
            .iter()
            .map(|source| {
                let policy = policy_for(source.interval(), config.import_contact.as_deref());
                tokio::spawn(refresh_loop(source.clone(), db.clone(), policy, stopped.clone()))
            })
            .collect();
        Self { stop, tasks }
    }

    /// Tells every task to stop, dropping a refresh in flight, and waits until they have.
    pub async fn stop(self) {
        // Sending fails only when no task is left to hear it.
        let _ = self.stop.send(true);
        for task in self.tasks {
            if let Err(error) = task.await {
                tracing::error!(%error, "a catalog refresh task failed");
            }
        }
    }
}

/// The download policy of one source: the defaults, with retries within one refresh kept well inside
/// the interval, so a short interval is not overrun by the pauses between tries.
fn policy_for(interval: Duration, contact: Option<&str>) -> FetchPolicy {
    let mut policy = FetchPolicy::new(contact);
    policy.first_backoff = policy.first_backoff.min(interval / 8);
    policy.max_backoff = policy.max_backoff.min(interval / 2);
    policy
}

/// The pause before the next try after `failures` failed refreshes in a row.
fn retry_pause(interval: Duration, failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    FIRST_RETRY_PAUSE.saturating_mul(1 << doublings).min(interval)
}

/// Completes once the server is stopping (or whoever could stop it is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopping| *stopping).await;
}

async fn refresh_loop(source: CatalogSource, db: Db, policy: FetchPolicy, mut stop: watch::Receiver<bool>) {
    let interval = source.interval();
    let (university, term) = (source.university.as_str(), source.term.as_str());
    tracing::info!(
        university,
        term,
        format = source.format.name(),
        urls = ?source.urls,
        ?interval,
        "catalog refresh scheduled"
    );
    let mut failures: u32 = 0;
    let mut last_success: Option<i64> = None;
    loop {
        let outcome = tokio::select! {
            () = stopped(&mut stop) => return,
            outcome = refresh_once(&source, &db, &policy) => outcome,
        };
        let pause = match outcome {
            Ok(report) => {
                failures = 0;
                last_success = Some(crate::db::now_millis());
                tracing::info!(
                    university,
                    term,
                    run = report.run_id,
                    unchanged = report.is_unchanged(),
                    sections_added = report.sections.added.len(),
                    sections_changed = report.sections.changed.len(),
                    sections_removed = report.sections.removed.len(),
                    "catalog refreshed"
                );
                interval
            }
            Err(error @ RefreshError::UnknownUniversity(_)) => {
                // The universities are seeded at start; retrying cannot make this one appear.
                tracing::error!(university, term, %error, "catalog refresh disabled for this source");
                return;
            }
            Err(error) => {
                failures = failures.saturating_add(1);
                let pause = retry_pause(interval, failures);
                tracing::warn!(
                    university,
                    term,
                    %error,
                    failures,
                    last_success_ms = last_success,
                    retry_in_secs = pause.as_secs_f64(),
                    "catalog refresh failed; the stored catalog is unchanged"
                );
                pause
            }
        };
        tokio::select! {
            () = stopped(&mut stop) => return,
            () = tokio::time::sleep(pause) => {}
        }
    }
}

/// One refresh: download, parse, join and apply, or write nothing.
async fn refresh_once(source: &CatalogSource, db: &Db, policy: &FetchPolicy) -> Result<ImportReport, RefreshError> {
    let started_at = crate::db::now_millis();
    let university = db
        .find_university(&source.university)
        .await?
        .ok_or_else(|| RefreshError::UnknownUniversity(source.university.clone()))?;
    let report = read_catalog(source.format, &source.urls, policy).await?;
    if report.section_count() == 0 {
        return Err(RefreshError::Empty);
    }
    let origin = ImportOrigin { format: source.format, sources: &source.urls, started_at };
    Ok(db.apply_import(university.id, &source.term, &report, &origin).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_retries_back_off_from_a_minute_up_to_the_interval() {
        let six_hours = Duration::from_secs(6 * 60 * 60);
        let pauses: Vec<u64> = (1..=10).map(|n| retry_pause(six_hours, n).as_secs() / 60).collect();
        assert_eq!(pauses, [1, 2, 4, 8, 16, 32, 64, 128, 256, 360]);
        assert_eq!(retry_pause(six_hours, u32::MAX), six_hours);
        assert_eq!(retry_pause(Duration::from_secs(1), 1), Duration::from_secs(1));
    }

    #[test]
    fn test_download_retries_fit_within_a_short_interval() {
        let policy = policy_for(Duration::from_secs(2), None);
        assert_eq!((policy.first_backoff, policy.max_backoff), (Duration::from_millis(250), Duration::from_secs(1)));
        let policy = policy_for(Duration::from_secs(6 * 60 * 60), Some("mailto:ops@pretzel.example"));
        assert_eq!((policy.first_backoff, policy.max_backoff), (Duration::from_secs(2), Duration::from_secs(60)));
        assert!(policy.user_agent.ends_with("(+mailto:ops@pretzel.example)"));
    }
}
