//! What the server needs besides the ports: readiness, migrations, metrics, and the schema's
//! own guarantees.

use crate::support::{Db, now, session, stored_session, stored_user};
use baton_core::{RevokeReason, TokenStore};
use time::Duration;

pub fn ping_answers(db: &Db) {
    db.store.ping().unwrap();
}

pub fn migrations_ran_on_connect_and_rerun_is_a_no_op(db: &Db) {
    assert_eq!(db.store.run_migrations().unwrap(), Vec::<String>::new());
}

pub fn pool_state_reports_open_connections(db: &Db) {
    let state = db.store.pool_state();
    assert!(state.connections >= 1 && state.idle <= state.connections, "{state:?}");
}

pub fn active_sessions_are_counted(db: &Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com");
    let t = now();
    assert_eq!(store.count_active_sessions(t).unwrap(), 0);
    stored_session(store, &ada, "a");
    stored_session(store, &ada, "b");
    let revoked = stored_session(store, &ada, "c");
    store.revoke_session(revoked.id, RevokeReason::Logout, t).unwrap();
    let mut slid_out = session(ada.id, "d", t - Duration::days(8));
    slid_out.expires_at = t;
    store.create_session(&slid_out).unwrap();
    let mut too_old = session(ada.id, "e", t - Duration::days(1));
    too_old.absolute_expires_at = t - Duration::seconds(1);
    store.create_session(&too_old).unwrap();

    assert_eq!(store.count_active_sessions(t).unwrap(), 2);
    assert_eq!(store.count_active_sessions(t + Duration::days(8)).unwrap(), 0);
}

/// Sessions go with their user (`ON DELETE CASCADE`, which on SQLite needs foreign keys on
/// for every pooled connection).
pub fn deleting_a_user_deletes_its_sessions(db: &Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com");
    let s = stored_session(store, &ada, "a");
    baton_store::testing::delete_user(store, ada.id).unwrap();
    assert_eq!(store.find_session(s.id).unwrap(), None);
}
