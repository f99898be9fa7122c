//! One-shot commands (`migrate`, `purge`, `user ...`) hold one PostgreSQL connection at a
//! time: a command needs no more, and a pool that opened a second in the background while the
//! process exited is what once aborted in libpq's exit handlers (docs/DECISIONS.md). Counted
//! at the socket: each command reaches the database through a proxy that tracks how many of
//! its connections are open at once.

use crate::binary::{baton, ok, run};
use baton_store::testing::TestDatabase;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::net::{TcpListener, TcpStream};

/// Connections through the proxy: open now, the most open at once, and accepted in all.
#[derive(Default)]
struct Counts {
    open: AtomicUsize,
    most: AtomicUsize,
    accepted: AtomicUsize,
}

/// A TCP proxy to `target` on a free port, counting its connections.
async fn counting_proxy(target: String) -> (u16, Arc<Counts>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let counts = Arc::new(Counts::default());
    let c = counts.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            c.accepted.fetch_add(1, Ordering::SeqCst);
            let open = c.open.fetch_add(1, Ordering::SeqCst) + 1;
            c.most.fetch_max(open, Ordering::SeqCst);
            let (target, c) = (target.clone(), c.clone());
            tokio::spawn(async move {
                if let Ok(mut server) = TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
                c.open.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    (port, counts)
}

#[tokio::test]
async fn one_shot_commands_hold_one_connection_at_a_time() {
    let db = tokio::task::spawn_blocking(TestDatabase::postgres).await.unwrap();
    let mut url = url::Url::parse(db.url()).unwrap();
    let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let (port, counts) = counting_proxy(target).await;
    url.set_port(Some(port)).unwrap();
    let url = url.to_string();
    let commands: [(&[&str], &str); 5] = [
        (&["migrate"], ""),
        (&["user", "create", "--email", "ops@example.com"], "operator pw 1\n"),
        (&["user", "disable", "ops@example.com"], ""),
        (&["user", "enable", "ops@example.com"], ""),
        (&["purge"], ""),
    ];
    for (args, stdin) in commands {
        let before = counts.accepted.load(Ordering::SeqCst);
        // The previous command has exited; wait until the proxy has seen its socket close.
        while counts.open.load(Ordering::SeqCst) > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        counts.most.store(0, Ordering::SeqCst);
        let mut cmd = baton(&url);
        cmd.args(args);
        ok(&run(cmd, stdin).await);
        assert!(counts.accepted.load(Ordering::SeqCst) > before, "{args:?} reached the proxy");
        assert_eq!(counts.most.load(Ordering::SeqCst), 1, "{args:?}");
    }
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// `database.pool_size` bounds the server's connections however many workers share it: each
/// of two workers gets a pool of half, plus one connection for probes and the purge. Counted
/// by PostgreSQL itself while every worker is busy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pools_are_sized_by_configuration_not_by_workers() {
    use crate::helpers::*;
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let app = spawn_app_with(Backend::Postgres, |c| {
        c.server.workers = Some(2);
        c.database.pool_size = 4;
    })
    .await;
    assert_eq!(baton_server::wiring::worker_pool_size(&app.config), 2);
    let t = app.register("ada@example.com").await;
    let access = s(&t, "access_token").to_owned();
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let (client, url, access) =
            (app.client.clone(), app.url("/api/v1/auth/me"), access.clone());
        requests.spawn(async move { client.get(url).bearer_auth(access).send().await });
    }
    while let Some(res) = requests.join_next().await {
        assert_eq!(res.unwrap().unwrap().status(), reqwest::StatusCode::OK);
    }
    let url = app.db.url.clone();
    let open = tokio::task::spawn_blocking(move || {
        let mut conn = PgConnection::establish(&url).unwrap();
        let sql = "SELECT count(*) AS n FROM pg_stat_activity \
                   WHERE datname = current_database() AND pid <> pg_backend_pid()";
        diesel::sql_query(sql).get_result::<Count>(&mut conn).unwrap().n
    })
    .await
    .unwrap();
    assert!((2..=5).contains(&open), "{open} connections: two per worker at most, and one");
}
