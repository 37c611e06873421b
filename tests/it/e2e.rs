//! End-to-end: the real built app (Tauri + WebKitGTK) driven through WebDriver (tauri-driver and
//! WebKitWebDriver) against the real backend on a loopback port. Needs a display (Xvfb) and the app
//! built with the bundled UI; `cargo xtask test` provides both and sets `PRETZEL_E2E_APP`.

use crate::common::{Engine, GOOD_PASSWORD, Storage, TestServer, fresh_email};
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// WebKitWebDriver drives one app at a time on this machine; the tests take turns.
static ONE_APP_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const WAIT: Duration = Duration::from_secs(30);

fn app_binary() -> PathBuf {
    let path = std::env::var_os("PRETZEL_E2E_APP").map(PathBuf::from).expect(
        "PRETZEL_E2E_APP is not set: run the end-to-end tests through `cargo xtask test`, \
         which builds the app with its bundled UI first",
    );
    assert!(path.exists(), "the app binary {} does not exist", path.display());
    path
}

fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&dir).expect("create tests/artifacts");
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// tauri-driver on free ports, killed on drop, with the app's environment.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    async fn start(backend_url: &str, app_data_dir: &Path) -> Self {
        let port = free_port();
        let native_port = free_port();
        let log = std::fs::File::create(artifacts_dir().join("tauri-driver.log")).expect("driver log");
        let child = Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("PRETZEL_BACKEND_URL", backend_url)
            .env("PRETZEL_APP_DATA_DIR", app_data_dir)
            .env("PRETZEL_TOKEN_STORE", "file")
            .env("LANG", "en_US.UTF-8")
            .stdout(Stdio::from(log.try_clone().expect("log handle")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start tauri-driver (installed by .ci/install-deps.sh)");
        let url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..150 {
            if http.get(format!("{url}/status")).send().await.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        // From here on the guard owns the process and kills it on drop, even if the test fails.
        let driver = Self { child, url };
        let ready = http.get(format!("{}/status", driver.url)).send().await.is_ok_and(|r| r.status().is_success());
        assert!(ready, "tauri-driver did not answer on {}", driver.url);
        driver
    }

    /// Launches the app and connects to it.
    async fn open_app(&self) -> Client {
        // Two rustls crypto providers are linked in (via fantoccini and reqwest); choose one. Only the
        // first call installs it, later ones find it there.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert("tauri:options".into(), serde_json::json!({ "application": app_binary().to_string_lossy() }));
        ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("open a WebDriver session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn text_of(client: &Client, css: &str) -> String {
    client.wait().at_most(WAIT).for_element(Locator::Css(css)).await.expect(css).text().await.expect("text")
}

async fn fill(client: &Client, css: &str, value: &str) {
    let field = client.wait().at_most(WAIT).for_element(Locator::Css(css)).await.expect(css);
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}

async fn click(client: &Client, css: &str) {
    client.wait().at_most(WAIT).for_element(Locator::Css(css)).await.expect(css).click().await.expect("click");
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(artifacts_dir().join(name), png).expect("save screenshot");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app, tauri-driver and a display: run through `cargo xtask test`"]
async fn test_sign_up_restart_still_signed_in_then_log_out() {
    let _turn = ONE_APP_AT_A_TIME.lock().await;
    let storage = Storage::new(Engine::Sqlite).await;
    let server = TestServer::on(&storage).await;
    let app_data = tempfile::tempdir().expect("app data dir");
    let driver = Driver::start(&server.base, app_data.path()).await;
    let email = fresh_email("e2e");

    // First launch: no session, so the login screen; go to sign-up.
    let app = driver.open_app().await;
    click(&app, "#go-signup").await;
    fill(&app, "#signup-email", &email).await;
    fill(&app, "#signup-password", GOOD_PASSWORD).await;
    fill(&app, "#signup-display-name", "Ji-woo Park").await;
    // The picker is filled from the backend's universities.
    let option = app
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("select#signup-university option[value='1']"))
        .await
        .expect("UIUC in the university picker");
    option.click().await.expect("pick UIUC");
    screenshot(&app, "01-sign-up.png").await;
    click(&app, "#signup-submit").await;

    app.wait().at_most(WAIT).for_element(Locator::Css("#app-frame")).await.expect("the app frame after sign-up");
    click(&app, "[data-tab='me']").await;
    app.wait().at_most(WAIT).for_element(Locator::Css("[data-page='me']")).await.expect("Me page");
    assert_eq!(text_of(&app, "#me-email").await, email);
    assert_eq!(text_of(&app, "#me-display-name").await, "Ji-woo Park");
    assert!(text_of(&app, "#me-university").await.contains("Illinois"));
    let current = app.find(Locator::Css("nav [aria-current='page']")).await.expect("a current tab");
    assert_eq!(current.attr("data-tab").await.expect("attr").as_deref(), Some("me"));
    let classes =
        app.find(Locator::Css("[data-tab='feed']")).await.expect("feed tab").attr("class").await.expect("class");
    assert_eq!(classes.as_deref(), Some("tab"), "only the current tab is highlighted");
    screenshot(&app, "02-me-after-sign-up.png").await;
    app.close().await.expect("quit the app");

    // The server really has the account.
    let response =
        server.post_json("/api/v1/auth/login", &serde_json::json!({"email": email, "password": GOOD_PASSWORD})).await;
    assert_eq!(response.status(), 200);

    // Second launch: still signed in, straight into the app frame.
    let app = driver.open_app().await;
    app.wait().at_most(WAIT).for_element(Locator::Css("#app-frame")).await.expect("still signed in after restart");
    click(&app, "[data-tab='me']").await;
    assert_eq!(text_of(&app, "#me-email").await, email);
    screenshot(&app, "03-me-after-restart.png").await;

    // Phone width: the navigation moves to a bottom tab bar.
    app.set_window_size(390, 844).await.expect("resize to phone width");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let nav_bottom: f64 = app
        .execute("const r = document.querySelector('nav.tab-bar').getBoundingClientRect(); return r.bottom;", vec![])
        .await
        .expect("measure nav")
        .as_f64()
        .expect("a number");
    let viewport: f64 =
        app.execute("return window.innerHeight;", vec![]).await.expect("viewport").as_f64().expect("a number");
    assert!(
        (nav_bottom - viewport).abs() < 2.0,
        "tab bar at the bottom: nav ends at {nav_bottom}, viewport {viewport}"
    );
    screenshot(&app, "03b-me-phone-width.png").await;
    app.set_window_size(1100, 760).await.expect("back to desktop width");

    click(&app, "#logout").await;
    app.wait().at_most(WAIT).for_element(Locator::Css("#login-email")).await.expect("back at login after log out");
    screenshot(&app, "04-logged-out.png").await;
    app.close().await.expect("quit the app");

    // Third launch: logged out stays logged out.
    let app = driver.open_app().await;
    app.wait().at_most(WAIT).for_element(Locator::Css("#login-email")).await.expect("login screen after restart");
    app.close().await.expect("quit the app");
    server.stop().await;
}
