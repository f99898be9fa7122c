//! What only a database adapter has: readiness, migrations, pool state, the active-sessions
//! gauge, cascades, and what lands on disk.

use crate::support::Db;
use baton_core::testing::contract::{PASSWORD, now, session, stored_session, stored_user};
use baton_core::{Policy, RefreshHash, RevokeReason, TokenStore};
use time::Duration;

/// Instantiates every test of this module on `$db`.
macro_rules! tests {
    ($db:expr) => {
        #[test]
        fn ping_answers() {
            crate::operations::ping_answers(&$db);
        }
        #[test]
        fn migrations_ran_on_connect_and_rerun_is_a_no_op() {
            crate::operations::migrations_ran_on_connect_and_rerun_is_a_no_op(&$db);
        }
        #[test]
        fn pool_state_reports_open_connections() {
            crate::operations::pool_state_reports_open_connections(&$db);
        }
        #[test]
        fn active_sessions_are_counted() {
            crate::operations::active_sessions_are_counted(&$db);
        }
        #[test]
        fn deleting_a_user_deletes_its_sessions() {
            crate::operations::deleting_a_user_deletes_its_sessions(&$db);
        }
        #[test]
        fn no_plaintext_secret_is_stored() {
            crate::operations::no_plaintext_secret_is_stored($db);
        }
    };
}
pub(crate) use tests;

pub fn ping_answers(db: &Db) {
    db.store.ping().expect("ping");
}

pub fn migrations_ran_on_connect_and_rerun_is_a_no_op(db: &Db) {
    assert_eq!(db.store.run_migrations().expect("migrate"), Vec::<String>::new());
}

pub fn pool_state_reports_open_connections(db: &Db) {
    let state = db.store.pool_state();
    assert!(state.connections >= 1 && state.idle <= state.connections, "{state:?}");
}

pub fn active_sessions_are_counted(db: &Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com");
    let t = now();
    assert_eq!(store.count_active_sessions(t).expect("count"), 0);
    stored_session(store, &ada, "a");
    stored_session(store, &ada, "b");
    let revoked = stored_session(store, &ada, "c");
    store.revoke_session(revoked.id, RevokeReason::Logout, t).expect("revoke");
    let mut slid_out = session(ada.id, "d", t - Duration::days(8));
    slid_out.expires_at = t;
    store.create_session(&slid_out).expect("create");
    let mut too_old = session(ada.id, "e", t - Duration::days(1));
    too_old.absolute_expires_at = t - Duration::seconds(1);
    store.create_session(&too_old).expect("create");

    assert_eq!(store.count_active_sessions(t).expect("count"), 2);
    assert_eq!(store.count_active_sessions(t + Duration::days(8)).expect("count"), 0);
}

/// Sessions go with their user (`ON DELETE CASCADE`, which on SQLite needs foreign keys on
/// for every pooled connection).
pub fn deleting_a_user_deletes_its_sessions(db: &Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com");
    let s = stored_session(store, &ada, "a");
    baton_store::testing::delete_user(store, ada.id).expect("delete");
    assert_eq!(store.find_session(s.id).expect("read"), None);
}

/// Through the real use cases: the database holds hashes, never a password or refresh token.
pub fn no_plaintext_secret_is_stored(db: Db) {
    let store = db.store.clone();
    let subject = db.subject();
    let w = subject.world(Policy::default());
    let first = w.register("ada@example.com");
    let second = w.auth.refresh(&first.refresh_token).expect("refresh");

    let columns = baton_store::testing::raw_secret_columns(&store).expect("read");
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
