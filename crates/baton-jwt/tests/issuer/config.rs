//! Key-set construction, key rotation, and the `iss`/`aud`/key pinning, for both algorithms.

use crate::common::*;
use baton_core::{TokenIssuer, TokenKind};
use baton_jwt::{DEFAULT_LEEWAY, JwtConfig, JwtIssuer, KeyError, KeySpec};
use std::time::Duration;

per_alg!(
    empty_sets_and_bad_kids_are_refused,
    a_token_for_another_issuer_is_refused,
    a_token_for_another_audience_is_refused,
    a_token_signed_by_another_key_is_refused,
    old_tokens_survive_a_rotation_until_their_key_is_removed,
    a_token_without_kid_is_refused_even_with_the_right_key,
    keys_of_both_algorithms_verify_side_by_side,
);

fn build(keys: Vec<KeySpec>) -> Result<JwtIssuer, KeyError> {
    JwtIssuer::new(JwtConfig::new(ISS, AUD, keys))
}

#[test]
fn a_31_byte_secret_is_refused_and_32_accepted() {
    let err = build(vec![KeySpec::hs256("k1", vec![1; 31])]).expect_err("too short");
    assert_eq!(err, KeyError::SecretTooShort { kid: "k1".into(), len: 31, min: 32 });
    assert_eq!(
        err.to_string(),
        "JWT key \"k1\" has a 31-byte secret; at least 32 bytes are required"
    );
    assert!(build(vec![KeySpec::hs256("k1", vec![1; 32])]).is_ok());
    // A short secret is refused wherever it is listed, not only when it signs.
    let err = build(vec![key(Alg::EdDsa, "ed", 1), KeySpec::hs256("old", vec![1; 8])]);
    assert_eq!(
        err.expect_err("too short"),
        KeyError::SecretTooShort { kid: "old".into(), len: 8, min: 32 }
    );
}

fn empty_sets_and_bad_kids_are_refused(alg: Alg) {
    assert_eq!(build(vec![]).expect_err("no keys"), KeyError::NoKeys);
    let empty_kid = build(vec![key(alg, "", 1)]);
    assert_eq!(empty_kid.expect_err("empty kid"), KeyError::EmptyKid { index: 0 });
    // A kid names one key whatever the algorithms.
    for other in [Alg::Hs256, Alg::EdDsa] {
        assert_eq!(
            build(vec![key(alg, "a", 1), key(other, "a", 2)]).expect_err("duplicate"),
            KeyError::DuplicateKid { kid: "a".into() }
        );
    }
    let no_iss = JwtIssuer::new(JwtConfig::new("", AUD, vec![key(alg, "a", 1)]));
    assert_eq!(no_iss.expect_err("empty iss"), KeyError::EmptyIssuer);
    let no_aud = JwtIssuer::new(JwtConfig::new(ISS, "", vec![key(alg, "a", 1)]));
    assert_eq!(no_aud.expect_err("empty aud"), KeyError::EmptyAudience);
}

#[test]
fn the_default_leeway_is_sixty_seconds() {
    assert_eq!(JwtConfig::new(ISS, AUD, vec![]).leeway, Duration::from_secs(60));
    assert_eq!(DEFAULT_LEEWAY, Duration::from_secs(60));
}

fn a_token_for_another_issuer_is_refused(alg: Alg) {
    let other = JwtIssuer::new(JwtConfig::new("https://evil.test", AUD, vec![key(alg, "k1", 1)]));
    let token = other.expect("valid").sign(&claims(TokenKind::Access)).expect("signs");
    assert_eq!(reason(issuer(alg).verify(&token, TokenKind::Access, NOW)), "wrong issuer");
}

fn a_token_for_another_audience_is_refused(alg: Alg) {
    let other = JwtIssuer::new(JwtConfig::new(ISS, "other-api", vec![key(alg, "k1", 1)]));
    let token = other.expect("valid").sign(&claims(TokenKind::Access)).expect("signs");
    assert_eq!(reason(issuer(alg).verify(&token, TokenKind::Access, NOW)), "wrong audience");
}

fn a_token_signed_by_another_key_is_refused(alg: Alg) {
    let token =
        issuer_with(vec![key(alg, "k1", 9)]).sign(&claims(TokenKind::Access)).expect("signs");
    assert_eq!(reason(issuer(alg).verify(&token, TokenKind::Access, NOW)), "bad signature");
}

fn old_tokens_survive_a_rotation_until_their_key_is_removed(alg: Alg) {
    let before = issuer_with(vec![key(alg, "old", 1)]);
    let during = issuer_with(vec![key(alg, "new", 2), key(alg, "old", 1)]);
    let after = issuer_with(vec![key(alg, "new", 2)]);
    let old_token = before.sign(&claims(TokenKind::Refresh)).expect("signs");
    let new_token = during.sign(&claims(TokenKind::Refresh)).expect("signs");
    assert_ne!(old_token, new_token);

    let expected = Ok(claims(TokenKind::Refresh));
    assert_eq!(during.verify(&old_token, TokenKind::Refresh, NOW), expected);
    assert_eq!(during.verify(&new_token, TokenKind::Refresh, NOW), expected);
    assert_eq!(after.verify(&new_token, TokenKind::Refresh, NOW), expected);
    assert_eq!(reason(after.verify(&old_token, TokenKind::Refresh, NOW)), "unknown kid");
}

fn a_token_without_kid_is_refused_even_with_the_right_key(alg: Alg) {
    let token = forge(alg, None, &payload(TokenKind::Access), 1);
    assert_eq!(reason(issuer(alg).verify(&token, TokenKind::Access, NOW)), "missing kid");
    // The same forge with the kid verifies, so only the kid made the difference.
    let with_kid = forge(alg, Some("k1"), &payload(TokenKind::Access), 1);
    assert_eq!(
        issuer(alg).verify(&with_kid, TokenKind::Access, NOW),
        Ok(claims(TokenKind::Access))
    );
}

/// A change of algorithm is a key rotation like any other: the new key signs, the old one of
/// the other algorithm keeps verifying.
fn keys_of_both_algorithms_verify_side_by_side(alg: Alg) {
    let other = if alg == Alg::Hs256 { Alg::EdDsa } else { Alg::Hs256 };
    let old = issuer_with(vec![key(other, "old", 1)]);
    let both = issuer_with(vec![key(alg, "new", 2), key(other, "old", 1)]);
    let old_token = old.sign(&claims(TokenKind::Refresh)).expect("signs");
    let new_token = both.sign(&claims(TokenKind::Refresh)).expect("signs");
    assert_eq!(segment(&new_token, 0)["alg"], alg.name());
    for token in [&old_token, &new_token] {
        assert_eq!(both.verify(token, TokenKind::Refresh, NOW), Ok(claims(TokenKind::Refresh)));
    }
}
