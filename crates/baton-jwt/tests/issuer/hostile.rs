//! Tokens an attacker could send: other algorithms, tampering, junk, oversize, odd claims.

use crate::common::*;
use baton_core::{TokenIssuer, TokenKind};
use jsonwebtoken::Algorithm;
use proptest::prelude::*;
use serde_json::json;

per_alg!(
    alg_none_is_refused,
    other_hmac_algorithms_with_the_same_secret_are_refused,
    algorithms_other_than_the_keys_own_are_refused,
    the_hand_signer_matches_the_issuer,
    unexpected_header_parameters_are_refused,
    headers_that_carry_or_point_at_a_key_are_refused,
    a_tampered_payload_or_header_breaks_the_signature,
    every_truncation_is_refused,
    garbage_is_refused,
    oversized_tokens_are_refused_before_parsing,
    every_claim_is_required,
    claims_baton_never_writes_are_refused,
    reasons_never_quote_the_token,
);

fn access_token(alg: Alg) -> String {
    issuer(alg).sign(&claims(TokenKind::Access)).expect("signs")
}

fn verify(alg: Alg, token: &str) -> String {
    reason(issuer(alg).verify(token, TokenKind::Access, NOW))
}

fn alg_none_is_refused(alg: Alg) {
    let header = b64(br#"{"alg":"none","typ":"at+jwt","kid":"k1"}"#);
    let body = b64(payload(TokenKind::Access).to_string().as_bytes());
    assert_eq!(verify(alg, &format!("{header}.{body}.")), "malformed token");
    assert_eq!(verify(alg, &format!("{header}.{body}.c2ln")), "algorithm not allowed");
    for name in ["None", "NONE", "hs256", "eddsa", "Ed25519", ""] {
        let header = json!({"alg": name, "typ": "at+jwt", "kid": "k1"});
        let token = sign_raw(alg, &header, &payload(TokenKind::Access));
        assert_eq!(verify(alg, &token), "algorithm not allowed", "{name:?}");
    }
}

fn other_hmac_algorithms_with_the_same_secret_are_refused(alg: Alg) {
    for other in [Algorithm::HS384, Algorithm::HS512] {
        let mut header = jsonwebtoken::Header::new(other);
        header.kid = Some("k1".into());
        let key = jsonwebtoken::EncodingKey::from_secret(&secret(1));
        let token =
            jsonwebtoken::encode(&header, &payload(TokenKind::Access), &key).expect("encodes");
        assert_eq!(verify(alg, &token), "algorithm not allowed", "{other:?}");
    }
}

/// Every `alg` but the key's own is refused, signed correctly by the key or not: the other
/// algorithm Baton knows is refused for not being this key's, the rest for being unknown.
fn algorithms_other_than_the_keys_own_are_refused(alg: Alg) {
    for name in ["RS256", "ES256", "PS256", "ES384", "ES512", "HS256", "EdDSA", "Ed25519"] {
        if name == alg.name() {
            continue;
        }
        let header = json!({"alg": name, "typ": "at+jwt", "kid": "k1"});
        let token = sign_raw(alg, &header, &payload(TokenKind::Access));
        let expected = if ["HS256", "EdDSA", "ES256"].contains(&name) {
            "algorithm does not match the key"
        } else {
            "algorithm not allowed"
        };
        assert_eq!(verify(alg, &token), expected, "{name}");
    }
}

fn the_hand_signer_matches_the_issuer(alg: Alg) {
    // Guards the other tests: with the issuer's exact header, `sign_raw` gives a valid token.
    let header = json!({"typ": "at+jwt", "alg": alg.name(), "kid": "k1"});
    let token = sign_raw(alg, &header, &payload(TokenKind::Access));
    assert_eq!(issuer(alg).verify(&token, TokenKind::Access, NOW), Ok(claims(TokenKind::Access)));
}

fn unexpected_header_parameters_are_refused(alg: Alg) {
    let raw = |header| sign_raw(alg, &header, &payload(TokenKind::Access));
    for typ in ["JOSE", "JWS", "dpop+jwt", "at+jwt; q=1", "", "id_token+jwt"] {
        let header = json!({"alg": alg.name(), "typ": typ, "kid": "k1"});
        assert_eq!(verify(alg, &raw(header)), "unexpected typ header", "{typ:?}");
    }
    let no_typ = json!({"alg": alg.name(), "kid": "k1"});
    assert_eq!(verify(alg, &raw(no_typ)), "missing typ header");
    let crit = json!({"alg": alg.name(), "typ": "at+jwt", "kid": "k1", "crit": ["exp"]});
    assert_eq!(verify(alg, &raw(crit)), "crit header not supported");
    let numeric_kid = json!({"alg": alg.name(), "typ": "at+jwt", "kid": 1});
    assert_eq!(verify(alg, &raw(numeric_kid)), "malformed header");
    for (param, value) in [("cty", json!("JWT")), ("x5t", json!("AAAA")), ("b64", json!(false))] {
        let mut header = json!({"alg": alg.name(), "typ": "at+jwt", "kid": "k1"});
        header[param] = value;
        assert_eq!(verify(alg, &raw(header)), "unexpected header parameter", "{param}");
    }
}

/// `jku`, `jwk`, `x5u` and `x5c` let a token say which key verifies it; a verifier that
/// listened would accept tokens signed by any key the attacker names. Baton never writes them
/// and refuses them even on a token its own key signed, pointing at its own key.
fn headers_that_carry_or_point_at_a_key_are_refused(alg: Alg) {
    let issuer = issuer_with(vec![key(alg, "k1", 1), key(Alg::EdDsa, "ed", 1)]);
    let own_jwk = serde_json::to_value(&issuer.jwks().keys()[0]).expect("a JWK");
    for (param, value) in [
        ("jku", json!("https://baton.test/.well-known/jwks.json")),
        ("jku", json!("https://attacker.example/jwks.json")),
        ("jwk", own_jwk),
        ("x5u", json!("https://attacker.example/cert.pem")),
        ("x5c", json!(["MIIBszCCAVmgAwIBAgIU"])),
        ("jwk", json!(null)),
    ] {
        let mut header = json!({"alg": alg.name(), "typ": "at+jwt", "kid": "k1"});
        header[param] = value.clone();
        let token = sign_raw(alg, &header, &payload(TokenKind::Access));
        let refused = reason(issuer.verify(&token, TokenKind::Access, NOW));
        assert_eq!(
            refused, "header carries or points at a key (jku, jwk, x5u, x5c)",
            "{param}: {value}"
        );
    }
}

fn a_tampered_payload_or_header_breaks_the_signature(alg: Alg) {
    let token = access_token(alg);
    let parts: Vec<&str> = token.split('.').collect();
    let mut flipped = payload(TokenKind::Access);
    flipped["token_type"] = "refresh".into();
    let forged = format!("{}.{}.{}", parts[0], b64(flipped.to_string().as_bytes()), parts[2]);
    assert_eq!(reason(issuer(alg).verify(&forged, TokenKind::Refresh, NOW)), "bad signature");

    let mut other_user = payload(TokenKind::Access);
    other_user["sub"] = uuid::Uuid::from_u128(0x9999).to_string().into();
    let forged = format!("{}.{}.{}", parts[0], b64(other_user.to_string().as_bytes()), parts[2]);
    assert_eq!(verify(alg, &forged), "bad signature");

    // Same key under two kids, different header bytes: the header is signed too.
    let issuer = issuer_with(vec![key(alg, "k1", 1), key(alg, "k2", 1)]);
    let header =
        b64(json!({"typ": "at+jwt", "alg": alg.name(), "kid": "k2"}).to_string().as_bytes());
    let forged = format!("{header}.{}.{}", parts[1], parts[2]);
    assert_eq!(reason(issuer.verify(&forged, TokenKind::Access, NOW)), "bad signature");
}

fn every_truncation_is_refused(alg: Alg) {
    let token = access_token(alg);
    let issuer = issuer(alg);
    for len in 0..token.len() {
        assert!(issuer.verify(&token[..len], TokenKind::Access, NOW).is_err(), "prefix {len}");
        assert!(issuer.verify(&token[len + 1..], TokenKind::Access, NOW).is_err(), "skip {len}");
    }
}

fn garbage_is_refused(alg: Alg) {
    let token = access_token(alg);
    let junk = [
        "",
        ".",
        "..",
        "a.b.c",
        "a.b",
        "a.b.c.d",
        "!!!.@@@.###",
        "eyJ.eyJ.eyJ",
        "é.é.é",
        "\0\0\0",
        "Bearer x.y.z",
        &format!(" {token}"),
        &format!("{token}\n"),
        &format!("{token}.{}", token.split('.').nth(2).expect("3 parts")),
        &token.replacen('.', "=.", 1),
        &token.replace('-', "+").replace('_', "/"),
    ];
    for s in junk {
        if s == token {
            continue; // the `+`/`/` swap is a no-op when the token has neither `-` nor `_`
        }
        assert!(issuer(alg).verify(s, TokenKind::Access, NOW).is_err(), "{s:?}");
    }
    let bytes: Vec<u8> = (0..=255u8).cycle().take(600).map(|b| b.wrapping_mul(37)).collect();
    let lossy = String::from_utf8_lossy(&bytes);
    assert_eq!(verify(alg, &lossy), "malformed token");
    assert_eq!(verify(alg, "a.b.c"), "malformed header");
}

fn oversized_tokens_are_refused_before_parsing(alg: Alg) {
    // A correctly signed token whose only fault is its size (about 9000 bytes).
    let mut padded = payload(TokenKind::Access);
    padded["pad"] = "".into();
    let base = forge(alg, Some("k1"), &padded, 1).len();
    padded["pad"] = "x".repeat((9000 - base) * 3 / 4).into();
    let token = forge(alg, Some("k1"), &padded, 1);
    assert!((8990..=9000).contains(&token.len()), "{}", token.len());
    assert_eq!(verify(alg, &token), "token longer than 8192 bytes");
    assert_eq!(verify(alg, &"a".repeat(9000)), "token longer than 8192 bytes");
    // A token of exactly 8192 bytes is not refused for its size.
    let at_limit = format!("{}.{}", "a".repeat(4000), "b".repeat(4191));
    assert_eq!(at_limit.len(), 8192);
    assert_ne!(verify(alg, &at_limit), "token longer than 8192 bytes");
}

fn every_claim_is_required(alg: Alg) {
    for claim in ["iss", "aud", "sub", "client_id", "sid", "jti", "iat", "nbf", "exp", "token_type"]
    {
        let mut partial = payload(TokenKind::Access);
        partial.as_object_mut().expect("object").remove(claim);
        let token = forge(alg, Some("k1"), &partial, 1);
        assert_eq!(verify(alg, &token), format!("missing claim {claim}"));
    }
}

fn claims_baton_never_writes_are_refused(alg: Alg) {
    let cases = [
        ("token_type", json!("id"), "typ header does not match token_type"),
        ("token_type", json!("Access"), "typ header does not match token_type"),
        ("sub", json!("not-a-uuid"), "sub is not a UUID"),
        ("sid", json!("{00000000-0000-0000-0000-000000002222}"), "sid is not a UUID"),
        ("aud", json!([AUD]), "malformed JSON"),
        ("exp", json!("1748779200"), "malformed JSON"),
        ("exp", json!(1.5e9), "malformed JSON"),
        ("sid", json!(null), "malformed JSON"),
        ("admin", json!(true), "malformed JSON"),
        ("session_exp", json!(1_900_000_000), "session_exp in an access token"),
        ("session_exp", json!(null), "malformed JSON"),
        ("client_id", json!(null), "malformed JSON"),
        ("client_id", json!(7), "malformed JSON"),
        ("client_id", json!(""), "client_id is not a client id"),
        ("client_id", json!("a\"b"), "client_id is not a client id"),
    ];
    for (claim, value, expected) in cases {
        let mut odd = payload(TokenKind::Access);
        odd[claim] = value;
        let token = forge(alg, Some("k1"), &odd, 1);
        assert_eq!(verify(alg, &token), expected, "{claim}");
    }
}

fn reasons_never_quote_the_token(alg: Alg) {
    let mut odd = payload(TokenKind::Access);
    odd["exp"] = json!("secret-looking-value");
    let token = forge(alg, Some("k1"), &odd, 1);
    let reason = verify(alg, &token);
    assert!(!reason.contains("secret-looking-value") && !reason.contains(&token), "{reason}");
}

/// Three base64url segments, the shape `verify` lets through to the decoder.
const JWT_SHAPED: &str = r"[A-Za-z0-9_-]{0,60}\.[A-Za-z0-9_-]{0,60}\.[A-Za-z0-9_-]{0,60}";

fn any_alg() -> impl Strategy<Value = Alg> {
    prop_oneof![Just(Alg::Hs256), Just(Alg::EdDsa), Just(Alg::Es256)]
}

proptest! {
    #[test]
    fn arbitrary_strings_never_panic_nor_verify(alg in any_alg(), s in any::<String>()) {
        prop_assert!(issuer(alg).verify(&s, TokenKind::Access, NOW).is_err());
    }

    #[test]
    fn jwt_shaped_junk_never_verifies(alg in any_alg(), s in JWT_SHAPED) {
        prop_assert!(issuer(alg).verify(&s, TokenKind::Access, NOW).is_err());
    }

    #[test]
    fn any_single_character_change_is_refused(
        alg in any_alg(),
        index in 0usize..1000,
        c in "[A-Za-z0-9_.-]",
    ) {
        let token = access_token(alg);
        let index = index % token.len();
        let mut mutated = token.clone();
        mutated.replace_range(index..=index, &c);
        prop_assume!(mutated != token);
        prop_assert!(issuer(alg).verify(&mutated, TokenKind::Access, NOW).is_err());
    }
}
