//! Downloading a catalog from a real HTTP server on loopback: politeness, retries and limits.

use crate::common::{counts, parse_bytes, read};
use crate::loopback::{Loopback, Reply};
use pretzel_backend::import::Format;
use pretzel_backend::import::fetch::{FetchError, FetchPolicy, fetch, read_source};
use std::time::{Duration, Instant};

const SAMPLE: &str = "purdue/202130.COM.bwckschd.p_get_crse_unsec.html";

/// Quick pauses and a 1 MiB limit so the tests run in well under a second each.
fn policy() -> FetchPolicy {
    FetchPolicy {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        max_attempts: 3,
        first_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        max_body_bytes: 1024 * 1024,
        user_agent: pretzel_backend::import::fetch::user_agent(Some("mailto:ops@pretzel.example")),
    }
}

async fn server() -> Loopback {
    Loopback::start(|path, nth| match path {
        "/catalog.html" => Reply::Body(read(SAMPLE)),
        "/flaky.html" if nth == 1 => Reply::Status(503),
        "/flaky.html" => Reply::Body(read(SAMPLE)),
        "/down" => Reply::Status(503),
        "/huge" => Reply::Body(vec![b'x'; 2 * 1024 * 1024]),
        "/huge-unsized" => Reply::Unsized(vec![b'x'; 2 * 1024 * 1024]),
        "/hang" => Reply::Hang,
        _ => Reply::Status(404),
    })
    .await
}

#[tokio::test]
async fn test_fetch_downloads_a_sample_byte_for_byte_with_a_polite_user_agent() {
    let server = server().await;
    let body = fetch(&server.url("/catalog.html"), &policy()).await.expect("downloaded");
    assert_eq!(body, read(SAMPLE));
    assert_eq!(counts(&parse_bytes(Format::Banner8Html, &body)), (38, 159, 159, 19, 0));
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(server.user_agents(), [format!("Pretzel-catalog-importer/{version} (+mailto:ops@pretzel.example)")]);
}

#[tokio::test]
async fn test_fetch_retries_after_a_503() {
    let server = server().await;
    let started = Instant::now();
    let body = fetch(&server.url("/flaky.html"), &policy()).await.expect("second try succeeds");
    assert_eq!(body, read(SAMPLE));
    assert_eq!(server.hits("/flaky.html"), 2);
    // The server asked for `Retry-After: 1`; the pause honours it up to the policy's cap (100 ms).
    assert!(started.elapsed() >= Duration::from_millis(100), "{:?}", started.elapsed());
}

#[tokio::test]
async fn test_fetch_gives_up_after_a_bounded_number_of_5xx() {
    let server = server().await;
    let err = fetch(&server.url("/down"), &policy()).await.expect_err("always 503");
    assert!(matches!(err, FetchError::Status { status: 503, attempts: 3, .. }), "{err}");
    assert_eq!(server.hits("/down"), 3);
}

#[tokio::test]
async fn test_fetch_does_not_retry_a_404() {
    let server = server().await;
    let err = fetch(&server.url("/missing"), &policy()).await.expect_err("404");
    assert!(matches!(err, FetchError::Status { status: 404, attempts: 1, .. }), "{err}");
    assert_eq!(server.hits("/missing"), 1);
}

#[tokio::test]
async fn test_fetch_refuses_an_oversized_body_with_or_without_content_length() {
    let server = server().await;
    for path in ["/huge", "/huge-unsized"] {
        let err = fetch(&server.url(path), &policy()).await.expect_err("over the limit");
        assert!(matches!(err, FetchError::TooLarge { limit: 1_048_576, .. }), "{path}: {err}");
        assert_eq!(server.hits(path), 1, "{path}: a size refusal is not retried");
    }
}

#[tokio::test]
async fn test_fetch_times_out_and_retries_a_silent_server() {
    let server = server().await;
    let policy = FetchPolicy { request_timeout: Duration::from_millis(300), max_attempts: 2, ..policy() };
    let err = fetch(&server.url("/hang"), &policy).await.expect_err("no answer");
    match err {
        FetchError::Network { attempts: 2, ref source, .. } => assert!(source.is_timeout(), "{err}"),
        other => panic!("expected a timeout, got {other}"),
    }
    assert_eq!(server.hits("/hang"), 2);
}

#[tokio::test]
async fn test_read_source_takes_paths_and_urls() {
    let server = server().await;
    let from_url = read_source(&server.url("/catalog.html"), &policy()).await.expect("url");
    let path = crate::common::catalog(SAMPLE);
    let from_file = read_source(path.to_str().expect("utf-8 path"), &policy()).await.expect("file");
    assert_eq!(from_url, from_file);
    let missing = read_source("/nonexistent/catalog.csv", &policy()).await.expect_err("no such file");
    assert!(matches!(missing, FetchError::File { .. }), "{missing}");
}
