//! Tokens Baton signs verify back to the same claims, byte for byte deterministically.

use crate::common::*;
use baton_core::{TokenIssuer, TokenKind};
use serde_json::json;

per_alg!(
    access_and_refresh_tokens_round_trip,
    signing_is_deterministic_across_calls_and_instances,
    different_claims_give_different_tokens,
    header_and_claims_are_exactly_the_spec_ones,
    an_access_token_is_not_a_refresh_token_nor_the_reverse,
    the_first_key_signs_and_is_reported,
    sign_with_each_key_gives_every_signer_in_order,
);

fn access_and_refresh_tokens_round_trip(alg: Alg) {
    let issuer = issuer(alg);
    for kind in [TokenKind::Access, TokenKind::Refresh] {
        let token = issuer.sign(&claims(kind)).expect("signs");
        assert_eq!(issuer.verify(&token, kind, NOW), Ok(claims(kind)), "{kind:?}");
    }
}

fn signing_is_deterministic_across_calls_and_instances(alg: Alg) {
    let claims = claims(TokenKind::Refresh);
    let first = issuer(alg).sign(&claims).expect("signs");
    assert_eq!(issuer(alg).sign(&claims).expect("signs"), first);
    let again = issuer(alg);
    assert_eq!(again.sign(&claims).expect("signs"), again.sign(&claims.clone()).expect("signs"));
    assert_eq!(again.sign(&claims).expect("signs"), first);
}

fn different_claims_give_different_tokens(alg: Alg) {
    let issuer = issuer(alg);
    let a = claims(TokenKind::Refresh);
    let b = baton_core::Claims { jti: format!("{}.4", a.session_id), ..a.clone() };
    let c = baton_core::Claims { session_expires_at: None, ..a.clone() };
    let tokens = [&a, &b, &c].map(|c| issuer.sign(c).expect("signs"));
    assert_ne!(tokens[0], tokens[1]);
    assert_ne!(tokens[0], tokens[2]);
}

fn header_and_claims_are_exactly_the_spec_ones(alg: Alg) {
    let token = issuer(alg).sign(&claims(TokenKind::Access)).expect("signs");
    assert_eq!(segment(&token, 0), json!({"alg": alg.name(), "typ": "at+jwt", "kid": "k1"}));
    assert_eq!(segment(&token, 1), payload(TokenKind::Access));
    assert_eq!(segment(&token, 1)["aud"], AUD);
    assert_eq!(segment(&token, 1)["client_id"], CLIENT);
    assert!(segment(&token, 1).get("session_exp").is_none(), "access tokens carry no session end");
    let refresh = issuer(alg).sign(&claims(TokenKind::Refresh)).expect("signs");
    assert_eq!(segment(&refresh, 0), json!({"alg": alg.name(), "typ": "rt+jwt", "kid": "k1"}));
    assert_eq!(segment(&refresh, 1), payload(TokenKind::Refresh));
    assert_eq!(segment(&refresh, 1)["aud"], ISS, "a refresh token is addressed to Baton");
    assert_eq!(
        segment(&refresh, 1)["session_exp"],
        (NOW + time::Duration::days(30)).unix_timestamp()
    );
}

fn an_access_token_is_not_a_refresh_token_nor_the_reverse(alg: Alg) {
    let issuer = issuer(alg);
    let access = issuer.sign(&claims(TokenKind::Access)).expect("signs");
    let refresh = issuer.sign(&claims(TokenKind::Refresh)).expect("signs");
    assert_eq!(reason(issuer.verify(&access, TokenKind::Refresh, NOW)), "wrong token type");
    assert_eq!(reason(issuer.verify(&refresh, TokenKind::Access, NOW)), "wrong token type");
}

fn the_first_key_signs_and_is_reported(alg: Alg) {
    let issuer = issuer_with(vec![key(alg, "new", 2), key(alg, "old", 1)]);
    assert_eq!(issuer.signing_kid(), "new");
    assert_eq!(issuer.kids().collect::<Vec<_>>(), ["new", "old"]);
    let token = issuer.sign(&claims(TokenKind::Access)).expect("signs");
    assert_eq!(segment(&token, 0)["kid"], "new");
}

fn sign_with_each_key_gives_every_signer_in_order(alg: Alg) {
    let c = claims(TokenKind::Refresh);
    // A published (public-only) key cannot sign, so it mints nothing.
    let issuer = issuer_with(vec![
        key(alg, "a", 1),
        public_key("pub", 9),
        key(Alg::Hs256, "b", 2),
        key(Alg::EdDsa, "c", 3),
        ec_public_key("pub-ec", 9),
        key(Alg::Es256, "d", 4),
    ]);
    let each = issuer.sign_with_each_key(&c).expect("signs");
    // The current profile first, then the earlier one (for a rolling upgrade), key by key.
    let kids: Vec<_> = each.iter().map(|t| segment(t, 0)["kid"].clone()).collect();
    assert_eq!(kids, ["a", "b", "c", "d", "a", "b", "c", "d"]);
    let typs: Vec<_> = each.iter().map(|t| segment(t, 0)["typ"].clone()).collect();
    assert_eq!(typs, ["rt+jwt", "rt+jwt", "rt+jwt", "rt+jwt", "JWT", "JWT", "JWT", "JWT"]);
    assert_eq!(each[0], issuer.sign(&c).expect("signs"));
    for token in &each[..4] {
        assert_eq!(issuer.verify(token, TokenKind::Refresh, NOW), Ok(c.clone()));
    }
    for token in &each[4..] {
        assert_eq!(
            issuer.verify(token, TokenKind::Refresh, NOW),
            Ok(legacy_claims(TokenKind::Refresh))
        );
    }
    // Access tokens are never re-minted, so no earlier form of them is offered.
    let access = issuer.sign_with_each_key(&claims(TokenKind::Access)).expect("signs");
    assert_eq!(access.len(), 4);
}
