//! The `pretzel-backend` binary: parses the command line, sets up logging and signals, and hands
//! over to the library (`serve`, or `import` of a course catalog).

use anyhow::Context;
use clap::{Parser, Subcommand};
use pretzel_backend::config::{Config, LogFormat};
use pretzel_backend::db::catalog::ImportOrigin;
use pretzel_backend::import::Format;
use pretzel_backend::import::fetch::FetchPolicy;
use pretzel_backend::import::refresh::read_catalog;
use pretzel_backend::import::summary::{ImportSummary, Written, human};
use std::io::Write;
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "pretzel-backend", version, about = "Pretzel's server")]
struct Cli {
    /// TOML config file; `PRETZEL_*` environment variables override it.
    #[arg(long, short, env = "PRETZEL_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Import a course catalog: parse a term's source files or URLs and write them to the database.
    Import(ImportArgs),
}

#[derive(clap::Args)]
struct ImportArgs {
    /// The source's format.
    #[arg(long, value_enum)]
    format: Format,
    /// The university's short name (`UMD`, `Purdue`, `UIUC`, any case) or numeric id; with
    /// --dry-run it need not exist.
    #[arg(long)]
    university: String,
    /// The term as the source names it (`2025-su`, `201905`, `202130`).
    #[arg(long)]
    term: String,
    /// Parse and report only; touch no database.
    #[arg(long)]
    dry_run: bool,
    /// Print exactly one JSON object on stdout (logs go to stderr).
    #[arg(long)]
    json: bool,
    /// File paths or http(s) URLs. Several are joined into one catalog (Banner lists a subject per
    /// page): an import is the term's whole catalog, so sections in none of them are marked removed.
    #[arg(value_name = "SOURCE", required = true)]
    sources: Vec<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref(), std::env::vars()).context("configuration")?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            init_logging(config.log_format, LogTarget::Stdout);
            serve(config).await
        }
        Command::Import(args) => {
            // stdout carries the report (the --json contract), so logs must not mix into it.
            init_logging(config.log_format, LogTarget::Stderr);
            import(args, &config).await
        }
    }
}

async fn import(args: ImportArgs, config: &Config) -> anyhow::Result<()> {
    let started_at = pretzel_backend::db::now_millis();
    tracing::info!(
        format = args.format.name(),
        university = %args.university,
        term = %args.term,
        sources = ?args.sources,
        dry_run = args.dry_run,
        "import"
    );
    // Find the university before downloading anything, so a typo fails at once.
    let target = if args.dry_run {
        None
    } else {
        let db = pretzel_backend::open_storage(config).await.context("opening the database")?;
        let Some(university) = db.find_university(&args.university).await.context("finding the university")? else {
            let known: Vec<String> =
                db.list_universities().await?.into_iter().map(|u| format!("{} ({})", u.short_name, u.id)).collect();
            anyhow::bail!(
                "unknown university {:?}: give a short name or id, one of {}",
                args.university,
                known.join(", ")
            );
        };
        Some((db, university))
    };
    let policy = FetchPolicy::new(config.import_contact.as_deref());
    let report = read_catalog(args.format, &args.sources, &policy).await?;
    let written = match target {
        None => None,
        Some((db, university)) => {
            let origin = ImportOrigin { format: args.format, sources: &args.sources, started_at };
            let outcome = db.apply_import(university.id, &args.term, &report, &origin).await;
            db.close().await;
            let outcome = outcome.context("writing the import")?;
            tracing::info!(
                university = %university.short_name,
                term = %args.term,
                run = outcome.run_id,
                courses_added = outcome.courses.added.len(),
                courses_changed = outcome.courses.changed.len(),
                courses_removed = outcome.courses.removed.len(),
                sections_added = outcome.sections.added.len(),
                sections_changed = outcome.sections.changed.len(),
                sections_removed = outcome.sections.removed.len(),
                "written"
            );
            Some((university, outcome))
        }
    };
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let mut summary = ImportSummary::new(&report);
        if let Some((_, outcome)) = &written {
            summary = summary.with_report(outcome);
        }
        serde_json::to_writer(&mut stdout, &summary).context("writing the JSON report")?;
        writeln!(stdout).context("writing the JSON report")?;
    } else {
        let written = written.as_ref().map(|(university, outcome)| Written {
            university: &university.short_name,
            term: &args.term,
            report: outcome,
        });
        let sources = args.sources.join(", ");
        write!(stdout, "{}", human(&report, args.format, &sources, written)).context("writing the summary")?;
    }
    stdout.flush().context("writing the report")?;
    Ok(())
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    pretzel_backend::run(listener, config, shutdown_signal()).await.context("server")?;
    Ok(())
}

/// Where log lines go.
enum LogTarget {
    Stdout,
    Stderr,
}

fn init_logging(format: LogFormat, target: LogTarget) {
    let filter =
        EnvFilter::try_from_env("PRETZEL_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match (format, target) {
        (LogFormat::Pretty, LogTarget::Stdout) => builder.init(),
        (LogFormat::Json, LogTarget::Stdout) => builder.json().init(),
        (LogFormat::Pretty, LogTarget::Stderr) => builder.with_writer(std::io::stderr).init(),
        (LogFormat::Json, LogTarget::Stderr) => builder.json().with_writer(std::io::stderr).init(),
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
