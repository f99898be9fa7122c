//! The algorithm is the key's, never the token's: key confusion between HS256 and EdDSA.

use crate::common::*;
use baton_core::{TokenIssuer, TokenKind};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::json;

/// The classic attack: the Ed25519 public key is public (it is in the JWKS), so an attacker
/// "signs" an HS256 token with it as the HMAC secret and names the Ed25519 key's `kid`. A
/// verifier that let the header choose the algorithm would HMAC-check it with the same bytes
/// and accept it.
#[test]
fn an_hs256_token_keyed_with_the_public_key_is_refused() {
    let issuer = issuer_with(vec![key(Alg::EdDsa, "ed", 1)]);
    let public_pem = ed_public_pem(1);
    let raw = ed_key(1).verifying_key().to_bytes();
    let x = issuer.jwks().keys()[0].x().to_owned();
    let der = {
        use ed25519_dalek::pkcs8::EncodePublicKey;
        ed_key(1).verifying_key().to_public_key_der().expect("encodes").into_vec()
    };
    let candidates: [&[u8]; 5] =
        [public_pem.as_bytes(), public_pem.trim().as_bytes(), &raw, x.as_bytes(), &der];
    for (i, secret) in candidates.into_iter().enumerate() {
        for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            let header = json!({"alg": format!("{alg:?}"), "typ": "at+jwt", "kid": "ed"});
            let key = EncodingKey::from_secret(secret);
            let token = sign_raw_with(alg, &key, &header, &payload(TokenKind::Access));
            let refused = reason(issuer.verify(&token, TokenKind::Access, NOW));
            assert!(
                refused == "algorithm does not match the key" || refused == "algorithm not allowed",
                "candidate {i} {alg:?}: {refused}"
            );
        }
    }
    // The attack fails for the algorithm pinning, not for some other fault of the forgery:
    // the same payload signed with the real private key verifies.
    let header = json!({"alg": "EdDSA", "typ": "at+jwt", "kid": "ed"});
    let genuine = sign_raw(Alg::EdDsa, &header, &payload(TokenKind::Access));
    assert_eq!(issuer.verify(&genuine, TokenKind::Access, NOW), Ok(claims(TokenKind::Access)));
}

/// The same attack on a verify-only key: it has no private half at all, so accepting an HMAC
/// over its public bytes would let anyone mint tokens.
#[test]
fn an_hs256_token_keyed_with_a_verify_only_key_is_refused() {
    let issuer = issuer_with(vec![key(Alg::Hs256, "hs", 1), public_key("pub", 2)]);
    let header = json!({"alg": "HS256", "typ": "at+jwt", "kid": "pub"});
    for secret in [ed_public_pem(2).into_bytes(), ed_key(2).verifying_key().to_bytes().to_vec()] {
        let key = EncodingKey::from_secret(&secret);
        let token = sign_raw_with(Algorithm::HS256, &key, &header, &payload(TokenKind::Access));
        let refused = reason(issuer.verify(&token, TokenKind::Access, NOW));
        assert_eq!(refused, "algorithm does not match the key");
    }
}

/// The reverse direction: an EdDSA header on an HS256 `kid` is refused before any signature
/// check, even when signed by an Ed25519 key of the set.
#[test]
fn an_eddsa_token_naming_an_hmac_kid_is_refused() {
    let issuer = issuer_with(vec![key(Alg::Hs256, "hs", 1), key(Alg::EdDsa, "ed", 1)]);
    let header = json!({"alg": "EdDSA", "typ": "at+jwt", "kid": "hs"});
    let token = sign_raw(Alg::EdDsa, &header, &payload(TokenKind::Access));
    assert_eq!(
        reason(issuer.verify(&token, TokenKind::Access, NOW)),
        "algorithm does not match the key"
    );
    // Renamed to the Ed25519 key's kid, the very same signature bytes would be fine.
    let header = json!({"alg": "EdDSA", "typ": "at+jwt", "kid": "ed"});
    let token = sign_raw(Alg::EdDsa, &header, &payload(TokenKind::Access));
    assert_eq!(issuer.verify(&token, TokenKind::Access, NOW), Ok(claims(TokenKind::Access)));
}

/// Moving a genuine token's signature under another key's `kid` fails, across algorithms too.
#[test]
fn a_genuine_token_relabelled_to_another_kid_is_refused() {
    let issuer = issuer_with(vec![key(Alg::EdDsa, "ed", 1), key(Alg::Hs256, "hs", 1)]);
    let token = issuer.sign(&claims(TokenKind::Access)).expect("signs");
    let (_, rest) = token.split_once('.').expect("three parts");
    for header in [
        json!({"alg": "EdDSA", "typ": "at+jwt", "kid": "hs"}),
        json!({"alg": "HS256", "typ": "at+jwt", "kid": "hs"}),
    ] {
        let relabelled = format!("{}.{rest}", b64(header.to_string().as_bytes()));
        assert!(issuer.verify(&relabelled, TokenKind::Access, NOW).is_err(), "{header}");
    }
}
