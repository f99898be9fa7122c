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

/// Concurrent wrong passwords for one account, spread over the three servers: the attempts
/// are counted in the database before any password is checked, so at most
/// `max_failed_logins` (5) passwords are checked in all and the rest are locked out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lockout_burst_over_three_servers_gets_five_password_checks() {
    let (servers, _database) = cluster().await;
    let http = client();
    let on = |i: usize| api(&http, &servers[i % SERVERS]);
    on(0).register("burst@example.com").await;
    let answers =
        join_all((0..RACERS).map(|i| on(i).login("burst@example.com", "wrong password!"))).await;
    let mut statuses: Vec<u16> =
        answers.into_iter().map(|r| r.expect("answered").status().as_u16()).collect();
    statuses.sort_unstable();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let locked = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, locked), (5, RACERS - 5), "{statuses:?}");
    for i in 0..SERVERS {
        let res = on(i).login("burst@example.com", PASSWORD).await.unwrap();
        assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "locked_out").await;
    }
}

/// Two HS256 keys, as `jwt.keys` in the environment, in the given order (the first signs).
fn keys(first: (&str, &str), second: (&str, &str)) -> String {
    format!(
        "[{{kid=\"{}\", secret=\"{}\"}}, {{kid=\"{}\", secret=\"{}\"}}]",
        first.0, first.1, second.0, second.1
    )
}

/// A rolling key change: three servers hold the same two keys, one of them in the other order
/// (it signs with the new key already). A replay inside the reuse grace answered by a server
/// that signs with the other key still gets the session's current token, re-minted with the
/// key that signed it, and the session lives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grace_holds_across_servers_signing_with_different_keys() {
    const OLD: (&str, &str) = ("2026-05", "old-secret-0123456789abcdefghijklmnop");
    const NEW: (&str, &str) = ("2026-11", "new-secret-ABCDEFGHIJKLMNOPqrstuvwxyz9");
    let database = fresh_database().await;
    let (old_first, new_first) = (keys(OLD, NEW), keys(NEW, OLD));
    let url = database.url();
    let env = |order| [("BATON_JWT__KEYS", order), ("BATON_TOKENS__REUSE_GRACE", "60")];
    let unset = ["BATON_JWT__SECRET"];
    let servers = [
        Baton::start_with(url, &env(old_first.as_str()), &unset).await,
        Baton::start_with(url, &env(new_first.as_str()), &unset).await,
        Baton::start_with(url, &env(old_first.as_str()), &unset).await,
    ];
    let http = client();
    let on = |i: usize| api(&http, &servers[i]);

    for (minter, replayer) in [(1, 0), (0, 1), (1, 2)] {
        let t = on(0).register(&format!("tabs-{minter}-{replayer}@example.com")).await;
        let first = s(&t, "refresh_token");
        let winner = on(minter).refresh(first).await.unwrap();
        assert_eq!(winner.status(), StatusCode::OK);
        let winner: serde_json::Value = winner.json().await.unwrap();
        let replay = on(replayer).refresh(first).await.unwrap();
        assert_eq!(replay.status(), StatusCode::OK, "minted on {minter}, replayed on {replayer}");
        let replay: serde_json::Value = replay.json().await.unwrap();
        assert_eq!(s(&replay, "refresh_token"), s(&winner, "refresh_token"));
        // The session lives: the shared current token rotates on any server.
        let next = on(replayer).refresh(s(&winner, "refresh_token")).await.unwrap();
        assert_eq!(next.status(), StatusCode::OK);
    }
}
