//! The HTTP transport to the backend's REST API: one reqwest client with the app's timeouts, a
//! description of a request that can be sent again (for the refresh-and-retry path), and the
//! decoding of answers into either the contract's response type or its [`ErrorBody`].
//!
//! [`ErrorBody`]: pretzel_api::ErrorBody

use crate::error::ClientError;
use pretzel_api::{API_PREFIX, Conflict, ErrorCode, ErrorDetail};
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How long to wait for the TCP/TLS connection before calling the server unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// One REST call, kept as data so it can be replayed after a token refresh.
#[derive(Debug, Clone)]
pub(crate) struct ApiRequest {
    method: Method,
    /// Path below [`API_PREFIX`], e.g. `/auth/login` or `/terms/4/search?q=cs`.
    path: String,
    /// Serialised JSON body, if any.
    body: Option<Vec<u8>>,
}

impl ApiRequest {
    /// A `GET` of `path` (below `/api/v1`).
    pub(crate) fn get(path: impl Into<String>) -> Self {
        Self { method: Method::GET, path: path.into(), body: None }
    }

    /// A `POST` of `path` (below `/api/v1`) without a body.
    pub(crate) fn post_empty(path: impl Into<String>) -> Self {
        Self { method: Method::POST, path: path.into(), body: None }
    }

    /// A `POST` of `path` (below `/api/v1`) with `body` as JSON.
    pub(crate) fn post<B: Serialize>(path: impl Into<String>, body: &B) -> Result<Self, ClientError> {
        Self::with_body(Method::POST, path, body)
    }

    /// A `PATCH` of `path` (below `/api/v1`) with `body` as JSON.
    pub(crate) fn patch<B: Serialize>(path: impl Into<String>, body: &B) -> Result<Self, ClientError> {
        Self::with_body(Method::PATCH, path, body)
    }

    /// A `PUT` of `path` (below `/api/v1`) without a body.
    pub(crate) fn put_empty(path: impl Into<String>) -> Self {
        Self { method: Method::PUT, path: path.into(), body: None }
    }

    /// A `DELETE` of `path` (below `/api/v1`).
    pub(crate) fn delete(path: impl Into<String>) -> Self {
        Self { method: Method::DELETE, path: path.into(), body: None }
    }

    fn with_body<B: Serialize>(method: Method, path: impl Into<String>, body: &B) -> Result<Self, ClientError> {
        let body = serde_json::to_vec(body).map_err(|source| ClientError::Encode { what: "request body", source })?;
        Ok(Self { method, path: path.into(), body: Some(body) })
    }
}

/// A successful answer before decoding: its status and body.
#[derive(Debug)]
pub(crate) struct RawAnswer {
    pub(crate) status: u16,
    pub(crate) bytes: Vec<u8>,
}

impl RawAnswer {
    /// The body as the contract's JSON type `T`.
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, ClientError> {
        serde_json::from_slice(&self.bytes)
            .map_err(|source| ClientError::UnexpectedResponse { status: self.status, source })
    }
}

/// Any error answer: the standard envelope, plus the conflicts a `schedule_conflict` refusal lists
/// beside it (`ConflictRefusal`).
#[derive(Debug, Deserialize)]
struct ErrorAnswer {
    error: ErrorDetail,
    #[serde(default)]
    conflicts: Vec<Conflict>,
}

/// The shared reqwest client. Cloning is cheap (reqwest pools connections behind an `Arc`).
#[derive(Debug, Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
}

impl Http {
    /// A client with the app's timeouts and user agent.
    pub(crate) fn new() -> Result<Self, ClientError> {
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("Pretzel/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| ClientError::Http { source })?;
        Ok(Self { client })
    }

    /// Sends `request` to the backend at `base_url`, with `bearer` as the access token if given, and
    /// returns a success answer undecoded; an error body becomes [`ClientError::Server`] (or
    /// [`ClientError::ScheduleConflict`] with the conflicts it lists).
    pub(crate) async fn send(
        &self,
        base_url: &str,
        request: &ApiRequest,
        bearer: Option<&str>,
    ) -> Result<RawAnswer, ClientError> {
        let url = format!("{base_url}{API_PREFIX}{}", request.path);
        let mut builder = self.client.request(request.method.clone(), url).header(ACCEPT, "application/json");
        if let Some(token) = bearer {
            builder = builder.bearer_auth(token);
        }
        if let Some(body) = &request.body {
            builder = builder.header(CONTENT_TYPE, "application/json").body(body.clone());
        }
        let response = builder.send().await.map_err(ClientError::from_reqwest)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(ClientError::from_reqwest)?;
        if status.is_success() {
            return Ok(RawAnswer { status: status.as_u16(), bytes: bytes.to_vec() });
        }
        match serde_json::from_slice::<ErrorAnswer>(&bytes) {
            Ok(ErrorAnswer { error, conflicts }) if error.code == ErrorCode::ScheduleConflict => {
                Err(ClientError::ScheduleConflict { detail: error, conflicts })
            }
            Ok(ErrorAnswer { error, .. }) => Err(ClientError::Server { status: status.as_u16(), detail: error }),
            Err(source) => Err(ClientError::UnexpectedResponse { status: status.as_u16(), source }),
        }
    }
}
