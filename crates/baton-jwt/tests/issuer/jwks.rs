//! The JWKS: Ed25519 public keys only, in key-set order, enough for a resource server.

use crate::common::*;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use baton_core::{TokenIssuer, TokenKind};
use ed25519_dalek::{Signature, VerifyingKey};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn x(fill: u8) -> String {
    URL_SAFE_NO_PAD.encode(ed_key(fill).verifying_key().to_bytes())
}

#[test]
fn an_hs256_only_set_publishes_no_keys() {
    let issuer = issuer_with(vec![key(Alg::Hs256, "a", 1), key(Alg::Hs256, "b", 2)]);
    assert_eq!(issuer.jwks_json(), r#"{"keys":[]}"#);
    assert!(issuer.jwks().keys().is_empty());
    let digest = Sha256::digest(br#"{"keys":[]}"#);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(issuer.etag(), format!("\"{hex}\""));
}

#[test]
fn a_mixed_set_publishes_exactly_its_ed25519_keys_in_order() {
    let secret_b64 = URL_SAFE_NO_PAD.encode(secret(3));
    let issuer = issuer_with(vec![
        key(Alg::Hs256, "hs-new", 3),
        key(Alg::EdDsa, "ed-now", 1),
        public_key("ed-next", 2),
        key(Alg::Hs256, "hs-old", 4),
    ]);
    let expected = json!({"keys": [
        {"kty": "OKP", "crv": "Ed25519", "x": x(1), "kid": "ed-now", "alg": "EdDSA", "use": "sig"},
        {"kty": "OKP", "crv": "Ed25519", "x": x(2), "kid": "ed-next", "alg": "EdDSA", "use": "sig"},
    ]});
    let served: Value = serde_json::from_str(issuer.jwks_json()).expect("json");
    assert_eq!(served, expected);
    // Member order is fixed too (RFC 8037's own example order), not only the content.
    let first = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":""#;
    assert!(issuer.jwks_json().starts_with(first), "{}", issuer.jwks_json());
    assert_eq!(serde_json::to_string(issuer.jwks()).expect("serializes"), issuer.jwks_json());
    let kids: Vec<_> = issuer.jwks().keys().iter().map(|k| k.kid()).collect();
    assert_eq!(kids, ["ed-now", "ed-next"]);
    // No HMAC material in any form.
    let json = issuer.jwks_json();
    assert!(!json.contains(&secret_b64) && !json.contains("oct") && !json.contains("\"k\""));
}

#[test]
fn the_document_and_its_etag_depend_on_the_published_keys_only() {
    let a = issuer_with(vec![key(Alg::EdDsa, "ed", 1)]);
    let same = issuer_with(vec![key(Alg::EdDsa, "ed", 1)]);
    let plus_hmac = issuer_with(vec![key(Alg::Hs256, "hs", 9), key(Alg::EdDsa, "ed", 1)]);
    let other_key = issuer_with(vec![key(Alg::EdDsa, "ed", 2)]);
    let more = issuer_with(vec![key(Alg::EdDsa, "ed", 1), public_key("next", 2)]);
    assert_eq!(a.jwks_json(), same.jwks_json());
    assert_eq!(a.etag(), same.etag());
    assert_eq!(a.etag(), plus_hmac.etag(), "an HMAC key is not published, so nothing changed");
    assert_ne!(a.etag(), other_key.etag());
    assert_ne!(a.etag(), more.etag());
    for etag in [a.etag(), more.etag()] {
        // A strong ETag: quoted, no W/ prefix, only characters RFC 9110 allows.
        let inner = etag.strip_prefix('"').and_then(|e| e.strip_suffix('"')).expect("quoted");
        assert!(inner.len() == 64 && inner.bytes().all(|b| b.is_ascii_hexdigit()), "{etag}");
    }
}

/// A resource server that knows nothing but the served JWKS verifies Baton's access tokens,
/// with jsonwebtoken's own JWK support.
#[test]
fn a_resource_server_verifies_with_the_published_jwk() {
    let issuer = issuer_with(vec![key(Alg::EdDsa, "ed", 1), key(Alg::Hs256, "hs", 1)]);
    let token = issuer.sign(&claims(TokenKind::Access)).expect("signs");
    let set: JwkSet = serde_json::from_str(issuer.jwks_json()).expect("a standard JWK set");
    let header = jsonwebtoken::decode_header(&token).expect("header");
    let jwk = set.find(header.kid.as_deref().expect("kid")).expect("published");
    let decoding = DecodingKey::from_jwk(jwk).expect("usable JWK");
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[ISS]);
    validation.set_audience(&[AUD]);
    validation.validate_exp = false; // the fixed test clock is not the wall clock
    let data = jsonwebtoken::decode::<Value>(&token, &decoding, &validation).expect("verifies");
    assert_eq!(data.claims, payload(TokenKind::Access));
    // A token of another key of the same size and shape fails with that JWK.
    let stranger = issuer_with(vec![key(Alg::EdDsa, "ed", 2)]).sign(&claims(TokenKind::Access));
    let stranger = stranger.expect("signs");
    assert!(jsonwebtoken::decode::<Value>(&stranger, &decoding, &validation).is_err());
}

/// The same with nothing but the raw `x` bytes and ed25519-dalek: no JWT library involved.
#[test]
fn the_raw_x_bytes_verify_the_signature() {
    let issuer = issuer_with(vec![key(Alg::EdDsa, "ed", 1)]);
    let token = issuer.sign(&claims(TokenKind::Refresh)).expect("signs");
    let x = URL_SAFE_NO_PAD.decode(issuer.jwks().keys()[0].x()).expect("base64url");
    let public = VerifyingKey::from_bytes(&x.try_into().expect("32 bytes")).expect("a point");
    let (message, sig) = token.rsplit_once('.').expect("three parts");
    let sig = Signature::from_slice(&URL_SAFE_NO_PAD.decode(sig).expect("b64")).expect("64 bytes");
    assert!(public.verify_strict(message.as_bytes(), &sig).is_ok());
    assert!(public.verify_strict(format!("{message}x").as_bytes(), &sig).is_err());
}
