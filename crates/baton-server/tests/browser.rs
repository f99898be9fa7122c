//! Cookie transport in a real browser (SPEC §10): headless Chromium, driven by
//! `tests/browser/run.mjs` (npm `playwright-core`, Debian's `/usr/bin/chromium`), loads a page
//! from an allowed origin and talks to the real server on another port, on PostgreSQL.
//!
//! This harness serves the page (`tests/browser/app.html`) on one port, reachable as
//! `http://localhost:<port>` (the allowed origin) and as `http://127.0.0.1:<port>` (another
//! site), starts Baton at `http://localhost:<port>` with `reuse_grace` on, and answers the
//! script's `POST /hold`: it locks the sessions table against writes until two refreshes wait
//! on it, so the "two tabs at once" step provably sends the same cookie twice.
//!
//! Missing prerequisites fail the test with what to install; it never skips:
//! `apt-get install chromium` (or `CHROMIUM=/path`), Node.js 20+, `npm ci --prefix tests/browser`.
//! Run it alone: `scripts/with-postgres.sh cargo test -p baton-server --test browser`.

#[allow(dead_code, unused_imports)]
#[path = "api/helpers.rs"]
mod helpers;

use actix_web::{App, HttpResponse, HttpServer, web};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};
use helpers::{Backend, TestApp, spawn_app_with};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// How long `/hold` waits for the two refreshes before letting go (the script then fails on
/// the missing grace replay, not on a hang).
const HOLD_LIMIT: Duration = Duration::from_secs(60);

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

/// What the page server shares with its handlers.
struct Harness {
    page: String,
    /// Set once the server (and so its database) exists.
    database_url: OnceLock<String>,
    /// Refresh holds that saw both refreshes waiting.
    holds_met: AtomicUsize,
}

async fn page(harness: web::Data<Harness>) -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(harness.page.clone())
}

#[derive(QueryableByName)]
struct Waiting {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Locks `sessions` against writes (reads go on) and answers once the lock is held; a thread
/// keeps it until two statements wait on it, i.e. two refreshes are in the database with
/// the same token, then lets them go.
async fn hold(harness: web::Data<Harness>) -> HttpResponse {
    let (held, is_held) = tokio::sync::oneshot::channel();
    let harness = harness.into_inner();
    std::thread::spawn(move || {
        let url = harness.database_url.get().expect("the server is up");
        let mut conn = PgConnection::establish(url).expect("connecting");
        conn.batch_execute("BEGIN; LOCK TABLE sessions IN SHARE MODE").expect("locking");
        let _ = held.send(());
        let started = Instant::now();
        while started.elapsed() < HOLD_LIMIT {
            let waiting: Waiting = diesel::sql_query(
                "SELECT count(*) AS n FROM pg_locks \
                 WHERE NOT granted AND relation = 'sessions'::regclass",
            )
            .get_result(&mut conn)
            .expect("counting waiters");
            if waiting.n >= 2 {
                harness.holds_met.fetch_add(1, Ordering::SeqCst);
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        conn.batch_execute("COMMIT").expect("unlocking");
    });
    match is_held.await {
        Ok(()) => HttpResponse::Ok().body("held"),
        Err(_) => HttpResponse::InternalServerError().body("could not lock"),
    }
}

/// Serves the page and `/hold` on a free loopback port; returns the port.
fn serve_page(harness: Arc<Harness>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding the page server");
    let port = listener.local_addr().expect("address").port();
    let data = web::Data::from(harness);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/", web::get().to(page))
            .route("/hold", web::post().to(hold))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .expect("listening")
    .run();
    tokio::spawn(server);
    port
}

/// `baton_refresh_total` by outcome, read from `/metrics`.
async fn refresh_outcomes(app: &TestApp) -> Vec<(String, u64)> {
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    text.lines()
        .filter_map(|line| line.strip_prefix("baton_refresh_total{outcome=\""))
        .filter_map(|rest| {
            let (outcome, count) = rest.split_once("\"} ")?;
            Some((outcome.to_owned(), count.trim().parse().ok()?))
        })
        .filter(|(_, count)| *count > 0)
        .collect()
}

#[tokio::test]
async fn cookie_transport_in_a_real_browser() {
    let browser_dir = workspace().join("tests/browser");
    let chromium = PathBuf::from(std::env::var("CHROMIUM").unwrap_or("/usr/bin/chromium".into()));
    check_prerequisites(&browser_dir, &chromium);

    let page = std::fs::read_to_string(browser_dir.join("app.html")).expect("reading app.html");
    let harness =
        Arc::new(Harness { page, database_url: OnceLock::new(), holds_met: AtomicUsize::new(0) });
    let page_port = serve_page(harness.clone());
    let app_origin = format!("http://localhost:{page_port}");
    let app = spawn_app_with(Backend::Postgres, |c| {
        c.cookies.allowed_origins = vec![app_origin.clone()];
        c.tokens.reuse_grace = Duration::from_secs(30);
    })
    .await;
    harness.database_url.set(app.db.url.clone()).expect("set once");
    let baton_port = app.address.rsplit(':').next().expect("a port").to_owned();

    let out = tokio::process::Command::new("node")
        .arg("run.mjs")
        .current_dir(&browser_dir)
        .env("BATON", format!("http://localhost:{baton_port}"))
        .env("APP", &app_origin)
        .env("OTHER", format!("http://127.0.0.1:{page_port}"))
        .env("HOLD", format!("http://127.0.0.1:{page_port}/hold"))
        .env("CHROMIUM", &chromium)
        .kill_on_drop(true)
        .output()
        .await
        .expect("running node (Node.js 20 or later must be installed)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the browser test failed:\n{stderr}\n{stdout}");
    assert!(stdout.contains("\"ok\":true"), "{stdout}");

    // The two tabs really refreshed at once, and the server saw one rotation and one replay
    // inside the grace: nothing was judged reuse, and the other site's tries never arrived as
    // refreshes.
    assert_eq!(harness.holds_met.load(Ordering::SeqCst), 1, "both refreshes were held");
    let mut outcomes = refresh_outcomes(&app).await;
    outcomes.sort();
    let expected = [("grace_replay".to_owned(), 1), ("rotated".to_owned(), 3)];
    assert_eq!(outcomes, expected, "{stderr}");
}
