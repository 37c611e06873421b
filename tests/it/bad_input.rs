//! Every bad input gets the JSON error body with a stable code and the right status, and loses
//! nothing: malformed or non-UTF-8 JSON, wrong types, oversized bodies, unknown routes, bad tokens.

use crate::common::{Engine, GOOD_PASSWORD, Storage, TestServer, expect_error, fresh_email};
use pretzel_api::{ErrorCode, MAX_JSON_BODY_BYTES};
use serde_json::json;

async fn malformed_bodies_get_clear_errors(engine: Engine) {
    let storage = Storage::new(engine).await;
    let server = TestServer::on(&storage).await;
    let post_raw = |path: &'static str, body: Vec<u8>, content_type: Option<&'static str>| {
        let mut request = server.http.post(server.url(path)).body(body);
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        request.send()
    };

    let response =
        post_raw("/api/v1/auth/login", b"{\"email\": \"a@b.edu\", ".to_vec(), Some("application/json")).await.unwrap();
    expect_error(response, 400, ErrorCode::MalformedJson).await;

    // invalid UTF-8 inside a JSON string
    let mut invalid_utf8 = b"{\"email\": \"a@b.edu\", \"password\": \"".to_vec();
    invalid_utf8.extend_from_slice(&[0xff, 0xfe, 0xfd]);
    invalid_utf8.extend_from_slice(b"\"}");
    let response = post_raw("/api/v1/auth/login", invalid_utf8, Some("application/json")).await.unwrap();
    expect_error(response, 400, ErrorCode::MalformedJson).await;

    let response =
        post_raw("/api/v1/auth/login", br#"{"email": 42, "password": []}"#.to_vec(), Some("application/json"))
            .await
            .unwrap();
    expect_error(response, 422, ErrorCode::InvalidBody).await;
    let response =
        post_raw("/api/v1/auth/signup", br#"{"email": "a@b.edu"}"#.to_vec(), Some("application/json")).await.unwrap();
    expect_error(response, 422, ErrorCode::InvalidBody).await;

    let response =
        post_raw("/api/v1/auth/login", br#"{"email":"a@b.edu","password":"x"}"#.to_vec(), None).await.unwrap();
    expect_error(response, 415, ErrorCode::UnsupportedMediaType).await;

    // One byte over the limit, as a well-formed JSON document.
    let padding = "x".repeat(MAX_JSON_BODY_BYTES);
    let huge = serde_json::to_vec(&json!({"email": "a@b.edu", "password": padding})).unwrap();
    assert!(huge.len() > MAX_JSON_BODY_BYTES);
    let response = post_raw("/api/v1/auth/login", huge, Some("application/json")).await.unwrap();
    expect_error(response, 413, ErrorCode::PayloadTooLarge).await;

    // A body just under the limit is read (and then judged on its merits).
    let fits =
        serde_json::to_vec(&json!({"email": "a@b.edu", "password": "y".repeat(MAX_JSON_BODY_BYTES - 100)})).unwrap();
    assert!(fits.len() <= MAX_JSON_BODY_BYTES);
    let response = post_raw("/api/v1/auth/login", fits, Some("application/json")).await.unwrap();
    expect_error(response, 401, ErrorCode::InvalidCredentials).await;

    // Nothing was lost: the server still works and stored nothing bad.
    server.sign_up(&fresh_email("after"), GOOD_PASSWORD).await;
    server.stop().await;
}
test_both_dbs!(test_malformed_bodies_get_clear_errors, malformed_bodies_get_clear_errors);

async fn unknown_routes_and_methods_answer_in_json(engine: Engine) {
    let storage = Storage::new(engine).await;
    let server = TestServer::on(&storage).await;
    for path in ["/nope", "/api/v1/nothing-here", "/api/v2/me"] {
        let response = server.http.get(server.url(path)).send().await.unwrap();
        expect_error(response, 404, ErrorCode::NotFound).await;
    }
    let response = server.http.delete(server.url("/api/v1/universities")).send().await.unwrap();
    expect_error(response, 405, ErrorCode::MethodNotAllowed).await;
    server.stop().await;
}
test_both_dbs!(test_unknown_routes_and_methods_answer_in_json, unknown_routes_and_methods_answer_in_json);

async fn missing_forged_and_foreign_tokens_are_refused(engine: Engine) {
    let storage = Storage::new(engine).await;
    let server = TestServer::on(&storage).await;
    let tokens = server.sign_up(&fresh_email("forge"), GOOD_PASSWORD).await;

    let response = server.http.get(server.url("/api/v1/me")).send().await.unwrap();
    expect_error(response, 401, ErrorCode::MissingToken).await;
    let response = server.http.post(server.url("/api/v1/auth/logout")).send().await.unwrap();
    expect_error(response, 401, ErrorCode::MissingToken).await;

    for bad in ["garbage", "pa1.e30.AAAA", &format!("{}x", tokens.access_token)] {
        expect_error(server.get_authed("/api/v1/me", bad).await, 401, ErrorCode::InvalidToken).await;
    }
    let response = server
        .http
        .get(server.url("/api/v1/me"))
        .header("authorization", format!("Basic {}", tokens.access_token))
        .send()
        .await
        .unwrap();
    expect_error(response, 401, ErrorCode::InvalidToken).await;

    // A token swapped to another user id keeps its signature and is refused.
    let mut parts: Vec<&str> = tokens.access_token.split('.').collect();
    let forged_claims = {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!(r#"{{"sid":1,"uid":{},"exp":99999999999999}}"#, tokens.user.id.0 + 1))
    };
    parts[1] = &forged_claims;
    expect_error(server.get_authed("/api/v1/me", &parts.join(".")).await, 401, ErrorCode::InvalidToken).await;

    // A genuine token from another server (another key) means nothing here.
    let other_storage = Storage::new(Engine::Sqlite).await;
    let other = TestServer::on(&other_storage).await;
    let foreign = other.sign_up(&fresh_email("foreign"), GOOD_PASSWORD).await;
    expect_error(server.get_authed("/api/v1/me", &foreign.access_token).await, 401, ErrorCode::InvalidToken).await;
    other.stop().await;
    server.stop().await;
}
test_both_dbs!(test_missing_forged_and_foreign_tokens_are_refused, missing_forged_and_foreign_tokens_are_refused);

#[tokio::test]
async fn test_probes_and_openapi_document() {
    let storage = Storage::new(Engine::Sqlite).await;
    let server = TestServer::on(&storage).await;
    for probe in ["/healthz", "/readyz"] {
        let body: serde_json::Value = server.http.get(server.url(probe)).send().await.unwrap().json().await.unwrap();
        assert_eq!(body, json!({"status": "ok"}));
    }
    let doc: serde_json::Value =
        server.http.get(server.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/universities",
        "/api/v1/auth/signup",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/healthz",
        "/readyz",
    ] {
        assert!(paths.contains_key(path), "OpenAPI document lacks {path}");
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    server.stop().await;
}
