//! Signals to the real `baton serve` process: SIGHUP never stops it (it reloads the keys, see
//! `sighup.rs`), and a stop that has to cut requests at `server.shutdown_timeout` says so in
//! the log.

use crate::binary::{Db, Served, baton};
use crate::helpers::{Backend, PASSWORD};
use std::time::Duration;

/// Long enough for any line to appear on a loaded machine; no test asserts how fast.
const PATIENCE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn sighup_is_logged_and_the_server_keeps_answering() {
    let db = Db::create(Backend::Sqlite).await;
    let mut server = Served::start(baton(&db.url));
    server.signal("HUP");
    let line = server.wait_for(PATIENCE, |l| l.contains("SIGHUP: JWT key set reloaded")).await;
    let line = line.expect("the SIGHUP is logged");
    assert!(line.contains("\"signing_kid\":\"default\""), "{line}");
    assert!(line.contains("\"level\":\"INFO\""), "{line}");
    assert_eq!(server.exited(), None, "SIGHUP must not stop the server");
    let res = reqwest::get(server.url("/healthz")).await.expect("still answering");
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let lines = server.stop().await; // SIGTERM still stops it, with exit 0
    assert!(lines.iter().any(|l| l.contains("\"signal\":\"SIGTERM\"")), "{lines:?}");
}

#[tokio::test]
async fn requests_cut_at_the_shutdown_timeout_are_counted_in_a_warning() {
    let db = Db::create(Backend::Sqlite).await;
    let mut cmd = baton(&db.url);
    // bcrypt at cost 16 keeps a registration busy for seconds; the stop waits 1 s at most.
    cmd.env("BATON_PASSWORDS__BCRYPT_COST", "16").env("BATON_SERVER__SHUTDOWN_TIMEOUT", "1s");
    let server = Served::start(cmd);
    let url = server.url("/api/v1/auth/register");
    let body = serde_json::json!({ "email": "slow@example.com", "password": PASSWORD });
    let request =
        tokio::spawn(async move { reqwest::Client::new().post(url).json(&body).send().await });
    // Wait until the registration is hashing on a blocking thread.
    let metrics = server.url("/metrics");
    let started = std::time::Instant::now();
    loop {
        let text = reqwest::get(&metrics).await.unwrap().text().await.unwrap();
        if text.lines().any(|l| l == "baton_password_hashing_running 1") {
            break;
        }
        assert!(started.elapsed() < PATIENCE, "the registration never started:\n{text}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let lines = server.stop().await;
    let warning = lines
        .iter()
        .find(|l| l.contains("in-flight request(s) were cut off"))
        .unwrap_or_else(|| panic!("no warning about the cut request: {lines:?}"));
    assert!(warning.contains("\"level\":\"WARN\"") && warning.contains("\"cut\":1"), "{warning}");
    assert!(warning.contains("\"shutdown_timeout\":\"1s\""), "{warning}");
    let answer = request.await.unwrap();
    assert!(answer.is_err(), "the cut request got no answer: {answer:?}");
}
