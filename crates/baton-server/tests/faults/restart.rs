//! A database restart costs no request once the database is back: the pooled connections all
//! died with it, and a read (access check, sessions list, the session read of a refresh) that
//! meets one runs again on a live connection instead of answering 503.

use crate::helpers::*;
use crate::postgres::{OwnPostgres, connect};
use reqwest::StatusCode;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_database_restart_reads_and_refreshes_answer_at_once() {
    let pg = Arc::new(blocking(OwnPostgres::start).await);
    let env = [("BATON_DATABASE__POOL_SIZE", "4"), ("BATON_SERVER__WORKERS", "1")];
    let server = Baton::start(&pg.url(), &env).await;
    let http = client();
    let call = api(&http, &server);
    let t = call.register("restart@example.com").await;
    let access = s(&t, "access_token").to_owned();
    // Fill the pool: concurrent reads check out every connection.
    let warm = (0..8).map(|_| call.me(&access));
    for res in join_all(warm).await {
        assert_eq!(res.unwrap().status(), StatusCode::OK);
    }

    let restart = pg.clone();
    blocking(move || {
        restart.stop();
        restart.start_again();
    })
    .await;
    // Back, as a direct connection sees it; baton has not been told anything.
    let url = pg.url();
    blocking(move || drop(connect(&url))).await;

    let me = call.me(&access).await.unwrap();
    assert_eq!(me.status(), StatusCode::OK, "the first access check after the restart");
    let sessions = http
        .get(format!("{}/api/v1/auth/sessions", server.base))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(sessions.status(), StatusCode::OK, "the sessions list");
    let refreshed = call.refresh(s(&t, "refresh_token")).await.unwrap();
    assert_eq!(refreshed.status(), StatusCode::OK, "the refresh");
    for res in join_all((0..8).map(|_| call.me(&access))).await {
        assert_eq!(res.unwrap().status(), StatusCode::OK, "every later read");
    }
}
