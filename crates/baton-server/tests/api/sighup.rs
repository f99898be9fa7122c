//! SIGHUP to the real `baton serve`, with Ed25519 keys made by `baton keys generate` in its
//! configuration file: a staged rotation (publish, then sign) without a restart, broken
//! configurations that keep the old keys, say why in the log and count in `/metrics`, and a
//! request in flight across a reload that completes.

use crate::binary::{Db, Served, baton, ok, run};
use crate::helpers::{Backend, PASSWORD, decode_part, s};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

/// The body of a PEM file that is not a key.
const GARBAGE: &str = "Z2FyYmFnZS1rZXktbWF0ZXJpYWw=";

/// Long enough for anything on a loaded machine; no test asserts how fast.
const PATIENCE: Duration = Duration::from_secs(60);

/// Runs `baton keys generate --kid KID --dir DIR` and returns the `jwt.keys` entry it prints.
pub async fn generate(dir: &Path, kid: &str) -> String {
    let mut cmd = baton("unused");
    cmd.args(["keys", "generate", "--kid", kid, "--dir", dir.to_str().unwrap()]);
    let stdout = ok(&run(cmd, "").await);
    let entry = stdout.lines().find(|l| l.starts_with("  { kid = ")).expect("an entry line");
    entry.trim().to_owned()
}

/// Writes `DIR/prod.toml` with these `jwt.keys` entries, first signing.
fn write_keys(dir: &Path, db: &str, entries: &[&str]) {
    let db = toml::Value::String(db.to_owned());
    let keys: String = entries.iter().map(|e| format!("  {e}\n")).collect();
    let text = format!("[database]\nurl = {db}\n\n[jwt]\nkeys = [\n{keys}]\n");
    std::fs::write(dir.join("prod.toml"), text).unwrap();
}

/// `baton serve` reading its configuration (keys included) from `dir` only.
fn serve(db: &str, dir: &Path) -> Served {
    let mut cmd = baton(db);
    cmd.env("BATON_CONFIG_DIR", dir).env_remove("BATON_JWT__SECRET");
    Served::start(cmd)
}

/// Sends SIGHUP and waits until `baton_key_reloads_total{outcome}` reaches `n`.
async fn hup(server: &Served, outcome: &str, n: u32) {
    server.signal("HUP");
    let series = format!("baton_key_reloads_total{{outcome=\"{outcome}\"}} {n}");
    let started = Instant::now();
    loop {
        let text = reqwest::get(server.url("/metrics")).await.unwrap().text().await.unwrap();
        if text.lines().any(|l| l == series) {
            return;
        }
        assert!(started.elapsed() < PATIENCE, "never saw {series}:\n{text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn post(server: &Served, path: &str, body: Value) -> Value {
    let res = reqwest::Client::new().post(server.url(path)).json(&body).send().await.unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap()
}

async fn login(server: &Served) -> Value {
    post(server, "/api/v1/auth/login", json!({ "email": "ada@example.com", "password": PASSWORD }))
        .await
}

async fn me(server: &Served, access: &str) -> StatusCode {
    let res = reqwest::Client::new().get(server.url("/api/v1/auth/me")).bearer_auth(access);
    res.send().await.unwrap().status()
}

/// The kids of the served JWKS, and its ETag.
async fn jwks(server: &Served) -> (Vec<String>, String) {
    let res = reqwest::get(server.url("/.well-known/jwks.json")).await.unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = res.json().await.unwrap();
    let kids = body["keys"].as_array().unwrap().iter().map(|k| s(k, "kid").to_owned()).collect();
    (kids, etag)
}

fn kid(token: &str) -> String {
    s(&decode_part(token, 0), "kid").to_owned()
}

#[tokio::test]
async fn a_staged_rotation_by_sighup_publishes_then_signs_with_the_new_key() {
    let db = Db::create(Backend::Sqlite).await;
    let (_, dir) = baton_store::testing::sqlite_url();
    let (old, new) = (generate(dir.path(), "ed-1").await, generate(dir.path(), "ed-2").await);
    write_keys(dir.path(), &db.url, &[&old]);
    let server = serve(&db.url, dir.path());
    let body = json!({ "email": "ada@example.com", "password": PASSWORD });
    let before = post(&server, "/api/v1/auth/register", body).await;
    assert_eq!(kid(s(&before, "access_token")), "ed-1");
    let (kids, etag) = jwks(&server).await;
    assert_eq!(kids, ["ed-1"]);

    // Publish: the new key second. It is in the JWKS at once, and does not sign yet.
    write_keys(dir.path(), &db.url, &[&old, &new]);
    hup(&server, "ok", 1).await;
    let (kids, published_etag) = jwks(&server).await;
    assert_eq!(kids, ["ed-1", "ed-2"]);
    assert_ne!(published_etag, etag, "a new key set, a new ETag");
    assert_eq!(kid(s(&login(&server).await, "access_token")), "ed-1");

    // Sign: the new key first. Tokens minted now carry it; tokens from before still verify.
    write_keys(dir.path(), &db.url, &[&new, &old]);
    hup(&server, "ok", 2).await;
    let after = login(&server).await;
    assert_eq!(kid(s(&after, "access_token")), "ed-2");
    assert_eq!(me(&server, s(&after, "access_token")).await, StatusCode::OK);
    assert_eq!(me(&server, s(&before, "access_token")).await, StatusCode::OK, "old key's token");
    let refreshed = json!({ "refresh_token": s(&before, "refresh_token") });
    let refreshed = post(&server, "/api/v1/auth/refresh", refreshed).await;
    assert_eq!(kid(s(&refreshed, "refresh_token")), "ed-2");
    assert_eq!(jwks(&server).await.0, ["ed-2", "ed-1"]);

    let lines = server.stop().await;
    let reloaded: Vec<&String> =
        lines.iter().filter(|l| l.contains("SIGHUP: JWT key set reloaded")).collect();
    assert_eq!(reloaded.len(), 2, "{lines:?}");
    assert!(reloaded[1].contains("\"signing_kid\":\"ed-2\""), "{}", reloaded[1]);
    assert!(reloaded[1].contains("\"previous_signing_kid\":\"ed-1\""), "{}", reloaded[1]);
    assert!(!lines.iter().any(|l| l.contains("PRIVATE KEY")), "no key material in the log");
}

#[tokio::test]
async fn a_broken_configuration_on_sighup_keeps_serving_with_the_old_keys() {
    let db = Db::create(Backend::Sqlite).await;
    let (_, dir) = baton_store::testing::sqlite_url();
    let good = generate(dir.path(), "ed-1").await;
    write_keys(dir.path(), &db.url, &[&good]);
    let server = serve(&db.url, dir.path());
    let body = json!({ "email": "ada@example.com", "password": PASSWORD });
    let t = post(&server, "/api/v1/auth/register", body).await;
    let (_, etag) = jwks(&server).await;

    let garbage = dir.path().join("garbage.pem");
    let pem = format!("-----BEGIN PRIVATE KEY-----\n{GARBAGE}\n-----END PRIVATE KEY-----\n");
    std::fs::write(&garbage, pem).unwrap();
    let garbage = toml::Value::String(garbage.to_str().unwrap().to_owned());
    let broken = [
        "{ kid = \"hs\", secret = \"too-short-secret-XYZ\" },".to_owned(),
        format!("{{ kid = \"ed-bad\", alg = \"EdDSA\", private_key_file = {garbage} }},"),
        "{ kid = ".to_owned(),
    ];
    for (i, entry) in broken.iter().enumerate() {
        write_keys(dir.path(), &db.url, &[entry, &good]);
        hup(&server, "failed", i as u32 + 1).await;
        assert_eq!(me(&server, s(&t, "access_token")).await, StatusCode::OK, "{entry}");
        assert_eq!(kid(s(&login(&server).await, "access_token")), "ed-1", "{entry}");
        assert_eq!(jwks(&server).await.1, etag, "{entry}");
    }
    // Fixed: the next SIGHUP applies.
    let next = generate(dir.path(), "ed-2").await;
    write_keys(dir.path(), &db.url, &[&good, &next]);
    hup(&server, "ok", 1).await;
    assert_eq!(jwks(&server).await.0, ["ed-1", "ed-2"]);

    let lines = server.stop().await;
    let failed: Vec<&String> = lines.iter().filter(|l| l.contains("key reload failed")).collect();
    assert_eq!(failed.len(), 3, "{lines:?}");
    for (line, reason) in failed.iter().zip(["jwt.keys", "ed-bad", "prod.toml"]) {
        assert!(line.contains("\"level\":\"WARN\""), "{line}");
        assert!(line.contains(reason), "the reason names {reason}: {line}");
        assert!(!line.contains("too-short-secret-XYZ") && !line.contains(GARBAGE), "{line}");
    }
}

#[tokio::test]
async fn a_request_in_flight_across_a_reload_completes() {
    let db = Db::create(Backend::Sqlite).await;
    let (_, dir) = baton_store::testing::sqlite_url();
    let (old, new) = (generate(dir.path(), "ed-1").await, generate(dir.path(), "ed-2").await);
    write_keys(dir.path(), &db.url, &[&old]);
    let mut cmd = baton(&db.url);
    // bcrypt at cost 15 keeps a registration busy for a while: the reload lands meanwhile.
    cmd.env("BATON_CONFIG_DIR", dir.path())
        .env_remove("BATON_JWT__SECRET")
        .env("BATON_PASSWORDS__BCRYPT_COST", "15");
    let server = Served::start(cmd);
    let url = server.url("/api/v1/auth/register");
    let body = json!({ "email": "slow@example.com", "password": PASSWORD });
    let request =
        tokio::spawn(async move { reqwest::Client::new().post(url).json(&body).send().await });
    let started = Instant::now();
    loop {
        let text = reqwest::get(server.url("/metrics")).await.unwrap().text().await.unwrap();
        if text.lines().any(|l| l == "baton_password_hashing_running 1") {
            break;
        }
        assert!(started.elapsed() < PATIENCE, "the registration never started:\n{text}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    write_keys(dir.path(), &db.url, &[&new, &old]);
    hup(&server, "ok", 1).await;
    let res = request.await.unwrap().expect("the in-flight request was answered");
    assert_eq!(res.status(), StatusCode::CREATED);
    let pair: Value = res.json().await.unwrap();
    // Signed with whichever set was current when it signed; both keys verify now.
    assert_eq!(me(&server, s(&pair, "access_token")).await, StatusCode::OK);
    server.stop().await;
}
