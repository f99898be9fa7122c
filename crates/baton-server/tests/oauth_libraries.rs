//! Unmodified third-party OAuth and JOSE libraries against a real Baton (SPEC §3, §11):
//! `tests/oauth/check.mjs` (npm `jose`, `oauth4webapi`, `openid-client`) plays a resource
//! server and two clients against a server on a real socket, on each backend, signing with a
//! P-256 key (ES256, which every JOSE library accepts) and with its own URL as issuer.
//!
//! Missing prerequisites fail the test with what to install; it never skips: Node.js 20+ and
//! `npm ci --prefix tests/oauth` (`just test` runs it when `node_modules` is missing).

#[allow(dead_code, unused_imports)]
#[path = "api/helpers.rs"]
mod helpers;

use baton_http::Application;
use baton_server::config::{IntrospectionClient, KeyAlg, KeyConfig, Secret};
use baton_server::wiring;
use baton_store::testing::TestDatabase;
use helpers::test_config;
use secrecy::ExposeSecret;
use std::net::TcpListener;
use std::path::{Path, PathBuf};

const INTROSPECT_ID: &str = "orders-api";
const INTROSPECT_SECRET: &str = "orders-api-secret-3f1c9e7a5b2d4c6e8a0f";

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/oauth")
}

/// Starts Baton on `db` with an ES256 key and its own address as issuer, runs the script and
/// returns its output; panics with the output when the script fails.
async fn run_libraries_against(db: &TestDatabase) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let mut config = test_config(db.url());
    config.jwt.issuer = url.clone();
    let key = baton_jwt::generate_p256();
    config.jwt.keys = vec![KeyConfig {
        alg: KeyAlg::ES256,
        secret: None,
        private_key: Some(Secret::new(key.private_pem.expose_secret())),
        ..KeyConfig::hs256("es-1", "")
    }];
    config.jwt.secret = None;
    let secret = Secret::new(INTROSPECT_SECRET);
    config.introspection.clients = vec![IntrospectionClient { id: INTROSPECT_ID.into(), secret }];
    let service = wiring::service(&config).await.expect("wiring the server");
    let app = Application::with_listener(listener, &config.server, service.state).unwrap();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());

    let output = tokio::process::Command::new("node")
        .arg(scripts().join("check.mjs"))
        .env("BATON_URL", &url)
        .env("BATON_AUDIENCE", &config.jwt.audience)
        .env("INTROSPECT_ID", INTROSPECT_ID)
        .env("INTROSPECT_SECRET", INTROSPECT_SECRET)
        .output()
        .await
        .expect("node runs (Node.js 20+ is a prerequisite: see README)");
    handle.stop(true).await;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "the libraries' checks failed:\n{text}");
    text
}

/// Every check of the script ran and passed, counted: a script that stopped early fails.
fn assert_all_checks(output: &str) {
    let passed = output.lines().filter(|l| l.starts_with("ok ")).count();
    assert_eq!(passed, 18, "{output}");
    assert!(output.contains("all checks passed"), "{output}");
}

#[tokio::test]
async fn oauth_and_jose_libraries_work_unmodified() {
    assert!(
        scripts().join("node_modules/oauth4webapi/package.json").is_file(),
        "the libraries are not installed: `npm ci --prefix tests/oauth`"
    );
    let sqlite = tokio::task::spawn_blocking(TestDatabase::sqlite).await.unwrap();
    assert_all_checks(&run_libraries_against(&sqlite).await);
    let postgres = tokio::task::spawn_blocking(TestDatabase::postgres).await.unwrap();
    assert_all_checks(&run_libraries_against(&postgres).await);
}
