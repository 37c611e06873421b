//! Search benchmark (`cargo xtask bench search`): imports every sample catalog and a synthetic term of
//! about 100,000 sections into a temporary SQLite database, then times a fixed set of queries through
//! [`Db::search_sections`], the function the HTTP search route calls, and prints p50/p99 per query.

use anyhow::{Context, Result, bail};
use clap::Parser;
use pretzel_api::TermId;
use pretzel_backend::db::Db;
use pretzel_backend::db::catalog::ImportOrigin;
use pretzel_backend::db::search::SearchFilter;
use pretzel_backend::import::{CourseRecord, Format, ParseReport};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Times course search over the sample catalogs and a synthetic large term.
#[derive(Debug, Parser)]
#[command(name = "pretzel-bench-search")]
struct Args {
    /// Timed runs of each query on each term.
    #[arg(long, default_value_t = 200)]
    iterations: usize,
    /// Untimed runs of each query before timing it.
    #[arg(long, default_value_t = 20)]
    warmup: usize,
    /// Sections in the synthetic term (at least; whole courses are copied).
    #[arg(long, default_value_t = 100_000)]
    synthetic_sections: usize,
    /// The shipped assets folder holding `catalogs/`.
    #[arg(long, default_value = "assets")]
    assets: PathBuf,
}

/// One sample term: which university, its code, its format and its files.
struct Sample {
    university: &'static str,
    code: &'static str,
    format: Format,
    files: &'static [&'static str],
}

/// Every shipped sample catalog, relative to `assets/catalogs/`. Purdue first: the synthetic term
/// keeps the first catalog's names unchanged, so its exact-code queries have an exact match.
const SAMPLES: [Sample; 5] = [
    Sample {
        university: "Purdue",
        code: "202130",
        format: Format::Banner8Html,
        files: &["purdue/202130.COM.bwckschd.p_get_crse_unsec.html", "purdue/202130.CS.bwckschd.p_get_crse_unsec.html"],
    },
    Sample { university: "UIUC", code: "2025-su", format: Format::UiucCsv, files: &["uiuc/2025-su.csv"] },
    Sample { university: "UIUC", code: "2025-wi", format: Format::UiucCsv, files: &["uiuc/2025-wi.csv"] },
    Sample { university: "UMD", code: "201905", format: Format::UmdioJson, files: &["umd/201905.json"] },
    Sample { university: "UMD", code: "201912", format: Format::UmdioJson, files: &["umd/201912.json"] },
];

/// A named query of the fixed set.
struct Query {
    name: &'static str,
    filter: SearchFilter,
}

/// The route's default page size.
const PAGE: u32 = 20;

fn text(name: &'static str, text: &str) -> Query {
    Query { name, filter: SearchFilter { text: Some(text.to_owned()), limit: PAGE, ..SearchFilter::default() } }
}

fn queries() -> Vec<Query> {
    vec![
        text("exact code \"CS 15900\"", "CS 15900"),
        text("compact code \"cs159\"", "cs159"),
        text("code prefix \"cs 1\"", "cs 1"),
        text("title word \"programming\"", "programming"),
        text("instructor \"goldwasser\"", "goldwasser"),
        text("description word \"introduction\"", "introduction"),
        text("two words \"data structures\"", "data structures"),
        Query {
            name: "days MW, 09:00-17:00",
            filter: SearchFilter {
                days: Some("MW".to_owned()),
                after_minute: Some(9 * 60),
                before_minute: Some(17 * 60),
                limit: PAGE,
                ..SearchFilter::default()
            },
        },
        Query { name: "open seats", filter: SearchFilter { open_only: true, limit: PAGE, ..SearchFilter::default() } },
        Query {
            name: "subject CS",
            filter: SearchFilter { subject: Some("CS".to_owned()), limit: PAGE, ..SearchFilter::default() },
        },
        Query {
            name: "\"intro\" + subject CS + open",
            filter: SearchFilter {
                text: Some("intro".to_owned()),
                subject: Some("CS".to_owned()),
                open_only: true,
                limit: PAGE,
                ..SearchFilter::default()
            },
        },
    ]
}

/// A temporary folder removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<Self> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let path = std::env::temp_dir().join(format!("pretzel-bench-search-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Self(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn parse_sample(catalogs: &Path, sample: &Sample) -> Result<ParseReport> {
    let mut documents = Vec::with_capacity(sample.files.len());
    for file in sample.files {
        let path = catalogs.join(file);
        let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let report =
            sample.format.importer().parse(&bytes).with_context(|| format!("cannot parse {}", path.display()))?;
        documents.push(((*file).to_owned(), report));
    }
    Ok(ParseReport::merge(documents))
}

/// `n` (from 1) as letters: 1 → `A`, 26 → `Z`, 27 → `AA`.
fn letters(mut n: usize) -> String {
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(char::from(b'A' + u8::try_from(n % 26).unwrap_or(0)));
        n /= 26;
    }
    out.iter().rev().collect()
}

/// Copy `copy` of a course: copy 0 as it is, later copies with a suffixed subject and registration ids.
fn renamed(course: &CourseRecord, copy: usize) -> CourseRecord {
    let mut out = course.clone();
    if copy == 0 {
        return out;
    }
    let suffix = letters(copy);
    let subject = format!("{}{suffix}", course.subject);
    out.course_code = match course.course_code.strip_prefix(&course.subject) {
        Some(rest) => format!("{subject}{rest}"),
        None => format!("{subject} {}", course.number),
    };
    out.subject = subject;
    for section in &mut out.sections {
        section.registration_id = format!("{}-{suffix}", section.registration_id);
    }
    out
}

/// Copies of every sample's courses, renamed per copy, until there are at least `target` sections.
fn synthetic(reports: &[ParseReport], target: usize) -> Result<ParseReport> {
    if reports.iter().all(|r| r.section_count() == 0) {
        bail!("the sample catalogs have no sections to copy");
    }
    let mut records = Vec::new();
    let mut codes = HashSet::new();
    let mut ids = HashSet::new();
    let mut sections = 0;
    let mut copy = 0;
    'copies: loop {
        for report in reports {
            for course in &report.records {
                let mut course = renamed(course, copy);
                if !codes.insert(course.course_code.clone()) {
                    continue;
                }
                course.sections.retain(|s| ids.insert(s.registration_id.clone()));
                sections += course.sections.len();
                records.push(course);
                if sections >= target {
                    break 'copies;
                }
            }
            copy += 1;
        }
    }
    Ok(ParseReport { records, skipped: Vec::new() })
}

/// The value below which `percent` of the sorted `samples` lie (nearest rank).
fn percentile(sorted: &[Duration], percent: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    println!(
        "pretzel search benchmark: {cores} cores, {profile} build, SQLite, {} timed runs per query",
        args.iterations
    );

    let dir = TempDir::new()?;
    let url = format!("sqlite://{}?mode=rwc", dir.0.join("bench.sqlite3").display());
    let db = Db::connect(&url, 4).await.context("cannot open the benchmark database")?;
    db.seed_universities().await?;

    let catalogs = args.assets.join("catalogs");
    let mut reports = Vec::new();
    let mut terms: Vec<(String, TermId, usize)> = Vec::new();
    for sample in &SAMPLES {
        let started = Instant::now();
        let report = parse_sample(&catalogs, sample)?;
        let university = db
            .find_university(sample.university)
            .await?
            .with_context(|| format!("university {} is not seeded", sample.university))?;
        let sources: Vec<String> = sample.files.iter().map(|f| (*f).to_owned()).collect();
        let origin = ImportOrigin { format: sample.format, sources: &sources, started_at: 0 };
        let imported = db.apply_import(university.id, sample.code, &report, &origin).await?;
        let sections = report.section_count();
        println!(
            "imported {} {}: {} courses, {sections} sections in {:.0?}",
            sample.university,
            sample.code,
            report.course_count(),
            started.elapsed()
        );
        terms.push((format!("{} {}", sample.university, sample.code), imported.term_id, sections));
        reports.push(report);
    }

    let started = Instant::now();
    let big = synthetic(&reports, args.synthetic_sections)?;
    let university = db.find_university("UIUC").await?.context("university UIUC is not seeded")?;
    let sources = vec!["synthetic copy of the samples".to_owned()];
    let origin = ImportOrigin { format: Format::UiucCsv, sources: &sources, started_at: 0 };
    let imported = db.apply_import(university.id, "synthetic", &big, &origin).await?;
    let sections = big.section_count();
    println!(
        "imported synthetic term: {} courses, {sections} sections, {} meetings in {:.0?}",
        big.course_count(),
        big.meeting_count(),
        started.elapsed()
    );
    terms.push(("synthetic".to_owned(), imported.term_id, sections));

    println!();
    println!("{:<34} {:<16} {:>9} {:>9} {:>9} {:>8}", "query", "term", "sections", "p50 ms", "p99 ms", "total");
    let mut worst_large = Duration::ZERO;
    for (term_name, term, term_sections) in &terms {
        for query in queries() {
            let mut total = 0;
            for _ in 0..args.warmup {
                db.search_sections(*term, &query.filter).await?.context("term vanished")?;
            }
            let mut times = Vec::with_capacity(args.iterations);
            for _ in 0..args.iterations {
                let started = Instant::now();
                let page = db.search_sections(*term, &query.filter).await?.context("term vanished")?;
                times.push(started.elapsed());
                total = page.total;
            }
            times.sort_unstable();
            let p99 = percentile(&times, 99);
            if *term_sections >= 100_000 {
                worst_large = worst_large.max(p99);
            }
            println!(
                "{:<34} {:<16} {:>9} {:>9.2} {:>9.2} {:>8}",
                query.name,
                term_name,
                term_sections,
                ms(percentile(&times, 50)),
                ms(p99),
                total
            );
        }
    }
    println!();
    if sections >= 100_000 {
        let verdict = if worst_large < Duration::from_millis(10) { "met" } else { "NOT met" };
        println!("worst p99 at {sections} sections: {:.2} ms (target under 10 ms: {verdict})", ms(worst_large));
    }
    db.close().await;
    Ok(())
}
