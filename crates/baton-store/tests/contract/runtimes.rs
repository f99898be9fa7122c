//! PostgreSQL connections and tokio runtimes: a connection's I/O task lives on the runtime
//! that opened it, and actix runs one current-thread runtime per worker. A store must serve
//! any runtime, survive the runtime that opened it (a start-up runtime that is gone), and give
//! each worker a pool of its own on request.
//!
//! A pool shared by runtimes holds connections of each of them, and a statement on one of
//! them needs the runtime that opened it to be polling: one whose runtime is blocked stalls,
//! one whose runtime has stopped fails ("connection closed"). So the workers below keep
//! polling until all are done, as actix workers live (and poll) as long as the server; a pool
//! of its own per worker has no such coupling.

use baton_core::testing::contract::{now, session, stored_session, stored_user};
use baton_core::{TokenStore, UserStore};
use baton_store::Store;
use baton_store::testing::{self, PgDatabase};

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime")
}

fn opened_on_its_own_runtime() -> (Store, PgDatabase) {
    let db = testing::postgres_database();
    let store = current_thread()
        .block_on(Store::connect(&testing::config(db.url().to_owned())))
        .expect("connect");
    // That runtime is gone now, and with it the I/O tasks of the connections it opened.
    (store, db)
}

#[test]
fn a_store_outlives_the_runtime_that_opened_it_without_a_failed_call() {
    let (store, _db) = opened_on_its_own_runtime();
    current_thread().block_on(async {
        // A write first: writes are never retried, so a dead pooled connection would fail it.
        let ada = stored_user(&store, "ada@example.com").await;
        let s = stored_session(&store, &ada, "token-0").await;
        assert_eq!(store.find_session(s.id).await.expect("read"), Some((s, ada)));
    });
}

#[test]
fn one_store_serves_several_worker_runtimes_at_once_shared_or_one_pool_each() {
    let (store, _db) = opened_on_its_own_runtime();
    let ada = current_thread().block_on(stored_user(&store, "ada@example.com"));
    // An async barrier: a worker waiting for the others keeps its runtime polling.
    let all_done = std::sync::Arc::new(tokio::sync::Barrier::new(4));
    let workers: Vec<_> = (0..4)
        .map(|worker| {
            let (store, ada, all_done) = (store.clone(), ada.clone(), all_done.clone());
            std::thread::spawn(move || {
                // Workers 0 and 1 share the store's pool, 2 and 3 have pools of their own.
                let store = if worker < 2 { store } else { store.with_own_pool(2).expect("pool") };
                current_thread().block_on(async {
                    for i in 0..20 {
                        let s = session(ada.id, &format!("w{worker}-{i}"), now());
                        store.create_session(&s).await.expect("write");
                        let found = store.find_session(s.id).await.expect("read");
                        assert_eq!(found.map(|(s, _)| s.id), Some(s.id));
                    }
                    all_done.wait().await;
                });
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a worker failed");
    }
    // Every runtime that opened a connection is gone: the pool drops those and opens anew.
    let runtime = current_thread();
    let user = runtime.block_on(stored_user(&store, "bob@example.com"));
    let sessions = runtime.block_on(store.unrevoked_sessions(ada.id)).expect("read");
    assert_eq!(sessions.len(), 80);
    assert_eq!(runtime.block_on(store.find_user(user.id)).expect("read"), Some(user));
}
