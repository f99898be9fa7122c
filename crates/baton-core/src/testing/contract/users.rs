//! The [`UserStore`](crate::ports::UserStore) suite: accounts.

use super::{StoreSubject, now, session, stored_user, user};
use crate::domain::email::Email;
use crate::domain::user::DisplayName;
use crate::ports::{CreateUserError, StoreError};
use time::Duration;
use uuid::Uuid;

/// A stored user reads back equal, by id and by email.
pub async fn created_user_reads_back_by_id_and_email(s: &StoreSubject) {
    let store = &*s.store;
    let at = now();
    let mut ada = user("ada@example.com", at);
    ada.name = DisplayName::parse("Ada Lovelace").expect("valid name");
    ada.disabled_at = Some(at + Duration::seconds(5));
    ada.updated_at = at + Duration::seconds(7);
    store.create_user(&ada, None).await.expect("create");
    let plain = stored_user(store, "bob@example.com").await;

    assert_eq!(store.find_user(ada.id).await.expect("read"), Some(ada.clone()));
    assert_eq!(store.find_user_by_email(&ada.email).await.expect("read"), Some(ada));
    assert_eq!(store.find_user(plain.id).await.expect("read"), Some(plain.clone()));
    assert_eq!(store.find_user_by_email(&plain.email).await.expect("read"), Some(plain));
}

/// Looking up someone who is not there is `None`, not an error.
pub async fn unknown_users_are_none(s: &StoreSubject) {
    let store = &*s.store;
    stored_user(store, "ada@example.com").await;
    assert_eq!(store.find_user(Uuid::new_v4()).await.expect("read"), None);
    let nobody = Email::parse("nobody@example.com").expect("valid");
    assert_eq!(store.find_user_by_email(&nobody).await.expect("read"), None);
}

/// A second account with the same email is `EmailTaken` and nothing is stored.
pub async fn equal_email_is_email_taken(s: &StoreSubject) {
    let store = &*s.store;
    stored_user(store, "ada@example.com").await;
    let twin = user("ada@example.com", now());
    assert!(matches!(store.create_user(&twin, None).await, Err(CreateUserError::EmailTaken)));
    assert_eq!(store.find_user(twin.id).await.expect("read"), None);
}

/// The core lower-cases emails; the store refuses a case variant even if one slipped past.
pub async fn email_differing_only_in_case_is_email_taken(s: &StoreSubject) {
    let store = &*s.store;
    stored_user(store, "ada@example.com").await;
    let mut shouting = user("other@example.com", now());
    shouting.email = Email::from_trusted("ADA@Example.COM".into());
    assert!(matches!(store.create_user(&shouting, None).await, Err(CreateUserError::EmailTaken)));
}

/// Another constraint failing is a backend error, not `EmailTaken`.
pub async fn duplicate_id_is_a_backend_error_not_email_taken(s: &StoreSubject) {
    let store = &*s.store;
    let ada = stored_user(store, "ada@example.com").await;
    let mut clash = user("bob@example.com", now());
    clash.id = ada.id;
    assert!(matches!(
        store.create_user(&clash, None).await,
        Err(CreateUserError::Store(StoreError::Backend(_)))
    ));
}

/// Registration stores the user and its first session as one unit.
pub async fn a_user_and_its_first_session_are_stored_together(s: &StoreSubject) {
    let store = &*s.store;
    let ada = user("ada@example.com", now());
    let first = session(ada.id, "token-0", now());
    store.create_user(&ada, Some(&first)).await.expect("create");
    assert_eq!(store.find_session(first.id).await.expect("read"), Some((first, ada)));
}

/// When the first session cannot be stored, the account is not stored either, so retrying the
/// registration succeeds instead of answering `EmailTaken`.
pub async fn a_failed_first_session_leaves_no_account_and_a_retry_succeeds(s: &StoreSubject) {
    let store = &*s.store;
    let ada = stored_user(store, "ada@example.com").await;
    let taken = super::stored_session(store, &ada, "ada-token").await;
    let bob = user("bob@example.com", now());
    let clashing = crate::Session { id: taken.id, ..session(bob.id, "bob-token", now()) };
    assert!(matches!(
        store.create_user(&bob, Some(&clashing)).await,
        Err(CreateUserError::Store(StoreError::Backend(_)))
    ));
    assert_eq!(store.find_user(bob.id).await.expect("read"), None, "no account left behind");
    assert_eq!(store.find_user_by_email(&bob.email).await.expect("read"), None);
    let retry = session(bob.id, "bob-token", now());
    store.create_user(&bob, Some(&retry)).await.expect("the retry is not EmailTaken");
    assert_eq!(store.find_session(retry.id).await.expect("read").map(|(_, u)| u), Some(bob));
}

/// Disabling and enabling set the flag and `updated_at`; an unknown id is `false`.
pub async fn accounts_are_disabled_and_enabled(s: &StoreSubject) {
    let store = &*s.store;
    let ada = stored_user(store, "ada@example.com").await;
    let bob = stored_user(store, "bob@example.com").await;
    let at = now() + Duration::hours(1);
    assert!(store.set_disabled(ada.id, Some(at), at).await.expect("disable"));
    let disabled = store.find_user(ada.id).await.expect("read").expect("exists");
    assert_eq!((disabled.disabled_at, disabled.updated_at), (Some(at), at));
    assert!(disabled.is_disabled());
    assert!(!store.find_user(bob.id).await.expect("read").expect("exists").is_disabled());

    let later = at + Duration::hours(1);
    assert!(store.set_disabled(ada.id, None, later).await.expect("enable"));
    let enabled = store.find_user(ada.id).await.expect("read").expect("exists");
    assert_eq!((enabled.disabled_at, enabled.updated_at), (None, later));
    assert!(!store.set_disabled(Uuid::new_v4(), Some(at), at).await.expect("no such user"));
}
