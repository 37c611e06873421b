//! Pretzel's developer commands (`cargo xtask <command>`): one place that knows how to install the
//! tools, build the UI and the app, run the backend and the app together, and run every test.

use anyhow::{Context, Result, bail};
use std::ffi::OsString;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  run       install what is missing, build the UI and the app, start the backend on SQLite
            (sample data loaded) and open the desktop app pointed at it
  backend   run the backend only (SQLite in ./data unless PRETZEL_DATABASE_URL says otherwise)
  test      install what is missing and run every check and test: fmt, clippy (native and wasm),
            unit and integration tests on SQLite and PostgreSQL, the UI's wasm tests in Chromium,
            and the end-to-end test of the real app under Xvfb
  setup     only install what is missing (apt packages, wasm target, trunk, wasm-bindgen, tauri-driver)
  build-ui  build the Leptos UI into src-ui/dist
  bench search [ARGS]
            time course search (release build) over the sample catalogs and a synthetic term of
            100,000 sections on SQLite and on a fresh PostgreSQL database (created and dropped on
            127.0.0.1:5432), printing p50/p99 per query side by side; ARGS go to the benchmark
            (--iterations N, --warmup N, --synthetic-sections N, --engine sqlite|postgres,
            --postgres URL, --synthetic-only)
  bench chat [ARGS]
            measure chat fan-out: the real backend (release, SQLite, real accounts and course
            memberships) and, under the same load from ../shared/bench/socketio-reference/loadgen.js,
            the Socket.IO and ceiling reference servers (n/a when absent), each pinned to its own
            core; prints delivered msg/s, delivery ratio, p50/p99 latency, CPU per million deliveries
            and memory per connection; ARGS go to the benchmark (--conns N, --room-size M, --rate R,
            --duration S, --warmup S, --quick, --skip-references, --help)
";

/// Features every build of the app crate uses, so that one compilation serves clippy, tests and the
/// end-to-end run (the app then serves the bundled UI instead of the trunk dev server).
const APP_FEATURES: &str = "pretzel-app/custom-protocol";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root()?;
    match args.first().map(String::as_str) {
        Some("run") => run_app(&root),
        Some("backend") => run_backend(&root),
        Some("test") => test(&root),
        Some("setup") => setup(&root),
        Some("bench") => bench(&root, &args[1..]),
        Some("build-ui") => {
            setup(&root)?;
            build_ui(&root)
        }
        _ => {
            eprint!("{USAGE}");
            bail!("unknown or missing command")
        }
    }
}

fn project_root() -> Result<PathBuf> {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().map(Path::to_path_buf).context("xtask has no parent folder")
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"))
}

/// PATH with the project's npm tools (Tauri CLI, a working wasm-opt) and cargo's bin folder first.
fn tool_path(root: &Path) -> Result<OsString> {
    let mut dirs = vec![root.join("node_modules/.bin")];
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(PathBuf::from(home).join("bin"));
    } else if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    Ok(std::env::join_paths(dirs)?)
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn step(name: &str, command: &mut Command) -> Result<()> {
    eprintln!("==> {name}");
    let started = Instant::now();
    let status = command.status().with_context(|| format!("cannot start: {name}"))?;
    eprintln!("    {name}: {:.0?}", started.elapsed());
    check(name, status)
}

fn check(name: &str, status: ExitStatus) -> Result<()> {
    if status.success() { Ok(()) } else { bail!("{name} failed ({status})") }
}

fn setup(root: &Path) -> Result<()> {
    step("install dependencies", Command::new("bash").arg(root.join(".ci/install-deps.sh")))
}

fn build_ui(root: &Path) -> Result<()> {
    // Trunk runs cargo offline (so it never reaches for the network itself): fetch first.
    step("fetch crates", cargo().args(["fetch", "--locked"]).current_dir(root))?;
    step(
        "build the UI (trunk)",
        Command::new("trunk")
            .args(["build", "--release"])
            .current_dir(root.join("src-ui"))
            .env("PATH", tool_path(root)?),
    )
}

fn build_app(root: &Path) -> Result<()> {
    step("build the app", cargo().args(["build", "-p", "pretzel-app", "--features", APP_FEATURES]).current_dir(root))
}

fn build_backend(root: &Path) -> Result<()> {
    step("build the backend", cargo().args(["build", "-p", "pretzel-backend"]).current_dir(root))
}

/// A child process that is terminated (SIGTERM, then killed) when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let pid = self.0.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for_port(addr: &str, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if TcpStream::connect(addr).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!("nothing listens on {addr} after {timeout:?}")
}

fn listen_addr() -> String {
    std::env::var("PRETZEL_LISTEN").unwrap_or_else(|_| "127.0.0.1:8787".into())
}

fn run_backend(root: &Path) -> Result<()> {
    build_backend(root)?;
    let status = Command::new(target_dir(root).join("debug/pretzel-backend"))
        .arg("serve")
        .current_dir(root)
        .status()
        .context("cannot start the backend")?;
    check("backend", status)
}

/// A benchmark's own arguments: `cargo xtask bench search -- --engine sqlite` is a natural way to write
/// them, so a leading `--` is dropped.
fn without_dashes(rest: &[String]) -> &[String] {
    match rest.split_first() {
        Some((dashes, after)) if dashes == "--" => after,
        _ => rest,
    }
}

/// `bench search|chat [ARGS]`: builds and runs a benchmark in release mode from the project root
/// (where it finds `assets/catalogs/` and `../shared/bench/`), passing ARGS through.
fn bench(root: &Path, args: &[String]) -> Result<()> {
    match args.split_first() {
        Some((what, rest)) if what == "search" => {
            let rest = without_dashes(rest);
            step(
                "search benchmark (release)",
                cargo()
                    .args(["run", "--release", "-p", "pretzel-backend", "--bin", "pretzel-bench-search", "--"])
                    .args(rest)
                    .current_dir(root),
            )
        }
        Some((what, rest)) if what == "chat" => {
            let rest = without_dashes(rest);
            // The benchmark starts the server as its own process (to pin it and read its CPU and
            // memory), so both binaries are built; it finds `pretzel-backend` beside itself.
            step(
                "build the backend and the chat benchmark (release)",
                cargo()
                    .args(["build", "--release", "-p", "pretzel-backend"])
                    .args(["--bin", "pretzel-backend", "--bin", "pretzel-bench-chat"])
                    .current_dir(root),
            )?;
            step(
                "chat benchmark",
                Command::new(target_dir(root).join("release/pretzel-bench-chat")).args(rest).current_dir(root),
            )
        }
        _ => {
            eprint!("{USAGE}");
            bail!("usage: cargo xtask bench search|chat [ARGS]")
        }
    }
}

fn run_app(root: &Path) -> Result<()> {
    setup(root)?;
    build_ui(root)?;
    build_backend(root)?;
    build_app(root)?;
    let addr = listen_addr();
    eprintln!("==> starting the backend on http://{addr} (SQLite in {}/data)", root.display());
    let _backend = Guard(
        Command::new(target_dir(root).join("debug/pretzel-backend"))
            .arg("serve")
            .current_dir(root)
            .spawn()
            .context("cannot start the backend")?,
    );
    wait_for_port(&addr, Duration::from_secs(60))?;
    let app = target_dir(root).join("debug/pretzel");
    let mut command = if std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some() {
        Command::new(&app)
    } else {
        eprintln!("==> no display found: running the app inside Xvfb (headless)");
        let mut xvfb = Command::new("xvfb-run");
        xvfb.args(["-a", "-s", "-screen 0 1280x900x24"]).arg(&app);
        xvfb
    };
    command.env("PRETZEL_BACKEND_URL", format!("http://{addr}"));
    eprintln!("==> opening Pretzel (close the window to stop)");
    let status = command.status().context("cannot start the app")?;
    check("app", status)
}

fn test(root: &Path) -> Result<()> {
    let started = Instant::now();
    setup(root)?;
    let path = tool_path(root)?;
    step("cargo fmt --check", cargo().args(["fmt", "--all", "--check"]).current_dir(root))?;
    build_ui(root)?;
    step(
        "clippy (native)",
        cargo()
            .args(["clippy", "--workspace", "--all-targets", "--features", APP_FEATURES, "--", "-D", "warnings"])
            .current_dir(root),
    )?;
    step(
        "clippy (wasm UI)",
        cargo()
            .args([
                "clippy",
                "-p",
                "pretzel-ui",
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ])
            .current_dir(root),
    )?;
    build_app(root)?;
    let app = target_dir(root).join("debug/pretzel");
    // Everything native, including the end-to-end tests of the real app (ignored by a plain
    // `cargo test` because they need the built app, tauri-driver and a display).
    step(
        "tests (unit, integration on SQLite and PostgreSQL, end-to-end)",
        Command::new("xvfb-run")
            .args(["-a", "-s", "-screen 0 1280x900x24"])
            .arg(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["test", "--workspace", "--features", APP_FEATURES, "--", "--include-ignored"])
            .env("PATH", &path)
            .env("PRETZEL_E2E_APP", &app)
            .current_dir(root),
    )?;
    step(
        "UI component tests (wasm, headless Chromium)",
        cargo()
            .args(["test", "-p", "pretzel-ui", "--target", "wasm32-unknown-unknown"])
            .env("PATH", &path)
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
            .current_dir(root),
    )?;
    eprintln!("==> all checks passed in {:.0?}", started.elapsed());
    Ok(())
}
