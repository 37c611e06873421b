//! The shared reference folder (`../shared/bench/`, read-only): finding it, installing the load
//! generator and the Socket.IO server in a writable copy (`npm ci`), and building the ceiling server
//! from a copy. Copies are refreshed file by file, so a second run reuses the install and the build.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the shared folder offers.
pub struct References {
    /// `socketio-reference/`: the load generator and the Socket.IO server.
    socketio: PathBuf,
    /// `ceiling-server/`, when present.
    ceiling: Option<PathBuf>,
}

/// The load generator and the Socket.IO server, installed in a writable copy.
pub struct LoadgenInstall {
    /// The copy's folder (the Socket.IO server runs from here).
    pub socketio_dir: PathBuf,
    /// `loadgen.js` in the copy.
    pub loadgen: PathBuf,
}

impl References {
    /// The references under `dir`, when it holds the load generator.
    pub fn locate(dir: &Path) -> Option<Self> {
        let socketio = dir.join("socketio-reference");
        if !socketio.join("loadgen.js").is_file() {
            return None;
        }
        let ceiling = dir.join("ceiling-server");
        Some(Self { socketio, ceiling: ceiling.join("Cargo.toml").is_file().then_some(ceiling) })
    }
}

/// Copies `from` into `to` recursively, skipping build and install output, writing only files whose
/// bytes differ (so the copy's timestamps, and with them cargo's and npm's caches, stay valid).
/// Returns the relative paths written.
fn refresh_copy(from: &Path, to: &Path) -> Result<Vec<PathBuf>> {
    const SKIPPED: [&str; 5] = ["node_modules", "target", "results", "logs", ".git"];
    let mut written = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let source = from.join(&relative);
        std::fs::create_dir_all(to.join(&relative)).with_context(|| format!("cannot create {}", to.display()))?;
        for entry in std::fs::read_dir(&source).with_context(|| format!("cannot read {}", source.display()))? {
            let entry = entry?;
            let name = entry.file_name();
            if SKIPPED.iter().any(|s| name == *s) {
                continue;
            }
            let child = relative.join(&name);
            if entry.file_type()?.is_dir() {
                pending.push(child);
                continue;
            }
            let bytes = std::fs::read(entry.path())?;
            let target = to.join(&child);
            if std::fs::read(&target).ok().as_deref() != Some(bytes.as_slice()) {
                // The shared files are read-only; the copy must stay writable for the next refresh.
                let _ = std::fs::remove_file(&target);
                std::fs::write(&target, &bytes).with_context(|| format!("cannot write {}", target.display()))?;
                written.push(child);
            }
        }
    }
    Ok(written)
}

/// Copies `socketio-reference/` into `work` and runs `npm ci` there when its lock file changed or
/// nothing is installed yet.
pub fn prepare_loadgen(refs: &References, work: &Path) -> Result<LoadgenInstall> {
    let dir = work.join("socketio-reference");
    let written = refresh_copy(&refs.socketio, &dir)?;
    let lock_changed = written.iter().any(|p| p.as_os_str() == "package-lock.json");
    if lock_changed || !dir.join("node_modules/ws").is_dir() || !dir.join("node_modules/socket.io").is_dir() {
        eprintln!("==> npm ci in {}", dir.display());
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .context("cannot run npm (the load generator needs Node.js and npm)")?;
        if !status.success() {
            bail!("npm ci failed in {} ({status})", dir.display());
        }
    }
    Ok(LoadgenInstall { loadgen: dir.join("loadgen.js"), socketio_dir: dir })
}

/// Builds the ceiling server (release) from a copy and returns its binary. The copy lives outside
/// the project, where cargo does not take it for a member of Pretzel's workspace; the build output
/// stays in `work` so later runs reuse it.
pub fn prepare_ceiling(refs: &References, work: &Path) -> Result<PathBuf> {
    let Some(source) = &refs.ceiling else {
        bail!("no ceiling-server/ beside socketio-reference/");
    };
    let copy = std::env::temp_dir().join("pretzel-bench-chat-ceiling-server");
    refresh_copy(source, &copy)?;
    let target = work.join("ceiling-target");
    eprintln!("==> building the ceiling server (release) into {}", target.display());
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--locked", "--manifest-path"])
        .arg(copy.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .current_dir(&copy)
        .status()
        .context("cannot run cargo to build the ceiling server")?;
    if !status.success() {
        bail!("building the ceiling server failed ({status})");
    }
    let binary = target.join("release/ceiling-server");
    if !binary.is_file() {
        bail!("the ceiling server's build left no binary at {}", binary.display());
    }
    Ok(binary)
}
