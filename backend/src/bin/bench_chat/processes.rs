//! The processes a run starts and how they are placed: a server pinned to its core (stopped when
//! dropped), the core split between server and load generator, free loopback ports, and the
//! whole-machine CPU level read from `/proc/stat`.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Which cores the server and the load generator run on, when the machine lets us choose.
#[derive(Debug, Clone)]
pub struct Pinning {
    cores: Option<(usize, usize)>,
}

impl Pinning {
    /// Pins to the given cores when `taskset` exists and the machine has both; otherwise nothing is
    /// pinned (and the report says so).
    pub fn detect(server_core: usize, loadgen_core: usize) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let taskset = Command::new("taskset").arg("-V").stdout(Stdio::null()).stderr(Stdio::null()).status();
        let usable = taskset.is_ok_and(|s| s.success())
            && server_core != loadgen_core
            && server_core < cores
            && loadgen_core < cores;
        if !usable {
            eprintln!("!! not pinning: needs taskset and two different existing cores");
        }
        Self { cores: usable.then_some((server_core, loadgen_core)) }
    }

    /// For the report's first line.
    pub fn describe(&self) -> String {
        match self.cores {
            Some((server, loadgen)) => format!("server pinned to core {server}, load generator to core {loadgen}"),
            None => "nothing pinned".into(),
        }
    }

    /// `command` wrapped so that it runs on the server's core with the file limit raised.
    pub fn server(&self, command: &Command) -> Command {
        self.wrap(command, self.cores.map(|(server, _)| server))
    }

    /// `command` wrapped so that it runs on the load generator's core with the file limit raised.
    pub fn loadgen(&self, command: &Command) -> Command {
        self.wrap(command, self.cores.map(|(_, loadgen)| loadgen))
    }

    /// A shell raises the open-file limit to the hard limit (a thousand sockets exceed the usual soft
    /// 1,024) and then execs, through `taskset`, into `command`: the pid stays the program's own.
    fn wrap(&self, command: &Command, core: Option<usize>) -> Command {
        let mut wrapped = Command::new("sh");
        wrapped.arg("-c").arg(r#"ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@""#).arg("sh");
        if let Some(core) = core {
            wrapped.args(["taskset", "-c", &core.to_string()]);
        }
        wrapped.arg(command.get_program()).args(command.get_args());
        if let Some(dir) = command.get_current_dir() {
            wrapped.current_dir(dir);
        }
        for (key, value) in command.get_envs() {
            match value {
                Some(value) => wrapped.env(key, value),
                None => wrapped.env_remove(key),
            };
        }
        wrapped
    }
}

/// A server under test, terminated (SIGTERM, then killed) when stopped or dropped.
pub struct ServerProcess {
    name: &'static str,
    child: Option<Child>,
}

impl ServerProcess {
    /// Starts `command` pinned to the server core with `env` set and `remove` unset, its output
    /// going to `log`.
    pub fn start(
        name: &'static str,
        pinning: &Pinning,
        command: &mut Command,
        env: &[(&str, String)],
        remove: &[&str],
        log: &Path,
    ) -> Result<Self> {
        for key in remove {
            command.env_remove(key);
        }
        command.envs(env.iter().map(|(k, v)| (k, v)));
        let out = std::fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
        let err = out.try_clone()?;
        let child = pinning
            .server(command)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .with_context(|| format!("cannot start the {name} server"))?;
        Ok(Self { name, child: Some(child) })
    }

    /// The server's process id (the shell wrapper execs into it).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Waits until `url` answers 200, failing early if the process exits.
    pub async fn wait_healthy(&self, url: &str, timeout: Duration) -> Result<()> {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(2)).build()?;
        let deadline = Instant::now() + timeout;
        loop {
            if client.get(url).send().await.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            if !Path::new(&format!("/proc/{}", self.pid())).exists() {
                bail!("the {} server exited before answering {url} (see its log)", self.name);
            }
            if Instant::now() > deadline {
                bail!("the {} server did not answer {url} within {timeout:?}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Terminates the server and waits for it (a graceful stop first, so storage closes cleanly).
    pub fn stop(mut self) {
        self.terminate();
    }

    fn terminate(&mut self) {
        let Some(mut child) = self.child.take() else { return };
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!("!! the {} server ignored SIGTERM: killing it", self.name);
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.terminate();
    }
}

/// A loopback port free right now (the server binds it a moment later).
pub fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("cannot find a free loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// (busy, total) jiffies of the whole machine.
fn cpu_jiffies() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat.lines().next()?.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    let total: u64 = fields.iter().sum();
    let idle = fields.get(3).copied().unwrap_or(0) + fields.get(4).copied().unwrap_or(0);
    Some((total.saturating_sub(idle), total))
}

/// Whole-machine CPU use over `window`, in percent of all cores (NaN where `/proc/stat` is missing).
pub fn busy_percent(window: Duration) -> f64 {
    let Some((busy0, total0)) = cpu_jiffies() else { return f64::NAN };
    std::thread::sleep(window);
    let Some((busy1, total1)) = cpu_jiffies() else { return f64::NAN };
    let total = total1.saturating_sub(total0);
    if total == 0 { 0.0 } else { 100.0 * busy1.saturating_sub(busy0) as f64 / total as f64 }
}

/// Waits until the machine is at most `threshold` % busy, or `max_wait` passed; returns the last level.
pub fn wait_for_quiet(threshold: f64, max_wait: Duration) -> f64 {
    let deadline = Instant::now() + max_wait;
    loop {
        let busy = busy_percent(Duration::from_secs(2));
        if busy.is_nan() || busy <= threshold || Instant::now() >= deadline {
            return busy;
        }
    }
}
