//! Tokens an attacker could send: other algorithms, tampering, junk, oversize, odd claims.

use crate::common::*;
use baton_core::{TokenIssuer, TokenKind};
use jsonwebtoken::Algorithm;
use proptest::prelude::*;
use serde_json::json;

fn access_token() -> String {
    issuer().sign(&claims(TokenKind::Access)).expect("signs")
}

fn verify(token: &str) -> String {
    reason(issuer().verify(token, TokenKind::Access, NOW))
}

/// HS256 over `header.payload` with the real secret: only the header or claims are wrong.
fn sign_raw(header: &serde_json::Value, payload: &serde_json::Value) -> String {
    let message =
        format!("{}.{}", b64(header.to_string().as_bytes()), b64(payload.to_string().as_bytes()));
    let sig = jsonwebtoken::crypto::sign(
        message.as_bytes(),
        &jsonwebtoken::EncodingKey::from_secret(&secret(1)),
        Algorithm::HS256,
    )
    .expect("signs");
    format!("{message}.{sig}")
}

#[test]
fn alg_none_is_refused() {
    let header = b64(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
    let body = b64(payload(TokenKind::Access).to_string().as_bytes());
    assert_eq!(verify(&format!("{header}.{body}.")), "malformed token");
    assert_eq!(verify(&format!("{header}.{body}.c2ln")), "algorithm not allowed");
    for alg in ["None", "NONE", "hs256", ""] {
        let header = json!({"alg": alg, "typ": "JWT", "kid": "k1"});
        let token = sign_raw(&header, &payload(TokenKind::Access));
        assert_eq!(verify(&token), "algorithm not allowed", "{alg:?}");
    }
}

#[test]
fn other_hmac_algorithms_with_the_same_secret_are_refused() {
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let token = forge(alg, Some("k1"), &payload(TokenKind::Access), &secret(1));
        assert_eq!(verify(&token), "algorithm not allowed", "{alg:?}");
    }
}

#[test]
fn asymmetric_algorithm_headers_are_refused() {
    for alg in ["RS256", "ES256", "PS256", "EdDSA"] {
        let header = json!({"alg": alg, "typ": "JWT", "kid": "k1"});
        let token = sign_raw(&header, &payload(TokenKind::Access));
        assert_eq!(verify(&token), "algorithm not allowed", "{alg}");
    }
}

#[test]
fn the_hand_signer_matches_the_issuer() {
    // Guards the other tests: with the issuer's exact header, `sign_raw` gives a valid token.
    let header = json!({"typ": "JWT", "alg": "HS256", "kid": "k1"});
    let token = sign_raw(&header, &payload(TokenKind::Access));
    assert_eq!(issuer().verify(&token, TokenKind::Access, NOW), Ok(claims(TokenKind::Access)));
}

#[test]
fn unexpected_header_parameters_are_refused() {
    let typ = json!({"alg": "HS256", "typ": "at+jwt", "kid": "k1"});
    assert_eq!(verify(&sign_raw(&typ, &payload(TokenKind::Access))), "unexpected typ header");
    let crit = json!({"alg": "HS256", "kid": "k1", "crit": ["exp"]});
    assert_eq!(verify(&sign_raw(&crit, &payload(TokenKind::Access))), "crit header not supported");
    let numeric_kid = json!({"alg": "HS256", "kid": 1});
    assert_eq!(verify(&sign_raw(&numeric_kid, &payload(TokenKind::Access))), "malformed header");
}

#[test]
fn a_tampered_payload_or_header_breaks_the_signature() {
    let token = access_token();
    let parts: Vec<&str> = token.split('.').collect();
    let mut flipped = payload(TokenKind::Access);
    flipped["token_type"] = "refresh".into();
    let forged = format!("{}.{}.{}", parts[0], b64(flipped.to_string().as_bytes()), parts[2]);
    assert_eq!(reason(issuer().verify(&forged, TokenKind::Refresh, NOW)), "bad signature");

    let mut other_user = payload(TokenKind::Access);
    other_user["sub"] = uuid::Uuid::from_u128(0x9999).to_string().into();
    let forged = format!("{}.{}.{}", parts[0], b64(other_user.to_string().as_bytes()), parts[2]);
    assert_eq!(verify(&forged), "bad signature");

    // Same kid set, different header bytes: the header is signed too.
    let issuer = issuer_with(vec![key("k1", 1), key("k2", 1)]);
    let header = b64(br#"{"typ":"JWT","alg":"HS256","kid":"k2"}"#);
    let forged = format!("{header}.{}.{}", parts[1], parts[2]);
    assert_eq!(reason(issuer.verify(&forged, TokenKind::Access, NOW)), "bad signature");
}

#[test]
fn every_truncation_is_refused() {
    let token = access_token();
    let issuer = issuer();
    for len in 0..token.len() {
        assert!(issuer.verify(&token[..len], TokenKind::Access, NOW).is_err(), "prefix {len}");
        assert!(issuer.verify(&token[len + 1..], TokenKind::Access, NOW).is_err(), "skip {len}");
    }
}

#[test]
fn garbage_is_refused() {
    let token = access_token();
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
        assert!(issuer().verify(s, TokenKind::Access, NOW).is_err(), "{s:?}");
    }
    let bytes: Vec<u8> = (0..=255u8).cycle().take(600).map(|b| b.wrapping_mul(37)).collect();
    let lossy = String::from_utf8_lossy(&bytes);
    assert_eq!(verify(&lossy), "malformed token");
    assert_eq!(verify("a.b.c"), "malformed header");
}

#[test]
fn oversized_tokens_are_refused_before_parsing() {
    // A correctly signed token whose only fault is its size (about 9000 bytes).
    let mut padded = payload(TokenKind::Access);
    padded["pad"] = "".into();
    let base = forge(Algorithm::HS256, Some("k1"), &padded, &secret(1)).len();
    padded["pad"] = "x".repeat((9000 - base) * 3 / 4).into();
    let token = forge(Algorithm::HS256, Some("k1"), &padded, &secret(1));
    assert!((8990..=9000).contains(&token.len()), "{}", token.len());
    assert_eq!(verify(&token), "token longer than 8192 bytes");
    assert_eq!(verify(&"a".repeat(9000)), "token longer than 8192 bytes");
    // A token of exactly 8192 bytes is not refused for its size.
    let at_limit = format!("{}.{}", "a".repeat(4000), "b".repeat(4191));
    assert_eq!(at_limit.len(), 8192);
    assert_ne!(verify(&at_limit), "token longer than 8192 bytes");
}

#[test]
fn every_claim_is_required() {
    for claim in ["iss", "aud", "sub", "sid", "jti", "iat", "nbf", "exp", "token_type"] {
        let mut partial = payload(TokenKind::Access);
        partial.as_object_mut().expect("object").remove(claim);
        let token = forge(Algorithm::HS256, Some("k1"), &partial, &secret(1));
        assert_eq!(verify(&token), format!("missing claim {claim}"));
    }
}

#[test]
fn claims_baton_never_writes_are_refused() {
    let cases = [
        ("token_type", json!("id"), "unknown token_type"),
        ("token_type", json!("Access"), "unknown token_type"),
        ("sub", json!("not-a-uuid"), "sub is not a UUID"),
        ("sid", json!("{00000000-0000-0000-0000-000000002222}"), "sid is not a UUID"),
        ("aud", json!([AUD]), "malformed JSON"),
        ("exp", json!("1748779200"), "malformed JSON"),
        ("exp", json!(1.5e9), "malformed JSON"),
        ("sid", json!(null), "malformed JSON"),
        ("admin", json!(true), "malformed JSON"),
    ];
    for (claim, value, expected) in cases {
        let mut odd = payload(TokenKind::Access);
        odd[claim] = value;
        let token = forge(Algorithm::HS256, Some("k1"), &odd, &secret(1));
        assert_eq!(verify(&token), expected, "{claim}");
    }
}

#[test]
fn reasons_never_quote_the_token() {
    let mut odd = payload(TokenKind::Access);
    odd["exp"] = json!("secret-looking-value");
    let token = forge(Algorithm::HS256, Some("k1"), &odd, &secret(1));
    let reason = verify(&token);
    assert!(!reason.contains("secret-looking-value") && !reason.contains(&token), "{reason}");
}

/// Three base64url segments, the shape `verify` lets through to the decoder.
const JWT_SHAPED: &str = r"[A-Za-z0-9_-]{0,60}\.[A-Za-z0-9_-]{0,60}\.[A-Za-z0-9_-]{0,60}";

proptest! {
    #[test]
    fn arbitrary_strings_never_panic_nor_verify(s in any::<String>()) {
        prop_assert!(issuer().verify(&s, TokenKind::Access, NOW).is_err());
    }

    #[test]
    fn jwt_shaped_junk_never_verifies(s in JWT_SHAPED) {
        prop_assert!(issuer().verify(&s, TokenKind::Access, NOW).is_err());
    }

    #[test]
    fn any_single_character_change_is_refused(index in 0usize..1000, c in "[A-Za-z0-9_.-]") {
        let token = access_token();
        let index = index % token.len();
        let mut mutated = token.clone();
        mutated.replace_range(index..=index, &c);
        prop_assume!(mutated != token);
        prop_assert!(issuer().verify(&mutated, TokenKind::Access, NOW).is_err());
    }
}
