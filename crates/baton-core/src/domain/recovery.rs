//! Recovery codes: ten single-use codes, shown once when TOTP is confirmed, that stand in for
//! a lost authenticator. Only their hashes are stored.
//!
//! Each code carries 80 random bits, so a fast hash is enough (docs/DECISIONS.md): finding a
//! code from its SHA-256 takes about 2^79 guesses, against bcrypt's purpose of slowing down
//! guesses at low-entropy passwords. The user id is hashed in, so one precomputation cannot
//! serve two accounts, and the same code under two accounts has two hashes.

use std::fmt;

use crate::ports::RandomBytes;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Codes issued at a time.
pub const RECOVERY_CODES: usize = 10;
/// Random bytes behind each code (80 bits).
const CODE_BYTES: usize = 10;
/// Characters of a code without its dashes: 80 bits at 5 bits per character.
pub const CODE_CHARS: usize = 16;
/// Crockford's base32 in lower case: digits and letters without i, l, o, u, so that a code
/// read off paper is not mistyped.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Domain separation of the hash, versioned with the format.
const HASH_CONTEXT: &[u8] = b"baton recovery code v1\0";

/// One recovery code in canonical form (16 characters of Crockford base32); shown to the user as
/// `xxxx-xxxx-xxxx-xxxx`. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

/// Input that cannot be a recovery code. Safe to show the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a recovery code is {CODE_CHARS} letters and digits, as xxxx-xxxx-xxxx-xxxx")]
pub struct InvalidRecoveryCode;

impl RecoveryCode {
    /// Reads what a user typed: dashes and spaces dropped, case ignored, and the look-alikes
    /// `o` → `0`, `i`/`l` → `1` mapped as Crockford's base32 does.
    pub fn parse(input: &str) -> Result<Self, InvalidRecoveryCode> {
        let mut code = String::with_capacity(CODE_CHARS);
        for c in input.chars().filter(|c| *c != '-' && !c.is_whitespace()) {
            let c = match c.to_ascii_lowercase() {
                'o' => '0',
                'i' | 'l' => '1',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) || code.len() == CODE_CHARS {
                return Err(InvalidRecoveryCode);
            }
            code.push(c);
        }
        if code.len() == CODE_CHARS { Ok(Self(code)) } else { Err(InvalidRecoveryCode) }
    }

    /// The code as shown once to the user: four groups of four.
    pub fn display(&self) -> String {
        let groups: Vec<&str> =
            (0..CODE_CHARS).step_by(4).map(|i| &self.0[i..(i + 4).min(CODE_CHARS)]).collect();
        groups.join("-")
    }

    /// The hash stored for this code of `user`.
    pub fn hash(&self, user: Uuid) -> RecoveryCodeHash {
        let digest = Sha256::new()
            .chain_update(HASH_CONTEXT)
            .chain_update(user.as_bytes())
            .chain_update(self.0.as_bytes())
            .finalize();
        RecoveryCodeHash(digest.into())
    }

    fn from_bytes(bytes: &[u8; CODE_BYTES]) -> Self {
        // 80 bits, five at a time, most significant first.
        let mut bits = bytes.iter().fold(0u128, |acc, b| acc << 8 | u128::from(*b));
        let mut chars = [0u8; CODE_CHARS];
        for slot in chars.iter_mut().rev() {
            *slot = ALPHABET[(bits & 31) as usize];
            bits >>= 5;
        }
        Self(chars.iter().map(|&b| char::from(b)).collect())
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(<redacted>)")
    }
}

/// The SHA-256 of a recovery code bound to its user, as the store keeps it (hex text or 32
/// bytes). Consuming a code is deleting its hash, which the store does atomically so that a
/// code is used once even by two requests at the same instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecoveryCodeHash([u8; 32]);

impl RecoveryCodeHash {
    /// The hash as 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Reads [`RecoveryCodeHash::to_hex`] back; `None` for anything else.
    pub fn from_hex(hex: &str) -> Option<Self> {
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Self(bytes))
    }

    /// The raw 32 bytes, for a binary column.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// A fresh set of codes: the codes to show once, and their hashes to store in their place
/// (replacing any earlier set).
#[derive(Debug)]
pub struct IssuedRecoveryCodes {
    /// Shown to the user once, never stored.
    pub codes: Vec<RecoveryCode>,
    /// Stored; `hashes[i]` is the hash of `codes[i]`.
    pub hashes: Vec<RecoveryCodeHash>,
}

impl IssuedRecoveryCodes {
    /// [`RECOVERY_CODES`] new codes for `user`, all distinct.
    ///
    /// # Panics
    /// When `random` repeats itself: two equal codes of 80 random bits do not happen, so a
    /// source that yields them is broken, and codes from it must not be issued.
    pub fn generate(random: &dyn RandomBytes, user: Uuid) -> Self {
        let mut codes: Vec<RecoveryCode> = Vec::with_capacity(RECOVERY_CODES);
        for _ in 0..RECOVERY_CODES {
            let mut bytes = [0u8; CODE_BYTES];
            random.fill(&mut bytes);
            let code = RecoveryCode::from_bytes(&bytes);
            crate::domain::totp::wipe(&mut bytes);
            assert!(!codes.contains(&code), "the random source repeats itself");
            codes.push(code);
        }
        let hashes = codes.iter().map(|c| c.hash(user)).collect();
        Self { codes, hashes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::SeqBytes;
    use std::collections::HashSet;

    #[test]
    fn ten_distinct_codes_of_eighty_bits_with_their_hashes() {
        let user = Uuid::new_v4();
        let issued = IssuedRecoveryCodes::generate(&SeqBytes::seeded(1), user);
        assert_eq!(issued.codes.len(), RECOVERY_CODES);
        assert_eq!(issued.codes.iter().map(|c| c.0.clone()).collect::<HashSet<_>>().len(), 10);
        for (code, hash) in issued.codes.iter().zip(&issued.hashes) {
            assert_eq!(code.0.len(), CODE_CHARS);
            assert_eq!(code.hash(user), *hash);
            let shown = code.display();
            assert_eq!(shown.len(), 19, "{shown}");
            assert_eq!(RecoveryCode::parse(&shown).as_ref(), Ok(code), "reads back");
        }
    }

    #[test]
    #[should_panic(expected = "the random source repeats itself")]
    fn a_source_repeating_itself_issues_no_codes() {
        IssuedRecoveryCodes::generate(&SeqBytes::repeating_every(3), Uuid::nil());
    }

    #[test]
    fn typing_is_forgiving_but_only_within_the_alphabet() {
        let code = RecoveryCode::parse("abcd-efgh-jkmn-pqrs").unwrap();
        for typed in ["ABCD EFGH JKMN PQRS", "abcdefghjkmnpqrs", " abcd-efgh-jkmn-pqrs\n"] {
            assert_eq!(RecoveryCode::parse(typed).as_ref(), Ok(&code), "{typed:?}");
        }
        let zero_one = RecoveryCode::parse("0000-1111-0000-1111").unwrap();
        assert_eq!(RecoveryCode::parse("oOoO-iIlL-0000-1111").as_ref(), Ok(&zero_one));
        for bad in ["", "abcd-efgh-jkmn-pqr", "abcd-efgh-jkmn-pqrst", "abcu-efgh-jkmn-pqrs"] {
            assert_eq!(RecoveryCode::parse(bad), Err(InvalidRecoveryCode), "{bad:?}");
        }
        assert_eq!(RecoveryCode::parse("abcd-efgh-jkmn-pqr€"), Err(InvalidRecoveryCode));
        assert_eq!(format!("{code:?}"), "RecoveryCode(<redacted>)");
    }

    #[test]
    fn hashes_are_bound_to_the_user_and_read_back_from_hex() {
        let code = RecoveryCode::parse("abcd-efgh-jkmn-pqrs").unwrap();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert_ne!(code.hash(a), code.hash(b));
        let hex = code.hash(a).to_hex();
        assert_eq!(hex.len(), 64);
        assert_eq!(RecoveryCodeHash::from_hex(&hex), Some(code.hash(a)));
        let plus = format!("+f{}", &hex[2..]);
        for bad in ["", "zz", &hex[..63], &format!("{}é", &hex[..62]), &plus] {
            assert_eq!(RecoveryCodeHash::from_hex(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_encoding_uses_every_bit() {
        assert_eq!(RecoveryCode::from_bytes(&[0; 10]).0, "0".repeat(16));
        assert_eq!(RecoveryCode::from_bytes(&[0xff; 10]).0, "z".repeat(16));
        let mut one = [0u8; 10];
        one[9] = 1;
        assert_eq!(RecoveryCode::from_bytes(&one).0, format!("{}1", "0".repeat(15)));
    }
}
