//! The HTTP transport to the backend's REST API: one reqwest client with the app's timeouts, a
//! description of a request that can be sent again (for the refresh-and-retry path), and the
//! decoding of answers into either the contract's response type or its [`ErrorBody`].

use crate::error::ClientError;
use pretzel_api::{API_PREFIX, ErrorBody};
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// How long to wait for the TCP/TLS connection before calling the server unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// One REST call, kept as data so it can be replayed after a token refresh.
#[derive(Debug, Clone)]
pub(crate) struct ApiRequest {
    method: Method,
    /// Path below [`API_PREFIX`], e.g. `/auth/login`.
    path: &'static str,
    /// Serialised JSON body, if any.
    body: Option<Vec<u8>>,
}

impl ApiRequest {
    /// A `GET` of `path` (below `/api/v1`).
    pub(crate) fn get(path: &'static str) -> Self {
        Self { method: Method::GET, path, body: None }
    }

    /// A `POST` of `path` (below `/api/v1`) without a body.
    pub(crate) fn post_empty(path: &'static str) -> Self {
        Self { method: Method::POST, path, body: None }
    }

    /// A `POST` of `path` (below `/api/v1`) with `body` as JSON.
    pub(crate) fn post<B: Serialize>(path: &'static str, body: &B) -> Result<Self, ClientError> {
        let body = serde_json::to_vec(body).map_err(|source| ClientError::Encode { what: "request body", source })?;
        Ok(Self { method: Method::POST, path, body: Some(body) })
    }
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
    /// decodes the answer: a success body as `T`, an error body as [`ClientError::Server`].
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        base_url: &str,
        request: &ApiRequest,
        bearer: Option<&str>,
    ) -> Result<T, ClientError> {
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
            serde_json::from_slice(&bytes)
                .map_err(|source| ClientError::UnexpectedResponse { status: status.as_u16(), source })
        } else {
            match serde_json::from_slice::<ErrorBody>(&bytes) {
                Ok(body) => Err(ClientError::Server { status: status.as_u16(), detail: body.error }),
                Err(source) => Err(ClientError::UnexpectedResponse { status: status.as_u16(), source }),
            }
        }
    }
}
