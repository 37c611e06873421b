//! Pretzel's client core against the real backend: sign-up and sign-in persist across restarts of the
//! client, expired access tokens are refreshed once (also under concurrency), revocation anywhere
//! clears the local session, and offline falls back to the cache.

use crate::common::{Engine, GOOD_PASSWORD, Storage, TestServer, fresh_email};
use pretzel_api::shell::{Profile, SessionChanged};
use pretzel_api::{ErrorCode, LoginRequest, SignupRequest, UniversityId};
use pretzel_client::tokens::{FileTokenStore, TOKEN_FILE_NAME, TokenStore};
use pretzel_client::{Client, ClientError, ClientOptions, TokenStoreKind, Tokens};
use std::path::Path;

fn client_for(server: &TestServer, data_dir: &Path) -> Client {
    Client::new(ClientOptions {
        data_dir: data_dir.to_path_buf(),
        backend_url: Some(server.base.clone()),
        token_store: TokenStoreKind::File,
    })
    .expect("client")
}

fn stored_tokens(data_dir: &Path) -> Option<Tokens> {
    FileTokenStore::new(data_dir.join(TOKEN_FILE_NAME)).load().expect("token file readable")
}

fn signup(email: &str) -> SignupRequest {
    SignupRequest {
        email: email.into(),
        password: GOOD_PASSWORD.into(),
        display_name: "Ana".into(),
        university_id: UniversityId(2),
    }
}

/// A server whose access tokens live one second, so tests can watch them expire.
async fn short_token_server(storage: &Storage) -> TestServer {
    let mut config = storage.config();
    config.access_token_ttl_secs = 1;
    TestServer::start(config).await
}

async fn expire_access_token() {
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
}

#[tokio::test]
async fn test_sign_up_persists_across_client_restarts_and_log_out_clears() {
    let storage = Storage::new(Engine::Sqlite).await;
    let server = TestServer::on(&storage).await;
    let app_dir = tempfile::tempdir().unwrap();
    let email = fresh_email("client");

    let client = client_for(&server, app_dir.path());
    let universities = client.universities().await.unwrap();
    assert!(universities.iter().any(|u| u.short_name == "UMD"));
    let mut events = client.subscribe_session();
    let me = client.sign_up(signup(&email)).await.unwrap();
    assert_eq!(me.email, email);
    assert_eq!(me.university.short_name, "UMD");
    assert_eq!(events.try_recv().ok(), Some(SessionChanged { me: Some(me.clone()) }));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(app_dir.path().join(TOKEN_FILE_NAME)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the token file is private");
    }
    drop(client);

    // The app restarts: it is still signed in, with the profile from the cache and from the server.
    let client = client_for(&server, app_dir.path());
    assert!(client.is_signed_in());
    assert_eq!(client.cached_me(), Some(me.clone()));
    assert_eq!(client.profile().await.unwrap(), Profile { me: me.clone(), offline: false });

    let tokens = stored_tokens(app_dir.path()).expect("tokens stored");
    client.log_out().await.unwrap();
    assert!(!client.is_signed_in());
    assert_eq!(client.cached_me(), None);
    assert_eq!(stored_tokens(app_dir.path()), None);
    // The server revoked the session too: the old access token is dead.
    assert_eq!(server.get_authed("/api/v1/me", &tokens.access_token).await.status(), 401);

    let me_again = client.log_in(LoginRequest { email: email.to_uppercase(), password: GOOD_PASSWORD.into() }).await;
    assert_eq!(me_again.unwrap().id, me.id);
    server.stop().await;
}

#[tokio::test]
async fn test_server_errors_reach_the_client_with_their_codes() {
    let storage = Storage::new(Engine::Sqlite).await;
    let server = TestServer::on(&storage).await;
    let app_dir = tempfile::tempdir().unwrap();
    let client = client_for(&server, app_dir.path());
    let email = fresh_email("codes");
    client.sign_up(signup(&email)).await.unwrap();
    let duplicate = client.sign_up(signup(&email)).await.unwrap_err();
    assert_eq!(duplicate.server_code(), Some(ErrorCode::EmailTaken));

    let weak = client.sign_up(SignupRequest { password: "password1".into(), ..signup(&fresh_email("weak")) }).await;
    let command_error = pretzel_api::shell::CommandError::from(weak.unwrap_err());
    assert_eq!(command_error.code, Some(ErrorCode::ValidationFailed));
    assert_eq!(command_error.fields[0].field, "password");
    assert_eq!(command_error.fields[0].code, "too_common");

    let wrong = client.log_in(LoginRequest { email, password: "not-my-password".into() }).await.unwrap_err();
    assert_eq!(wrong.server_code(), Some(ErrorCode::InvalidCredentials));
    server.stop().await;
}

#[tokio::test]
async fn test_an_expired_access_token_is_refreshed_and_the_request_retried() {
    let storage = Storage::new(Engine::Sqlite).await;
    let server = short_token_server(&storage).await;
    let app_dir = tempfile::tempdir().unwrap();
    let client = client_for(&server, app_dir.path());
    let me = client.sign_up(signup(&fresh_email("refresh"))).await.unwrap();
    let before = stored_tokens(app_dir.path()).unwrap();
    expire_access_token().await;
    assert_eq!(client.profile().await.unwrap(), Profile { me, offline: false });
    let after = stored_tokens(app_dir.path()).unwrap();
    assert_ne!(after.refresh_token, before.refresh_token, "the pair was rotated and stored");
    server.stop().await;
}

#[tokio::test]
async fn test_concurrent_requests_share_one_refresh() {
    let storage = Storage::new(Engine::Sqlite).await;
    let server = short_token_server(&storage).await;
    let app_dir = tempfile::tempdir().unwrap();
    let client = client_for(&server, app_dir.path());
    client.sign_up(signup(&fresh_email("concurrent"))).await.unwrap();
    expire_access_token().await;
    let (a, b, c) = tokio::join!(client.profile(), client.profile(), client.profile());
    for result in [a, b, c] {
        assert!(!result.unwrap().offline);
    }
    // Had two of them refreshed with the same token, the server would have revoked the session.
    assert!(client.is_signed_in());
    assert!(!client.profile().await.unwrap().offline);
    server.stop().await;
}

#[tokio::test]
async fn test_a_reused_refresh_token_ends_the_session_everywhere() {
    let storage = Storage::new(Engine::Sqlite).await;
    let server = short_token_server(&storage).await;
    let app_dir = tempfile::tempdir().unwrap();
    let client = client_for(&server, app_dir.path());
    client.sign_up(signup(&fresh_email("reuse"))).await.unwrap();
    let stolen = stored_tokens(app_dir.path()).unwrap();

    // A thief refreshes with a copy of the tokens first; our next refresh presents a spent token.
    let response =
        server.post_json("/api/v1/auth/refresh", &serde_json::json!({"refresh_token": stolen.refresh_token})).await;
    assert_eq!(response.status(), 200);
    expire_access_token().await;
    let mut events = client.subscribe_session();
    let error = client.profile().await.unwrap_err();
    assert!(matches!(error, ClientError::SessionEnded { code: ErrorCode::RefreshTokenReused }), "{error:?}");
    assert!(!client.is_signed_in());
    assert_eq!(client.cached_me(), None);
    assert_eq!(stored_tokens(app_dir.path()), None);
    assert_eq!(events.try_recv().ok(), Some(SessionChanged { me: None }));
    assert!(matches!(client.profile().await, Err(ClientError::NotSignedIn)));
    server.stop().await;
}

#[tokio::test]
async fn test_a_session_revoked_elsewhere_is_cleared_locally() {
    let storage = Storage::new(Engine::Sqlite).await;
    let server = TestServer::on(&storage).await;
    let app_dir = tempfile::tempdir().unwrap();
    let client = client_for(&server, app_dir.path());
    client.sign_up(signup(&fresh_email("revoked"))).await.unwrap();
    let tokens = stored_tokens(app_dir.path()).unwrap();
    let response =
        server.http.post(server.url("/api/v1/auth/logout")).bearer_auth(&tokens.access_token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let error = client.profile().await.unwrap_err();
    assert!(matches!(error, ClientError::SessionEnded { code: ErrorCode::SessionRevoked }), "{error:?}");
    assert!(!client.is_signed_in());
    assert_eq!(stored_tokens(app_dir.path()), None);
    server.stop().await;
}

#[tokio::test]
async fn test_offline_the_profile_comes_from_the_cache_and_log_out_still_clears() {
    let storage = Storage::new(Engine::Sqlite).await;
    let server = TestServer::on(&storage).await;
    let app_dir = tempfile::tempdir().unwrap();
    let client = client_for(&server, app_dir.path());
    let me = client.sign_up(signup(&fresh_email("offline"))).await.unwrap();
    client.universities().await.unwrap();
    server.stop().await;

    // The backend is gone: the profile and the university list come from the cache.
    let profile = client.profile().await.unwrap();
    assert_eq!(profile, Profile { me, offline: true });
    assert!(!client.universities().await.unwrap().is_empty());
    client.log_out().await.unwrap();
    assert!(!client.is_signed_in());
    assert_eq!(client.cached_me(), None);
    assert_eq!(stored_tokens(app_dir.path()), None);
}
