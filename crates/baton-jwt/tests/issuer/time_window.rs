//! `exp` and `nbf` against the caller's clock, with the leeway.

use crate::common::*;
use baton_core::{Claims, TokenError, TokenIssuer, TokenKind};
use baton_jwt::{HmacIssuer, JwtConfig};
use std::time::Duration as StdDuration;
use time::Duration;

fn with_leeway(leeway: StdDuration) -> HmacIssuer {
    let mut config = JwtConfig::new(ISS, AUD, vec![key("k1", 1)]);
    config.leeway = leeway;
    HmacIssuer::new(config).expect("valid config")
}

#[test]
fn an_expired_token_is_accepted_within_the_leeway_and_refused_past_it() {
    let issuer = issuer();
    let claims = claims(TokenKind::Access);
    let exp = claims.expires_at;
    let token = issuer.sign(&claims).expect("signs");
    let at = |now| issuer.verify(&token, TokenKind::Access, now);

    assert_eq!(at(exp - Duration::seconds(1)), Ok(claims.clone()));
    assert_eq!(at(exp), Ok(claims.clone()));
    assert_eq!(at(exp + Duration::seconds(59)), Ok(claims.clone()));
    assert_eq!(at(exp + Duration::seconds(60)), Err(TokenError::Expired));
    assert_eq!(at(exp + Duration::seconds(61)), Err(TokenError::Expired));
    assert_eq!(at(exp + Duration::days(365)), Err(TokenError::Expired));
}

#[test]
fn without_leeway_a_token_expires_at_exp() {
    let issuer = with_leeway(StdDuration::ZERO);
    let claims = claims(TokenKind::Refresh);
    let token = issuer.sign(&claims).expect("signs");
    let at = |now| issuer.verify(&token, TokenKind::Refresh, now);
    assert_eq!(at(claims.expires_at - Duration::seconds(1)), Ok(claims.clone()));
    assert_eq!(at(claims.expires_at), Err(TokenError::Expired));
}

#[test]
fn a_token_not_yet_valid_is_accepted_within_the_leeway_only() {
    let issuer = issuer();
    let nbf = NOW + Duration::minutes(5);
    let claims = Claims { not_before: nbf, ..claims(TokenKind::Access) };
    let token = issuer.sign(&claims).expect("signs");
    let at = |now| issuer.verify(&token, TokenKind::Access, now);

    assert_eq!(reason(at(NOW)), "token not yet valid");
    assert_eq!(reason(at(nbf - Duration::seconds(61))), "token not yet valid");
    assert_eq!(at(nbf - Duration::seconds(60)), Ok(claims.clone()));
    assert_eq!(at(nbf), Ok(claims.clone()));
}

#[test]
fn an_expired_token_of_the_wrong_type_is_invalid_not_expired() {
    let issuer = issuer();
    let token = issuer.sign(&claims(TokenKind::Access)).expect("signs");
    let late = NOW + Duration::days(1);
    assert_eq!(reason(issuer.verify(&token, TokenKind::Refresh, late)), "wrong token type");
}

#[test]
fn extreme_instants_and_leeways_do_not_panic() {
    let mut far = payload(TokenKind::Access);
    far["exp"] = i64::MAX.into();
    let token = forge(jsonwebtoken::Algorithm::HS256, Some("k1"), &far, &secret(1));
    assert_eq!(reason(issuer().verify(&token, TokenKind::Access, NOW)), "exp out of range");

    let mut edge = payload(TokenKind::Access);
    edge["exp"] = 253_402_300_799i64.into(); // 9999-12-31T23:59:59Z, the last valid second
    edge["nbf"] = (-377_705_116_800i64).into(); // -9999-01-01, the first
    let token = forge(jsonwebtoken::Algorithm::HS256, Some("k1"), &edge, &secret(1));
    let huge = with_leeway(StdDuration::MAX);
    assert!(huge.verify(&token, TokenKind::Access, NOW).is_ok());
    assert!(issuer().verify(&token, TokenKind::Access, NOW).is_ok());
}
