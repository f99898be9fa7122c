//! The `session_exp` claim: in refresh tokens only, optional for tokens of the previous release.

use crate::common::*;
use baton_core::{Claims, TokenIssuer, TokenKind};
use serde_json::json;

per_alg!(
    a_refresh_token_without_session_exp_verifies_as_none,
    claims_without_a_session_end_sign_without_the_claim,
    an_access_token_carrying_session_exp_is_invalid,
    an_out_of_range_or_odd_session_exp_is_invalid,
    an_access_token_with_a_session_end_is_not_signed,
);

/// Refresh tokens minted by the release before `session_exp` existed keep working until they
/// expire; the core then takes the path that reads the session end from the store.
fn a_refresh_token_without_session_exp_verifies_as_none(alg: Alg) {
    let mut previous_release = payload(TokenKind::Refresh);
    previous_release.as_object_mut().expect("object").remove("session_exp");
    let token = forge(alg, Some("k1"), &previous_release, 1);
    let expected = Claims { session_expires_at: None, ..claims(TokenKind::Refresh) };
    assert_eq!(issuer(alg).verify(&token, TokenKind::Refresh, NOW), Ok(expected));
}

fn claims_without_a_session_end_sign_without_the_claim(alg: Alg) {
    let old = Claims { session_expires_at: None, ..claims(TokenKind::Refresh) };
    let token = issuer(alg).sign(&old).expect("signs");
    assert!(segment(&token, 1).get("session_exp").is_none(), "{}", segment(&token, 1));
    assert_eq!(issuer(alg).verify(&token, TokenKind::Refresh, NOW), Ok(old));
}

fn an_access_token_carrying_session_exp_is_invalid(alg: Alg) {
    let mut access = payload(TokenKind::Access);
    access["session_exp"] = payload(TokenKind::Refresh)["session_exp"].clone();
    let token = forge(alg, Some("k1"), &access, 1);
    let refused = reason(issuer(alg).verify(&token, TokenKind::Access, NOW));
    assert_eq!(refused, "session_exp in an access token");
}

fn an_out_of_range_or_odd_session_exp_is_invalid(alg: Alg) {
    for (value, expected) in [
        (json!(i64::MAX), "session_exp out of range"),
        (json!(i64::MIN), "session_exp out of range"),
        (json!(253_402_300_800i64), "session_exp out of range"), // year 10000
        (json!(u64::MAX), "malformed JSON"),
        (json!(1.9e9), "malformed JSON"),
        (json!("1900000000"), "malformed JSON"),
        (json!(null), "malformed JSON"),
        (json!([1_900_000_000]), "malformed JSON"),
    ] {
        let mut refresh = payload(TokenKind::Refresh);
        refresh["session_exp"] = value.clone();
        let token = forge(alg, Some("k1"), &refresh, 1);
        let refused = reason(issuer(alg).verify(&token, TokenKind::Refresh, NOW));
        assert_eq!(refused, expected, "{value}");
    }
    // A claim given twice is ambiguous: refused, whichever value would have won.
    let body = payload(TokenKind::Refresh).to_string();
    let twice = body.replacen("\"session_exp\":", "\"session_exp\":1,\"session_exp\":", 1);
    assert_ne!(body, twice);
    let header = header(alg, TokenKind::Refresh);
    let message = format!("{}.{}", b64(header.to_string().as_bytes()), b64(twice.as_bytes()));
    let sig = jsonwebtoken::crypto::sign(message.as_bytes(), &encoding_key(alg, 1), alg.jwt())
        .expect("signs");
    let token = format!("{message}.{sig}");
    assert_eq!(reason(issuer(alg).verify(&token, TokenKind::Refresh, NOW)), "malformed JSON");
}

/// What `sign` writes must verify; an access token with a session end would not, so it is a
/// server fault, reported with its cause.
fn an_access_token_with_a_session_end_is_not_signed(alg: Alg) {
    let odd = Claims { session_expires_at: Some(NOW), ..claims(TokenKind::Access) };
    let err = issuer(alg).sign(&odd).expect_err("refused");
    let cause = std::error::Error::source(&err).expect("the cause is kept").to_string();
    assert!(cause.contains("session_exp"), "{cause}");
    assert!(issuer(alg).sign_with_each_key(&odd).is_err());
}
