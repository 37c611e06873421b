//! Accounts over real HTTP: sign-up, login, refresh rotation, logout, rate limits, persistence.

use crate::common::{Engine, GOOD_PASSWORD, Storage, TestServer, expect_error, fresh_email};
use pretzel_api::{ErrorCode, LogoutResponse, Me, TokenResponse, University};
use serde_json::json;

async fn signup_login_and_me(engine: Engine) {
    let storage = Storage::new(engine).await;
    let server = TestServer::on(&storage).await;

    let universities: Vec<University> =
        server.http.get(server.url("/api/v1/universities")).send().await.unwrap().json().await.unwrap();
    let short_names: Vec<_> = universities.iter().map(|u| u.short_name.as_str()).collect();
    assert!(short_names.contains(&"UIUC") && short_names.contains(&"UMD") && short_names.contains(&"Purdue"));
    let uiuc = universities.iter().find(|u| u.short_name == "UIUC").unwrap();
    assert_eq!(uiuc.time_zone, "America/Chicago");

    let response = server
        .post_json(
            "/api/v1/auth/signup",
            &json!({"email": "  Min-Jun.Kim@Illinois.EDU ", "password": GOOD_PASSWORD, "display_name": " Min-jun ", "university_id": uiuc.id}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let signed_up: TokenResponse = response.json().await.unwrap();
    assert_eq!(signed_up.user.email, "min-jun.kim@illinois.edu", "email is normalised");
    assert_eq!(signed_up.user.display_name, "Min-jun");
    assert_eq!(signed_up.user.university.short_name, "UIUC");
    assert_eq!(signed_up.token_type, "Bearer");
    assert!(signed_up.expires_in > 0 && signed_up.refresh_expires_in > signed_up.expires_in);

    let me: Me = server.get_authed("/api/v1/me", &signed_up.access_token).await.json().await.unwrap();
    assert_eq!(me, signed_up.user);

    // login is case-insensitive on the email and gives a different session
    let response = server
        .post_json("/api/v1/auth/login", &json!({"email": "MIN-JUN.KIM@illinois.edu", "password": GOOD_PASSWORD}))
        .await;
    assert_eq!(response.status(), 200);
    let logged_in: TokenResponse = response.json().await.unwrap();
    assert_ne!(logged_in.access_token, signed_up.access_token);
    assert_ne!(logged_in.refresh_token, signed_up.refresh_token);
    assert_eq!(logged_in.user.id, signed_up.user.id);
    server.stop().await;
}
test_both_dbs!(test_signup_login_and_me, signup_login_and_me);

async fn duplicate_signup_is_refused(engine: Engine) {
    let storage = Storage::new(engine).await;
    let server = TestServer::on(&storage).await;
    let email = fresh_email("dup");
    server.sign_up(&email, GOOD_PASSWORD).await;
    for variant in [email.clone(), email.to_uppercase(), format!("  {email}")] {
        let response = server
            .post_json(
                "/api/v1/auth/signup",
                &json!({"email": variant, "password": "another-good-passphrase", "display_name": "Twin", "university_id": 1}),
            )
            .await;
        expect_error(response, 409, ErrorCode::EmailTaken).await;
    }
    server.stop().await;
}
test_both_dbs!(test_duplicate_signup_is_refused, duplicate_signup_is_refused);

async fn signup_validation_names_each_field(engine: Engine) {
    let storage = Storage::new(engine).await;
    let server = TestServer::on(&storage).await;
    let response = server
        .post_json(
            "/api/v1/auth/signup",
            &json!({"email": "not-an-email", "password": "short", "display_name": "   ", "university_id": 1}),
        )
        .await;
    let body = expect_error(response, 422, ErrorCode::ValidationFailed).await;
    let fields: Vec<(&str, &str)> = body.error.fields.iter().map(|f| (f.field.as_str(), f.code.as_str())).collect();
    assert_eq!(fields, vec![("email", "invalid_email"), ("password", "too_short"), ("display_name", "required")]);

    let response = server
        .post_json(
            "/api/v1/auth/signup",
            &json!({"email": fresh_email("common"), "password": "Password123", "display_name": "A", "university_id": 1}),
        )
        .await;
    let body = expect_error(response, 422, ErrorCode::ValidationFailed).await;
    assert_eq!(body.error.fields[0].code, "too_common");

    // a 64+ character passphrase is welcome
    let long = "the quick brown fox jumps over the lazy dog near the bean ".repeat(2);
    let response = server
        .post_json(
            "/api/v1/auth/signup",
            &json!({"email": fresh_email("long"), "password": long, "display_name": "A", "university_id": 1}),
        )
        .await;
    assert_eq!(response.status(), 201);

    let response = server
        .post_json(
            "/api/v1/auth/signup",
            &json!({"email": fresh_email("uni"), "password": GOOD_PASSWORD, "display_name": "A", "university_id": 999_999}),
        )
        .await;
    expect_error(response, 422, ErrorCode::UnknownUniversity).await;
    server.stop().await;
}
test_both_dbs!(test_signup_validation_names_each_field, signup_validation_names_each_field);

async fn wrong_password_and_unknown_email_look_the_same(engine: Engine) {
    let storage = Storage::new(engine).await;
    let server = TestServer::on(&storage).await;
    let email = fresh_email("enum");
    server.sign_up(&email, GOOD_PASSWORD).await;
    let wrong_password =
        server.post_json("/api/v1/auth/login", &json!({"email": email, "password": "not-the-password"})).await;
    let unknown_email = server
        .post_json("/api/v1/auth/login", &json!({"email": fresh_email("nobody"), "password": "not-the-password"}))
        .await;
    let a = expect_error(wrong_password, 401, ErrorCode::InvalidCredentials).await;
    let b = expect_error(unknown_email, 401, ErrorCode::InvalidCredentials).await;
    assert_eq!(a, b, "the two failures must be indistinguishable");
    server.stop().await;
}
test_both_dbs!(test_wrong_password_and_unknown_email_look_the_same, wrong_password_and_unknown_email_look_the_same);

async fn refresh_rotates_and_reuse_revokes_the_family(engine: Engine) {
    let storage = Storage::new(engine).await;
    let server = TestServer::on(&storage).await;
    let first = server.sign_up(&fresh_email("rot"), GOOD_PASSWORD).await;

    let response = server.post_json("/api/v1/auth/refresh", &json!({"refresh_token": first.refresh_token})).await;
    assert_eq!(response.status(), 200);
    let second: TokenResponse = response.json().await.unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_eq!(server.get_authed("/api/v1/me", &second.access_token).await.status(), 200);

    // The first refresh token is spent: presenting it again is theft, and ends the whole session.
    let response = server.post_json("/api/v1/auth/refresh", &json!({"refresh_token": first.refresh_token})).await;
    expect_error(response, 401, ErrorCode::RefreshTokenReused).await;
    // The newest token of the family died with it.
    let response = server.post_json("/api/v1/auth/refresh", &json!({"refresh_token": second.refresh_token})).await;
    expect_error(response, 401, ErrorCode::InvalidRefreshToken).await;
    let response = server.get_authed("/api/v1/me", &second.access_token).await;
    expect_error(response, 401, ErrorCode::SessionRevoked).await;

    // Other sessions of the same student are untouched.
    let other: TokenResponse = server
        .post_json("/api/v1/auth/login", &json!({"email": first.user.email, "password": GOOD_PASSWORD}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(server.get_authed("/api/v1/me", &other.access_token).await.status(), 200);

    let response = server.post_json("/api/v1/auth/refresh", &json!({"refresh_token": "made-up-token"})).await;
    expect_error(response, 401, ErrorCode::InvalidRefreshToken).await;
    server.stop().await;
}
test_both_dbs!(test_refresh_rotates_and_reuse_revokes_the_family, refresh_rotates_and_reuse_revokes_the_family);

async fn logout_revokes_at_once(engine: Engine) {
    let storage = Storage::new(engine).await;
    let server = TestServer::on(&storage).await;
    let tokens = server.sign_up(&fresh_email("logout"), GOOD_PASSWORD).await;
    let response =
        server.http.post(server.url("/api/v1/auth/logout")).bearer_auth(&tokens.access_token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: LogoutResponse = response.json().await.unwrap();
    assert!(body.revoked);
    // The access token has not expired, yet it no longer works.
    expect_error(server.get_authed("/api/v1/me", &tokens.access_token).await, 401, ErrorCode::SessionRevoked).await;
    let response = server.post_json("/api/v1/auth/refresh", &json!({"refresh_token": tokens.refresh_token})).await;
    expect_error(response, 401, ErrorCode::InvalidRefreshToken).await;
    server.stop().await;
}
test_both_dbs!(test_logout_revokes_at_once, logout_revokes_at_once);

async fn expired_access_token_is_refused_and_refresh_recovers(engine: Engine) {
    let storage = Storage::new(engine).await;
    let mut config = storage.config();
    config.access_token_ttl_secs = 1;
    let server = TestServer::start(config).await;
    let tokens = server.sign_up(&fresh_email("exp"), GOOD_PASSWORD).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    expect_error(server.get_authed("/api/v1/me", &tokens.access_token).await, 401, ErrorCode::TokenExpired).await;
    let renewed: TokenResponse = server
        .post_json("/api/v1/auth/refresh", &json!({"refresh_token": tokens.refresh_token}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(server.get_authed("/api/v1/me", &renewed.access_token).await.status(), 200);
    server.stop().await;
}
test_both_dbs!(
    test_expired_access_token_is_refused_and_refresh_recovers,
    expired_access_token_is_refused_and_refresh_recovers
);

async fn login_is_rate_limited_per_account_and_per_ip(engine: Engine) {
    let storage = Storage::new(engine).await;
    let mut config = storage.config();
    config.login_limit_per_account = 3;
    config.login_limit_per_ip = 5;
    let server = TestServer::start(config).await;
    let email = fresh_email("limit");
    server.sign_up(&email, GOOD_PASSWORD).await;

    for _ in 0..3 {
        let response =
            server.post_json("/api/v1/auth/login", &json!({"email": email, "password": "wrong-password!"})).await;
        expect_error(response, 401, ErrorCode::InvalidCredentials).await;
    }
    // Even the right password is refused while the account is locked out.
    let response = server.post_json("/api/v1/auth/login", &json!({"email": email, "password": GOOD_PASSWORD})).await;
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=15 * 60).contains(&retry_after), "Retry-After {retry_after}");
    expect_error(response, 429, ErrorCode::RateLimited).await;

    // The IP has 3 failures; two more on other accounts reach its limit of 5.
    for _ in 0..2 {
        let response = server
            .post_json("/api/v1/auth/login", &json!({"email": fresh_email("spray"), "password": "wrong-password!"}))
            .await;
        expect_error(response, 401, ErrorCode::InvalidCredentials).await;
    }
    let response = server
        .post_json("/api/v1/auth/login", &json!({"email": fresh_email("spray"), "password": "wrong-password!"}))
        .await;
    assert!(response.headers().contains_key("retry-after"));
    expect_error(response, 429, ErrorCode::RateLimited).await;
    server.stop().await;
}
test_both_dbs!(test_login_is_rate_limited_per_account_and_per_ip, login_is_rate_limited_per_account_and_per_ip);

async fn accounts_survive_a_restart(engine: Engine) {
    let storage = Storage::new(engine).await;
    let server = TestServer::on(&storage).await;
    let email = fresh_email("restart");
    let before = server.sign_up(&email, GOOD_PASSWORD).await;
    server.stop().await;
    if engine == Engine::Sqlite {
        assert!(storage.sqlite_file().exists(), "the embedded database lives in the data dir");
    }

    let server = TestServer::on(&storage).await;
    // Tokens issued before the restart still work: the signing key is stored with the data.
    assert_eq!(server.get_authed("/api/v1/me", &before.access_token).await.status(), 200);
    let response = server.post_json("/api/v1/auth/login", &json!({"email": email, "password": GOOD_PASSWORD})).await;
    assert_eq!(response.status(), 200);
    server.stop().await;
}
test_both_dbs!(test_accounts_survive_a_restart, accounts_survive_a_restart);
