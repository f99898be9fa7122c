//! `kill -9` under refresh load, then a restart on the same database (SPEC §4: a rotation
//! happens entirely or not at all).
//!
//! Quiet chains refresh a few times and stop before the kill, so their last response surely
//! reached them; busy chains refresh in a loop until the kill cuts them off, so their last
//! request's response is lost and that request may or may not have committed. After the
//! restart every chain is judged by its last received token and by its row:
//! - the row's generation is what the client saw, or one more (a lost request committed);
//!   quiet chains: exactly what the client saw;
//! - the row holds exactly one hash (one current token): the client's last token's when the
//!   generations agree, another one otherwise;
//! - the client's last token rotates (200) when the generations agree, and is a reuse (401
//!   `token_reused`) when the lost request committed.

use crate::helpers::*;
use crate::postgres::{fresh_database, sessions};
use baton_core::RefreshHash;
use reqwest::StatusCode;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// What one client knows about its session.
#[derive(Debug, Clone)]
struct Chain {
    session: Uuid,
    last_refresh: String,
    /// Successful refreshes the client saw: the generation it believes is current.
    seen: i64,
    /// Whether its last request got no answer.
    lost: bool,
}

const QUIET: usize = 6;
const BUSY: usize = 12;
/// Refreshes every busy chain completes before the kill, so the kill lands under load.
const WARM_UP: i64 = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_refresh_load_keeps_every_chain_consistent() {
    let database = fresh_database().await;
    let db = database.url().to_owned();
    let mut server = Baton::start(&db, &[]).await;
    let http = client();

    let mut chains = Vec::new();
    for i in 0..QUIET + BUSY {
        let t = api(&http, &server).register(&format!("crash{i}@example.com")).await;
        let token = s(&t, "refresh_token").to_owned();
        chains.push(Chain {
            session: session_of(&token),
            last_refresh: token,
            seen: 0,
            lost: false,
        });
    }
    for (i, chain) in chains.iter_mut().take(QUIET).enumerate() {
        for _ in 0..=i % 3 {
            let res = api(&http, &server).refresh(&chain.last_refresh).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let body: serde_json::Value = res.json().await.unwrap();
            chain.last_refresh = s(&body, "refresh_token").to_owned();
            chain.seen += 1;
        }
    }

    let busy: Vec<Arc<Mutex<Chain>>> =
        chains.drain(QUIET..).map(|c| Arc::new(Mutex::new(c))).collect();
    let tasks: Vec<_> = busy
        .iter()
        .map(|chain| tokio::spawn(refresh_until_cut_off(server.base.clone(), chain.clone())))
        .collect();
    eventually("every busy chain to be rotating", || {
        let warm = busy.iter().all(|c| c.lock().unwrap().seen >= WARM_UP);
        async move { warm }
    })
    .await;
    server.kill_9();
    for task in tasks {
        task.await.unwrap();
    }
    chains.extend(busy.iter().map(|c| c.lock().unwrap().clone()));

    // The rows, before any token is presented again (a reuse would revoke the session).
    let url = db.clone();
    let rows: HashMap<Uuid, _> =
        blocking(move || sessions(&url)).await.into_iter().map(|r| (r.id, r)).collect();
    assert_eq!(rows.len(), chains.len(), "one session per chain, no more");
    let mut committed_unseen = 0;
    for chain in &chains {
        let row = &rows[&chain.session];
        assert!(!row.revoked, "{chain:?} was revoked by the crash");
        let ahead = row.generation - chain.seen;
        assert!(
            ahead == 0 || (ahead == 1 && chain.lost),
            "{chain:?} vs generation {}",
            row.generation
        );
        let holds_last = row.refresh_hash == RefreshHash::of(&chain.last_refresh).as_bytes();
        assert_eq!(holds_last, ahead == 0, "{chain:?}: current hash vs generation");
        committed_unseen += ahead;
    }
    assert!(chains.iter().filter(|c| c.lost).count() == BUSY, "every busy chain was cut off");
    eprintln!("{committed_unseen} of {BUSY} lost requests had committed");

    let server = Baton::start(&db, &[]).await;
    for chain in &chains {
        let ahead = rows[&chain.session].generation - chain.seen;
        let res = api(&http, &server).refresh(&chain.last_refresh).await.unwrap();
        if ahead == 0 {
            assert_eq!(res.status(), StatusCode::OK, "{chain:?} must continue");
            let body: serde_json::Value = res.json().await.unwrap();
            let next = api(&http, &server).refresh(s(&body, "refresh_token")).await.unwrap();
            assert_eq!(next.status(), StatusCode::OK, "{chain:?} keeps rotating");
        } else {
            assert_problem(res, StatusCode::UNAUTHORIZED, "token_reused").await;
        }
    }
}

/// Refreshes `chain` on `base` back to back until a request gets no answer.
async fn refresh_until_cut_off(base: String, chain: Arc<Mutex<Chain>>) {
    let http = client();
    loop {
        let token = chain.lock().unwrap().last_refresh.clone();
        let url = format!("{base}/api/v1/auth/refresh");
        let sent = http.post(url).json(&serde_json::json!({ "refresh_token": token })).send().await;
        let body = match sent {
            Ok(res) => {
                assert_eq!(res.status(), StatusCode::OK, "refresh under load");
                res.json::<serde_json::Value>().await
            }
            Err(e) => Err(e),
        };
        let mut chain = chain.lock().unwrap();
        match body {
            Ok(body) => {
                chain.last_refresh = s(&body, "refresh_token").to_owned();
                chain.seen += 1;
            }
            Err(e) => {
                assert!(!e.is_timeout(), "a refresh hung instead of failing: {e}");
                chain.lost = true;
                return;
            }
        }
    }
}
