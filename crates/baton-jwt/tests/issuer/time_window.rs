//! `exp`, `nbf` and `iat` against the caller's clock, with the leeway.

use crate::common::*;
use baton_core::{Claims, TokenError, TokenIssuer, TokenKind};
use baton_jwt::{JwtConfig, JwtIssuer};
use std::time::Duration as StdDuration;
use time::Duration;

per_alg!(
    an_expired_token_is_accepted_within_the_leeway_and_refused_past_it,
    without_leeway_a_token_expires_at_exp,
    a_token_not_yet_valid_is_accepted_within_the_leeway_only,
    a_token_issued_in_the_future_is_accepted_within_the_leeway_only,
    an_expired_token_of_the_wrong_type_is_invalid_not_expired,
    extreme_instants_and_leeways_do_not_panic,
    a_session_end_in_the_past_does_not_expire_a_token,
);

fn with_leeway(alg: Alg, leeway: StdDuration) -> JwtIssuer {
    let mut config = JwtConfig::new(ISS, AUD, vec![key(alg, "k1", 1)]);
    config.leeway = leeway;
    JwtIssuer::new(config).expect("valid config")
}

fn an_expired_token_is_accepted_within_the_leeway_and_refused_past_it(alg: Alg) {
    let issuer = issuer(alg);
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

fn without_leeway_a_token_expires_at_exp(alg: Alg) {
    let issuer = with_leeway(alg, StdDuration::ZERO);
    let claims = claims(TokenKind::Refresh);
    let token = issuer.sign(&claims).expect("signs");
    let at = |now| issuer.verify(&token, TokenKind::Refresh, now);
    assert_eq!(at(claims.expires_at - Duration::seconds(1)), Ok(claims.clone()));
    assert_eq!(at(claims.expires_at), Err(TokenError::Expired));
}

fn a_token_not_yet_valid_is_accepted_within_the_leeway_only(alg: Alg) {
    let issuer = issuer(alg);
    let nbf = NOW + Duration::minutes(5);
    let claims = Claims { not_before: nbf, ..claims(TokenKind::Access) };
    let token = issuer.sign(&claims).expect("signs");
    let at = |now| issuer.verify(&token, TokenKind::Access, now);

    assert_eq!(reason(at(NOW)), "token not yet valid");
    assert_eq!(reason(at(nbf - Duration::seconds(61))), "token not yet valid");
    assert_eq!(at(nbf - Duration::seconds(60)), Ok(claims.clone()));
    assert_eq!(at(nbf), Ok(claims.clone()));
}

/// An `iat` an hour ahead, with `nbf` now: it claims a time no clock skew explains, so it is
/// refused until the leeway covers it, whatever `nbf` says.
fn a_token_issued_in_the_future_is_accepted_within_the_leeway_only(alg: Alg) {
    let issuer = issuer(alg);
    let iat = NOW + Duration::hours(1);
    for kind in [TokenKind::Access, TokenKind::Refresh] {
        let claims =
            Claims { issued_at: iat, expires_at: iat + Duration::hours(1), ..claims(kind) };
        let token = issuer.sign(&claims).expect("signs");
        let at = |now| issuer.verify(&token, kind, now);
        assert_eq!(reason(at(NOW)), "token issued in the future");
        assert_eq!(reason(at(iat - Duration::seconds(61))), "token issued in the future");
        assert_eq!(at(iat - Duration::seconds(60)), Ok(claims.clone()));
        assert_eq!(at(iat), Ok(claims.clone()));
    }
}

fn an_expired_token_of_the_wrong_type_is_invalid_not_expired(alg: Alg) {
    let issuer = issuer(alg);
    let token = issuer.sign(&claims(TokenKind::Access)).expect("signs");
    let late = NOW + Duration::days(1);
    assert_eq!(reason(issuer.verify(&token, TokenKind::Refresh, late)), "wrong token type");
}

fn extreme_instants_and_leeways_do_not_panic(alg: Alg) {
    let mut far = payload(TokenKind::Access);
    far["exp"] = i64::MAX.into();
    let token = forge(alg, Some("k1"), &far, 1);
    assert_eq!(reason(issuer(alg).verify(&token, TokenKind::Access, NOW)), "exp out of range");

    let mut edge = payload(TokenKind::Refresh);
    edge["exp"] = 253_402_300_799i64.into(); // 9999-12-31T23:59:59Z, the last valid second
    edge["session_exp"] = 253_402_300_799i64.into();
    edge["nbf"] = (-377_705_116_800i64).into(); // -9999-01-01, the first
    edge["iat"] = (-377_705_116_800i64).into();
    let token = forge(alg, Some("k1"), &edge, 1);
    let huge = with_leeway(alg, StdDuration::MAX);
    assert!(huge.verify(&token, TokenKind::Refresh, NOW).is_ok());
    assert!(issuer(alg).verify(&token, TokenKind::Refresh, NOW).is_ok());
}

/// The session's end is the core's business (it checks it against the session row); the
/// issuer only carries it, so an end already past does not make the token invalid here.
fn a_session_end_in_the_past_does_not_expire_a_token(alg: Alg) {
    let issuer = issuer(alg);
    let claims =
        Claims { session_expires_at: Some(NOW - Duration::days(1)), ..claims(TokenKind::Refresh) };
    let token = issuer.sign(&claims).expect("signs");
    assert_eq!(issuer.verify(&token, TokenKind::Refresh, NOW), Ok(claims));
}
