//! The [`TotpEngine`] suite, run by `baton-mfa`'s totp-rs engine and by
//! [`crate::testing::RefTotp`]. Codes come from RFC 6238's own test vectors and from the
//! independent HOTP of [`crate::testing::hotp`], never from the engine under test.

use std::sync::Arc;

use crate::domain::totp::{TimeStep, TotpCode, TotpSecret};
use crate::ports::TotpEngine;
use crate::testing::SeqBytes;
use crate::testing::hotp::{base32, hotp_code};
use time::OffsetDateTime;

/// The engine under test and the issuer it was configured with.
pub struct TotpSubject {
    /// The engine.
    pub engine: Arc<dyn TotpEngine>,
    /// The issuer it enrols under; the suite expects one with a space in it (e.g.
    /// `"Baton Test"`), to see it encoded.
    pub issuer: String,
}

/// RFC 6238 appendix B's SHA-1 secret.
const RFC_SECRET: &[u8] = b"12345678901234567890";

/// RFC 6238 appendix B (SHA-1): Unix time and the last six digits of the eight-digit code.
const RFC_VECTORS: [(i64, &str); 6] = [
    (59, "287082"),
    (1_111_111_109, "081804"),
    (1_111_111_111, "050471"),
    (1_234_567_890, "005924"),
    (2_000_000_000, "279037"),
    (20_000_000_000, "353130"),
];

fn step_at(unix: i64) -> TimeStep {
    TimeStep::containing(OffsetDateTime::from_unix_timestamp(unix).expect("a valid time"))
}

fn code(digits: &str) -> TotpCode {
    TotpCode::parse(digits).expect("six digits")
}

fn rfc_secret() -> TotpSecret {
    TotpSecret::from_bytes(RFC_SECRET.to_vec())
}

/// Every RFC 6238 vector is accepted at its own time, as its own step, with no skew.
pub fn rfc_vectors_are_accepted_at_their_step(s: &TotpSubject) {
    for (unix, digits) in RFC_VECTORS {
        let step = step_at(unix);
        assert_eq!(s.engine.check(&rfc_secret(), &code(digits), step, 0), Some(step), "t={unix}");
        assert_eq!(s.engine.check(&rfc_secret(), &code(digits), step, 1), Some(step), "t={unix}");
    }
}

/// A code of the step before or after now is accepted within a skew of one, and the answer
/// names that step; with no skew it is refused.
pub fn neighbours_in_the_window_are_accepted_and_named(s: &TotpSubject) {
    // 1111111109 and 1111111111 fall in consecutive steps (RFC 6238 appendix B).
    let (earlier, later) = (step_at(1_111_111_109), step_at(1_111_111_111));
    assert_eq!(later, earlier.offset(1));
    let (earlier_code, later_code) = (code("081804"), code("050471"));
    assert_eq!(s.engine.check(&rfc_secret(), &earlier_code, later, 1), Some(earlier));
    assert_eq!(s.engine.check(&rfc_secret(), &later_code, earlier, 1), Some(later));
    assert_eq!(s.engine.check(&rfc_secret(), &earlier_code, later, 0), None);
    assert_eq!(s.engine.check(&rfc_secret(), &later_code, earlier, 0), None);
}

/// Codes two or more steps away, and codes of other times, are refused.
pub fn codes_outside_the_window_are_refused(s: &TotpSubject) {
    let later = step_at(1_111_111_111);
    assert_eq!(s.engine.check(&rfc_secret(), &code("050471"), later.offset(2), 1), None);
    assert_eq!(s.engine.check(&rfc_secret(), &code("081804"), later.offset(2), 1), None);
    assert_eq!(s.engine.check(&rfc_secret(), &code("050471"), later.offset(-2), 1), None);
    // The vectors of other times (1111111109 is the step before: a neighbour).
    for (unix, digits) in
        RFC_VECTORS.iter().filter(|(u, _)| !(1_111_111_109..=1_111_111_111).contains(u))
    {
        assert_eq!(s.engine.check(&rfc_secret(), &code(digits), later, 1), None, "t={unix}");
    }
    assert_eq!(s.engine.check(&rfc_secret(), &code("000000"), later, 1), None);
}

/// For random 20-byte secrets (the length Baton generates) and steps of today's times, the
/// engine agrees with the independent HOTP, and a code off by one digit is refused.
pub fn random_secrets_agree_with_an_independent_hotp(s: &TotpSubject) {
    let random = SeqBytes::seeded(6238);
    for round in 0..40i64 {
        let secret = TotpSecret::generate(&random);
        let step = step_at(1_700_000_000 + round * 7_919);
        for by in [-1, 0, 1] {
            let digits = hotp_code(secret.expose(), step.offset(by).number() as u64);
            let answer = s.engine.check(&secret, &code(&digits), step, 1);
            assert_eq!(answer, Some(step.offset(by)), "round {round}, step {by:+}");
        }
        let right = hotp_code(secret.expose(), step.number() as u64);
        let wrong: String = right
            .char_indices()
            .map(|(i, c)| if i == 5 { char::from(b'0' + (c as u8 - b'0' + 1) % 10) } else { c })
            .collect();
        assert_eq!(s.engine.check(&secret, &code(&wrong), step, 0), None, "round {round}");
    }
}

/// The parameters an `otpauth://` URI carries, percent-decoded.
fn query(uri: &str) -> Vec<(String, String)> {
    let query = uri.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), percent_decode(v)))
        .collect()
}

/// RFC 3986 percent-decoding (`+` is a plus: URIs are not HTML forms).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < bytes.len() {
        let hex = || u8::from_str_radix(text.get(i + 1..i + 3)?, 16).ok();
        match (bytes[i], hex()) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("UTF-8 after decoding")
}

/// The enrolment names issuer and account, carries the secret as unpadded base32 in both
/// forms, uses only the parameters apps assume (or states them as SHA1/6/30), and draws an
/// SVG.
pub fn enrolment_carries_issuer_account_and_secret(s: &TotpSubject) {
    let secret = TotpSecret::generate(&SeqBytes::seeded(4226));
    let account = "ada+totp@example.com";
    let e = s.engine.enrolment(&secret, account).expect("enrolment");
    assert_eq!(e.secret_base32, base32(secret.expose()));
    let uri = &e.otpauth_uri;
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    let label = percent_decode(uri["otpauth://totp/".len()..].split('?').next().unwrap_or(""));
    assert_eq!(label, format!("{}:{account}", s.issuer), "{uri}");
    let params = query(uri);
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    assert_eq!(param("secret"), Some(e.secret_base32.as_str()), "{uri}");
    assert_eq!(param("issuer"), Some(s.issuer.as_str()), "{uri}");
    for (name, assumed) in [("algorithm", "SHA1"), ("digits", "6"), ("period", "30")] {
        assert!(param(name).is_none_or(|v| v == assumed), "{name} in {uri}");
    }
    let svg = e.qr_svg.trim_start();
    assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"), "not an SVG document");
    assert!(e.qr_svg.trim_end().ends_with("</svg>"), "not a whole SVG document");
}

/// Instantiates every function of the TOTP suite as a `#[test]` on `$subject`.
#[macro_export]
macro_rules! totp_contract {
    ($subject:expr) => {
        $crate::__contract_tests!($subject;
            totp {
                rfc_vectors_are_accepted_at_their_step,
                neighbours_in_the_window_are_accepted_and_named,
                codes_outside_the_window_are_refused,
                random_secrets_agree_with_an_independent_hotp,
                enrolment_carries_issuer_account_and_secret,
            }
        );
    };
}
