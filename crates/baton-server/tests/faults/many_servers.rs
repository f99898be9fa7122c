//! Three `baton` processes on one PostgreSQL database (SPEC §8): every rule holds across
//! them because it rests on row-level atomic updates, never on process memory.

use crate::helpers::*;
use crate::postgres::fresh_database;
use reqwest::StatusCode;

/// Servers in the cluster.
const SERVERS: usize = 3;
/// Concurrent refreshes of one token in the race.
const RACERS: usize = 24;

/// Starts the cluster on one fresh database (they migrate it concurrently); the database
/// lives as long as the returned guard.
async fn cluster() -> (Vec<Baton>, baton_store::testing::PgDatabase) {
    let database = fresh_database().await;
    let env = [("BATON_SERVER__WORKERS", "1"), ("BATON_DATABASE__POOL_SIZE", "8")];
    let starts = (0..SERVERS).map(|_| Baton::start(database.url(), &env));
    (join_all(starts).await, database)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_share_rotation_logout_and_lockout() {
    let (servers, _database) = cluster().await;
    let http = client();
    let on = |i: usize| api(&http, &servers[i % SERVERS]);

    // A race of 24 refreshes of one token spread over the three: exactly one rotation.
    let t = on(0).register("race@example.com").await;
    let token = s(&t, "refresh_token");
    let answers = join_all((0..RACERS).map(|i| on(i).refresh(token))).await;
    let mut winners = 0;
    for res in answers {
        let res = res.expect("every racer answered");
        if res.status() == StatusCode::OK {
            winners += 1;
        } else {
            assert_problem(res, StatusCode::UNAUTHORIZED, "token_reused").await;
        }
    }
    assert_eq!(winners, 1, "exactly one of {RACERS} concurrent refreshes may rotate");

    // A logout on one server ends the session's access tokens on the others at once.
    let t = on(0).register("logout@example.com").await;
    let access = s(&t, "access_token");
    for i in 0..SERVERS {
        assert_eq!(on(i).me(access).await.unwrap().status(), StatusCode::OK, "server {i}");
    }
    assert_eq!(on(0).logout(access).await.unwrap().status(), StatusCode::NO_CONTENT);
    for i in 1..SERVERS {
        let res = on(i).me(access).await.unwrap();
        assert_problem(res, StatusCode::UNAUTHORIZED, "session_revoked").await;
    }

    // Failed logins counted on different servers add up to one lockout (default: 5).
    on(0).register("lockout@example.com").await;
    for i in 0..5 {
        let res = on(i).login("lockout@example.com", "wrong password!").await.unwrap();
        assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
    for i in 0..SERVERS {
        let res = on(i).login("lockout@example.com", PASSWORD).await.unwrap();
        assert!(res.headers().contains_key("retry-after"), "server {i}: 429 without Retry-After");
        assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "locked_out").await;
    }
}
