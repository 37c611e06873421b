//! Search benchmark (`cargo xtask bench search`): imports every sample catalog and a synthetic term of
//! about 100,000 sections into a temporary SQLite database and into a fresh PostgreSQL database (created
//! on the server named by `--postgres` and dropped afterwards unless `--keep-postgres`), then times a
//! fixed set of queries through [`Db::search_sections`], the function the HTTP search route calls, and
//! prints p50/p99 per query for both engines side by side.

use anyhow::{Context, Result, bail};
use clap::Parser;
use pretzel_api::TermId;
use pretzel_backend::db::Db;
use pretzel_backend::db::catalog::ImportOrigin;
use pretzel_backend::db::search::SearchFilter;
use pretzel_backend::import::{CourseRecord, Format, ParseReport};
use sqlx::Connection;
use std::collections::{HashMap, HashSet};
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
    /// Engines to time, in order (repeat or separate with commas).
    #[arg(
        long = "engine",
        value_enum,
        value_delimiter = ',',
        default_values_t = [EngineArg::Sqlite, EngineArg::Postgres]
    )]
    engines: Vec<EngineArg>,
    /// A PostgreSQL database the benchmark may connect to in order to create (and later drop) its own.
    #[arg(long, env = "PRETZEL_BENCH_POSTGRES", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres: String,
    /// Keep the SQLite database at this path (created afresh) instead of a removed temporary file,
    /// to look at query plans afterwards.
    #[arg(long)]
    keep_sqlite: Option<PathBuf>,
    /// Keep the PostgreSQL database, named `pretzel_bench_search_kept` (created afresh), instead of
    /// dropping it, to look at query plans afterwards.
    #[arg(long)]
    keep_postgres: bool,
    /// Time only the synthetic term (the sample terms are still imported, as the synthetic one copies them).
    #[arg(long)]
    synthetic_only: bool,
}

/// An engine to time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum EngineArg {
    Sqlite,
    Postgres,
}

impl EngineArg {
    fn name(self) -> &'static str {
        match self {
            EngineArg::Sqlite => "SQLite",
            EngineArg::Postgres => "PostgreSQL",
        }
    }
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
            name: "\"introduction\", page 6",
            filter: SearchFilter {
                text: Some("introduction".to_owned()),
                limit: PAGE,
                offset: 5 * PAGE,
                ..SearchFilter::default()
            },
        },
        Query {
            name: "\"introduction\" + days MW",
            filter: SearchFilter {
                text: Some("introduction".to_owned()),
                days: Some("MW".to_owned()),
                limit: PAGE,
                ..SearchFilter::default()
            },
        },
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
fn synthetic(reports: &[&ParseReport], target: usize) -> Result<ParseReport> {
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

/// One term as parsed once and imported into each engine.
struct TermData {
    name: String,
    university: &'static str,
    code: &'static str,
    format: Format,
    sources: Vec<String>,
    report: ParseReport,
}

/// Every term to import: the sample terms, then the synthetic one.
struct Catalogs {
    terms: Vec<TermData>,
}

fn load_catalogs(args: &Args) -> Result<Catalogs> {
    let catalogs = args.assets.join("catalogs");
    let mut terms = Vec::new();
    for sample in &SAMPLES {
        let report = parse_sample(&catalogs, sample)?;
        let sources: Vec<String> = sample.files.iter().map(|f| (*f).to_owned()).collect();
        terms.push(TermData {
            name: format!("{} {}", sample.university, sample.code),
            university: sample.university,
            code: sample.code,
            format: sample.format,
            sources,
            report,
        });
    }
    let reports: Vec<&ParseReport> = terms.iter().map(|t| &t.report).collect();
    let big = synthetic(&reports, args.synthetic_sections)?;
    let sources = vec!["synthetic copy of the samples".to_owned()];
    terms.push(TermData {
        name: "synthetic".to_owned(),
        university: "UIUC",
        code: "synthetic",
        format: Format::UiucCsv,
        sources,
        report: big,
    });
    Ok(Catalogs { terms })
}

/// One query's timings on one term.
#[derive(Debug, Clone, Copy)]
struct Measure {
    p50: Duration,
    p99: Duration,
    total: i64,
}

/// Timings keyed by (term name, query name).
type Measures = HashMap<(String, &'static str), Measure>;

/// Imports every term into `db` and times every query on each; keyed by (term name, query name).
async fn run_engine(db: &Db, engine: EngineArg, args: &Args, catalogs: &Catalogs) -> Result<Measures> {
    db.seed_universities().await?;
    let mut terms: Vec<(String, TermId, usize)> = Vec::new();
    for TermData { name, university, code, format, sources, report } in &catalogs.terms {
        let started = Instant::now();
        let university =
            db.find_university(university).await?.with_context(|| format!("university {university} is not seeded"))?;
        let origin = ImportOrigin { format: *format, sources, started_at: 0 };
        let imported = db.apply_import(university.id, code, report, &origin).await?;
        let sections = report.section_count();
        println!(
            "{}: imported {name}: {} courses, {sections} sections, {} meetings in {:.0?}",
            engine.name(),
            report.course_count(),
            report.meeting_count(),
            started.elapsed()
        );
        if !args.synthetic_only || name == "synthetic" {
            terms.push((name.clone(), imported.term_id, sections));
        }
    }
    let mut out = HashMap::new();
    for (term_name, term, _) in &terms {
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
            let measure = Measure { p50: percentile(&times, 50), p99: percentile(&times, 99), total };
            // Progress, so a slow query shows itself before the table at the end.
            eprintln!(
                "{}: {term_name} / {}: p50 {:.2} ms, p99 {:.2} ms",
                engine.name(),
                query.name,
                ms(measure.p50),
                ms(measure.p99)
            );
            out.insert((term_name.clone(), query.name), measure);
        }
    }
    Ok(out)
}

/// A PostgreSQL database of the benchmark's own, dropped by [`PgBench::drop_database`].
struct PgBench {
    admin: String,
    name: String,
    url: String,
}

impl PgBench {
    async fn create(admin: &str, keep: bool) -> Result<Self> {
        let name = if keep {
            "pretzel_bench_search_kept".to_owned()
        } else {
            format!("pretzel_bench_search_{}", std::process::id())
        };
        let mut conn = sqlx::PgConnection::connect(admin)
            .await
            .with_context(|| format!("cannot connect to PostgreSQL at {admin} (see --postgres)"))?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await?;
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
        conn.close().await?;
        let base = admin.split('?').next().unwrap_or(admin);
        let base = base.rsplit_once('/').map_or(base, |(base, _)| base);
        Ok(Self { admin: admin.to_owned(), url: format!("{base}/{name}"), name })
    }

    async fn drop_database(self) -> Result<()> {
        let mut conn = sqlx::PgConnection::connect(&self.admin).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&mut conn).await?;
        conn.close().await?;
        Ok(())
    }
}

/// Opens a fresh database of `engine`, runs the benchmark on it and removes the database again,
/// whether or not the run succeeded.
async fn bench_engine(engine: EngineArg, args: &Args, catalogs: &Catalogs) -> Result<Measures> {
    match engine {
        EngineArg::Sqlite => {
            let dir = TempDir::new()?;
            let file = match &args.keep_sqlite {
                Some(path) => {
                    if path.exists() {
                        std::fs::remove_file(path).with_context(|| format!("cannot replace {}", path.display()))?;
                    }
                    path.clone()
                }
                None => dir.0.join("bench.sqlite3"),
            };
            let url = format!("sqlite://{}?mode=rwc", file.display());
            let db = Db::connect(&url, 4).await.context("cannot open the SQLite benchmark database")?;
            let result = run_engine(&db, engine, args, catalogs).await;
            db.close().await;
            result
        }
        EngineArg::Postgres => {
            let pg = PgBench::create(&args.postgres, args.keep_postgres).await?;
            let result = match Db::connect(&pg.url, 4).await {
                Ok(db) => {
                    let result = run_engine(&db, engine, args, catalogs).await;
                    db.close().await;
                    result
                }
                Err(err) => Err(anyhow::Error::new(err).context("cannot open the PostgreSQL benchmark database")),
            };
            let dropped = if args.keep_postgres {
                println!("PostgreSQL: kept the database at {}", pg.url);
                Ok(())
            } else {
                pg.drop_database().await
            };
            let measures = result?;
            dropped.context("cannot drop the PostgreSQL benchmark database")?;
            Ok(measures)
        }
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    let engines: Vec<&str> = args.engines.iter().map(|e| e.name()).collect();
    println!(
        "pretzel search benchmark: {cores} cores, {profile} build, {}, {} timed runs per query",
        engines.join(" and "),
        args.iterations
    );
    let catalogs = load_catalogs(&args)?;
    let mut results = Vec::new();
    for engine in &args.engines {
        results.push((*engine, bench_engine(*engine, &args, &catalogs).await?));
    }

    println!();
    let mut header = format!("{:<34} {:<16} {:>9}", "query", "term", "sections");
    for (engine, _) in &results {
        let name = match engine {
            EngineArg::Sqlite => "sqlite",
            EngineArg::Postgres => "pg",
        };
        header.push_str(&format!(" {:>11} {:>11} {:>7}", format!("{name} p50"), format!("{name} p99"), "total"));
    }
    println!("{header}");
    let mut worst_large: Vec<Duration> = vec![Duration::ZERO; results.len()];
    for TermData { name: term_name, report, .. } in &catalogs.terms {
        let sections = report.section_count();
        for query in queries() {
            let mut line = format!("{:<34} {:<16} {sections:>9}", query.name, term_name);
            let mut any = false;
            for (i, (_, measures)) in results.iter().enumerate() {
                let Some(m) = measures.get(&(term_name.clone(), query.name)) else {
                    line.push_str(&format!(" {:>11} {:>11} {:>7}", "-", "-", "-"));
                    continue;
                };
                any = true;
                if sections >= 100_000 {
                    worst_large[i] = worst_large[i].max(m.p99);
                }
                line.push_str(&format!(" {:>11.2} {:>11.2} {:>7}", ms(m.p50), ms(m.p99), m.total));
            }
            if any {
                println!("{line}");
            }
        }
    }
    println!();
    if let Some(big) = catalogs.terms.last().map(|t| &t.report)
        && big.section_count() >= 100_000
    {
        for ((engine, _), worst) in results.iter().zip(worst_large) {
            let verdict = if worst < Duration::from_millis(10) { "met" } else { "NOT met" };
            println!(
                "{}: worst p99 at {} sections: {:.2} ms (target under 10 ms: {verdict})",
                engine.name(),
                big.section_count(),
                ms(worst)
            );
        }
    }
    Ok(())
}
