//! The database stops under load and comes back: requests answer 503 problem+json within
//! the configured connect timeout (no hang: every request has a client timeout), `/readyz`
//! turns 503 while `/healthz` stays 200, and the server recovers by itself.

use crate::helpers::*;
use crate::postgres::OwnPostgres;
use reqwest::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The account the background load logs in to.
const LOADER: &str = "loader@example.com";

/// What the background load saw.
#[derive(Default)]
struct Tally {
    ok: AtomicUsize,
    unavailable: AtomicUsize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_database_gives_503_then_the_server_recovers() {
    let pg = Arc::new(blocking(OwnPostgres::start).await);
    let env = [("BATON_DATABASE__CONNECT_TIMEOUT", "1s"), ("BATON_DATABASE__POOL_SIZE", "4")];
    let server = Baton::start(&pg.url(), &env).await;
    let http = client();
    let call = api(&http, &server);
    let t = call.register("outage@example.com").await;
    let access = s(&t, "access_token").to_owned();
    // The load logs in as another user, so its sessions never evict the one checked here.
    call.register(LOADER).await;

    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let load: Vec<_> = (0..4)
        .map(|i| {
            let (base, access) = (server.base.clone(), access.clone());
            let (stop, tally) = (stop.clone(), tally.clone());
            tokio::spawn(async move { load(i, base, access, stop, tally).await })
        })
        .collect();
    eventually("load before the outage", || {
        let ok = tally.ok.load(Ordering::Relaxed) >= 20;
        async move { ok }
    })
    .await;

    let pg_stop = pg.clone();
    blocking(move || pg_stop.stop()).await;
    // Down: every kind of request answers 503 within the timeout, the probes tell the truth.
    assert_unavailable(call.me(&access).await.expect("/me answered")).await;
    assert_unavailable(call.login("outage@example.com", PASSWORD).await.unwrap()).await;
    assert_unavailable(call.refresh(s(&t, "refresh_token")).await.unwrap()).await;
    assert_unavailable(call.probe("/readyz").await.unwrap()).await;
    assert_eq!(call.probe("/healthz").await.unwrap().status(), StatusCode::OK);
    let during = tally.unavailable.load(Ordering::Relaxed);
    eventually("the load to meet the outage", || {
        let more = tally.unavailable.load(Ordering::Relaxed) > during;
        async move { more }
    })
    .await;

    let pg_start = pg.clone();
    blocking(move || pg_start.start_again()).await;
    // Back: no restart of baton, no operator action.
    eventually("/readyz to recover", || {
        let probe = call.probe("/readyz");
        async move { probe.await.is_ok_and(|r| r.status() == StatusCode::OK) }
    })
    .await;
    assert_eq!(call.me(&access).await.unwrap().status(), StatusCode::OK);
    assert_eq!(call.refresh(s(&t, "refresh_token")).await.unwrap().status(), StatusCode::OK);
    assert_eq!(call.login("outage@example.com", PASSWORD).await.unwrap().status(), StatusCode::OK);
    let ok_before = tally.ok.load(Ordering::Relaxed);
    eventually("the load to succeed again", || {
        let more = tally.ok.load(Ordering::Relaxed) > ok_before;
        async move { more }
    })
    .await;

    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }
}

/// `/me` and logins in a loop until `stop`: every answer is 200 or the 503 problem; a
/// request that hangs past the client timeout, or any other answer, fails the test.
async fn load(i: usize, base: String, access: String, stop: Arc<AtomicBool>, tally: Arc<Tally>) {
    let http = client();
    let body = serde_json::json!({ "email": LOADER, "password": PASSWORD });
    while !stop.load(Ordering::Relaxed) {
        let request = if i.is_multiple_of(2) {
            http.get(format!("{base}/api/v1/auth/me")).bearer_auth(&access)
        } else {
            http.post(format!("{base}/api/v1/auth/login")).json(&body)
        };
        let res = request.send().await.unwrap_or_else(|e| panic!("no answer (hang?): {e}"));
        if res.status() == StatusCode::OK {
            tally.ok.fetch_add(1, Ordering::Relaxed);
        } else {
            assert_unavailable(res).await;
            tally.unavailable.fetch_add(1, Ordering::Relaxed);
        }
    }
}
