//! `GET /.well-known/jwks.json`: the public keys of the current key set, never an HMAC secret,
//! cacheable, revalidated with its ETag, and changed by a key-set replacement.

use crate::helpers::*;
use crate::on_both_backends;
use baton_jwt::{JwtIssuer, generate_ed25519};
use baton_server::config::{Config, KeyAlg, KeyConfig, Secret};
use baton_server::wiring;
use reqwest::{Response, StatusCode};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

/// A `jwt.keys` entry with a fresh Ed25519 private key (inline PEM).
pub fn ed25519(kid: &str) -> KeyConfig {
    KeyConfig {
        private_key: Some(Secret::new(generate_ed25519().private_pem.expose_secret())),
        alg: KeyAlg::EdDSA,
        secret: None,
        ..KeyConfig::hs256(kid, "")
    }
}

/// A `jwt.keys` entry with only the public half of a fresh Ed25519 key: it verifies, never
/// signs.
pub fn ed25519_public(kid: &str) -> KeyConfig {
    KeyConfig {
        public_key: Some(generate_ed25519().public_pem),
        alg: KeyAlg::EdDSA,
        secret: None,
        ..KeyConfig::hs256(kid, "")
    }
}

/// A configuration change that replaces the single secret with `keys`.
pub fn with_keys(keys: Vec<KeyConfig>) -> impl FnOnce(&mut Config) {
    move |c| {
        c.jwt.secret = None;
        c.jwt.keys = keys;
    }
}

async fn get(app: &TestApp, if_none_match: Option<&str>) -> Response {
    let mut req = app.client.get(app.url("/.well-known/jwks.json"));
    if let Some(tag) = if_none_match {
        req = req.header("if-none-match", tag);
    }
    req.send().await.unwrap()
}

fn header<'a>(res: &'a Response, name: &str) -> &'a str {
    res.headers().get(name).unwrap_or_else(|| panic!("no {name}")).to_str().unwrap()
}

async fn an_hs256_key_set_publishes_no_key(b: Backend) {
    let app = spawn_app(b).await;
    let res = get(&app, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "content-type"), "application/json");
    assert_eq!(header(&res, "cache-control"), "public, max-age=300", "jwks.max_age default");
    assert_eq!(header(&res, "etag"), app.keys.current().etag());
    assert_eq!(res.text().await.unwrap(), r#"{"keys":[]}"#);
}

async fn only_the_public_halves_of_ed25519_keys_are_published_in_order(b: Backend) {
    let keys = vec![ed25519("ed-new"), KeyConfig::hs256("hmac", SECRET), ed25519_public("ed-old")];
    let app = spawn_app_with(b, |c| {
        with_keys(keys)(c);
        c.jwks.max_age = std::time::Duration::from_secs(42);
    })
    .await;
    let res = get(&app, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "cache-control"), "public, max-age=42");
    let body = res.text().await.unwrap();
    assert_eq!(body, app.keys.current().jwks_json(), "exactly the bytes of the ETag");
    assert!(!body.contains(SECRET) && !body.contains("PRIVATE"), "{body}");
    let jwks: Value = serde_json::from_str(&body).unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    let kids: Vec<&str> = keys.iter().map(|k| s(k, "kid")).collect();
    assert_eq!(kids, ["ed-new", "ed-old"], "Ed25519 keys only, in key-set order");
    for key in keys {
        let mut fields: Vec<&str> = key.as_object().unwrap().keys().map(String::as_str).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["alg", "crv", "kid", "kty", "use", "x"], "no private member: {key}");
        assert_eq!(
            (s(key, "kty"), s(key, "crv"), s(key, "alg"), s(key, "use")),
            ("OKP", "Ed25519", "EdDSA", "sig")
        );
        let x = s(key, "x");
        let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        assert!(x.len() == 43 && x.chars().all(base64url), "32 bytes, base64url: {x}");
    }
    let doc = app.client.get(app.url("/api-docs/openapi.json")).send().await.unwrap();
    let doc: Value = doc.json().await.unwrap();
    let documented = &doc["components"]["schemas"]["Jwk"];
    let mut properties: Vec<&str> =
        documented["properties"].as_object().unwrap().keys().map(String::as_str).collect();
    properties.sort_unstable();
    assert_eq!(properties, ["alg", "crv", "kid", "kty", "use", "x"], "OpenAPI: {documented}");
    assert_eq!(documented["required"].as_array().map(Vec::len), Some(6), "{documented}");
}

async fn if_none_match_answers_304_per_rfc_9110(b: Backend) {
    let app = spawn_app_with(b, with_keys(vec![ed25519("ed-1")])).await;
    let etag = header(&get(&app, None).await, "etag").to_owned();
    let weak = format!("W/{etag}");
    let list = format!("\"stale\", {weak}");
    for tag in [etag.as_str(), "*", &weak, &list] {
        let res = get(&app, Some(tag)).await;
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "If-None-Match: {tag}");
        assert_eq!(header(&res, "etag"), etag, "{tag}");
        assert_eq!(header(&res, "cache-control"), "public, max-age=300", "{tag}");
        assert!(res.bytes().await.unwrap().is_empty(), "{tag}");
    }
    for tag in ["\"stale\"", "garbage", &etag.to_uppercase(), ""] {
        let res = get(&app, Some(tag)).await;
        assert_eq!(res.status(), StatusCode::OK, "If-None-Match: {tag}");
        assert!(res.text().await.unwrap().contains("ed-1"));
    }
}

async fn a_replaced_key_set_is_published_at_once_with_a_new_etag(b: Backend) {
    let app = spawn_app_with(b, with_keys(vec![ed25519("ed-1")])).await;
    let before = get(&app, None).await;
    let old_etag = header(&before, "etag").to_owned();
    let mut next = app.config.clone();
    next.jwt.keys.push(ed25519("ed-2"));
    let issuer = JwtIssuer::new(wiring::jwt_config(&next).unwrap()).unwrap();
    app.keys.replace(issuer);
    let res = get(&app, Some(&old_etag)).await;
    assert_eq!(res.status(), StatusCode::OK, "the old ETag no longer matches");
    assert_ne!(header(&res, "etag"), old_etag);
    let jwks: Value = res.json().await.unwrap();
    let kids: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| s(k, "kid")).collect();
    assert_eq!(kids, ["ed-1", "ed-2"]);
}

async fn other_methods_are_405(b: Backend) {
    let app = spawn_app(b).await;
    let res = app.client.post(app.url("/.well-known/jwks.json")).json(&json!({})).send().await;
    let res = res.unwrap();
    assert_eq!(header(&res, "allow"), "GET, HEAD");
    assert_problem(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

on_both_backends!(
    an_hs256_key_set_publishes_no_key,
    only_the_public_halves_of_ed25519_keys_are_published_in_order,
    if_none_match_answers_304_per_rfc_9110,
    a_replaced_key_set_is_published_at_once_with_a_new_etag,
    other_methods_are_405,
);
