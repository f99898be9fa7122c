//! The [`SecretSealer`] suite, run by `baton-mfa`'s AES-256-GCM sealer and by
//! [`crate::testing::FakeSealer`].

use std::sync::Arc;

use crate::domain::totp::{SealedSecret, TotpSecret};
use crate::ports::{SealError, SecretSealer};
use crate::testing::SeqBytes;
use crate::testing::hotp::{base32, base64url};
use uuid::Uuid;

/// Makes a sealer with the keys named, in order.
pub type MakeSealer = Box<dyn Fn(&[&str]) -> Arc<dyn SecretSealer> + Send + Sync>;

/// Makes sealers from key NAMES: the subject maps each name to fixed key material (the same
/// name always to the same key, different names to different keys), so the suite can
/// rotate keys and "restart" with the same configuration.
pub struct SealerSubject {
    /// A sealer with the keys named, in order: the first seals, all open.
    pub make: MakeSealer,
}

fn secret(seed: u64) -> TotpSecret {
    TotpSecret::generate(&SeqBytes::seeded(seed))
}

fn opens_to(sealer: &dyn SecretSealer, sealed: &SealedSecret, user: Uuid, want: &TotpSecret) {
    let opened = sealer.open(sealed, user).expect("opens");
    assert_eq!(opened.expose(), want.expose());
}

/// A sealed secret opens for its user to the same bytes, also in a new sealer with the same
/// keys (a restart).
pub fn a_sealed_secret_opens_for_its_user(s: &SealerSubject) {
    let (sealer, user, secret) = ((s.make)(&["k1"]), Uuid::new_v4(), secret(1));
    let sealed = sealer.seal(&secret, user).expect("seal");
    opens_to(sealer.as_ref(), &sealed, user, &secret);
    opens_to((s.make)(&["k1"]).as_ref(), &sealed, user, &secret);
    assert!(sealer.is_current(&sealed));
    assert!(sealed.key_id().is_some(), "the text names its key: {sealed:?}");
}

/// The text shows the secret in no encoding, and sealing twice gives two texts (fresh nonce).
pub fn the_sealed_text_hides_the_secret(s: &SealerSubject) {
    let (sealer, user, secret) = ((s.make)(&["k1"]), Uuid::new_v4(), secret(2));
    let a = sealer.seal(&secret, user).expect("seal");
    let b = sealer.seal(&secret, user).expect("seal");
    assert_ne!(a, b, "a fresh nonce every time");
    let hex: String = secret.expose().iter().map(|b| format!("{b:02x}")).collect();
    let encodings = [hex.clone(), hex.to_uppercase(), base32(secret.expose())];
    let encodings = encodings.into_iter().chain([base64url(secret.expose())]);
    for form in encodings {
        let needle = &form[..16];
        assert!(!a.as_str().contains(needle), "the secret shows in {a:?}");
    }
    assert!(!a.as_str().as_bytes().windows(8).any(|w| secret.expose().windows(8).any(|x| x == w)));
}

/// A secret sealed for one user does not open for another (a row copied between users).
pub fn another_users_secret_does_not_open(s: &SealerSubject) {
    let sealer = (s.make)(&["k1"]);
    let sealed = sealer.seal(&secret(3), Uuid::new_v4()).expect("seal");
    assert!(matches!(sealer.open(&sealed, Uuid::new_v4()), Err(SealError::Corrupt)));
}

/// Changing any one character of the text makes it not open: never a wrong secret.
pub fn any_altered_character_does_not_open(s: &SealerSubject) {
    let (sealer, user) = ((s.make)(&["k1"]), Uuid::new_v4());
    let sealed = sealer.seal(&secret(4), user).expect("seal");
    let text = sealed.as_str();
    for (i, c) in text.char_indices() {
        let other = if c == 'A' { 'B' } else { 'A' };
        let altered = format!("{}{other}{}", &text[..i], &text[i + c.len_utf8()..]);
        let result = sealer.open(&SealedSecret::new(altered), user);
        assert!(
            matches!(result, Err(SealError::Corrupt | SealError::UnknownKey(_))),
            "character {i} altered: {result:?}"
        );
    }
    let truncated = SealedSecret::new(text[..text.len() - 1].to_owned());
    assert!(sealer.open(&truncated, user).is_err());
}

/// Text that is no sealed secret is [`SealError::Corrupt`].
pub fn garbage_is_corrupt(s: &SealerSubject) {
    let sealer = (s.make)(&["k1"]);
    let sealed = sealer.seal(&secret(5), Uuid::nil()).expect("seal");
    let id = sealed.key_id().expect("a key id").to_owned();
    let scheme = sealed.as_str().split('.').next().unwrap_or_default().to_owned();
    for garbage in [
        "",
        ".",
        "..",
        "JBSWY3DPEHPK3PXP",
        &format!("{scheme}.{id}."),
        &format!("{scheme}.{id}.AAAA"),
    ] {
        let result = sealer.open(&SealedSecret::new(garbage.to_owned()), Uuid::nil());
        assert!(matches!(result, Err(SealError::Corrupt)), "{garbage:?}: {result:?}");
    }
}

/// After a rotation the new key seals and the old still opens; without the old key, its
/// secrets are [`SealError::UnknownKey`] naming it.
pub fn the_first_key_seals_and_every_key_opens(s: &SealerSubject) {
    let user = Uuid::new_v4();
    let (old, secret) = ((s.make)(&["k1"]), secret(6));
    let sealed_old = old.seal(&secret, user).expect("seal");
    let rotated = (s.make)(&["k2", "k1"]);
    opens_to(rotated.as_ref(), &sealed_old, user, &secret);
    assert!(!rotated.is_current(&sealed_old), "sealed with the old key: re-seal it");
    let resealed = rotated.seal(&secret, user).expect("seal");
    assert!(rotated.is_current(&resealed));
    assert_ne!(resealed.key_id(), sealed_old.key_id());
    opens_to((s.make)(&["k2"]).as_ref(), &resealed, user, &secret);
    let old_id = sealed_old.key_id().expect("a key id").to_owned();
    match (s.make)(&["k2"]).open(&sealed_old, user) {
        Err(SealError::UnknownKey(id)) => assert_eq!(id, old_id),
        other => panic!("expected UnknownKey({old_id:?}), got {other:?}"),
    }
    assert!(matches!(old.open(&resealed, user), Err(SealError::UnknownKey(_))));
}

/// Instantiates every function of the sealing suite as a `#[test]` on `$subject`.
#[macro_export]
macro_rules! sealing_contract {
    ($subject:expr) => {
        $crate::__contract_tests!($subject;
            sealing {
                a_sealed_secret_opens_for_its_user,
                the_sealed_text_hides_the_secret,
                another_users_secret_does_not_open,
                any_altered_character_does_not_open,
                garbage_is_corrupt,
                the_first_key_seals_and_every_key_opens,
            }
        );
    };
}
