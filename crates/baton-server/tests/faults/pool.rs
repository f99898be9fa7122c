//! A connection pool exhausted by slow queries: the server's own requests hold every
//! connection (blocked behind a table lock taken from outside), and further requests answer
//! 503 once the pool checkout times out instead of queueing forever. When the lock goes, the
//! held requests finish and the server serves again.

use crate::helpers::*;
use crate::postgres::{connect, fresh_database};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use reqwest::StatusCode;
use std::sync::mpsc;

/// The server's pool, and the requests that take all of it.
const POOL: usize = 2;
/// Concurrent requests sent while the pool is exhausted.
const BURST: usize = 8;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Backends of the current database waiting for a lock.
fn waiting_on_locks(conn: &mut PgConnection) -> i64 {
    let sql = "SELECT count(*) AS n FROM pg_stat_activity \
               WHERE datname = current_database() AND wait_event_type = 'Lock'";
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exhausted_pool_answers_503_not_a_hang() {
    let database = fresh_database().await;
    let db = database.url().to_owned();
    let pool = POOL.to_string();
    let env = [
        ("BATON_DATABASE__POOL_SIZE", pool.as_str()),
        ("BATON_DATABASE__CONNECT_TIMEOUT", "1s"),
        ("BATON_SERVER__WORKERS", "1"),
    ];
    let server = Baton::start(&db, &env).await;
    let http = client();
    let call = api(&http, &server);
    let t = call.register("pool@example.com").await;
    let access = s(&t, "access_token").to_owned();

    // Lock `sessions` from outside in an open transaction until told to let go.
    let (release, released) = mpsc::channel::<()>();
    let (locked, is_locked) = mpsc::channel::<()>();
    let url = db.clone();
    let locker = std::thread::spawn(move || {
        let mut conn = connect(&url);
        conn.batch_execute("BEGIN; LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE;").unwrap();
        locked.send(()).unwrap();
        let _ = released.recv();
        conn.batch_execute("COMMIT").unwrap();
    });
    blocking(move || is_locked.recv().unwrap()).await;

    // These take every pooled connection and wait on the lock.
    let held: Vec<_> = (0..POOL)
        .map(|_| {
            let request = http.get(server.url("/api/v1/auth/me")).bearer_auth(&access).send();
            tokio::spawn(request)
        })
        .collect();
    let url = db.clone();
    blocking(move || {
        let mut watcher = connect(&url);
        let started = std::time::Instant::now();
        while waiting_on_locks(&mut watcher) < POOL as i64 {
            assert!(started.elapsed() < START_DEADLINE, "requests never blocked on the lock");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    })
    .await;

    // Exhausted: a burst of requests all answer 503 after the connect timeout instead of
    // queueing behind the stuck ones.
    let burst = join_all((0..BURST).map(|_| call.me(&access))).await;
    for res in burst {
        assert_unavailable(res.expect("/me answered, not hung")).await;
    }
    assert_unavailable(call.login("pool@example.com", PASSWORD).await.unwrap()).await;
    assert_unavailable(call.probe("/readyz").await.unwrap()).await;
    assert_eq!(call.probe("/healthz").await.unwrap().status(), StatusCode::OK);

    release.send(()).unwrap();
    blocking(move || locker.join().unwrap()).await;
    for request in held {
        let res = request.await.unwrap().expect("held request answered after the release");
        assert_eq!(res.status(), StatusCode::OK);
    }
    assert_eq!(call.me(&access).await.unwrap().status(), StatusCode::OK);
    assert_eq!(call.probe("/readyz").await.unwrap().status(), StatusCode::OK);
    assert_eq!(call.refresh(s(&t, "refresh_token")).await.unwrap().status(), StatusCode::OK);
}
