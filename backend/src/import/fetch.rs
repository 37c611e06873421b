//! Getting a catalog source's bytes: a local file, or a polite HTTP(S) download.
//!
//! University schedule servers are shared, slow and sometimes down, so a download names itself in a
//! User-Agent with a contact, gives up after bounded timeouts, retries only what may pass on a second
//! try (5xx answers, timeouts, dropped connections; never a 4xx) with growing pauses, and refuses
//! bodies over a size limit instead of filling memory.

use std::path::PathBuf;
use std::time::Duration;

/// How a download behaves; [`FetchPolicy::new`] has the defaults.
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    /// Longest wait for a TCP/TLS connection.
    pub connect_timeout: Duration,
    /// Longest wait for one whole request, body included.
    pub request_timeout: Duration,
    /// Tries in all, the first included.
    pub max_attempts: u32,
    /// Pause before the first retry; each later pause doubles.
    pub first_backoff: Duration,
    /// Longest pause between tries, also capping a server's `Retry-After`.
    pub max_backoff: Duration,
    /// Largest body accepted, in bytes.
    pub max_body_bytes: u64,
    /// The `User-Agent` header.
    pub user_agent: String,
}

impl FetchPolicy {
    /// The defaults, with `contact` (a URL or email for the source's operators) in the User-Agent.
    pub fn new(contact: Option<&str>) -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(120),
            max_attempts: 4,
            first_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(60),
            // The largest sample catalog is about 1.3 MB; a whole university's term is a few tens.
            max_body_bytes: 64 * 1024 * 1024,
            user_agent: user_agent(contact),
        }
    }
}

/// `Pretzel-catalog-importer/<version> (+<contact>)`, the contact left out when none is configured.
pub fn user_agent(contact: Option<&str>) -> String {
    let version = env!("CARGO_PKG_VERSION");
    match contact.map(str::trim).filter(|c| !c.is_empty()) {
        Some(contact) => format!("Pretzel-catalog-importer/{version} (+{contact})"),
        None => format!("Pretzel-catalog-importer/{version}"),
    }
}

/// Why a source could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The source looks like a URL but is not a valid one.
    #[error("invalid URL {url:?}: {source}")]
    InvalidUrl {
        /// The text given.
        url: String,
        /// What the URL parser said.
        source: url::ParseError,
    },
    /// The URL's scheme is not `http` or `https`.
    #[error("unsupported URL scheme in {url}: only http and https are fetched")]
    UnsupportedScheme {
        /// The URL.
        url: String,
    },
    /// The local file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// The I/O failure.
        source: std::io::Error,
    },
    /// The HTTP client could not be set up.
    #[error("cannot set up the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    /// The server answered with an error status (after retries, for 5xx).
    #[error("{url} answered HTTP {status} (after {attempts} attempt(s))")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// Tries made.
        attempts: u32,
    },
    /// The connection failed, timed out or broke off (after retries where that may help).
    #[error("cannot download {url} (after {attempts} attempt(s)): {source}")]
    Network {
        /// The URL.
        url: String,
        /// Tries made.
        attempts: u32,
        /// The last failure.
        source: reqwest::Error,
    },
    /// The body is larger than [`FetchPolicy::max_body_bytes`].
    #[error("{url} is larger than the {limit}-byte limit")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit.
        limit: u64,
    },
}

/// Reads `source`: an `http://` or `https://` URL is downloaded under `policy`, anything else is a
/// file path.
pub async fn read_source(source: &str, policy: &FetchPolicy) -> Result<Vec<u8>, FetchError> {
    let lower = source.trim_start().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return fetch(source.trim(), policy).await;
    }
    let path = PathBuf::from(source);
    tokio::fs::read(&path).await.map_err(|source| FetchError::File { path, source })
}

/// What one try came to when it did not deliver a body.
enum Failure {
    /// Worth another try, after at least `retry_after` if the server asked for it.
    Transient { error: FetchError, retry_after: Option<Duration> },
    /// Another try would fail the same way.
    Final(FetchError),
}

/// Downloads `url` under `policy`.
pub async fn fetch(url: &str, policy: &FetchPolicy) -> Result<Vec<u8>, FetchError> {
    let parsed = url::Url::parse(url).map_err(|source| FetchError::InvalidUrl { url: url.to_owned(), source })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FetchError::UnsupportedScheme { url: url.to_owned() });
    }
    let client = reqwest::Client::builder()
        .user_agent(policy.user_agent.as_str())
        .connect_timeout(policy.connect_timeout)
        .timeout(policy.request_timeout)
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .map_err(FetchError::Client)?;
    let attempts = policy.max_attempts.max(1);
    let mut attempt = 1;
    let mut pause = policy.first_backoff;
    loop {
        match try_once(&client, &parsed, policy, attempt).await {
            Ok(body) => {
                tracing::info!(url, bytes = body.len(), attempt, "downloaded");
                return Ok(body);
            }
            Err(Failure::Final(error)) => return Err(error),
            Err(Failure::Transient { error, .. }) if attempt >= attempts => return Err(error),
            Err(Failure::Transient { error, retry_after }) => {
                let wait = pause.max(retry_after.unwrap_or_default()).min(policy.max_backoff);
                let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
                tracing::warn!(url, attempt, error = %error, wait_ms, "download failed; retrying");
                tokio::time::sleep(wait).await;
                pause = pause.saturating_mul(2);
                attempt += 1;
            }
        }
    }
}

async fn try_once(
    client: &reqwest::Client,
    url: &url::Url,
    policy: &FetchPolicy,
    attempt: u32,
) -> Result<Vec<u8>, Failure> {
    let network = |source: reqwest::Error| {
        let transient = source.is_timeout() || source.is_connect() || source.is_body() || source.is_request();
        let error = FetchError::Network { url: url.to_string(), attempts: attempt, source };
        if transient { Failure::Transient { error, retry_after: None } } else { Failure::Final(error) }
    };
    let mut response = client.get(url.clone()).send().await.map_err(network)?;
    let status = response.status();
    if !status.is_success() {
        let error = FetchError::Status { url: url.to_string(), status: status.as_u16(), attempts: attempt };
        return Err(if status.is_server_error() {
            Failure::Transient { error, retry_after: retry_after(&response) }
        } else {
            Failure::Final(error)
        });
    }
    let too_large = || Failure::Final(FetchError::TooLarge { url: url.to_string(), limit: policy.max_body_bytes });
    if response.content_length().is_some_and(|length| length > policy.max_body_bytes) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    // Content-Length may be absent or wrong, so the limit is also enforced while reading.
    while let Some(chunk) = response.chunk().await.map_err(network)? {
        if (body.len() + chunk.len()) as u64 > policy.max_body_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A `Retry-After` given in seconds (the HTTP-date form is rare on these servers and is ignored).
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let value = response.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_user_agent_names_the_importer_its_version_and_contact() {
        let version = env!("CARGO_PKG_VERSION");
        assert_eq!(
            user_agent(Some("mailto:ops@pretzel.example")),
            format!("Pretzel-catalog-importer/{version} (+mailto:ops@pretzel.example)")
        );
        assert_eq!(user_agent(None), format!("Pretzel-catalog-importer/{version}"));
        assert_eq!(user_agent(Some("  ")), format!("Pretzel-catalog-importer/{version}"));
    }

    #[tokio::test]
    async fn test_only_http_and_https_urls_are_fetched() {
        let policy = FetchPolicy::new(None);
        assert!(matches!(fetch("ftp://example.org/x", &policy).await, Err(FetchError::UnsupportedScheme { .. })));
        assert!(matches!(fetch("http://[::1", &policy).await, Err(FetchError::InvalidUrl { .. })));
    }
}
