//! Chat fan-out benchmark (`cargo xtask bench chat`): starts the real server (release build, SQLite in a
//! temporary folder, every message persisted as in production), seeds real accounts and memberships
//! through the REST API, and drives it with the shared load generator
//! (`../shared/bench/socketio-reference/loadgen.js`): N WebSocket clients in rooms of M members at a
//! fixed total send rate. It then runs the same load, with the same generator, against the two
//! references found beside the project (the Node.js Socket.IO server the product replaces, and the
//! minimal Rust `ceiling-server` that stands for this machine's floor), each server pinned to one core
//! and the generator to another, and prints one table and a one-line summary.
//!
//! The numbers are relative anchors taken on a shared machine, not capacity planning.

mod bench_chat {
    pub mod loadgen;
    pub mod processes;
    pub mod references;
    pub mod report;
    pub mod seed;
}

use anyhow::{Context, Result, bail};
use bench_chat::loadgen::{Load, LoadgenRun, Protocol, run_loadgen};
use bench_chat::processes::{Pinning, ServerProcess, busy_percent, free_port, wait_for_quiet};
use bench_chat::references::{References, prepare_ceiling, prepare_loadgen};
use bench_chat::report::{Outcome, Row, print_report};
use bench_chat::seed::{Seeded, seed};
use clap::Parser;
use sqlx::Connection;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Measures chat fan-out of the Pretzel server against the Socket.IO and ceiling references.
#[derive(Debug, Parser)]
#[command(name = "pretzel-bench-chat")]
struct Args {
    /// WebSocket connections, one signed-up student each [default: 1000; 200 with --quick].
    #[arg(long)]
    conns: Option<usize>,
    /// Members per room; connection i is in room i % (conns / room size) [default: 50; 20 with --quick].
    #[arg(long)]
    room_size: Option<usize>,
    /// Messages sent per second in total, spread round-robin over the connections
    /// [default: 1000; 200 with --quick].
    #[arg(long)]
    rate: Option<u32>,
    /// Measured seconds of sending [default: 15; 5 with --quick].
    #[arg(long)]
    duration: Option<u32>,
    /// Seconds of sending before the measured window [default: 3; 1 with --quick].
    #[arg(long)]
    warmup: Option<u32>,
    /// Seconds of receiving only after the measured window [default: 3; 1 with --quick].
    #[arg(long)]
    drain: Option<u32>,
    /// Message body bytes.
    #[arg(long, default_value_t = 100)]
    size: u32,
    /// A smaller load that runs in under a minute (200 connections in rooms of 20 at 200 msg/s for 5 s).
    #[arg(long)]
    quick: bool,
    /// Measure Pretzel only: the reference rows print "n/a".
    #[arg(long)]
    skip_references: bool,
    /// Folder holding `socketio-reference/` and `ceiling-server/`.
    #[arg(long, env = "PRETZEL_BENCH_REFERENCES", default_value = "../shared/bench")]
    references: PathBuf,
    /// The `pretzel-backend` binary to measure [default: the one beside this benchmark].
    #[arg(long)]
    backend: Option<PathBuf>,
    /// Folder for the load generator's install, the ceiling server's build and each run's files
    /// (tokens, room ids, results, server logs) [default: `bench-chat/` in the target folder].
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Core the server under test runs on.
    #[arg(long, default_value_t = 1)]
    server_core: usize,
    /// Core the load generator runs on.
    #[arg(long, default_value_t = 0)]
    loadgen_core: usize,
    /// Wait at most this many seconds, before each run, for other work on the machine to calm down
    /// (whole-machine CPU at most 25 %); the level seen is printed either way [default: 60; 5 with --quick].
    #[arg(long)]
    quiet_wait: Option<u64>,
}

impl Args {
    /// The load of this run, `--quick` changing only the values not given.
    fn load(&self) -> Result<Load> {
        let pick =
            |given: Option<u32>, normal: u32, quick: u32| given.unwrap_or(if self.quick { quick } else { normal });
        let conns = self.conns.unwrap_or(if self.quick { 200 } else { 1000 });
        let room_size = self.room_size.unwrap_or(if self.quick { 20 } else { 50 });
        if conns == 0 || room_size < 2 || room_size > conns {
            bail!(
                "need at least one connection and rooms of 2 to --conns members (got {conns} in rooms of {room_size})"
            );
        }
        let load = Load {
            conns,
            rooms: conns.div_ceil(room_size),
            room_size,
            rate: pick(self.rate, 1000, 200),
            duration_secs: pick(self.duration, 15, 5),
            warmup_secs: pick(self.warmup, 3, 1),
            drain_secs: pick(self.drain, 3, 1),
            body_bytes: self.size,
        };
        if load.rate == 0 || load.duration_secs == 0 {
            bail!("--rate and --duration must be at least 1");
        }
        Ok(load)
    }
}

/// Where this run keeps its files.
struct Paths {
    backend: PathBuf,
    work: PathBuf,
    run: PathBuf,
}

fn paths(args: &Args) -> Result<Paths> {
    let exe = std::env::current_exe().context("cannot find this benchmark's own path")?;
    let exe_dir = exe.parent().context("the benchmark binary has no folder")?;
    let backend = args.backend.clone().unwrap_or_else(|| exe_dir.join("pretzel-backend"));
    if !backend.is_file() {
        bail!("no backend binary at {} (build it, or pass --backend)", backend.display());
    }
    let work = match &args.work_dir {
        Some(dir) => dir.clone(),
        // target/release/pretzel-bench-chat → target/bench-chat
        None => exe_dir.parent().unwrap_or(exe_dir).join("bench-chat"),
    };
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs();
    let run = work.join("runs").join(stamp.to_string());
    std::fs::create_dir_all(&run).with_context(|| format!("cannot create {}", run.display()))?;
    Ok(Paths { backend, work, run })
}

/// A temporary data folder for the server under test, removed when dropped.
struct DataDir(PathBuf);

impl DataDir {
    fn new() -> Result<Self> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let path = std::env::temp_dir().join(format!("pretzel-bench-chat-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Self(path))
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Waits for a quiet machine (bounded), saying what it saw.
fn settle(args: &Args, what: &str) -> f64 {
    let max_wait = args.quiet_wait.unwrap_or(if args.quick { 5 } else { 60 });
    let busy = wait_for_quiet(25.0, Duration::from_secs(max_wait));
    eprintln!("==> {what}: machine busy {busy:.0} % before the run");
    busy
}

/// Runs the load against the real Pretzel server and counts what it stored.
async fn bench_pretzel(args: &Args, load: &Load, paths: &Paths, loadgen: &Path, pinning: &Pinning) -> Result<Row> {
    let data = DataDir::new()?;
    let port = free_port()?;
    let addr = format!("127.0.0.1:{port}");
    // The load is a fixed total rate: no student may hit the per-student send limit, whatever the
    // split (a window's worth of the whole load is more than any one student can send).
    let send_window_secs = 10u64;
    let send_limit = u64::from(load.rate).saturating_mul(send_window_secs).max(30);
    let signups = load.conns + 10;
    let env: Vec<(&str, String)> = vec![
        ("PRETZEL_LISTEN", addr.clone()),
        ("PRETZEL_DATA_DIR", data.0.display().to_string()),
        ("PRETZEL_LOAD_SAMPLE_CATALOGS", "true".into()),
        // Seeding and three runs must not outlive the tokens the load generator connects with.
        ("PRETZEL_ACCESS_TOKEN_TTL_SECS", (24 * 60 * 60).to_string()),
        ("PRETZEL_SIGNUP_LIMIT_PER_IP", signups.to_string()),
        ("PRETZEL_CHAT_SEND_LIMIT", send_limit.to_string()),
        ("PRETZEL_CHAT_SEND_WINDOW_SECS", send_window_secs.to_string()),
    ];
    let start = |log: &str| {
        ServerProcess::start(
            "pretzel",
            pinning,
            std::process::Command::new(&paths.backend).arg("serve"),
            &env,
            // Never the configuration of whoever runs the benchmark: a fresh embedded database, one node.
            &["PRETZEL_CONFIG", "PRETZEL_DATABASE_URL", "PRETZEL_REDIS_URL", "PRETZEL_ASSETS_DIR"],
            &paths.run.join(log),
        )
    };
    let health = format!("http://{addr}/healthz");
    eprintln!("==> starting pretzel-backend on {addr} (SQLite in {})", data.0.display());
    let seeding = start("pretzel-seed-server.log")?;
    // The first start imports the sample catalogs before serving, on one core.
    seeding.wait_healthy(&health, Duration::from_secs(300)).await?;
    let Seeded { tokens, room_ids, term_name } = seed(&addr, load).await?;
    eprintln!("==> seeded {} students in {} rooms of {term_name}", tokens.len(), room_ids.len());
    let tokens_file = paths.run.join("tokens.txt");
    let rooms_file = paths.run.join("room-names.txt");
    std::fs::write(&tokens_file, tokens.join("\n") + "\n").context("cannot write the tokens file")?;
    let room_lines: Vec<String> = room_ids.iter().map(|r| r.0.to_string()).collect();
    std::fs::write(&rooms_file, room_lines.join("\n") + "\n").context("cannot write the room-names file")?;
    // Sign-up hashes passwords with 19 MiB each on the blocking pool, and the allocator keeps much
    // of that: measured in the same process, memory per connection would be lost in it. A restart on
    // the same database (tokens stay valid: sessions and the signing key are stored) starts clean.
    seeding.stop();
    eprintln!("==> restarting pretzel-backend for the measurement");
    let server = start("pretzel-server.log")?;
    server.wait_healthy(&health, Duration::from_secs(120)).await?;

    let busy_before = settle(args, "pretzel");
    let run = LoadgenRun {
        label: "pretzel",
        protocol: Protocol::WsJson,
        url: format!("ws://{addr}/ws"),
        tokens: Some(&tokens_file),
        room_names: Some(&rooms_file),
        // One hello per connection (membership is the timetable's); "synced" ends its replay.
        join_template: Some(r#"{"type":"hello"}"#),
        join_ack_regex: Some(r#"^\{"type":"synced""#),
        send_template: Some(r#"{"type":"send","room_id":{room},"client_msg_id":"{nonce}","body":"{body}"}"#),
        server_pid: server.pid(),
        json: paths.run.join("pretzel.json"),
    };
    let result = run_loadgen(loadgen, pinning, load, &run, &paths.run.join("loadgen-pretzel.log"))?;
    server.stop();
    let stored = count_stored_messages(&data.0).await?;
    Ok(Row { name: "Pretzel", outcome: Outcome::Measured(Box::new(result)), busy_before, stored: Some(stored) })
}

/// Messages the server persisted (read after it stopped).
async fn count_stored_messages(data_dir: &Path) -> Result<i64> {
    let url = format!("sqlite://{}?mode=ro", data_dir.join("pretzel.sqlite3").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.context("cannot open the benchmark's database")?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages").fetch_one(&mut conn).await?;
    conn.close().await?;
    Ok(count)
}

/// One reference server: how to start it and how the load generator reaches it.
struct Reference<'a> {
    /// Its row in the table.
    name: &'static str,
    /// Prefix of its run files (`<label>.json`, `<label>-server.log`, `loadgen-<label>.log`).
    label: &'static str,
    /// The load generator's protocol for it.
    protocol: Protocol,
    /// Its command, with the working folder it needs.
    command: &'a mut std::process::Command,
    /// The variable that names its listening address, and the value for `port`.
    listen: fn(u16) -> (&'static str, String),
    /// Variables of ours it must not inherit (its own tuning knobs keep their defaults).
    cleared: &'a [&'a str],
    /// Its WebSocket URL for `port`.
    url: fn(u16) -> String,
}

/// Runs the load against a reference server: start it pinned, wait until healthy and the machine
/// settles, drive it with the same load generator, stop it.
async fn bench_reference(
    args: &Args,
    load: &Load,
    paths: &Paths,
    loadgen: &Path,
    pinning: &Pinning,
    reference: Reference<'_>,
) -> Result<Row> {
    let port = free_port()?;
    let server = ServerProcess::start(
        reference.name,
        pinning,
        reference.command,
        &[(reference.listen)(port)],
        reference.cleared,
        &paths.run.join(format!("{}-server.log", reference.label)),
    )?;
    server.wait_healthy(&format!("http://127.0.0.1:{port}/healthz"), Duration::from_secs(30)).await?;
    let busy_before = settle(args, reference.name);
    let run = LoadgenRun {
        label: reference.label,
        protocol: reference.protocol,
        url: (reference.url)(port),
        tokens: None,
        room_names: None,
        join_template: None,
        join_ack_regex: None,
        send_template: None,
        server_pid: server.pid(),
        json: paths.run.join(format!("{}.json", reference.label)),
    };
    let log = paths.run.join(format!("loadgen-{}.log", reference.label));
    let result = run_loadgen(loadgen, pinning, load, &run, &log)?;
    server.stop();
    Ok(Row { name: reference.name, outcome: Outcome::Measured(Box::new(result)), busy_before, stored: None })
}

/// The Node.js Socket.IO reference server (the stack Pretzel replaces).
fn socketio_reference<'a>(command: &'a mut std::process::Command) -> Reference<'a> {
    Reference {
        name: "Socket.IO",
        label: "socketio",
        protocol: Protocol::SocketIo,
        command,
        listen: |port| ("PORT", port.to_string()),
        cleared: &["REDIS_URL", "DROP_REQ", "HOST"],
        url: |port| format!("ws://127.0.0.1:{port}"),
    }
}

/// The minimal Rust fan-out server that marks this machine's floor.
fn ceiling_reference<'a>(command: &'a mut std::process::Command) -> Reference<'a> {
    Reference {
        name: "ceiling",
        label: "ceiling",
        protocol: Protocol::WsJson,
        command,
        listen: |port| ("ADDR", format!("127.0.0.1:{port}")),
        cleared: &["WS_PATH", "WORKERS", "MAX_MESSAGE", "MAX_QUEUE_BYTES", "MAX_ROOMS_PER_CONN"],
        url: |port| format!("ws://127.0.0.1:{port}/ws"),
    }
}

/// A row that could not be measured, with the reason on stderr.
fn failed(name: &'static str, error: &anyhow::Error) -> Row {
    eprintln!("!! {name}: {error:#}");
    Row { name, outcome: Outcome::Failed(format!("{error:#}")), busy_before: f64::NAN, stored: None }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let load = args.load()?;
    let paths = paths(&args)?;
    let pinning = Pinning::detect(args.server_core, args.loadgen_core);
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    println!(
        "pretzel chat benchmark: {cores} cores, {}; {} connections in {} rooms of {}, {} msg/s of {} B, \
         warmup {} s, measured {} s, drain {} s (machine busy now: {:.0} %)",
        pinning.describe(),
        load.conns,
        load.rooms,
        load.room_size,
        load.rate,
        load.body_bytes,
        load.warmup_secs,
        load.duration_secs,
        load.drain_secs,
        busy_percent(Duration::from_secs(1)),
    );
    eprintln!("==> files of this run: {}", paths.run.display());

    // Everything that builds or installs happens before the first measurement.
    let refs = References::locate(&args.references);
    let install = match &refs {
        Some(refs) => prepare_loadgen(refs, &paths.work),
        None => Err(anyhow::anyhow!(
            "{} has no socketio-reference/loadgen.js: nothing can drive the servers",
            args.references.display()
        )),
    };
    let ceiling = match (&refs, args.skip_references) {
        (Some(refs), false) => Some(prepare_ceiling(refs, &paths.work)),
        _ => None,
    };

    let pretzel = match &install {
        Ok(install) => bench_pretzel(&args, &load, &paths, &install.loadgen, &pinning).await,
        Err(e) => Err(anyhow::anyhow!("{e:#}")),
    };
    let pretzel = pretzel.unwrap_or_else(|e| failed("Pretzel", &e));
    let (socketio, ceiling) = match (&install, ceiling) {
        (Ok(install), Some(ceiling)) => {
            let mut node = std::process::Command::new("node");
            node.arg("server-socketio.js").current_dir(&install.socketio_dir);
            let socketio =
                bench_reference(&args, &load, &paths, &install.loadgen, &pinning, socketio_reference(&mut node))
                    .await
                    .unwrap_or_else(|e| failed("Socket.IO", &e));
            let ceiling = match ceiling {
                Ok(binary) => {
                    let mut command = std::process::Command::new(binary);
                    let reference = ceiling_reference(&mut command);
                    bench_reference(&args, &load, &paths, &install.loadgen, &pinning, reference).await
                }
                Err(e) => Err(e),
            };
            (socketio, ceiling.unwrap_or_else(|e| failed("ceiling", &e)))
        }
        _ => (Row::not_available("Socket.IO"), Row::not_available("ceiling")),
    };
    let pretzel_failed = !matches!(pretzel.outcome, Outcome::Measured(_));
    print_report(&load, &[pretzel, socketio, ceiling]);
    println!("files of this run: {}", paths.run.display());
    if pretzel_failed {
        bail!("Pretzel could not be measured (see the note above)");
    }
    Ok(())
}
