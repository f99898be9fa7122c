//! Key-set construction, key rotation, and the `iss`/`aud`/key pinning.

use crate::common::*;
use baton_core::{TokenIssuer, TokenKind};
use baton_jwt::{DEFAULT_LEEWAY, HmacIssuer, JwtConfig, KeyError, SigningKey};
use std::time::Duration;

fn build(keys: Vec<SigningKey>) -> Result<HmacIssuer, KeyError> {
    HmacIssuer::new(JwtConfig::new(ISS, AUD, keys))
}

#[test]
fn a_31_byte_secret_is_refused_and_32_accepted() {
    let err = build(vec![SigningKey::new("k1", vec![1; 31])]).expect_err("too short");
    assert_eq!(err, KeyError::SecretTooShort { kid: "k1".into(), len: 31, min: 32 });
    assert_eq!(
        err.to_string(),
        "JWT key \"k1\" has a 31-byte secret; at least 32 bytes are required"
    );
    assert!(build(vec![SigningKey::new("k1", vec![1; 32])]).is_ok());
}

#[test]
fn empty_sets_and_bad_kids_are_refused() {
    assert_eq!(build(vec![]).expect_err("no keys"), KeyError::NoKeys);
    assert_eq!(build(vec![key("", 1)]).expect_err("empty kid"), KeyError::EmptyKid { index: 0 });
    assert_eq!(
        build(vec![key("a", 1), key("a", 2)]).expect_err("duplicate"),
        KeyError::DuplicateKid { kid: "a".into() }
    );
    let no_iss = HmacIssuer::new(JwtConfig::new("", AUD, vec![key("a", 1)]));
    assert_eq!(no_iss.expect_err("empty iss"), KeyError::EmptyIssuer);
    let no_aud = HmacIssuer::new(JwtConfig::new(ISS, "", vec![key("a", 1)]));
    assert_eq!(no_aud.expect_err("empty aud"), KeyError::EmptyAudience);
}

#[test]
fn the_default_leeway_is_sixty_seconds() {
    assert_eq!(JwtConfig::new(ISS, AUD, vec![]).leeway, Duration::from_secs(60));
    assert_eq!(DEFAULT_LEEWAY, Duration::from_secs(60));
}

#[test]
fn debug_output_hides_secrets() {
    let secret = b"a-very-secret-secret-of-32-bytes".to_vec();
    let issuer = build(vec![SigningKey::new("k1", secret.clone())]).expect("valid");
    let shown = format!("{issuer:?} {:?}", SigningKey::new("k1", secret));
    assert!(shown.contains("k1"));
    assert!(!shown.contains("a-very-secret"), "{shown}");
}

#[test]
fn a_token_for_another_issuer_is_refused() {
    let other = HmacIssuer::new(JwtConfig::new("https://evil.test", AUD, vec![key("k1", 1)]));
    let token = other.expect("valid").sign(&claims(TokenKind::Access)).expect("signs");
    assert_eq!(reason(issuer().verify(&token, TokenKind::Access, NOW)), "wrong issuer");
}

#[test]
fn a_token_for_another_audience_is_refused() {
    let other = HmacIssuer::new(JwtConfig::new(ISS, "other-api", vec![key("k1", 1)]));
    let token = other.expect("valid").sign(&claims(TokenKind::Access)).expect("signs");
    assert_eq!(reason(issuer().verify(&token, TokenKind::Access, NOW)), "wrong audience");
}

#[test]
fn a_token_signed_by_another_key_is_refused() {
    let token = issuer_with(vec![key("k1", 9)]).sign(&claims(TokenKind::Access)).expect("signs");
    assert_eq!(reason(issuer().verify(&token, TokenKind::Access, NOW)), "bad signature");
}

#[test]
fn old_tokens_survive_a_rotation_until_their_key_is_removed() {
    let before = issuer_with(vec![key("old", 1)]);
    let during = issuer_with(vec![key("new", 2), key("old", 1)]);
    let after = issuer_with(vec![key("new", 2)]);
    let old_token = before.sign(&claims(TokenKind::Refresh)).expect("signs");
    let new_token = during.sign(&claims(TokenKind::Refresh)).expect("signs");
    assert_ne!(old_token, new_token);

    let expected = Ok(claims(TokenKind::Refresh));
    assert_eq!(during.verify(&old_token, TokenKind::Refresh, NOW), expected);
    assert_eq!(during.verify(&new_token, TokenKind::Refresh, NOW), expected);
    assert_eq!(after.verify(&new_token, TokenKind::Refresh, NOW), expected);
    assert_eq!(reason(after.verify(&old_token, TokenKind::Refresh, NOW)), "unknown kid");
}

#[test]
fn a_token_without_kid_is_refused_even_with_the_right_key() {
    let token =
        forge(jsonwebtoken::Algorithm::HS256, None, &payload(TokenKind::Access), &secret(1));
    assert_eq!(reason(issuer().verify(&token, TokenKind::Access, NOW)), "missing kid");
    // The same forge with the kid verifies, so only the kid made the difference.
    let with_kid =
        forge(jsonwebtoken::Algorithm::HS256, Some("k1"), &payload(TokenKind::Access), &secret(1));
    assert_eq!(issuer().verify(&with_kid, TokenKind::Access, NOW), Ok(claims(TokenKind::Access)));
}
