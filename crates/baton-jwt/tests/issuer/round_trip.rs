//! Tokens Baton signs verify back to the same claims, byte for byte deterministically.

use crate::common::*;
use baton_core::{TokenIssuer, TokenKind};
use serde_json::json;

#[test]
fn access_and_refresh_tokens_round_trip() {
    let issuer = issuer();
    for kind in [TokenKind::Access, TokenKind::Refresh] {
        let token = issuer.sign(&claims(kind)).expect("signs");
        assert_eq!(issuer.verify(&token, kind, NOW), Ok(claims(kind)), "{kind:?}");
    }
}

#[test]
fn signing_is_deterministic_across_calls_and_instances() {
    let claims = claims(TokenKind::Refresh);
    let first = issuer().sign(&claims).expect("signs");
    assert_eq!(issuer().sign(&claims).expect("signs"), first);
    let again = issuer();
    assert_eq!(again.sign(&claims).expect("signs"), again.sign(&claims.clone()).expect("signs"));
    assert_eq!(again.sign(&claims).expect("signs"), first);
}

#[test]
fn different_claims_give_different_tokens() {
    let issuer = issuer();
    let a = claims(TokenKind::Refresh);
    let b = baton_core::Claims { jti: format!("{}.4", a.session_id), ..a.clone() };
    assert_ne!(issuer.sign(&a).expect("signs"), issuer.sign(&b).expect("signs"));
}

#[test]
fn header_and_claims_are_exactly_the_spec_ones() {
    let token = issuer().sign(&claims(TokenKind::Access)).expect("signs");
    assert_eq!(segment(&token, 0), json!({"alg": "HS256", "typ": "JWT", "kid": "k1"}));
    assert_eq!(segment(&token, 1), payload(TokenKind::Access));
    let refresh = issuer().sign(&claims(TokenKind::Refresh)).expect("signs");
    assert_eq!(segment(&refresh, 1), payload(TokenKind::Refresh));
}

#[test]
fn an_access_token_is_not_a_refresh_token_nor_the_reverse() {
    let issuer = issuer();
    let access = issuer.sign(&claims(TokenKind::Access)).expect("signs");
    let refresh = issuer.sign(&claims(TokenKind::Refresh)).expect("signs");
    assert_eq!(reason(issuer.verify(&access, TokenKind::Refresh, NOW)), "wrong token type");
    assert_eq!(reason(issuer.verify(&refresh, TokenKind::Access, NOW)), "wrong token type");
}

#[test]
fn the_first_key_signs_and_is_reported() {
    let issuer = issuer_with(vec![key("new", 2), key("old", 1)]);
    assert_eq!(issuer.signing_kid(), "new");
    let token = issuer.sign(&claims(TokenKind::Access)).expect("signs");
    assert_eq!(segment(&token, 0)["kid"], "new");
}
