//! The SIGHUP reload hook (`signals::reload`) on a running server, in-process on both
//! backends: the reuse grace holds across a signing-key change, and a failed reload keeps the
//! keys in use. (`sighup.rs` sends the real signal to the real binary.)

use crate::helpers::*;
use crate::on_both_backends;
use baton_server::config::Source;
use baton_server::signals;
use reqwest::StatusCode;
use serde_json::Value;
use std::path::Path;

/// The secret of the key the reload adds.
const NEXT: &str = "reload-test-next-secret-0123456789abcdef";

/// Writes `DIR/prod.toml` with the test database and `jwt`, a `[jwt]` table body.
fn write_config(dir: &Path, app: &TestApp, jwt: &str) -> Source {
    let url = toml::Value::String(app.db.url.clone());
    let text = format!("[database]\nurl = {url}\n\n[jwt]\n{jwt}\n");
    std::fs::write(dir.join("prod.toml"), text).unwrap();
    Source::new(Some(dir.to_path_buf()), "prod")
}

async fn reload(app: &TestApp, source: Source) -> bool {
    app.blocking(move |s| signals::reload(&source, &s.keys, &s.state.metrics)).await
}

fn kid(token: &str) -> String {
    s(&decode_part(token, 0), "kid").to_owned()
}

async fn reloads(app: &TestApp, outcome: &str) -> String {
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let series = format!("baton_key_reloads_total{{outcome=\"{outcome}\"}} ");
    let line = text.lines().find(|l| l.starts_with(&series)).expect("the series exists");
    line[series.len()..].to_owned()
}

async fn a_grace_replay_after_a_key_change_gets_the_current_token(b: Backend) {
    let app =
        spawn_app_with(b, |c| c.tokens.reuse_grace = std::time::Duration::from_secs(600)).await;
    let (_, dir) = baton_store::testing::sqlite_url();
    let t0 = app.register("ada@example.com").await;
    let t1: Value = app.refresh(s(&t0, "refresh_token")).await.json().await.unwrap();
    assert_eq!(kid(s(&t1, "refresh_token")), "default");

    // The new key signs from now on; the old one stays listed, as the rotation steps say.
    let jwt = format!(
        "keys = [\n  {{ kid = \"next\", secret = \"{NEXT}\" }},\n  \
         {{ kid = \"default\", secret = \"{SECRET}\" }},\n]"
    );
    assert!(reload(&app, write_config(dir.path(), &app, &jwt)).await, "the reload applies");
    assert_eq!(app.keys.current().signing_kid(), "next");

    // The lost response's client replays t0 inside the grace: it gets the session's current
    // refresh token, the very one signed before the reload, and a fresh access token.
    let res = app.refresh(s(&t0, "refresh_token")).await;
    assert_eq!(res.status(), StatusCode::OK, "a grace replay, not a reuse");
    let replay: Value = res.json().await.unwrap();
    assert_eq!(s(&replay, "refresh_token"), s(&t1, "refresh_token"));
    assert_eq!(kid(s(&replay, "access_token")), "next");
    // Nothing was revoked: the current token rotates, now under the new key.
    let t2: Value = app.refresh(s(&t1, "refresh_token")).await.json().await.unwrap();
    assert_eq!(kid(s(&t2, "refresh_token")), "next");
    assert_eq!(app.me(s(&t1, "access_token")).await.status(), StatusCode::OK);
    assert_eq!(reloads(&app, "ok").await, "1");
}

async fn a_failed_reload_keeps_the_keys_in_use(b: Backend) {
    let app = spawn_app(b).await;
    let (_, dir) = baton_store::testing::sqlite_url();
    let t = app.register("ada@example.com").await;
    let etag = app.keys.current().etag().to_owned();
    let broken = [
        // Refused by the configuration's checks: a weak secret.
        "keys = [ { kid = \"short\", secret = \"too-short-secret-XYZ\" } ]".to_owned(),
        // Refused by the signing adapter: a PEM label around garbage.
        "keys = [ { kid = \"bad\", alg = \"EdDSA\", private_key = \"\"\"\n-----BEGIN PRIVATE \
         KEY-----\nAAAA\n-----END PRIVATE KEY-----\n\"\"\" } ]"
            .to_owned(),
        // Not TOML at all.
        "keys = [ { kid = ".to_owned(),
    ];
    for (i, jwt) in broken.iter().enumerate() {
        assert!(!reload(&app, write_config(dir.path(), &app, jwt)).await, "{jwt}");
        let current = app.keys.current();
        assert_eq!((current.signing_kid(), current.etag()), ("default", etag.as_str()));
        assert_eq!(app.me(s(&t, "access_token")).await.status(), StatusCode::OK);
        assert_eq!(reloads(&app, "failed").await, (i + 1).to_string());
    }
    let again = app.login_ok("ada@example.com").await;
    assert_eq!(kid(s(&again, "access_token")), "default", "still signing with the old key");
    assert_eq!(reloads(&app, "ok").await, "0");
}

on_both_backends!(
    a_grace_replay_after_a_key_change_gets_the_current_token,
    a_failed_reload_keeps_the_keys_in_use,
);
