//! The [`AccountStore`](crate::ports::AccountStore) suite (SPEC §12): tokens used once and
//! retired by newer ones, account changes, and an outbox that hands each mail to one sender.

use super::{StoreSubject, now, race, stored_session, stored_user};
use crate::domain::account_token::{AccountToken, AccountTokenHash, TokenPurpose};
use crate::domain::email::Email;
use crate::domain::mail::{ComposedMail, OutgoingMail, QueuedMail};
use crate::domain::password::PasswordHash;
use crate::domain::throttle::LoginKey;
use crate::ports::{EmailChange, LoginLimits, Reservation};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

fn email(s: &str) -> Email {
    Email::parse(s).expect("valid email")
}

fn mail(to: &str, at: OffsetDateTime) -> QueuedMail {
    let composed = ComposedMail { subject: "s".into(), text: "t".into(), html: "<p>h</p>".into() };
    QueuedMail {
        mail: OutgoingMail::new(Uuid::new_v4(), email(to), composed),
        kind: "password_reset",
        queued_at: at,
        expires_at: Some(at + Duration::minutes(30)),
    }
}

fn token(secret: &str, user_id: Uuid, purpose: TokenPurpose, to: &str) -> AccountToken {
    AccountToken {
        hash: AccountTokenHash::of(secret),
        user_id,
        purpose,
        email: email(to),
        created_at: now(),
        expires_at: now() + Duration::minutes(30),
    }
}

/// A newer token of a purpose retires the older ones of that purpose (not of another), and
/// each comes with its mail queued.
pub async fn a_newer_token_retires_the_older_ones_of_its_purpose(st: &StoreSubject) {
    let s = &*st.store;
    let ada = stored_user(s, "ada@example.com").await;
    let first = token("first", ada.id, TokenPurpose::Reset, "ada@example.com");
    let verify = token("verify", ada.id, TokenPurpose::Verify, "ada@example.com");
    let second = AccountToken {
        created_at: now() + Duration::minutes(2),
        ..token("second", ada.id, TokenPurpose::Reset, "ada@example.com")
    };
    for t in [&first, &verify, &second] {
        s.issue_token(t, &mail("ada@example.com", now())).await.expect("issue");
    }
    assert_eq!(s.outbox_stats().await.expect("stats").waiting, 3, "each token's mail queued");
    let last = s.last_token_at(ada.id, TokenPurpose::Reset).await.expect("read");
    assert_eq!(last, Some(second.created_at));
    assert_eq!(s.take_token(&first.hash).await.expect("take"), None, "retired");
    assert_eq!(s.take_token(&verify.hash).await.expect("take"), Some(verify));
    assert_eq!(s.take_token(&second.hash).await.expect("take"), Some(second));
}

/// 32 requests bring the same token at once: exactly one gets it.
pub async fn a_token_is_taken_once_under_a_race(st: &StoreSubject) {
    let ada = stored_user(&*st.store, "ada@example.com").await;
    let t = token("once", ada.id, TokenPurpose::Reset, "ada@example.com");
    st.store.issue_token(&t, &mail("ada@example.com", now())).await.expect("issue");
    let taken = race(|_| {
        let store = st.store.clone();
        async move { store.take_token(&AccountTokenHash::of("once")).await.expect("take") }
    })
    .await;
    assert_eq!(taken.iter().filter(|t| t.is_some()).count(), 1, "{taken:?}");
}

/// A new password hash and a verified email are stored; verifying an address the account no
/// longer has changes nothing.
pub async fn passwords_and_verified_emails_are_stored(st: &StoreSubject) {
    let s = &*st.store;
    let ada = stored_user(s, "ada@example.com").await;
    let at = now() + Duration::minutes(1);
    assert!(s.set_password(ada.id, &PasswordHash::new("new-hash".into()), at).await.expect("set"));
    assert!(
        !s.set_password(Uuid::new_v4(), &PasswordHash::new("x".into()), at).await.expect("set")
    );
    assert!(!s.mark_email_verified(ada.id, &email("old@example.com"), at).await.expect("mark"));
    assert!(s.mark_email_verified(ada.id, &email("ada@example.com"), at).await.expect("mark"));
    let stored = s.find_user(ada.id).await.expect("read").expect("exists");
    assert_eq!(stored.password_hash.as_str(), "new-hash");
    assert_eq!((stored.email_verified_at, stored.updated_at), (Some(at), at));
}

/// An email changes to a free address (verified at once), never to another account's.
pub async fn an_email_changes_only_to_a_free_address(st: &StoreSubject) {
    let s = &*st.store;
    let ada = stored_user(s, "ada@example.com").await;
    stored_user(s, "bob@example.com").await;
    let at = now() + Duration::minutes(1);
    let taken = s.change_email(ada.id, &email("BOB@example.com"), at).await.expect("change");
    assert_eq!(taken, EmailChange::Taken);
    let changed = s.change_email(ada.id, &email("ada@new.example"), at).await.expect("change");
    assert_eq!(changed, EmailChange::Changed);
    let nobody = s.change_email(Uuid::new_v4(), &email("x@example.com"), at).await.expect("change");
    assert_eq!(nobody, EmailChange::NoAccount);
    let stored = s.find_user(ada.id).await.expect("read").expect("exists");
    assert_eq!((stored.email.as_str(), stored.email_verified_at), ("ada@new.example", Some(at)));
    assert!(s.find_user_by_email(&email("ada@example.com")).await.expect("read").is_none());
}

/// Clearing an account's failed logins lifts its lock from every address.
pub async fn clearing_login_attempts_lifts_the_lock_everywhere(st: &StoreSubject) {
    let s = &*st.store;
    let t = now();
    let limits = LoginLimits {
        account_max: 1,
        address_max: 0,
        lock_until: t + Duration::minutes(15),
        stale_before: t - Duration::minutes(15),
    };
    let keys = [
        LoginKey::new("ada@example.com", Some("192.0.2.1")),
        LoginKey::new("ada@example.com", Some("192.0.2.2")),
    ];
    for key in &keys {
        assert_eq!(
            s.reserve_login_attempt(key, t, &limits).await.expect("reserve"),
            Reservation::Granted
        );
        assert!(matches!(
            s.reserve_login_attempt(key, t, &limits).await.expect("reserve"),
            Reservation::AccountLocked { .. }
        ));
    }
    s.clear_login_attempts(keys[0].account()).await.expect("clear");
    for key in &keys {
        assert_eq!(
            s.reserve_login_attempt(key, t, &limits).await.expect("reserve"),
            Reservation::Granted
        );
    }
}

/// Deleting an account takes its sessions and tokens along, queues the farewell, and frees
/// the email; an unknown account queues nothing.
pub async fn deleting_an_account_takes_everything_of_it(st: &StoreSubject) {
    let s = &*st.store;
    let ada = stored_user(s, "ada@example.com").await;
    let session = stored_session(s, &ada, "token-0").await;
    let t = token("reset", ada.id, TokenPurpose::Reset, "ada@example.com");
    s.issue_token(&t, &mail("ada@example.com", now())).await.expect("issue");
    let farewell = mail("ada@example.com", now());
    assert!(s.delete_user(ada.id, Some(&farewell)).await.expect("delete"));
    assert!(s.find_user(ada.id).await.expect("read").is_none());
    assert!(s.find_session(session.id).await.expect("read").is_none());
    assert_eq!(s.take_token(&t.hash).await.expect("take"), None);
    assert_eq!(s.outbox_stats().await.expect("stats").waiting, 2, "the farewell is queued");
    assert!(!s.delete_user(ada.id, Some(&mail("x@example.com", now()))).await.expect("delete"));
    assert_eq!(s.outbox_stats().await.expect("stats").waiting, 2, "nothing queued for nobody");
    stored_user(s, "ada@example.com").await;
}

/// The outbox hands out due mail oldest first, each to one claimant at a time; a claim that
/// lapsed (its sender died) can be taken again; sent and failed mail never comes back.
pub async fn the_outbox_hands_each_due_mail_to_one_sender(st: &StoreSubject) {
    let s = &*st.store;
    let t0 = now();
    let (first, second) =
        (mail("a@example.com", t0), mail("b@example.com", t0 + Duration::seconds(1)));
    s.queue_mail(&second).await.expect("queue");
    s.queue_mail(&first).await.expect("queue");
    let claim = |at: OffsetDateTime| s.claim_mail(at, at + Duration::minutes(5));
    let a = claim(t0 + Duration::seconds(1)).await.expect("claim").expect("due");
    assert_eq!(a.mail, first.mail, "oldest first");
    assert_eq!((a.kind.as_str(), a.failures, a.queued_at), ("password_reset", 0, t0));
    let b = claim(t0 + Duration::seconds(1)).await.expect("claim").expect("due");
    assert_eq!(b.mail.id(), second.mail.id());
    assert!(claim(t0 + Duration::seconds(2)).await.expect("claim").is_none(), "both claimed");
    // The claim on `b` lapses; `a` is retried later; `b` is then sent.
    s.mail_retry(a.mail.id(), 1, t0 + Duration::minutes(10), "down").await.expect("retry");
    let again = claim(t0 + Duration::minutes(6)).await.expect("claim").expect("lapsed claim");
    assert_eq!(again.mail.id(), second.mail.id());
    s.mail_sent(again.mail.id(), t0 + Duration::minutes(6)).await.expect("sent");
    assert!(claim(t0 + Duration::minutes(7)).await.expect("claim").is_none(), "a is not due yet");
    let retried = claim(t0 + Duration::minutes(10)).await.expect("claim").expect("due again");
    assert_eq!((retried.mail.id(), retried.failures), (first.mail.id(), 1));
    s.mail_failed(retried.mail.id(), t0 + Duration::minutes(10), "refused").await.expect("failed");
    assert!(claim(t0 + Duration::hours(2)).await.expect("claim").is_none(), "nothing left");
    let stats = s.outbox_stats().await.expect("stats");
    assert_eq!(
        (stats.waiting, stats.sent, stats.failed, stats.oldest_waiting_since),
        (0, 1, 1, None)
    );
}

/// 32 senders claim at once from an outbox of 8 due mails: each mail is claimed once.
pub async fn concurrent_senders_claim_each_mail_once(st: &StoreSubject) {
    let t0 = now();
    let mut queued: Vec<Uuid> = Vec::new();
    for i in 0..8 {
        let m = mail(&format!("u{i}@example.com"), t0);
        queued.push(m.mail.id());
        st.store.queue_mail(&m).await.expect("queue");
    }
    let stats = st.store.outbox_stats().await.expect("stats");
    assert_eq!((stats.waiting, stats.oldest_waiting_since), (8, Some(t0)));
    let claims = race(|_| {
        let store = st.store.clone();
        async move { store.claim_mail(t0, t0 + Duration::minutes(5)).await.expect("claim") }
    })
    .await;
    let mut claimed: Vec<Uuid> = claims.iter().flatten().map(|e| e.mail.id()).collect();
    claimed.sort();
    queued.sort();
    assert_eq!(claimed, queued, "every mail claimed, none twice");
}
