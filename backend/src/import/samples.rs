//! The sample catalogs shipped in `assets/catalogs/`, imported on a server's first start so a new
//! student can look for courses at once.
//!
//! A term is imported only while it is not stored yet: later starts, and a newer catalog of the same
//! term imported with `pretzel-backend import`, are never overwritten by the old sample. A term's
//! files (Purdue publishes one Banner page per subject) are joined into one catalog, because an import
//! is a term's whole catalog and a page imported alone would mark every other subject removed. Files
//! are found by name, `<term code>[.<anything>].<extension>`, so pages that are not a term's listing
//! (the empty search, the term picker) are left alone. A missing folder or an unreadable file is
//! logged and skipped: samples are a convenience, and the server is useful without them.

use super::{Format, ImportError, ParseReport};
use crate::db::catalog::ImportOrigin;
use crate::db::{Db, DbError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One university's shipped catalog files.
struct SampleSet {
    /// The university's short name, as seeded from `assets/universities.json`.
    university: &'static str,
    /// The folder under `assets/catalogs/`.
    folder: &'static str,
    /// The files' format.
    format: Format,
    /// The files' extension.
    extension: &'static str,
}

/// UIUC's files are left out on purpose: their source grants no licence to ship them, so they stay
/// test fixtures (`assets/catalogs/README.md`).
const SAMPLE_SETS: [SampleSet; 2] = [
    SampleSet { university: "UMD", folder: "umd", format: Format::UmdioJson, extension: "json" },
    SampleSet { university: "Purdue", folder: "purdue", format: Format::Banner8Html, extension: "html" },
];

/// What loading the samples did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SampleLoad {
    /// Terms imported now, as `UMD 201905`.
    pub imported: Vec<String>,
    /// Terms left alone because they were already stored.
    pub already_stored: usize,
    /// Terms skipped because a file could not be read or parsed.
    pub failed: usize,
}

/// Why a sample term was skipped.
#[derive(Debug, thiserror::Error)]
enum SampleError {
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O failure.
        source: std::io::Error,
    },
    /// A file is not a catalog in its folder's format.
    #[error("cannot import {}: {source}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the importer said.
        source: ImportError,
    },
    /// The parser panicked.
    #[error("the parser stopped unexpectedly: {0}")]
    Panicked(#[from] tokio::task::JoinError),
}

/// Imports every shipped sample term not stored yet, from `assets_dir/catalogs/`.
pub async fn load_sample_catalogs(db: &Db, assets_dir: &Path) -> Result<SampleLoad, DbError> {
    let catalogs = assets_dir.join("catalogs");
    let mut load = SampleLoad::default();
    if !catalogs.is_dir() {
        tracing::warn!(folder = %catalogs.display(), "no sample catalogs folder; starting without sample catalogs");
        return Ok(load);
    }
    for set in &SAMPLE_SETS {
        let Some(university) = db.find_university(set.university).await? else {
            tracing::warn!(university = set.university, "sample catalog's university is not seeded; skipped");
            continue;
        };
        for (code, files) in term_files(&catalogs.join(set.folder), set.extension) {
            if db.term_by_code(university.id, &code).await?.is_some() {
                load.already_stored += 1;
                continue;
            }
            let started = Instant::now();
            let started_at = crate::db::now_millis();
            let format = set.format;
            let paths = files.clone();
            // Parsing a megabyte of HTML or JSON is CPU work: keep it off the async workers.
            let parsed = tokio::task::spawn_blocking(move || parse_term(format, &paths)).await;
            let report = match parsed.map_err(SampleError::from).and_then(|r| r) {
                Ok(report) => report,
                Err(error) => {
                    tracing::warn!(university = set.university, term = %code, %error, "sample catalog skipped");
                    load.failed += 1;
                    continue;
                }
            };
            let parsed_in = started.elapsed();
            let sources: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
            let origin = ImportOrigin { format, sources: &sources, started_at };
            db.apply_import(university.id, &code, &report, &origin).await?;
            tracing::info!(
                university = set.university,
                term = %code,
                courses = report.course_count(),
                sections = report.section_count(),
                parse_ms = parsed_in.as_millis(),
                total_ms = started.elapsed().as_millis(),
                "sample catalog imported"
            );
            load.imported.push(format!("{} {code}", set.university));
        }
    }
    Ok(load)
}

/// The folder's catalog files grouped by term code (the file name up to its first dot, when all
/// digits), each group sorted; an unreadable folder has none.
fn term_files(folder: &Path, extension: &str) -> BTreeMap<String, Vec<PathBuf>> {
    let mut terms: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) => {
            tracing::warn!(folder = %folder.display(), %error, "cannot list sample catalogs");
            return terms;
        }
    };
    for path in entries.filter_map(Result::ok).map(|entry| entry.path()) {
        if path.extension().and_then(|e| e.to_str()) != Some(extension) {
            continue;
        }
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let code = name.split('.').next().unwrap_or_default();
        if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) {
            terms.entry(code.to_owned()).or_default().push(path);
        }
    }
    for files in terms.values_mut() {
        files.sort();
    }
    terms
}

/// Reads and parses a term's files and joins them into its one catalog.
fn parse_term(format: Format, files: &[PathBuf]) -> Result<ParseReport, SampleError> {
    let mut documents = Vec::with_capacity(files.len());
    for path in files {
        let bytes = std::fs::read(path).map_err(|source| SampleError::Read { path: path.clone(), source })?;
        let report =
            format.importer().parse(&bytes).map_err(|source| SampleError::Parse { path: path.clone(), source })?;
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        documents.push((name, report));
    }
    Ok(ParseReport::merge(documents))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_term_files_are_grouped_by_the_code_their_names_start_with() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in [
            "202130.CS.listing.html",
            "202130.COM.listing.html",
            "202210.MA.listing.html",
            "empty_listing.html",
            "bwckschd.p_disp_dyn_sched.html",
            "202130.notes.txt",
        ] {
            std::fs::write(dir.path().join(name), "").expect("write");
        }
        let terms = term_files(dir.path(), "html");
        let names: Vec<(&str, Vec<String>)> = terms
            .iter()
            .map(|(code, files)| {
                let names = files.iter().map(|f| f.file_name().expect("name").to_string_lossy().into_owned());
                (code.as_str(), names.collect())
            })
            .collect();
        assert_eq!(
            names,
            [
                ("202130", vec!["202130.COM.listing.html".to_owned(), "202130.CS.listing.html".to_owned()]),
                ("202210", vec!["202210.MA.listing.html".to_owned()]),
            ]
        );
        assert!(term_files(&dir.path().join("missing"), "html").is_empty());
    }
}
