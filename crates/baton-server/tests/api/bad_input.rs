//! SPEC §7: every malformed request gets a 4xx problem+json answer and changes nothing.

use crate::helpers::*;
use crate::on_both_backends;
use reqwest::StatusCode;
use serde_json::json;

const REGISTER: &str = "/api/v1/auth/register";

async fn raw(
    app: &TestApp,
    path: &str,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    let mut req = app.client.post(app.url(path)).body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    req.send().await.unwrap()
}

async fn malformed_json_bodies_are_400(b: Backend) {
    let app = spawn_app(b).await;
    let json = Some("application/json");
    let bodies = [
        "",
        "{",
        "not json",
        "[]",
        "null",
        "{\"email\": \"a@example.com\", \"password\": \"correct horse\"",
        "{\"email\": \"a@example.com\"}",
        "{\"password\": \"correct horse\"}",
        "{\"email\": 5, \"password\": \"correct horse\"}",
        "{\"email\": \"a@example.com\", \"password\": 12345678}",
        "{\"email\": \"a@example.com\", \"password\": null}",
        "{\"email\": \"a@example.com\", \"password\": \"\\ud800\"}",
    ];
    for path in [REGISTER, "/api/v1/auth/login"] {
        for body in bodies {
            let res = raw(&app, path, json, body).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path} {body}");
            let problem = assert_problem(res, StatusCode::BAD_REQUEST, "invalid_input").await;
            assert!(!s(&problem, "detail").contains("12345678"), "{problem}");
        }
    }
    let wrong_name = "{\"email\": \"a@example.com\", \"password\": \"correct horse\", \"name\": 7}";
    let res = raw(&app, REGISTER, json, wrong_name).await;
    assert_problem(res, StatusCode::BAD_REQUEST, "invalid_input").await;
    // The optional bodies: absent is fine, present must be an object (`null` included: the
    // document declares the object schema with `required: false`, not a nullable body).
    for body in
        ["{\"refresh_token\": 5}", "{\"refresh_token\": {}}", "{", "\"token\"", "null", "[]"]
    {
        let res = raw(&app, "/api/v1/auth/refresh", json, body).await;
        assert_problem(res, StatusCode::BAD_REQUEST, "invalid_input").await;
    }
    // Nothing was created by any of it.
    let res = app.login("a@example.com", "correct horse").await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    // Extra fields are ignored, so clients can evolve.
    let body = json!({ "email": "a@example.com", "password": PASSWORD, "nickname": "x" });
    assert_eq!(app.post_json(REGISTER, &body).await.status(), StatusCode::CREATED);
}

async fn wrong_content_types_are_415(b: Backend) {
    let app = spawn_app(b).await;
    let body = r#"{"email": "a@example.com", "password": "correct horse"}"#;
    for ct in [Some("text/plain"), Some("application/x-www-form-urlencoded"), None, Some("garbage")]
    {
        for path in [REGISTER, "/api/v1/auth/login", "/api/v1/auth/refresh"] {
            let res = raw(&app, path, ct, body).await;
            assert_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
        }
    }
    // JSON with a charset or a +json type is fine.
    let res = raw(&app, REGISTER, Some("application/json; charset=utf-8"), body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

async fn bodies_over_16_kib_are_413(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let big =
        json!({ "email": "b@example.com", "password": PASSWORD, "name": "n".repeat(17 * 1024) })
            .to_string();
    for path in [REGISTER, "/api/v1/auth/login", "/api/v1/auth/refresh"] {
        let res = raw(&app, path, Some("application/json"), big.clone()).await;
        assert_problem(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    }
    let res = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(s(&t, "access_token"))
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert_eq!(app.me(s(&t, "access_token")).await.status(), StatusCode::OK);
    // Without a Content-Length (chunked), the limit holds as well.
    let head = raw_chunked(&app, REGISTER, &big).await;
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(head.to_lowercase().contains("content-type: application/problem+json"), "{head}");
    // Just under the limit is fine.
    let fits = json!({ "email": "c@example.com", "password": PASSWORD, "pad": "p".repeat(16 * 1024 - 100) });
    assert_eq!(app.post_json(REGISTER, &fits).await.status(), StatusCode::CREATED);
}

/// Sends `body` with `Transfer-Encoding: chunked` over a plain socket; returns the response
/// head.
async fn raw_chunked(app: &TestApp, path: &str, body: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    for chunk in body.as_bytes().chunks(4096) {
        request.push_str(&format!(
            "{:x}\r\n{}\r\n",
            chunk.len(),
            std::str::from_utf8(chunk).unwrap()
        ));
    }
    request.push_str("0\r\n\r\n");
    // The server may answer and close before reading everything; that is fine.
    let _ = stream.write_all(request.as_bytes()).await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response).into_owned();
    text.split("\r\n\r\n").next().unwrap_or_default().to_owned()
}

async fn unknown_routes_and_methods_are_problems(b: Backend) {
    let app = spawn_app(b).await;
    for path in ["/", "/api/v1/auth", "/api/v1/auth/nope", "/api/v2/auth/login", "/metrics2"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
    }
    let res = app.client.get(app.url(REGISTER)).send().await.unwrap();
    assert_problem(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    let res = app.client.put(app.url("/api/v1/auth/me")).send().await.unwrap();
    let allow = res.headers()["allow"].to_str().unwrap().to_owned();
    assert_eq!(allow, "GET, DELETE, HEAD");
    assert_problem(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    let res = app.client.put(app.url("/healthz")).send().await.unwrap();
    assert_problem(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

async fn odd_headers_never_cause_500(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("ada@example.com").await;
    let odd = [
        b"Bearer \xff\xfe".to_vec(),
        b"Bearer a b c".to_vec(),
        b"Bearer\tabc".to_vec(),
        format!("Bearer {}", "a".repeat(9 * 1024)).into_bytes(),
    ];
    for value in odd {
        let value = reqwest::header::HeaderValue::from_bytes(&value).unwrap();
        for path in ["/api/v1/auth/me", "/api/v1/auth/sessions"] {
            let res = app
                .client
                .get(app.url(path))
                .header("authorization", value.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{value:?}");
            assert_eq!(res.headers()["content-type"], "application/problem+json");
        }
        let res = app
            .client
            .post(app.url("/api/v1/auth/refresh"))
            .header("authorization", value.clone())
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error(), "{value:?}");
    }
    // A huge or binary User-Agent is stored cut down, not refused.
    let ua = reqwest::header::HeaderValue::from_bytes(&[b'x'; 4000]).unwrap();
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("user-agent", ua)
        .json(&json!({ "email": "ada@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let sessions = app.sessions(s(&t, "access_token")).await;
    assert!(sessions.iter().any(|x| x["user_agent"].as_str().is_some_and(|u| u.len() == 512)));
}

on_both_backends!(
    malformed_json_bodies_are_400,
    wrong_content_types_are_415,
    bodies_over_16_kib_are_413,
    unknown_routes_and_methods_are_problems,
    odd_headers_never_cause_500,
);
