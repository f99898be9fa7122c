//! The [`FactorStore`](crate::ports::FactorStore) suite (SPEC §13): a TOTP pending until
//! confirmed with the secret it was enrolled with, codes and steps accepted once even under a
//! race, passkeys unique by credential id, challenges taken once, and all of it gone with the
//! account.

use super::{RACERS, StoreSubject, now, race, stored_user};
use crate::domain::factor::{
    Challenge, ChallengeId, ChallengeKind, FactorSummary, PasskeyRecord, TotpFactor,
};
use crate::domain::passkey::{CeremonyState, CredentialId, PasskeyBlob};
use crate::domain::recovery::{IssuedRecoveryCodes, RecoveryCodeHash};
use crate::domain::token::ClientId;
use crate::domain::totp::{SealedSecret, TimeStep};
use crate::testing::SeqBytes;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

fn sealed(payload: &str) -> SealedSecret {
    SealedSecret::new(format!("v1.k1.{payload}"))
}

/// Ten recovery-code hashes of `user`, different for each `seed`.
fn codes(user: Uuid, seed: u64) -> Vec<RecoveryCodeHash> {
    IssuedRecoveryCodes::generate(&SeqBytes::seeded(seed), user).hashes
}

fn passkey(user: Uuid, credential: &str, at: OffsetDateTime) -> PasskeyRecord {
    PasskeyRecord {
        id: Uuid::new_v4(),
        user_id: user,
        credential_id: CredentialId::new(credential.into()),
        name: format!("key {credential}"),
        blob: PasskeyBlob::new(format!("{{\"cred\":\"{credential}\",\"counter\":0}}")),
        backup_eligible: credential.len().is_multiple_of(2),
        created_at: at,
        last_used_at: None,
    }
}

fn challenge(handle: &str, kind: ChallengeKind, user: Option<Uuid>) -> Challenge {
    Challenge {
        id: ChallengeId::of_handle(handle),
        kind,
        user_id: user,
        client_id: Some(ClientId::parse("web-app").expect("a valid client id")),
        state: None,
        created_at: now(),
        expires_at: now() + Duration::minutes(5),
    }
}

/// A pending TOTP is stored, and replaced by a new enrolment until one is confirmed; then a
/// new enrolment changes nothing.
pub async fn a_pending_totp_is_replaced_until_one_is_confirmed(st: &StoreSubject) {
    let s = &*st.store;
    let ada = stored_user(s, "ada@example.com").await;
    let t0 = now();
    assert_eq!(s.totp(ada.id).await.expect("read"), None);
    assert!(s.put_pending_totp(ada.id, &sealed("first"), t0).await.expect("put"));
    let pending = TotpFactor {
        user_id: ada.id,
        sealed: sealed("first"),
        confirmed_at: None,
        last_step: None,
        created_at: t0,
    };
    assert_eq!(s.totp(ada.id).await.expect("read"), Some(pending.clone()));
    assert!(!s.factor_summary(ada.id).await.expect("summary").totp, "pending is no factor");
    let t1 = t0 + Duration::minutes(1);
    assert!(s.put_pending_totp(ada.id, &sealed("second"), t1).await.expect("replace"));
    let replaced = TotpFactor { sealed: sealed("second"), created_at: t1, ..pending };
    assert_eq!(s.totp(ada.id).await.expect("read"), Some(replaced.clone()));
    let step = TimeStep::containing(t1);
    let confirmed = s.confirm_totp(ada.id, &sealed("second"), step, &codes(ada.id, 1), t1).await;
    assert!(confirmed.expect("confirm"));
    let refused = s.put_pending_totp(ada.id, &sealed("third"), t1 + Duration::minutes(1)).await;
    assert!(!refused.expect("put"), "a confirmed TOTP is not replaced");
    let kept = TotpFactor { confirmed_at: Some(t1), last_step: Some(step), ..replaced };
    assert_eq!(s.totp(ada.id).await.expect("read"), Some(kept));
}

/// Confirming needs the sealed text of the pending enrolment; it then stores the recovery
/// codes, and a second confirmation changes nothing.
pub async fn confirming_needs_the_pending_secret_and_stores_recovery_codes(st: &StoreSubject) {
    let s = &*st.store;
    let ada = stored_user(s, "ada@example.com").await;
    let (t, step) = (now(), TimeStep::containing(now()));
    let first = codes(ada.id, 1);
    assert!(!s.confirm_totp(ada.id, &sealed("a"), step, &first, t).await.expect("confirm"));
    s.put_pending_totp(ada.id, &sealed("a"), t).await.expect("put");
    let wrong = s.confirm_totp(ada.id, &sealed("b"), step, &first, t).await.expect("confirm");
    assert!(!wrong, "another enrolment's secret");
    assert_eq!(s.factor_summary(ada.id).await.expect("summary"), FactorSummary::default());
    assert!(!s.use_recovery_code(ada.id, &first[0]).await.expect("use"), "no codes stored");
    assert!(s.confirm_totp(ada.id, &sealed("a"), step, &first, t).await.expect("confirm"));
    let summary = s.factor_summary(ada.id).await.expect("summary");
    assert_eq!(summary, FactorSummary { totp: true, recovery_codes: 10, passkeys: 0 });
    let stored = s.totp(ada.id).await.expect("read").expect("stored");
    assert_eq!((stored.confirmed_at, stored.last_step), (Some(t), Some(step)));
    let second = codes(ada.id, 2);
    let again = s.confirm_totp(ada.id, &sealed("a"), step.offset(1), &second, t).await;
    assert!(!again.expect("confirm"), "confirmed already");
    assert!(!s.use_recovery_code(ada.id, &second[0]).await.expect("use"), "codes kept");
    assert!(s.use_recovery_code(ada.id, &first[0]).await.expect("use"));
    let stored = s.totp(ada.id).await.expect("read").expect("stored");
    assert_eq!(stored.last_step, Some(step), "the second confirmation moved nothing");
}

/// A confirmed TOTP accepts a step only after the last accepted one (the confirming step
/// included); a pending one or an unknown user accepts none.
pub async fn a_totp_step_is_accepted_once_and_only_after_the_last(st: &StoreSubject) {
    let s = &*st.store;
    let ada = stored_user(s, "ada@example.com").await;
    let step = TimeStep::new(1_000);
    s.put_pending_totp(ada.id, &sealed("a"), now()).await.expect("put");
    assert!(!s.accept_totp_step(ada.id, step.offset(5)).await.expect("accept"), "pending");
    s.confirm_totp(ada.id, &sealed("a"), step, &codes(ada.id, 1), now()).await.expect("confirm");
    for (by, accepted) in [(0, false), (-1, false), (1, true), (1, false), (3, true), (2, false)] {
        let got = s.accept_totp_step(ada.id, step.offset(by)).await.expect("accept");
        assert_eq!(got, accepted, "step +{by}");
    }
    let stored = s.totp(ada.id).await.expect("read").expect("stored");
    assert_eq!(stored.last_step, Some(step.offset(3)));
    assert!(!s.accept_totp_step(Uuid::new_v4(), step.offset(9)).await.expect("accept"));
}

/// 32 requests bring a code of the same step at once: exactly one is accepted, and a later
/// step still is.
pub async fn a_race_for_one_totp_step_has_one_winner(st: &StoreSubject) {
    let ada = stored_user(&*st.store, "ada@example.com").await;
    let step = TimeStep::new(2_000);
    st.store.put_pending_totp(ada.id, &sealed("a"), now()).await.expect("put");
    let hashes = codes(ada.id, 1);
    st.store.confirm_totp(ada.id, &sealed("a"), step, &hashes, now()).await.expect("confirm");
    let accepted = race(|_| {
        let store = st.store.clone();
        async move { store.accept_totp_step(ada.id, step.offset(1)).await.expect("accept") }
    })
    .await;
    assert_eq!(accepted.len(), RACERS);
    assert_eq!(accepted.iter().filter(|a| **a).count(), 1, "{accepted:?}");
    assert!(st.store.accept_totp_step(ada.id, step.offset(2)).await.expect("accept"));
}

/// A recovery code is used once, and only by the user it was issued to.
pub async fn a_recovery_code_is_used_once_and_only_by_its_user(st: &StoreSubject) {
    let s = &*st.store;
    let (ada, bob) =
        (stored_user(s, "ada@example.com").await, stored_user(s, "bob@example.com").await);
    let (t, step) = (now(), TimeStep::containing(now()));
    let ada_codes = codes(ada.id, 1);
    for (user, hashes) in [(ada.id, &ada_codes), (bob.id, &codes(bob.id, 2))] {
        s.put_pending_totp(user, &sealed("a"), t).await.expect("put");
        assert!(s.confirm_totp(user, &sealed("a"), step, hashes, t).await.expect("confirm"));
    }
    assert!(!s.use_recovery_code(bob.id, &ada_codes[3]).await.expect("use"), "not bob's");
    assert!(s.use_recovery_code(ada.id, &ada_codes[3]).await.expect("use"));
    assert!(!s.use_recovery_code(ada.id, &ada_codes[3]).await.expect("use"), "used already");
    assert!(s.use_recovery_code(ada.id, &ada_codes[4]).await.expect("use"));
    assert_eq!(s.factor_summary(ada.id).await.expect("summary").recovery_codes, 8);
    assert_eq!(s.factor_summary(bob.id).await.expect("summary").recovery_codes, 10);
}

/// 32 requests bring the same recovery code at once: exactly one uses it.
pub async fn a_race_for_one_recovery_code_has_one_winner(st: &StoreSubject) {
    let ada = stored_user(&*st.store, "ada@example.com").await;
    let hashes = codes(ada.id, 1);
    st.store.put_pending_totp(ada.id, &sealed("a"), now()).await.expect("put");
    let step = TimeStep::containing(now());
    st.store.confirm_totp(ada.id, &sealed("a"), step, &hashes, now()).await.expect("confirm");
    let code = hashes[0];
    let used = race(|_| {
        let store = st.store.clone();
        async move { store.use_recovery_code(ada.id, &code).await.expect("use") }
    })
    .await;
    assert_eq!(used.iter().filter(|u| **u).count(), 1, "{used:?}");
    assert_eq!(st.store.factor_summary(ada.id).await.expect("summary").recovery_codes, 9);
}

/// Deleting the TOTP (pending or confirmed) takes the recovery codes along; a new enrolment
/// can start afterwards.
pub async fn deleting_the_totp_takes_the_recovery_codes(st: &StoreSubject) {
    let s = &*st.store;
    let ada = stored_user(s, "ada@example.com").await;
    assert!(!s.delete_totp(ada.id).await.expect("delete"), "nothing to delete");
    s.put_pending_totp(ada.id, &sealed("a"), now()).await.expect("put");
    assert!(s.delete_totp(ada.id).await.expect("delete"), "a pending one");
    let hashes = codes(ada.id, 1);
    s.put_pending_totp(ada.id, &sealed("b"), now()).await.expect("put");
    let step = TimeStep::containing(now());
    assert!(s.confirm_totp(ada.id, &sealed("b"), step, &hashes, now()).await.expect("confirm"));
    assert!(s.delete_totp(ada.id).await.expect("delete"));
    assert_eq!(s.totp(ada.id).await.expect("read"), None);
    assert_eq!(s.factor_summary(ada.id).await.expect("summary"), FactorSummary::default());
    assert!(!s.use_recovery_code(ada.id, &hashes[0]).await.expect("use"), "codes are gone");
    assert!(!s.delete_totp(ada.id).await.expect("delete"), "deleted already");
    assert!(s.put_pending_totp(ada.id, &sealed("c"), now()).await.expect("put"));
}

/// Re-sealing replaces the sealed text only while it is still the expected one, and keeps
/// the rest of the factor.
pub async fn resealing_replaces_only_the_expected_text(st: &StoreSubject) {
    let s = &*st.store;
    let ada = stored_user(s, "ada@example.com").await;
    let (t, step) = (now(), TimeStep::new(3_000));
    s.put_pending_totp(ada.id, &sealed("old"), t).await.expect("put");
    s.confirm_totp(ada.id, &sealed("old"), step, &codes(ada.id, 1), t).await.expect("confirm");
    let before = s.totp(ada.id).await.expect("read").expect("stored");
    let other = s.reseal_totp(ada.id, &sealed("other"), &sealed("new")).await.expect("reseal");
    assert!(!other, "not the stored text");
    assert!(s.reseal_totp(ada.id, &sealed("old"), &sealed("new")).await.expect("reseal"));
    let after = s.totp(ada.id).await.expect("read").expect("stored");
    assert_eq!(after, TotpFactor { sealed: sealed("new"), ..before });
    let stale = s.reseal_totp(ada.id, &sealed("old"), &sealed("newer")).await.expect("reseal");
    assert!(!stale, "re-sealed already");
    let nobody = s.reseal_totp(Uuid::new_v4(), &sealed("old"), &sealed("x")).await;
    assert!(!nobody.expect("reseal"));
}

/// A credential id is registered once, whoever registers it again; a user's passkeys are
/// listed oldest first (by id among equal times) and counted in the summary.
pub async fn passkeys_are_unique_by_credential_and_listed_oldest_first(st: &StoreSubject) {
    let s = &*st.store;
    let (ada, bob) =
        (stored_user(s, "ada@example.com").await, stored_user(s, "bob@example.com").await);
    let t = now();
    let newest = passkey(ada.id, "cred-newest", t + Duration::minutes(1));
    let mut same_time = [passkey(ada.id, "cred-a", t), passkey(ada.id, "cred-b", t)];
    same_time[0].last_used_at = Some(t);
    for p in [&newest, &same_time[0], &same_time[1]] {
        assert!(s.add_passkey(p).await.expect("add"), "{:?}", p.credential_id);
    }
    let twice = passkey(ada.id, "cred-a", t);
    assert!(!s.add_passkey(&twice).await.expect("add"), "registered already");
    let theirs = passkey(bob.id, "cred-newest", t);
    assert!(!s.add_passkey(&theirs).await.expect("add"), "registered already, to ada");
    same_time.sort_by_key(|p| p.id);
    let expected = vec![same_time[0].clone(), same_time[1].clone(), newest];
    assert_eq!(s.passkeys(ada.id).await.expect("list"), expected);
    assert_eq!(s.passkeys(bob.id).await.expect("list"), vec![]);
    let summary = s.factor_summary(ada.id).await.expect("summary");
    assert_eq!(summary, FactorSummary { totp: false, recovery_codes: 0, passkeys: 3 });
    assert!(summary.has_second_factor());
    assert!(s.add_passkey(&passkey(bob.id, "cred-bob", t)).await.expect("add"));
    assert_eq!(s.factor_summary(bob.id).await.expect("summary").passkeys, 1);
}

/// Only the owner renames or deletes a passkey.
pub async fn passkeys_are_renamed_and_deleted_only_by_their_owner(st: &StoreSubject) {
    let s = &*st.store;
    let (ada, bob) =
        (stored_user(s, "ada@example.com").await, stored_user(s, "bob@example.com").await);
    let key = passkey(ada.id, "cred-ada", now());
    s.add_passkey(&key).await.expect("add");
    assert!(!s.rename_passkey(bob.id, key.id, "mine now").await.expect("rename"), "not bob's");
    assert!(!s.rename_passkey(ada.id, Uuid::new_v4(), "x").await.expect("rename"), "unknown");
    assert!(s.rename_passkey(ada.id, key.id, "Work laptop").await.expect("rename"));
    let renamed = PasskeyRecord { name: "Work laptop".into(), ..key.clone() };
    assert_eq!(s.passkeys(ada.id).await.expect("list"), vec![renamed]);
    assert!(!s.delete_passkey(bob.id, key.id).await.expect("delete"), "not bob's");
    assert_eq!(s.passkeys(ada.id).await.expect("list").len(), 1);
    assert!(s.delete_passkey(ada.id, key.id).await.expect("delete"));
    assert!(!s.delete_passkey(ada.id, key.id).await.expect("delete"), "deleted already");
    assert_eq!(s.passkeys(ada.id).await.expect("list"), vec![]);
}

/// A used passkey records when, and its new blob when there is one; a gone one answers false.
pub async fn a_used_passkey_records_when_and_its_new_blob(st: &StoreSubject) {
    let s = &*st.store;
    let ada = stored_user(s, "ada@example.com").await;
    let key = passkey(ada.id, "cred-ada", now());
    s.add_passkey(&key).await.expect("add");
    let (t1, t2) = (now() + Duration::minutes(1), now() + Duration::minutes(2));
    assert!(s.passkey_used(&key.credential_id, None, t1).await.expect("used"));
    let used = PasskeyRecord { last_used_at: Some(t1), ..key.clone() };
    assert_eq!(s.passkeys(ada.id).await.expect("list"), vec![used.clone()]);
    let blob = PasskeyBlob::new("{\"cred\":\"cred-ada\",\"counter\":7}".into());
    assert!(s.passkey_used(&key.credential_id, Some(&blob), t2).await.expect("used"));
    let updated = PasskeyRecord { last_used_at: Some(t2), blob, ..used };
    assert_eq!(s.passkeys(ada.id).await.expect("list"), vec![updated]);
    let unknown = CredentialId::new("cred-unknown".into());
    assert!(!s.passkey_used(&unknown, None, t2).await.expect("used"));
    s.delete_passkey(ada.id, key.id).await.expect("delete");
    assert!(!s.passkey_used(&key.credential_id, None, t2).await.expect("used"), "gone");
}

/// A challenge reads back (expired too), is replaced whole by one with the same id, and
/// takes a ceremony state while it exists.
pub async fn challenges_are_stored_replaced_and_given_a_state(st: &StoreSubject) {
    let s = &*st.store;
    let ada = stored_user(s, "ada@example.com").await;
    let mfa = challenge("mfa-token", ChallengeKind::Mfa, Some(ada.id));
    s.put_challenge(&mfa).await.expect("put");
    assert_eq!(s.challenge(&mfa.id).await.expect("read"), Some(mfa.clone()));
    let unknown = ChallengeId::of_handle("unknown");
    assert_eq!(s.challenge(&unknown).await.expect("read"), None);
    let state = CeremonyState::new("{\"challenge\":\"abc\"}".into());
    assert!(!s.set_challenge_state(&unknown, &state).await.expect("set"), "gone");
    assert!(s.set_challenge_state(&mfa.id, &state).await.expect("set"));
    let with_state = Challenge { state: Some(state.clone()), ..mfa.clone() };
    assert_eq!(s.challenge(&mfa.id).await.expect("read"), Some(with_state));
    let replacement = Challenge {
        kind: ChallengeKind::Passwordless,
        user_id: None,
        client_id: None,
        state: None,
        created_at: now() - Duration::minutes(10),
        expires_at: now() - Duration::minutes(5),
        ..mfa.clone()
    };
    s.put_challenge(&replacement).await.expect("replace");
    let read = s.challenge(&mfa.id).await.expect("read");
    assert_eq!(read, Some(replacement), "replaced whole, and read back although expired");
    let registration = Challenge {
        id: ChallengeId::registration_of(ada.id),
        kind: ChallengeKind::Registration,
        state: Some(state),
        ..mfa
    };
    s.put_challenge(&registration).await.expect("put");
    let read = s.challenge(&registration.id).await.expect("read");
    assert_eq!(read, Some(registration));
}

/// 32 requests take the same challenge at once: exactly one gets it, and it is gone.
pub async fn a_challenge_is_taken_once_under_a_race(st: &StoreSubject) {
    let ada = stored_user(&*st.store, "ada@example.com").await;
    let mfa = challenge("mfa-token", ChallengeKind::Mfa, Some(ada.id));
    st.store.put_challenge(&mfa).await.expect("put");
    let id = mfa.id;
    let taken = race(|_| {
        let store = st.store.clone();
        async move { store.take_challenge(&id).await.expect("take") }
    })
    .await;
    let winners: Vec<&Challenge> = taken.iter().flatten().collect();
    assert_eq!(winners, vec![&mfa], "exactly one taker");
    assert_eq!(st.store.challenge(&id).await.expect("read"), None);
    let state = CeremonyState::new("{}".into());
    assert!(!st.store.set_challenge_state(&id, &state).await.expect("set"));
    let expired = Challenge { expires_at: now() - Duration::minutes(1), ..mfa.clone() };
    st.store.put_challenge(&expired).await.expect("put");
    assert_eq!(st.store.take_challenge(&id).await.expect("take"), Some(expired), "expired too");
    assert_eq!(st.store.take_challenge(&id).await.expect("take"), None);
}

/// Purging drops the challenges that expired at or before the instant, and only those.
pub async fn purging_drops_only_expired_challenges(st: &StoreSubject) {
    let s = &*st.store;
    let t = now();
    let at = |handle: &str, expires_at: OffsetDateTime| Challenge {
        expires_at,
        ..challenge(handle, ChallengeKind::Passwordless, None)
    };
    let (gone, due, live) =
        (at("gone", t - Duration::seconds(1)), at("due", t), at("live", t + Duration::seconds(1)));
    for c in [&gone, &due, &live] {
        s.put_challenge(c).await.expect("put");
    }
    assert_eq!(s.purge_challenges(t).await.expect("purge"), 2);
    assert_eq!(s.challenge(&gone.id).await.expect("read"), None);
    assert_eq!(s.challenge(&due.id).await.expect("read"), None);
    assert_eq!(s.challenge(&live.id).await.expect("read"), Some(live));
    assert_eq!(s.purge_challenges(t).await.expect("purge"), 0);
}

/// Deleting an account takes its TOTP, recovery codes, passkeys and challenges along, and
/// nothing of another account's; its credential ids are free again.
pub async fn deleting_the_account_takes_its_factors_and_challenges(st: &StoreSubject) {
    let s = &*st.store;
    let (ada, bob) =
        (stored_user(s, "ada@example.com").await, stored_user(s, "bob@example.com").await);
    let (t, step) = (now(), TimeStep::containing(now()));
    let mut challenges = Vec::new();
    for user in [ada.id, bob.id] {
        s.put_pending_totp(user, &sealed("a"), t).await.expect("put");
        s.confirm_totp(user, &sealed("a"), step, &codes(user, 1), t).await.expect("confirm");
        s.add_passkey(&passkey(user, &format!("cred-{user}"), t)).await.expect("add");
        let c = challenge(&user.to_string(), ChallengeKind::Mfa, Some(user));
        s.put_challenge(&c).await.expect("put");
        challenges.push(c);
    }
    let everything = FactorSummary { totp: true, recovery_codes: 10, passkeys: 1 };
    assert_eq!(s.factor_summary(ada.id).await.expect("summary"), everything);
    assert!(s.delete_user(ada.id, None).await.expect("delete"));
    assert_eq!(s.factor_summary(ada.id).await.expect("summary"), FactorSummary::default());
    assert_eq!(s.totp(ada.id).await.expect("read"), None);
    assert_eq!(s.passkeys(ada.id).await.expect("list"), vec![]);
    assert_eq!(s.challenge(&challenges[0].id).await.expect("read"), None);
    assert_eq!(s.factor_summary(bob.id).await.expect("summary"), everything);
    assert_eq!(s.challenge(&challenges[1].id).await.expect("read"), Some(challenges[1].clone()));
    let reused = passkey(bob.id, &format!("cred-{}", ada.id), t);
    assert!(s.add_passkey(&reused).await.expect("add"), "ada's credential id is free");
}
