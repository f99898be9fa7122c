//! What only a database adapter has: readiness, migrations, pool state, the active-sessions
//! gauge, cascades, and what lands on disk.

use crate::support::Db;
use baton_core::testing::contract::{PASSWORD, now, session, stored_session, stored_user};
use baton_core::{Policy, RefreshHash, RevokeReason, TokenStore, UserStore};
use time::Duration;

/// Instantiates every test of this module on `$db` (an async expression), each on a fresh
/// multi-thread runtime.
macro_rules! tests {
    ($db:expr) => {
        $crate::operations::tests!(@each $db;
            ping_answers,
            migrations_ran_on_connect_and_rerun_is_a_no_op,
            pool_state_reports_open_connections,
            another_pool_reaches_the_same_database,
            active_sessions_are_counted,
            deleting_a_user_deletes_its_sessions,
            no_plaintext_secret_is_stored,
        );
    };
    (@each $db:expr; $($test:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                baton_core::testing::contract::block_on(async {
                    crate::operations::$test($db).await;
                });
            }
        )*
    };
}
pub(crate) use tests;

pub async fn ping_answers(db: Db) {
    db.store.ping().await.expect("ping");
}

pub async fn migrations_ran_on_connect_and_rerun_is_a_no_op(db: Db) {
    assert_eq!(db.store.run_migrations().await.expect("migrate"), Vec::<String>::new());
}

/// Connections are open from the start (two at least) and idle; nothing waits, nothing runs.
pub async fn pool_state_reports_open_connections(db: Db) {
    let state = db.store.pool_state();
    assert!(state.connections >= 2 && state.idle == state.connections, "{state:?}");
    assert_eq!((state.waiting, state.running), (0, 0), "{state:?}");
}

/// A pool of its own (one per actix worker, say) sees what the first one wrote, and the
/// reverse; on PostgreSQL it opens its connections only when first used.
pub async fn another_pool_reaches_the_same_database(db: Db) {
    let other = db.store.with_own_pool(2).expect("a second pool");
    if db.store.backend() == baton_store::Backend::Postgres {
        assert_eq!(other.pool_state().connections, 0, "opened on first use");
    }
    let ada = stored_user(&db.store, "ada@example.com").await;
    let s = stored_session(&other, &ada, "a").await;
    assert_eq!(other.find_user(ada.id).await.expect("read"), Some(ada.clone()));
    assert_eq!(db.store.find_session(s.id).await.expect("read"), Some((s, ada)));
    assert!(other.pool_state().connections >= 1);
    assert!(matches!(db.store.with_own_pool(0), Err(baton_store::SetupError::PoolSize)));
}

pub async fn active_sessions_are_counted(db: Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com").await;
    let t = now();
    assert_eq!(store.count_active_sessions(t).await.expect("count"), 0);
    stored_session(store, &ada, "a").await;
    stored_session(store, &ada, "b").await;
    let revoked = stored_session(store, &ada, "c").await;
    store.revoke_session(revoked.id, RevokeReason::Logout, t).await.expect("revoke");
    let mut slid_out = session(ada.id, "d", t - Duration::days(8));
    slid_out.expires_at = t;
    store.create_session(&slid_out).await.expect("create");
    let mut too_old = session(ada.id, "e", t - Duration::days(1));
    too_old.absolute_expires_at = t - Duration::seconds(1);
    store.create_session(&too_old).await.expect("create");

    assert_eq!(store.count_active_sessions(t).await.expect("count"), 2);
    assert_eq!(store.count_active_sessions(t + Duration::days(8)).await.expect("count"), 0);
}

/// Sessions go with their user (`ON DELETE CASCADE`, which on SQLite needs foreign keys on
/// for every pooled connection).
pub async fn deleting_a_user_deletes_its_sessions(db: Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com").await;
    let s = stored_session(store, &ada, "a").await;
    baton_store::testing::delete_user(store, ada.id).await.expect("delete");
    assert_eq!(store.find_session(s.id).await.expect("read"), None);
}

/// Through the real use cases: the database holds hashes, never a password or refresh token.
pub async fn no_plaintext_secret_is_stored(db: Db) {
    let store = db.store.clone();
    let subject = db.subject();
    let w = subject.world(Policy::default());
    let first = w.register("ada@example.com").await;
    let second = w.auth.refresh(&first.refresh_token).await.expect("refresh");

    let columns = baton_store::testing::raw_secret_columns(&store).await.expect("read");
    assert!(!columns.is_empty());
    for secret in [PASSWORD, &first.refresh_token, &second.refresh_token, &second.access_token] {
        let needle = secret.as_bytes();
        assert!(
            !columns.iter().any(|c| c.windows(needle.len()).any(|w| w == needle)),
            "a secret is stored in plain text"
        );
    }
    assert!(columns.contains(&RefreshHash::of(&second.refresh_token).as_bytes().to_vec()));
}
