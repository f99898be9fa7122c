//! A statement that loses a serialization race at `REPEATABLE READ` runs again inside the
//! adapter, and what it counts is counted once. The race is made certain rather than likely:
//! another connection holds the row, the store's statement waits for it (its snapshot already
//! taken), the other commits, and PostgreSQL answers the store's statement with SQLSTATE
//! 40001. The contract suite's races then show the same at scale, at every level.

use baton_core::testing::contract::{block_on, now};
use baton_core::{LoginKey, LoginLimits, Reservation, UserStore};
use baton_store::Store;
use baton_store::testing::{self, Isolation};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};
use std::time::{Duration, Instant};
use time::Duration as Span;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(conn).expect("a count").n
}

#[test]
fn a_reservation_that_loses_a_serialization_race_runs_again_and_counts_once() {
    let db = testing::postgres_database_at(Isolation::RepeatableRead);
    let url = db.url().to_owned();
    block_on(async {
        let store = Store::connect(&testing::config(url.clone())).await.expect("connect");
        let key = LoginKey::new("ada@example.com", Some("192.0.2.1"));
        let t = now();
        let limits = LoginLimits {
            account_max: 0,
            address_max: 10,
            lock_until: t + Span::minutes(15),
            stale_before: t - Span::minutes(15),
        };
        let first = store.reserve_login_attempt(&key, t, &limits).await.expect("reserve");
        assert_eq!(first, Reservation::Granted);

        let mut holder = PgConnection::establish(&url).expect("a second connection");
        holder
            .batch_execute(
                "BEGIN; UPDATE address_attempts SET failures = failures + 1 \
                 WHERE client_addr = '192.0.2.1'",
            )
            .expect("the other transaction holds the row");
        let racer = tokio::spawn({
            let (store, key) = (store.clone(), key.clone());
            async move { store.reserve_login_attempt(&key, t, &limits).await }
        });
        let watch = url.clone();
        tokio::task::spawn_blocking(move || wait_for_a_lock_waiter(&watch)).await.expect("joins");
        holder.batch_execute("COMMIT").expect("commit");

        let second = racer.await.expect("joins").expect("retried, not an error");
        assert_eq!(second, Reservation::Granted);
        let failures = count(
            &mut holder,
            "SELECT failures::bigint AS n FROM address_attempts WHERE client_addr = '192.0.2.1'",
        );
        assert_eq!(failures, 3, "the first attempt, the other transaction's, ours once");
    });
}

/// Waits until a statement of the database waits for a row lock (the store's, queued behind
/// the holder); polls, since PostgreSQL has no notification for it.
fn wait_for_a_lock_waiter(url: &str) {
    let mut watcher = PgConnection::establish(url).expect("a watching connection");
    let waiting = "SELECT count(*) AS n FROM pg_stat_activity \
                   WHERE datname = current_database() AND wait_event_type = 'Lock'";
    let deadline = Instant::now() + Duration::from_secs(30);
    while count(&mut watcher, waiting) == 0 {
        assert!(Instant::now() < deadline, "the store's statement never waited for the row");
        std::thread::sleep(Duration::from_millis(5));
    }
}
