//! `GET /api-docs/openapi.json` documents exactly the routes the server registers, with the
//! error shape and the bearer scheme.

use crate::helpers::*;
use crate::on_both_backends;
use baton_server::app::endpoints;
use reqwest::StatusCode;
use serde_json::Value;
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

on_both_backends!(
    every_route_is_documented_and_every_documented_route_exists,
    errors_and_security_are_described,
);
