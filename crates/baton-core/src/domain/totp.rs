//! TOTP (RFC 6238) as authenticator apps expect it: HMAC-SHA-1, six digits, 30-second steps.
//! These are the parameters every app assumes when an `otpauth://` URI is read by a camera,
//! so they are constants, not settings.
//!
//! The shared secret never rests in the clear: the store keeps a [`SealedSecret`] made by the
//! [`crate::ports::SecretSealer`], and the last accepted [`TimeStep`] so that a code is
//! accepted once ([`crate::rules::totp`]).

use std::fmt;

use crate::ports::RandomBytes;
use time::OffsetDateTime;

/// Seconds per time step (RFC 6238's `X`).
pub const PERIOD_SECS: i64 = 30;
/// Digits of a code.
pub const DIGITS: usize = 6;
/// Bytes of a new secret: 160 bits, the length RFC 4226 §4 recommends for HMAC-SHA-1.
pub const SECRET_BYTES: usize = 20;

/// A TOTP shared secret. Its `Debug` never shows it and it is overwritten when dropped, so a
/// secret opened for one check does not linger in memory or in a log line.
pub struct TotpSecret(Vec<u8>);

impl TotpSecret {
    /// A fresh secret of [`SECRET_BYTES`] random bytes, for an enrolment.
    pub fn generate(random: &dyn RandomBytes) -> Self {
        let mut bytes = vec![0; SECRET_BYTES];
        random.fill(&mut bytes);
        Self(bytes)
    }

    /// A secret from its raw bytes, as the sealer opens it.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The raw key, for the TOTP engine and the sealer only.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for TotpSecret {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

/// Overwrites `bytes` with zeros; `black_box` keeps the optimiser from dropping the writes to
/// memory that is about to be freed (the core has no `zeroize`, and no `unsafe`).
pub(crate) fn wipe(bytes: &mut [u8]) {
    bytes.fill(0);
    std::hint::black_box(bytes);
}

/// One 30-second window of Unix time (RFC 6238's `T`): the unit in which codes are issued
/// and in which replay is judged. Stored per user as the last accepted step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeStep(i64);

impl TimeStep {
    /// The step that contains `at`.
    pub fn containing(at: OffsetDateTime) -> Self {
        Self(at.unix_timestamp().div_euclid(PERIOD_SECS))
    }

    /// A step by number, as the store reads it back.
    pub fn new(number: i64) -> Self {
        Self(number)
    }

    /// The step's number (Unix seconds / 30), as the store keeps it.
    pub fn number(self) -> i64 {
        self.0
    }

    /// The step `by` steps later (earlier for a negative `by`); saturates at the ends.
    pub fn offset(self, by: i64) -> Self {
        Self(self.0.saturating_add(by))
    }

    /// The Unix second at which the step begins, which is what HOTP libraries take as time.
    pub fn start_unix(self) -> i64 {
        self.0.saturating_mul(PERIOD_SECS)
    }
}

/// What a user typed as a TOTP code, normalised: exactly [`DIGITS`] ASCII digits. Spaces are
/// dropped since apps show codes as `123 456`; anything else is refused before any port runs.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpCode(String);

/// A TOTP code that is not six digits. Safe to show the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a code is {DIGITS} digits")]
pub struct InvalidCode;

impl TotpCode {
    /// Normalises input (spaces removed) and checks it is [`DIGITS`] ASCII digits.
    pub fn parse(input: &str) -> Result<Self, InvalidCode> {
        let code: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(code))
        } else {
            Err(InvalidCode)
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TotpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpCode(<redacted>)")
    }
}

/// What an authenticator app needs to enrol, answered once by `POST /api/v1/auth/mfa/totp`:
/// the secret in base32 (for typing it in), the `otpauth://totp/...` URI, and that URI as a
/// QR code in SVG (a page can show it as is). All three carry the secret: `Debug` hides them.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpEnrolment {
    /// The secret in RFC 4648 base32 without padding, as apps accept it typed in.
    pub secret_base32: String,
    /// `otpauth://totp/<issuer>:<account>?secret=...&issuer=...` (algorithm, digits and
    /// period are the defaults every app assumes).
    pub otpauth_uri: String,
    /// The URI as a QR code: a complete `<svg ...>` document.
    pub qr_svg: String,
}

impl fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpEnrolment(<redacted>)")
    }
}

/// A TOTP secret encrypted for the store, in the sealer's text form
/// `<scheme>.<key id>.<payload>`: the key id says which `mfa.encryption_key` opens it, so
/// keys can rotate, and a database dump alone yields nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SealedSecret(String);

impl SealedSecret {
    /// Wraps the text a sealer made or the store read back; [`SealedSecret::key_id`] is
    /// `None` when it does not have the three parts.
    pub fn new(text: String) -> Self {
        Self(text)
    }

    /// The text to store.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id of the key that sealed it, e.g. to count the secrets a retired key still holds.
    pub fn key_id(&self) -> Option<&str> {
        let mut parts = self.0.splitn(3, '.');
        let (_scheme, id, _payload) = (parts.next()?, parts.next()?, parts.next()?);
        Some(id).filter(|id| !id.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn steps_are_thirty_second_windows_of_unix_time() {
        assert_eq!(TimeStep::containing(datetime!(1970-01-01 0:00:59 UTC)).number(), 1);
        assert_eq!(TimeStep::containing(datetime!(1970-01-01 0:01:00 UTC)).number(), 2);
        // RFC 6238 appendix B: T = 0x23523EC for 1111111109, 0x23523ED for 1111111111.
        let at = OffsetDateTime::from_unix_timestamp(1_111_111_109).unwrap();
        assert_eq!(TimeStep::containing(at).number(), 0x023523EC);
        let at = OffsetDateTime::from_unix_timestamp(1_111_111_111).unwrap();
        assert_eq!(TimeStep::containing(at).number(), 0x023523ED);
        assert_eq!(TimeStep::new(0x023523ED).start_unix(), 1_111_111_110);
        let before_1970 = OffsetDateTime::from_unix_timestamp(-1).unwrap();
        assert_eq!(TimeStep::containing(before_1970).number(), -1, "floor, not truncation");
        assert_eq!(TimeStep::new(i64::MAX).offset(1).number(), i64::MAX);
    }

    #[test]
    fn codes_are_six_digits_with_spaces_allowed() {
        assert_eq!(TotpCode::parse("123456").unwrap().as_str(), "123456");
        assert_eq!(TotpCode::parse(" 123 456 ").unwrap().as_str(), "123456");
        for bad in ["", "12345", "1234567", "12345a", "١٢٣٤٥٦", "123-456", "+12345"] {
            assert_eq!(TotpCode::parse(bad), Err(InvalidCode), "{bad:?}");
        }
        assert_eq!(format!("{:?}", TotpCode::parse("123456").unwrap()), "TotpCode(<redacted>)");
    }

    #[test]
    fn secrets_and_enrolments_never_show_in_debug() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
        assert_eq!(format!("{secret:?}"), "TotpSecret(<redacted>)");
        let enrolment = TotpEnrolment {
            secret_base32: "GEZDGNBV".into(),
            otpauth_uri: "otpauth://totp/x?secret=GEZDGNBV".into(),
            qr_svg: "<svg/>".into(),
        };
        assert!(!format!("{enrolment:?}").contains("GEZDGNBV"));
    }

    #[test]
    fn a_sealed_secret_names_its_key() {
        assert_eq!(SealedSecret::new("v1.k2026.payload".into()).key_id(), Some("k2026"));
        assert_eq!(SealedSecret::new("v1.k.a.b".into()).key_id(), Some("k"));
        assert_eq!(SealedSecret::new("v1..payload".into()).key_id(), None);
        assert_eq!(SealedSecret::new("garbage".into()).key_id(), None);
    }
}
