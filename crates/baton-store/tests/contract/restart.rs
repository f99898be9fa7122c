//! A database restart under a running PostgreSQL store: while the server is down every call
//! answers `Unavailable` (503 for the HTTP layer, never a backend error); once it is back,
//! every call succeeds on the first try, with no stale connection left to fail one.

use baton_core::testing::contract::{block_on, now, session, stored_session, stored_user};
use baton_core::{RefreshHash, Rotation, StoreError, TokenStore, UserStore};
use baton_store::Store;
use baton_store::testing::{self, OwnPostgres};
use time::Duration;

#[test]
fn a_restart_is_unavailable_while_down_and_leaves_no_stale_connection() {
    let pg = OwnPostgres::start();
    block_on(async {
        let store = Store::connect(&testing::config(pg.url())).await.expect("connect");
        let ada = stored_user(&store, "ada@example.com").await;
        let s = stored_session(&store, &ada, "token-0").await;
        // Every connection of the pool has been used and is idle now.
        let state = store.pool_state();
        assert!(state.connections >= 2 && state.idle == state.connections, "{state:?}");

        tokio::task::block_in_place(|| pg.stop());
        let read = store.find_session(s.id).await;
        assert!(matches!(read, Err(StoreError::Unavailable(_))), "read while down: {read:?}");
        let write = store.create_session(&session(ada.id, "token-x", now())).await;
        assert!(matches!(write, Err(StoreError::Unavailable(_))), "write while down: {write:?}");
        assert!(matches!(store.ping().await, Err(StoreError::Unavailable(_))));

        tokio::task::block_in_place(|| pg.start_again());
        // Writes are never retried: a stale connection here would fail this very call.
        let rotation = Rotation {
            session_id: s.id,
            user_id: ada.id,
            expected_generation: 0,
            expected_hash: s.refresh_hash,
            absolute_expires_at: s.absolute_expires_at,
            new_hash: RefreshHash::of("token-1"),
            rotated_at: now(),
            expires_at: now() + Duration::days(7),
        };
        let rotated = store.rotate(&rotation).await.expect("the first write after the restart");
        assert_eq!(rotated.expect("the guard holds").0.generation, 1);
        stored_session(&store, &ada, "token-y").await;
        assert_eq!(store.find_user(ada.id).await.expect("read"), Some(ada.clone()));
        store.ping().await.expect("ping");
        // Every request in a burst after the restart succeeds too.
        for i in 0..16 {
            store
                .create_session(&session(ada.id, &format!("burst-{i}"), now()))
                .await
                .expect("write");
        }
    });
}
