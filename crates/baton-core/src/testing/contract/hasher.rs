//! The [`PasswordHasher`] suite, run by `baton-password`'s bcrypt adapter and by
//! [`crate::testing::FakeHasher`].

use std::sync::Arc;

use crate::domain::password::{Password, PasswordHash};
use crate::ports::PasswordHasher;

/// The hasher under test.
pub struct HasherSubject {
    /// At its cheapest cost: the suite hashes a few times.
    pub hasher: Arc<dyn PasswordHasher>,
}

fn password(s: &str) -> Password {
    Password::new(s.to_owned()).expect("a password of the policy")
}

/// A hash verifies its password and nothing else.
pub async fn hashes_and_verifies(s: &HasherSubject) {
    let hash = s.hasher.hash(&password("correct horse")).await.expect("hash");
    assert!(s.hasher.verify("correct horse", &hash).await.expect("verify"));
    for wrong in ["correct horsE", "correct hors", "", "correct horse "] {
        assert!(!s.hasher.verify(wrong, &hash).await.expect("verify"), "{wrong:?}");
    }
}

/// Two hashes of one password differ (salted), and both verify.
pub async fn salts_every_hash(s: &HasherSubject) {
    let p = password("same password");
    let (a, b) = (s.hasher.hash(&p).await.expect("hash"), s.hasher.hash(&p).await.expect("hash"));
    assert_ne!(a, b);
    assert!(s.hasher.verify("same password", &a).await.expect("verify"));
    assert!(s.hasher.verify("same password", &b).await.expect("verify"));
}

/// All 72 bytes count, and a longer attempt never matches through truncation.
pub async fn never_truncates(s: &HasherSubject) {
    let max = "x".repeat(72);
    let hash = s.hasher.hash(&password(&max)).await.expect("hash");
    assert!(s.hasher.verify(&max, &hash).await.expect("verify"));
    assert!(!s.hasher.verify(&"x".repeat(71), &hash).await.expect("verify"));
    assert!(
        !s.hasher.verify(&format!("{max}y"), &hash).await.expect("verify"),
        "72 bytes plus a tail"
    );
    assert!(!s.hasher.verify(&"x".repeat(1_000), &hash).await.expect("verify"));
}

/// The dummy hash is a readable hash that nothing matches: verifying against it does the
/// work of a real check and answers `false`.
pub async fn the_dummy_hash_matches_nothing(s: &HasherSubject) {
    let dummy = s.hasher.dummy_hash();
    for attempt in ["", "password", "12345678", "correct horse battery", "\u{0}"] {
        assert!(!s.hasher.verify(attempt, dummy).await.expect("the dummy is a readable hash"));
    }
}

/// A stored hash the hasher cannot read is an error, never a match.
pub async fn a_corrupt_hash_is_an_error(s: &HasherSubject) {
    for corrupt in ["", "not-a-hash", "$2b$04$short"] {
        assert!(
            s.hasher.verify("whatever1", &PasswordHash::new(corrupt.into())).await.is_err(),
            "{corrupt:?}"
        );
    }
}

/// Instantiates every function of the hasher suite as a `#[test]` on `$subject`.
#[macro_export]
macro_rules! hasher_contract {
    ($subject:expr) => {
        $crate::__async_contract_tests!($subject;
            hasher {
                hashes_and_verifies,
                salts_every_hash,
                never_truncates,
                the_dummy_hash_matches_nothing,
                a_corrupt_hash_is_an_error,
            }
        );
    };
}
