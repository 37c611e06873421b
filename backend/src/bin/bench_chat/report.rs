//! The benchmark's output: one table row per server, the one-line summary the issue asks for, and the
//! targets checked against the load they were set for.

use super::loadgen::{Load, LoadgenResult};

/// One server's line of the report.
pub struct Row {
    /// "Pretzel", "Socket.IO" or "ceiling".
    pub name: &'static str,
    /// What became of its run.
    pub outcome: Outcome,
    /// Whole-machine CPU % seen just before the run (noise from other work).
    pub busy_before: f64,
    /// Messages the server stored (Pretzel only: the references store nothing).
    pub stored: Option<i64>,
}

/// What became of one server's run.
pub enum Outcome {
    /// Measured.
    Measured(Box<LoadgenResult>),
    /// The run failed; the reason.
    Failed(String),
    /// Not run: the references are absent or were skipped.
    NotAvailable,
}

impl Row {
    /// A row for a reference that is absent or skipped.
    pub fn not_available(name: &'static str) -> Self {
        Self { name, outcome: Outcome::NotAvailable, busy_before: f64::NAN, stored: None }
    }

    fn measured(&self) -> Option<&LoadgenResult> {
        match &self.outcome {
            Outcome::Measured(result) => Some(result),
            _ => None,
        }
    }
}

fn number(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => "n/a".into(),
    }
}

/// The summary line's words for one server.
fn summary(result: Option<&LoadgenResult>) -> String {
    match result {
        Some(r) => format!(
            "{} deliveries/s p99 {} ms {} cpu-s/M {} KiB/conn",
            number(Some(r.delivered_per_s), 0),
            number(r.latency.p99_ms, 1),
            number(r.cpu_secs_per_million(), 1),
            number(r.server().and_then(|s| s.rss_per_conn_kb), 1),
        ),
        None => "n/a".into(),
    }
}

/// What in a run makes its figures doubtful.
fn warnings(result: &LoadgenResult, load: &Load) -> Vec<String> {
    let c = &result.counters;
    let mut out = Vec::new();
    if result.joined < load.conns as u64 {
        out.push(format!(
            "joined {}/{} (connect_fail {} join_fail {})",
            result.joined, load.conns, c.connect_fail, c.join_fail
        ));
    }
    if c.closed_unexpectedly > 0 {
        out.push(format!("{} connections closed by the server", c.closed_unexpectedly));
    }
    if c.skipped > 0 {
        out.push(format!("load generator fell behind ({} sends skipped): run invalid", c.skipped));
    }
    if c.recv_late > 0 {
        out.push(format!("{} deliveries after the drain", c.recv_late));
    }
    out
}

/// Prints the table, the notes, the summary line and the targets.
pub fn print_report(load: &Load, rows: &[Row]) {
    println!();
    println!(
        "{:<10} {:>12} {:>8} {:>8} {:>8} {:>10} {:>8} {:>9} {:>9} {:>17} {:>10}",
        "server",
        "delivered/s",
        "ratio",
        "p50 ms",
        "p99 ms",
        "cpu-s/M",
        "cpu %",
        "KiB/conn",
        "RSS MB",
        "stored/sent",
        "busy % b/d"
    );
    let mut notes = Vec::new();
    for row in rows {
        let Some(r) = row.measured() else {
            println!("{:<10} {:>12}", row.name, "n/a");
            if let Outcome::Failed(reason) = &row.outcome {
                notes.push(format!("{}: not measured: {reason}", row.name));
            }
            continue;
        };
        let server = r.server();
        let stored = match row.stored {
            Some(stored) => format!("{stored}/{}", r.counters.sent),
            None => "-".into(),
        };
        let busy = format!("{}/{}", number(Some(row.busy_before), 0), number(r.machine_busy_pct, 0));
        println!(
            "{:<10} {:>12} {:>8} {:>8} {:>8} {:>10} {:>8} {:>9} {:>9} {:>17} {:>10}",
            row.name,
            number(Some(r.delivered_per_s), 0),
            number(r.delivery_ratio, 4),
            number(r.latency.p50_ms, 2),
            number(r.latency.p99_ms, 2),
            number(r.cpu_secs_per_million(), 2),
            number(server.and_then(|s| s.cpu_pct_measure), 1),
            number(server.and_then(|s| s.rss_per_conn_kb), 1),
            number(server.and_then(|s| s.rss_connected_mb), 1),
            stored,
            busy,
        );
        notes.extend(warnings(r, load).into_iter().map(|w| format!("{}: {w}", row.name)));
    }
    println!();
    println!(
        "delivered/s and ratio count deliveries to the other members of the room (Pretzel also sends each message \
         back to its author, with an ack: not counted); cpu-s/M = server CPU seconds per million deliveries; \
         KiB/conn = (RSS after all joins - RSS before) / connections; busy % b/d = whole machine before/during \
         the run (load generator and server included during)."
    );
    for note in &notes {
        println!("note: {note}");
    }

    let [pretzel, reference, ceiling] = rows else { return };
    let (pretzel, reference, ceiling) = (pretzel.measured(), reference.measured(), ceiling.measured());
    let ratio = pretzel
        .and_then(LoadgenResult::cpu_secs_per_million)
        .zip(ceiling.and_then(LoadgenResult::cpu_secs_per_million))
        .map(|(p, c)| p / c);
    println!();
    println!(
        "chat bench: pretzel {}; reference {}; ceiling {}; ceiling ratio {}",
        summary(pretzel),
        summary(reference),
        summary(ceiling),
        number(ratio, 2)
    );
    print_targets(load, rows.first().and_then(|row| row.stored), pretzel, ratio);
}

/// Checks Pretzel against the targets, which are set for 1,000 connections in rooms of 50.
fn print_targets(load: &Load, stored: Option<i64>, pretzel: Option<&LoadgenResult>, ceiling_ratio: Option<f64>) {
    let Some(r) = pretzel else { return };
    if load.conns != 1000 || load.room_size != 50 || !matches!(load.rate, 1000 | 2000) {
        println!("targets: set for 1,000 connections in rooms of 50 at 1,000 or 2,000 msg/s; not checked at this load");
        return;
    }
    let verdict = |ok: Option<bool>| match ok {
        Some(true) => "met",
        Some(false) => "NOT met",
        None => "unknown",
    };
    let delivered = r.delivery_ratio.map(|ratio| ratio >= 1.0);
    let p99 = r.latency.p99_ms;
    if load.rate == 1000 {
        let all_stored = stored.map(|s| u64::try_from(s).is_ok_and(|s| s == r.counters.sent));
        let kib = r.server().and_then(|s| s.rss_per_conn_kb);
        println!("targets at 1,000 msg/s:");
        println!("  every message delivered (ratio {}): {}", number(r.delivery_ratio, 4), verdict(delivered));
        println!(
            "  every message stored ({} of {} sent): {}",
            stored.map_or("n/a".into(), |s| s.to_string()),
            r.counters.sent,
            verdict(all_stored)
        );
        println!("  p99 <= 12 ms ({} ms): {}", number(p99, 2), verdict(p99.map(|p| p <= 12.0)));
        println!(
            "  CPU per delivery <= 1.5x the ceiling's ({}x): {}",
            number(ceiling_ratio, 2),
            verdict(ceiling_ratio.map(|x| x <= 1.5))
        );
        println!("  memory <= 7 KiB per connection ({} KiB): {}", number(kib, 1), verdict(kib.map(|k| k <= 7.0)));
    } else {
        println!("targets at 2,000 msg/s:");
        println!("  every message delivered (ratio {}): {}", number(r.delivery_ratio, 4), verdict(delivered));
        println!("  p99 < 25 ms ({} ms): {}", number(p99, 2), verdict(p99.map(|p| p < 25.0)));
    }
}
