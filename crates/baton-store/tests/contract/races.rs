//! Atomicity under contention (SPEC §4, §5, §8): many requests at once on one row.

use crate::support::{Db, RACERS, auth, now, race, register, stored_session, stored_user};
use baton_core::{AuthError, Policy, RefreshHash, RevokeReason, Rotation, TokenStore, UserStore};
use baton_store::testing;
use time::Duration;

/// 32 threads present the same guard to `rotate` at once: exactly one swap happens.
pub fn rotate_race_has_one_winner(db: &Db) {
    let store = &db.store;
    let s = stored_session(store, &stored_user(store, "ada@example.com"), "token-0");
    let at = now();
    let results = race(|i| {
        store.rotate(&Rotation {
            session_id: s.id,
            expected_generation: 0,
            expected_hash: s.refresh_hash,
            new_hash: RefreshHash::of(&format!("successor-{i}")),
            rotated_at: at,
            expires_at: at + Duration::days(7),
        })
    });
    let winners: Vec<_> = results.into_iter().filter_map(Result::unwrap).collect();
    assert_eq!(winners.len(), 1, "{winners:?}");
    let stored = store.find_session(s.id).unwrap().unwrap().0;
    assert_eq!(stored, winners[0]);
    assert_eq!(stored.generation, 1);
}

/// 32 real refreshes of one token in strict mode: one pair is issued, every other request is
/// treated as reuse, and the session ends revoked.
pub fn refresh_race_strict(db: &Db) {
    let auth = auth(&db.store, Policy::default());
    let first = register(&auth, "ada@example.com", "correct horse");
    let results = race(|_| auth.refresh(&first.refresh_token));

    let ok = results.iter().filter(|r| r.is_ok()).count();
    let reused = results.iter().filter(|r| matches!(r, Err(AuthError::TokenReused))).count();
    assert_eq!((ok, reused), (1, RACERS - 1), "{results:?}");
    let s = db.store.find_session(first.session_id).unwrap().unwrap().0;
    assert_eq!(s.generation, 1);
    assert_eq!(s.revoke_reason, Some(RevokeReason::Reuse));
}

/// The same race with a reuse grace: every request gets the one successor token, and the
/// session lives on at generation 1.
pub fn refresh_race_with_grace(db: &Db) {
    let policy = Policy { reuse_grace: Duration::seconds(30), ..Policy::default() };
    let auth = auth(&db.store, policy);
    let first = register(&auth, "ada@example.com", "correct horse");
    let tokens: Vec<String> =
        race(|_| auth.refresh(&first.refresh_token).map(|pair| pair.refresh_token))
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();

    assert!(tokens.iter().all(|t| t == &tokens[0]), "{tokens:?}");
    assert_ne!(tokens[0], first.refresh_token);
    let s = db.store.find_session(first.session_id).unwrap().unwrap().0;
    assert_eq!((s.generation, s.revoked_at), (1, None));
    assert_eq!(s.refresh_hash, RefreshHash::of(&tokens[0]));
}

/// 32 wrong passwords at once: the counter in the database sees every one.
pub fn login_failure_race_counts_every_failure(db: &Db) {
    let store = &db.store;
    let ada = stored_user(store, "ada@example.com");
    let mut counts: Vec<u32> =
        race(|_| store.record_login_failure(ada.id, now()).unwrap()).into_iter().collect();
    counts.sort_unstable();
    assert_eq!(counts, (1..=RACERS as u32).collect::<Vec<_>>(), "each caller sees its own count");
    assert_eq!(store.find_user(ada.id).unwrap().unwrap().failed_logins, RACERS as u32);
}

/// A rotation whose transaction fails after the swap leaves the presented token current and
/// no successor behind; the same rotation then succeeds.
pub fn rolled_back_rotation_leaves_the_token_usable(db: &Db) {
    let store = &db.store;
    let s = stored_session(store, &stored_user(store, "ada@example.com"), "token-0");
    let at = now() + Duration::minutes(1);
    let r = Rotation {
        session_id: s.id,
        expected_generation: 0,
        expected_hash: s.refresh_hash,
        new_hash: RefreshHash::of("token-1"),
        rotated_at: at,
        expires_at: at + Duration::days(7),
    };

    let seen = testing::rotate_then_roll_back(store, &r).unwrap().expect("the swap happened");
    assert_eq!((seen.generation, seen.refresh_hash), (1, r.new_hash));
    assert_eq!(store.find_session(s.id).unwrap().unwrap().0, s, "nothing of it was kept");

    let rotated = store.rotate(&r).unwrap().expect("the presented token is still current");
    assert_eq!(rotated.generation, 1);
}

/// Through the real use cases: the database holds hashes, never a password or refresh token.
pub fn no_plaintext_secret_is_stored(db: &Db) {
    let password = "correct horse battery staple";
    let auth = auth(&db.store, Policy::default());
    let first = register(&auth, "ada@example.com", password);
    let second = auth.refresh(&first.refresh_token).unwrap();

    let columns = testing::raw_secret_columns(&db.store).unwrap();
    assert!(!columns.is_empty());
    for secret in [password, &first.refresh_token, &second.refresh_token, &second.access_token] {
        let needle = secret.as_bytes();
        assert!(
            !columns.iter().any(|c| c.windows(needle.len()).any(|w| w == needle)),
            "a secret is stored in plain text"
        );
    }
    assert!(columns.contains(&RefreshHash::of(&second.refresh_token).as_bytes().to_vec()));
}
