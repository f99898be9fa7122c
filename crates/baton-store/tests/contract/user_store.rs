//! The `UserStore` contract.

use crate::support::{Db, now, stored_user, user};
use baton_core::{DisplayName, Email, StoreError, UserStore};
use time::Duration;
use uuid::Uuid;

pub fn created_user_reads_back_by_id_and_email(db: &Db) {
    let store = &db.store;
    let at = now();
    let mut ada = user("ada@example.com", at);
    ada.name = DisplayName::parse("Ada Lovelace").unwrap();
    ada.disabled_at = Some(at + Duration::seconds(5));
    ada.failed_logins = 3;
    ada.locked_until = Some(at + Duration::minutes(15));
    ada.updated_at = at + Duration::seconds(7);
    store.create_user(&ada).unwrap();
    let plain = stored_user(store, "bob@example.com");

    assert_eq!(store.find_user(ada.id).unwrap(), Some(ada.clone()));
    assert_eq!(store.find_user_by_email(&ada.email).unwrap(), Some(ada));
    assert_eq!(store.find_user(plain.id).unwrap(), Some(plain.clone()));
    assert_eq!(store.find_user_by_email(&plain.email).unwrap(), Some(plain));
}

pub fn unknown_users_are_none(db: &Db) {
    let store = &db.store;
    stored_user(store, "ada@example.com");
    assert_eq!(store.find_user(Uuid::new_v4()).unwrap(), None);
    let nobody = Email::parse("nobody@example.com").unwrap();
    assert_eq!(store.find_user_by_email(&nobody).unwrap(), None);
}

pub fn equal_email_is_email_taken(db: &Db) {
    let store = &db.store;
    stored_user(store, "ada@example.com");
    let twin = user("ada@example.com", now());
    assert_eq!(store.create_user(&twin), Err(StoreError::EmailTaken));
    assert_eq!(store.find_user(twin.id).unwrap(), None);
}

/// The core lower-cases emails; the database refuses a case variant even if one slipped past.
pub fn email_differing_only_in_case_is_email_taken(db: &Db) {
    let store = &db.store;
    stored_user(store, "ada@example.com");
    let mut shouting = user("other@example.com", now());
    shouting.email = Email::from_trusted("ADA@Example.COM".into());
    assert_eq!(store.create_user(&shouting), Err(StoreError::EmailTaken));
}

pub fn duplicate_id_is_a_backend_error_not_email_taken(db: &Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com");
    let mut clash = user("bob@example.com", now());
    clash.id = ada.id;
    assert!(matches!(store.create_user(&clash), Err(StoreError::Backend(_))));
}

pub fn login_failures_count_up_and_unknown_users_count_zero(db: &Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com");
    let bob = stored_user(store, "bob@example.com");
    for expected in 1..=3 {
        assert_eq!(store.record_login_failure(ada.id, now()).unwrap(), expected);
    }
    assert_eq!(store.record_login_failure(Uuid::new_v4(), now()).unwrap(), 0);
    assert_eq!(store.find_user(ada.id).unwrap().unwrap().failed_logins, 3);
    assert_eq!(store.find_user(bob.id).unwrap().unwrap().failed_logins, 0);
    // Bookkeeping is not account data: updated_at stays.
    assert_eq!(store.find_user(ada.id).unwrap().unwrap().updated_at, ada.updated_at);
}

pub fn lock_sets_the_lock_and_restarts_the_count(db: &Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com");
    for _ in 0..5 {
        store.record_login_failure(ada.id, now()).unwrap();
    }
    let until = now() + Duration::minutes(15);
    store.lock_user(ada.id, until, now()).unwrap();
    let locked = store.find_user(ada.id).unwrap().unwrap();
    assert_eq!((locked.failed_logins, locked.locked_until), (0, Some(until)));
    assert_eq!(store.record_login_failure(ada.id, now()).unwrap(), 1);
    // Locking nobody is not an error.
    store.lock_user(Uuid::new_v4(), until, now()).unwrap();
}

pub fn clearing_failures_drops_count_and_lock(db: &Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com");
    store.record_login_failure(ada.id, now()).unwrap();
    store.lock_user(ada.id, now() + Duration::minutes(15), now()).unwrap();
    store.record_login_failure(ada.id, now()).unwrap();
    store.clear_login_failures(ada.id, now()).unwrap();
    let cleared = store.find_user(ada.id).unwrap().unwrap();
    assert_eq!((cleared.failed_logins, cleared.locked_until), (0, None));
    store.clear_login_failures(Uuid::new_v4(), now()).unwrap();
}

pub fn accounts_are_disabled_and_enabled(db: &Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com");
    let bob = stored_user(store, "bob@example.com");
    let at = now() + Duration::hours(1);
    assert!(store.set_disabled(ada.id, Some(at), at).unwrap());
    let disabled = store.find_user(ada.id).unwrap().unwrap();
    assert_eq!((disabled.disabled_at, disabled.updated_at), (Some(at), at));
    assert!(disabled.is_disabled());
    assert!(!store.find_user(bob.id).unwrap().unwrap().is_disabled());

    let later = at + Duration::hours(1);
    assert!(store.set_disabled(ada.id, None, later).unwrap());
    let enabled = store.find_user(ada.id).unwrap().unwrap();
    assert_eq!((enabled.disabled_at, enabled.updated_at), (None, later));
    assert!(!store.set_disabled(Uuid::new_v4(), Some(at), at).unwrap());
}
