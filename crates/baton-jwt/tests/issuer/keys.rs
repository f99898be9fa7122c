//! Ed25519 keys in the key set: PEM forms, verify-only keys, and what is refused at start-up.

use crate::common::*;
use baton_core::{TokenIssuer, TokenKind};
use baton_jwt::{JwtConfig, JwtIssuer, KeyError, KeySpec};
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey, KeypairBytes, PublicKeyBytes};

/// Written by `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` (test keys).
const OPENSSL_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIPvr1hfdhSVPl3UrocJ5R1VZGM5dfocFUT4hzwGMApPX
-----END PRIVATE KEY-----
";
const OPENSSL_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAcaFywEhms/ZCFQIhbvDv1NHrp93jjw8IE+r16dAmf14=
-----END PUBLIC KEY-----
";
/// Keys of other algorithms, and the Ed25519 key above encrypted: well-formed PEM, wrong key.
const X25519_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VuBCIEIODL/W4v/bCOZPAV+Zc3tK0N730ORGyKetDyta1OGGFY
-----END PRIVATE KEY-----";
const P256_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgfPOQTopzhs1ybCFt
yoaFOlzXqaRAF09lI7LL442ngcehRANCAASFwPQkPYMnJ425X7Kwt+2OeuheJOk1
8WzFEbaByHb8+s5C2Cq96iTGY5Mofw8n98KBWpOAP/beYC+ZAvXLUPW4
-----END PRIVATE KEY-----";
const ED448_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MEcCAQAwBQYDK2VxBDsEOe7FXsiI8tJUAYUPe30U0owuJcWCPBFa54lhHobIyfhP
0k60Z/6J7bk5F7m3rtR2BQTICnscnrKs0Q==
-----END PRIVATE KEY-----";
const ENCRYPTED_PRIVATE: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----
MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhlyu5klxKXtwICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEEnkayAIRAmOvu+V0a2TxzAEQP5z
21qCDUmt740R2G9gvYaEaUi+A1ifRYlITDT2byzWb28Ln7doYf3wjr9fb+o2fk1c
KwgAtIDrAg4uC/vipow=
-----END ENCRYPTED PRIVATE KEY-----";
const X25519_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VuAyEAvpklcKdrwd0fydH41VgeoCPejJt7HTx+1gz615ZmLSk=
-----END PUBLIC KEY-----";
const P256_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE3vFXHSutlfnneGLBfzORPag7zAKl
usDbsE3PzfbRur4hGFVbmEUzPAFWgXhw4O4erZL2FWHNhZ9GLz3PKsnp8Q==
-----END PUBLIC KEY-----";

/// The PEM with the base64 character at `offset` in its body changed.
fn flip(pem: &str, offset: usize) -> String {
    let at = pem.find('\n').expect("a header line") + 1 + offset;
    let mut bytes = pem.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).expect("still ASCII")
}

fn build(keys: Vec<KeySpec>) -> Result<JwtIssuer, KeyError> {
    JwtIssuer::new(JwtConfig::new(ISS, AUD, keys))
}

#[test]
fn openssl_keys_are_read_and_pair_up() {
    let signer = build(vec![KeySpec::ed25519_private("k", OPENSSL_PRIVATE)]).expect("valid");
    let verifier =
        build(vec![key(Alg::Hs256, "hs", 1), KeySpec::ed25519_public("k", OPENSSL_PUBLIC)])
            .expect("valid");
    let token = signer.sign(&claims(TokenKind::Refresh)).expect("signs");
    assert_eq!(verifier.verify(&token, TokenKind::Refresh, NOW), Ok(claims(TokenKind::Refresh)));
}

#[test]
fn pem_with_crlf_or_surrounding_whitespace_is_read() {
    let crlf = ed_private_pem(1).replace('\n', "\r\n");
    let padded = format!("\n  {}\n\n", ed_public_pem(1));
    let issuer =
        build(vec![KeySpec::ed25519_private("a", crlf), KeySpec::ed25519_public("b", padded)]);
    assert!(issuer.is_ok(), "{issuer:?}");
}

#[test]
fn a_public_key_verifies_what_its_private_half_signs_but_never_signs() {
    // Published before it signs: the server that has the private key may already be signing.
    let signer = issuer_with(vec![key(Alg::EdDsa, "next", 2)]);
    let verifier = issuer_with(vec![key(Alg::Hs256, "now", 1), public_key("next", 2)]);
    let token = signer.sign(&claims(TokenKind::Access)).expect("signs");
    assert_eq!(verifier.verify(&token, TokenKind::Access, NOW), Ok(claims(TokenKind::Access)));
    assert_eq!(verifier.signing_kid(), "now");
    let each = verifier.sign_with_each_key(&claims(TokenKind::Access)).expect("signs");
    assert_eq!(each.len(), 1, "the public key cannot sign");
}

#[test]
fn a_set_whose_first_key_cannot_sign_is_refused() {
    let err = build(vec![public_key("pub", 1), key(Alg::Hs256, "hs", 1)]).expect_err("refused");
    assert_eq!(err, KeyError::FirstKeyCannotSign { kid: "pub".into() });
    assert!(err.to_string().contains("\"pub\""), "{err}");
    assert_eq!(
        build(vec![public_key("pub", 1)]).expect_err("refused"),
        KeyError::FirstKeyCannotSign { kid: "pub".into() }
    );
}

#[test]
fn pem_that_is_not_the_right_ed25519_key_is_refused() {
    let private = |pem: &str| build(vec![KeySpec::ed25519_private("k", pem)]).expect_err("refused");
    let bad_private = KeyError::BadPrivateKey { kid: "k".into() };
    for pem in [
        "",
        "not a pem",
        &ed_public_pem(1),
        X25519_PRIVATE,
        P256_PRIVATE,
        ED448_PRIVATE,
        ENCRYPTED_PRIVATE,
        &ed_private_pem(1).replace("PRIVATE KEY", "RSA PRIVATE KEY"),
        &ed_private_pem(1)[..60],
        // In the OID (the algorithm), and in the seed of a key that embeds its public key.
        &flip(OPENSSL_PRIVATE, 12),
        &flip(&ed_private_pem(1), 30),
    ] {
        assert_eq!(private(pem), bad_private, "{pem}");
    }

    let public = |pem: &str| {
        build(vec![key(Alg::Hs256, "hs", 1), KeySpec::ed25519_public("k", pem)])
            .expect_err("refused")
    };
    let bad_public = KeyError::BadPublicKey { kid: "k".into() };
    for pem in [
        "",
        "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----",
        &ed_private_pem(1),
        X25519_PUBLIC,
        P256_PUBLIC,
    ] {
        assert_eq!(public(pem), bad_public, "{pem}");
    }
}

#[test]
fn a_private_key_whose_embedded_public_key_differs_is_refused() {
    // PKCS#8 v2 carries the public key too; one that does not belong to the private key is a
    // corrupted or tampered file.
    let mismatched = KeypairBytes {
        secret_key: ed_key(1).to_bytes(),
        public_key: Some(PublicKeyBytes(ed_key(2).verifying_key().to_bytes())),
    };
    let pem = mismatched.to_pkcs8_pem(LineEnding::LF).expect("encodes").to_string();
    let err = build(vec![KeySpec::ed25519_private("k", pem)]).expect_err("refused");
    assert_eq!(err, KeyError::BadPrivateKey { kid: "k".into() });
}

#[test]
fn a_small_order_public_key_is_refused() {
    // The identity point: any signature with R = sB verifies against it, no private key needed.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let pem = PublicKeyBytes(identity).to_public_key_pem(LineEnding::LF).expect("encodes");
    let err = build(vec![key(Alg::Hs256, "hs", 1), KeySpec::ed25519_public("weak", pem)]);
    assert_eq!(err.expect_err("refused"), KeyError::BadPublicKey { kid: "weak".into() });
}

/// Key-set errors reach a start-up log: one line each, naming the key but never its material.
#[test]
fn errors_are_one_line_and_never_show_key_material() {
    let secret_pem = ed_private_pem(7);
    let body: Vec<&str> = secret_pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let cases = [
        build(vec![KeySpec::ed25519_private("k", secret_pem[..70].to_owned())]),
        build(vec![KeySpec::ed25519_public("k", secret_pem.clone())]),
        build(vec![KeySpec::ed25519_private("k", secret_pem.replace('M', "\n"))]),
        build(vec![key(Alg::EdDsa, "a", 7), KeySpec::hs256("short", b"hunter2".to_vec())]),
        build(vec![
            key(Alg::EdDsa, "a", 7),
            KeySpec::ed25519_public("k", ed_public_pem(7)),
            public_key("k", 7),
        ]),
        build(vec![public_key("p", 7)]),
        build(vec![key(Alg::EdDsa, "", 7)]),
        build(vec![]),
    ];
    for result in cases {
        let msg = result.expect_err("refused").to_string();
        assert!(!msg.is_empty() && !msg.contains('\n'), "{msg:?}");
        assert!(!msg.contains("hunter2"), "{msg}");
        for line in &body {
            assert!(!msg.contains(&line[..16]), "{msg}");
        }
    }
    let kid = "line\nbreak";
    let msg = build(vec![KeySpec::hs256(kid, vec![1; 3])]).expect_err("short").to_string();
    assert!(!msg.contains('\n'), "a kid is quoted, escapes and all: {msg}");
}

#[test]
fn debug_output_hides_secrets_and_private_keys() {
    let secret = b"a-very-secret-secret-of-32-bytes".to_vec();
    let pem = ed_private_pem(5);
    let body = pem.lines().nth(1).expect("a base64 line");
    let config = JwtConfig::new(
        ISS,
        AUD,
        vec![KeySpec::ed25519_private("ed", pem.clone()), KeySpec::hs256("hs", secret)],
    );
    let issuer = JwtIssuer::new(config.clone()).expect("valid");
    let shown =
        format!("{config:?} {issuer:?} {:?}", baton_jwt::ReloadableIssuer::new(issuer.clone()));
    assert!(shown.contains("ed (EdDSA)") && shown.contains("hs (HS256)"), "{shown}");
    assert!(!shown.contains("a-very-secret"), "{shown}");
    assert!(!shown.contains(&body[..16]), "{shown}");
}

/// PEM-shaped junk: the right armour around arbitrary base64.
const PEM_SHAPED: &str = "[A-Za-z0-9+/]{0,120}={0,2}";

proptest::proptest! {
    /// Whatever the configuration holds, building a key set answers, never panics.
    #[test]
    fn arbitrary_key_material_never_panics(text in ".{0,200}", body in PEM_SHAPED) {
        for label in ["PRIVATE KEY", "PUBLIC KEY"] {
            let pem = format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n");
            for material in [text.as_str(), pem.as_str()] {
                let _ = build(vec![KeySpec::ed25519_private("k", material)]);
                let _ = build(vec![key(Alg::Hs256, "hs", 1), KeySpec::ed25519_public("k", material)]);
                let _ = build(vec![KeySpec::hs256("k", material.as_bytes().to_vec())]);
            }
        }
    }
}
