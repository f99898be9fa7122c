//! Passkeys in a real browser (SPEC §13): headless Chromium with a virtual authenticator (the
//! DevTools protocol's `WebAuthn` domain), driven by `tests/browser/passkeys.mjs` (npm
//! `playwright-core`, Debian's `/usr/bin/chromium`), registers a passkey, logs in with it
//! alone and as the second factor, with body and cookie transport, and removes it, against
//! the real server on SQLite and on PostgreSQL (one test per backend, one browser each).
//!
//! Why a browser: the unit and API tests of passkeys feed the server assertions they built
//! themselves; only a browser shows that the options Baton sends parse with
//! `PublicKeyCredential.parse*OptionsFromJSON` and that what `toJSON()` sends back verifies.
//!
//! This harness serves the page (`tests/browser/passkeys.html`) on one loopback port,
//! reachable as `http://localhost:<port>` (a secure context whose host is the relying-party
//! id), and starts Baton at `http://localhost:<port>` with `webauthn.rp_id = "localhost"`,
//! that page origin as the one WebAuthn origin and the one cookie (CORS) origin.
//!
//! Missing prerequisites fail the test with what to install; it never skips:
//! `apt-get install chromium` (or `CHROMIUM=/path`), Node.js 20+, `npm ci --prefix tests/browser`.
//! Run it alone: `scripts/with-postgres.sh cargo test -p baton-server --test passkeys_browser`
//! (the PostgreSQL run needs `TEST_DATABASE_URL`, which the script provides).

#[allow(dead_code, unused_imports)]
#[path = "api/helpers.rs"]
mod helpers;

use actix_web::{App, HttpResponse, HttpServer, web};
use helpers::{Backend, spawn_app_with};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

/// The steps the script reports, in order.
const STEPS: [&str; 7] = [
    "register",
    "register_passkey",
    "list_rename",
    "passwordless",
    "second_factor",
    "cookie_transport",
    "delete",
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Fails, with the command that fixes it, when something the test needs is missing.
fn check_prerequisites(browser_dir: &Path, chromium: &Path) {
    assert!(
        chromium.is_file(),
        "no Chromium at {}: `apt-get install -y chromium` (or set CHROMIUM=/path/to/chromium)",
        chromium.display()
    );
    assert!(
        browser_dir.join("node_modules/playwright-core/package.json").is_file(),
        "playwright-core is not installed: `npm ci --prefix tests/browser`"
    );
}

async fn page(html: web::Data<String>) -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(html.get_ref().clone())
}

/// Serves the page on a free loopback port; returns the port.
fn serve_page(html: String) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding the page server");
    let port = listener.local_addr().expect("address").port();
    let data = web::Data::new(html);
    let server =
        HttpServer::new(move || App::new().app_data(data.clone()).route("/", web::get().to(page)))
            .workers(1)
            .disable_signals()
            .listen(listener)
            .expect("listening")
            .run();
    tokio::spawn(server);
    port
}

#[tokio::test]
async fn passkeys_in_a_real_browser_on_sqlite() {
    passkeys_in_a_real_browser(Backend::Sqlite).await;
}

#[tokio::test]
async fn passkeys_in_a_real_browser_on_postgres() {
    passkeys_in_a_real_browser(Backend::Postgres).await;
}

async fn passkeys_in_a_real_browser(backend: Backend) {
    let browser_dir = workspace().join("tests/browser");
    let chromium = PathBuf::from(std::env::var("CHROMIUM").unwrap_or("/usr/bin/chromium".into()));
    check_prerequisites(&browser_dir, &chromium);

    let html =
        std::fs::read_to_string(browser_dir.join("passkeys.html")).expect("reading passkeys.html");
    let page_port = serve_page(html);
    let page_origin = format!("http://localhost:{page_port}");
    // The test configuration turns the per-address rate limit off (`rate_limit.burst = 0`),
    // so the script's logins are never answered 429.
    let app = spawn_app_with(backend, |c| {
        c.webauthn.rp_id = "localhost".into();
        c.webauthn.origins = vec![page_origin.clone()];
        c.cookies.allowed_origins = vec![page_origin.clone()];
    })
    .await;
    assert_eq!(app.config.rate_limit.burst, 0, "the rate limit is off in tests");
    let baton_port = app.address.rsplit(':').next().expect("a port").to_owned();

    let out = tokio::process::Command::new("node")
        .arg("passkeys.mjs")
        .current_dir(&browser_dir)
        .env("BATON", format!("http://localhost:{baton_port}"))
        .env("APP", &page_origin)
        .env("CHROMIUM", &chromium)
        .kill_on_drop(true)
        .output()
        .await
        .expect("running node (Node.js 20 or later must be installed)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the passkeys browser test failed:\n{stderr}\n{stdout}");
    // The script's progress, seen with `--nocapture`.
    eprint!("{stderr}");

    let summary = stdout.lines().last().unwrap_or_default();
    let summary: serde_json::Value =
        serde_json::from_str(summary).unwrap_or_else(|e| panic!("no summary ({e}):\n{stdout}"));
    assert_eq!(summary["ok"], true, "{stdout}");
    assert_eq!(summary["steps"], serde_json::json!(STEPS), "{stderr}\n{stdout}");
}
