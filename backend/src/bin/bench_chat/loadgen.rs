//! Driving the shared load generator (`socketio-reference/loadgen.js`): the load every server gets,
//! its command line for one server, and the part of its JSON result the report reads.

use super::processes::Pinning;
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The load every server gets, identical for all three.
#[derive(Debug, Clone)]
pub struct Load {
    /// WebSocket connections (one student each on Pretzel).
    pub conns: usize,
    /// Rooms; connection i is in room i % rooms.
    pub rooms: usize,
    /// Members per room asked for.
    pub room_size: usize,
    /// Messages sent per second in total.
    pub rate: u32,
    /// Measured seconds.
    pub duration_secs: u32,
    /// Sending seconds before the measured window.
    pub warmup_secs: u32,
    /// Receiving seconds after it.
    pub drain_secs: u32,
    /// Body bytes.
    pub body_bytes: u32,
}

/// The load generator's wire protocols.
#[derive(Debug, Clone, Copy)]
pub enum Protocol {
    /// JSON text frames shaped by the templates.
    WsJson,
    /// Engine.IO v4 / Socket.IO v5 packets.
    SocketIo,
}

/// One server's run: where it listens, how to talk to it, and where the result goes.
pub struct LoadgenRun<'a> {
    /// Names the run in the generator's output.
    pub label: &'static str,
    /// The wire protocol.
    pub protocol: Protocol,
    /// The WebSocket URL.
    pub url: String,
    /// One bearer token per line (connection i uses line i).
    pub tokens: Option<&'a Path>,
    /// One room id per line (room r is line r).
    pub room_names: Option<&'a Path>,
    /// The frame each connection sends first; the generator's default when `None`.
    pub join_template: Option<&'static str>,
    /// What counts as the answer to the join frame.
    pub join_ack_regex: Option<&'static str>,
    /// The frame of each message.
    pub send_template: Option<&'static str>,
    /// The server process sampled for CPU and memory.
    pub server_pid: u32,
    /// Where the JSON result is written.
    pub json: PathBuf,
}

/// What the report reads of the generator's JSON result (see the reference's `summarize.js`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LoadgenResult {
    /// Connections that finished their join.
    pub joined: u64,
    /// Messages per second sent in the measured window.
    pub sent_per_s: f64,
    /// Deliveries per second to other members the sends of the window called for.
    pub expected_deliveries_per_s: f64,
    /// Deliveries per second to other members that arrived before the end of the drain.
    pub delivered_per_s: f64,
    /// delivered ÷ expected.
    pub delivery_ratio: Option<f64>,
    /// End-to-end latency of those deliveries.
    pub latency: Latency,
    /// Raw counters.
    pub counters: Counters,
    /// The generator's own CPU over the window (100 = one core).
    pub client_cpu_pct: Option<f64>,
    /// Whole-machine CPU over the window (100 = all cores).
    pub machine_busy_pct: Option<f64>,
    /// One entry per sampled server process.
    pub servers: Vec<ServerSample>,
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Latency {
    /// Deliveries measured.
    pub count: u64,
    /// Median.
    pub p50_ms: Option<f64>,
    /// 99th percentile.
    pub p99_ms: Option<f64>,
    /// Slowest.
    pub max_ms: Option<f64>,
}

/// The generator's counters over the whole run.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Counters {
    /// Connections that failed before joining.
    pub connect_fail: u64,
    /// Connections whose join was not answered.
    pub join_fail: u64,
    /// Joined connections the server closed.
    pub closed_unexpectedly: u64,
    /// Messages sent, warmup included.
    pub sent: u64,
    /// Copies of their own messages that senders got back.
    pub recv_self: u64,
    /// Deliveries after the drain deadline.
    pub recv_late: u64,
    /// Sends dropped because the generator itself fell behind (the run is then invalid).
    pub skipped: u64,
}

/// CPU and memory of one server process.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ServerSample {
    /// CPU over the measured window (100 = one core).
    pub cpu_pct_measure: Option<f64>,
    /// (RSS connected − RSS idle) ÷ connections, in KiB.
    pub rss_per_conn_kb: Option<f64>,
    /// RSS before connecting, MiB.
    pub rss_idle_mb: Option<f64>,
    /// RSS after all joins, MiB.
    pub rss_connected_mb: Option<f64>,
    /// Highest RSS in the measured window, MiB.
    pub rss_peak_measure_mb: Option<f64>,
}

impl LoadgenResult {
    /// The sampled server (the only pid given).
    pub fn server(&self) -> Option<&ServerSample> {
        self.servers.first()
    }

    /// Server CPU seconds per million deliveries to other members.
    pub fn cpu_secs_per_million(&self) -> Option<f64> {
        let cpu = self.server()?.cpu_pct_measure?;
        (self.delivered_per_s > 0.0).then(|| cpu / 100.0 / self.delivered_per_s * 1e6)
    }
}

/// Runs the generator on its core against one server and reads its result.
pub fn run_loadgen(
    loadgen: &Path,
    pinning: &Pinning,
    load: &Load,
    run: &LoadgenRun<'_>,
    log: &Path,
) -> Result<LoadgenResult> {
    let dir = loadgen.parent().context("the load generator has no folder")?;
    let mut command = Command::new("node");
    command.arg(loadgen).current_dir(dir);
    let proto = match run.protocol {
        Protocol::WsJson => "ws-json",
        Protocol::SocketIo => "socketio",
    };
    let number = |n: u64| n.to_string();
    command
        .args(["--proto", proto, "--url", &run.url, "--label", run.label])
        .args(["--conns", &number(load.conns as u64), "--rooms", &number(load.rooms as u64)])
        .args(["--rate", &number(load.rate.into()), "--size", &number(load.body_bytes.into())])
        .args(["--warmup", &number(load.warmup_secs.into()), "--duration", &number(load.duration_secs.into())])
        .args(["--drain", &number(load.drain_secs.into())])
        .args(["--server-pids", &number(run.server_pid.into())])
        .arg("--json")
        .arg(&run.json);
    if let Some(tokens) = run.tokens {
        command.arg("--tokens").arg(tokens);
    }
    if let Some(rooms) = run.room_names {
        command.arg("--room-names").arg(rooms);
    }
    for (flag, value) in [
        ("--join-tmpl", run.join_template),
        ("--join-ack-regex", run.join_ack_regex),
        ("--send-tmpl", run.send_template),
    ] {
        if let Some(value) = value {
            command.args([flag, value]);
        }
    }
    let _ = std::fs::remove_file(&run.json);
    eprintln!("==> load generator against {}: {}", run.label, run.url);
    let out = std::fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
    let status = pinning
        .loadgen(&command)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::inherit())
        .status()
        .context("cannot start node (the load generator)")?;
    // Its human-readable block, without the long RESULT line (the same data is in the JSON file).
    if let Ok(text) = std::fs::read_to_string(log) {
        text.lines().filter(|l| !l.starts_with("RESULT ")).for_each(|l| eprintln!("{l}"));
    }
    if !status.success() {
        bail!("the load generator failed against {} ({status}); see {}", run.label, log.display());
    }
    let json = std::fs::read_to_string(&run.json)
        .with_context(|| format!("the load generator wrote no result to {}", run.json.display()))?;
    serde_json::from_str(&json).with_context(|| format!("cannot read {}", run.json.display()))
}
