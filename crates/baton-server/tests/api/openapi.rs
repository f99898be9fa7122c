//! `GET /api-docs/openapi.json` documents exactly the routes the server registers, with the
//! error shape and the bearer scheme, and request schemas that state what the server enforces.

use crate::helpers::*;
use crate::on_both_backends;
use baton_core::domain::email::{MAX_EMAIL_BYTES, MAX_LOCAL_PART_BYTES};
use baton_core::domain::password::{MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS};
use baton_http::app::endpoints;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;

async fn document(app: &TestApp) -> Value {
    let res = app.client.get(app.url("/api-docs/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/json");
    res.json().await.unwrap()
}

/// (METHOD, path) of every operation in the document.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            ops.insert((method.to_uppercase(), path.clone()));
        }
    }
    ops
}

async fn every_route_is_documented_and_every_documented_route_exists(b: Backend) {
    let app = spawn_app(b).await;
    let doc = document(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "OpenAPI 3");
    let registered: BTreeSet<(String, String)> =
        endpoints().iter().map(|e| (e.method.to_string(), e.path.to_owned())).collect();
    assert_eq!(operations(&doc), registered, "the document and the routing table differ");
    for spec_route in ["/healthz", "/readyz", "/metrics", "/api/v1/auth/sessions/{id}"] {
        assert!(registered.iter().any(|(_, p)| p == spec_route), "{spec_route}");
    }
    // The table is what the server serves: no documented operation falls through to the
    // 404/405 fallbacks.
    for (method, path) in &registered {
        let url = app.url(&path.replace("{id}", &uuid::Uuid::new_v4().to_string()));
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let res = app.client.request(method.clone(), url).send().await.unwrap();
        let code = match res.headers().get("content-type") {
            Some(ct) if ct == "application/problem+json" => {
                res.json::<Value>().await.unwrap()["code"].as_str().unwrap().to_owned()
            }
            _ => String::new(),
        };
        assert!(code != "not_found" && code != "method_not_allowed", "{method} {path}: {code}");
    }
}

async fn errors_and_security_are_described(b: Backend) {
    let app = spawn_app(b).await;
    let doc = document(&app).await;
    let problem = &doc["components"]["schemas"]["Problem"];
    for field in ["type", "title", "status", "detail", "code"] {
        assert!(problem["required"].as_array().unwrap().iter().any(|f| f == field), "{field}");
    }
    let bearer = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(
        (bearer["type"].as_str(), bearer["scheme"].as_str()),
        (Some("http"), Some("bearer"))
    );
    for (method, path) in [("get", "/api/v1/auth/me"), ("post", "/api/v1/auth/logout")] {
        let op = &doc["paths"][path][method];
        assert_eq!(op["security"][0]["bearer"], serde_json::json!([]), "{path}");
        let unauthorized = &op["responses"]["401"];
        assert!(unauthorized["headers"]["WWW-Authenticate"].is_object(), "{path}");
        let schema = &unauthorized["content"]["application/problem+json"]["schema"]["$ref"];
        assert_eq!(schema, "#/components/schemas/Problem", "{path}");
    }
    let register = &doc["paths"]["/api/v1/auth/register"]["post"];
    let body = &register["requestBody"]["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(body, "#/components/schemas/RegisterRequest");
    let created = &register["responses"]["201"]["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(created, "#/components/schemas/TokenResponse");
    for status in ["400", "409", "413", "415", "503"] {
        assert!(register["responses"][status].is_object(), "register {status}");
    }
    let login = &doc["paths"]["/api/v1/auth/login"]["post"]["responses"];
    assert!(login["429"]["headers"]["Retry-After"].is_object());
}

/// Refresh and logout take the plain body schema, not required: a generated client can then
/// call them with or without a body (`oneOf [body, null]` made that impossible), and the
/// server agrees: no body is fine, `null` is no object.
async fn optional_bodies_are_not_required_and_not_nullable(b: Backend) {
    let app = spawn_app(b).await;
    let doc = document(&app).await;
    for path in ["/api/v1/auth/refresh", "/api/v1/auth/logout"] {
        let body = &doc["paths"][path]["post"]["requestBody"];
        assert_eq!(body["required"], json!(false), "{path}: {body}");
        let schema = &body["content"]["application/json"]["schema"];
        assert_eq!(schema, &json!({"$ref": "#/components/schemas/RefreshTokenBody"}), "{path}");
    }
    let t = app.register("ada@example.com").await;
    let logout = |body: Option<&'static str>| {
        let mut req =
            app.client.post(app.url("/api/v1/auth/logout")).bearer_auth(s(&t, "access_token"));
        if let Some(body) = body {
            req = req.header("content-type", "application/json").body(body);
        }
        req.send()
    };
    assert_eq!(logout(Some("null")).await.unwrap().status(), StatusCode::BAD_REQUEST);
    assert_eq!(logout(None).await.unwrap().status(), StatusCode::NO_CONTENT);
}

/// Each request field's schema says what the server enforces: the byte rules in
/// `x-utf8-bytes` with the core's limits, character bounds only where they hold for every valid
/// value, patterns where the rule trims, and the server answers accordingly.
async fn request_fields_state_the_servers_rules(b: Backend) {
    let app = spawn_app(b).await;
    let doc = document(&app).await;
    let register = &doc["components"]["schemas"]["RegisterRequest"]["properties"];
    let password = &register["password"];
    let chars = (&json!(MIN_PASSWORD_CHARS), &json!(MAX_PASSWORD_BYTES));
    assert_eq!((&password["minLength"], &password["maxLength"]), chars);
    let bytes = json!({"max": MAX_PASSWORD_BYTES});
    assert_eq!(password["x-utf8-bytes"], bytes);
    assert_eq!(password["format"], "password");
    let email = &register["email"];
    let bytes = json!({"max": MAX_EMAIL_BYTES, "maxLocalPart": MAX_LOCAL_PART_BYTES});
    assert_eq!(email["x-utf8-bytes"], bytes);
    for field in ["email", "name"] {
        let schema = &register[field];
        assert!(schema["pattern"].is_string(), "{field}: {schema}");
        assert!(schema.get("maxLength").is_none(), "{field}: surrounding whitespace is trimmed");
    }
    let login = &doc["components"]["schemas"]["LoginRequest"]["properties"];
    for field in ["email", "password"] {
        let keys: Vec<&String> = login[field].as_object().unwrap().keys().collect();
        assert!(keys.iter().all(|k| !k.contains("Length") && *k != "pattern"), "{keys:?}");
    }
    let token = &doc["components"]["schemas"]["IntrospectRequest"]["properties"]["token"];
    assert_eq!(token["minLength"], 1);
    let id = &doc["paths"]["/api/v1/auth/sessions/{id}"]["delete"]["parameters"][0];
    assert_eq!((&id["name"], &id["schema"]["format"]), (&json!("id"), &json!("uuid")));

    // `minLength` is the rule: 8 characters of 16 bytes register, 7 characters of 13 bytes do
    // not; above, bytes count: 37 characters of 74 bytes do not.
    let long = "é".repeat(37);
    for (email, password, status) in [
        ("a@example.com", "éééééééé", StatusCode::CREATED),
        ("b@example.com", "ééééééa", StatusCode::BAD_REQUEST),
        ("c@example.com", long.as_str(), StatusCode::BAD_REQUEST),
        // Surrounding whitespace is trimmed before the email is checked, as its pattern allows.
        ("\u{3000}d@example.com\t", PASSWORD, StatusCode::CREATED),
    ] {
        let body = json!({ "email": email, "password": password });
        let res = app.post_json("/api/v1/auth/register", &body).await;
        assert_eq!(res.status(), status, "{body}");
    }
}

on_both_backends!(
    every_route_is_documented_and_every_documented_route_exists,
    errors_and_security_are_described,
    optional_bodies_are_not_required_and_not_nullable,
    request_fields_state_the_servers_rules,
);
