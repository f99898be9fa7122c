//! `generate_ed25519`: keys the key set reads, in the forms other tools read too.

use crate::common::*;
use baton_core::{TokenIssuer, TokenKind};
use baton_jwt::{KeySpec, generate_ed25519};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde_json::Value;

#[test]
fn a_generated_key_signs_what_its_public_pem_verifies() {
    let generated = generate_ed25519();
    let signer = issuer_with(vec![KeySpec::ed25519_private("gen", generated.private_pem.clone())]);
    let verifier = issuer_with(vec![
        key(Alg::Hs256, "hs", 1),
        KeySpec::ed25519_public("gen", generated.public_pem.clone()),
    ]);
    let token = signer.sign(&claims(TokenKind::Access)).expect("signs");
    assert_eq!(verifier.verify(&token, TokenKind::Access, NOW), Ok(claims(TokenKind::Access)));
    assert_eq!(verifier.jwks().keys()[0].x(), signer.jwks().keys()[0].x());
}

#[test]
fn two_generations_differ() {
    let (a, b) = (generate_ed25519(), generate_ed25519());
    assert_ne!(a.private_pem.expose_secret(), b.private_pem.expose_secret());
    assert_ne!(a.public_pem, b.public_pem);
}

#[test]
fn the_pem_is_what_openssl_writes_and_jsonwebtoken_reads() {
    let generated = generate_ed25519();
    let private = generated.private_pem.expose_secret();
    let lines: Vec<&str> = private.lines().collect();
    assert_eq!(lines.len(), 3, "{}", lines.len());
    assert_eq!(lines[0], "-----BEGIN PRIVATE KEY-----");
    // PKCS#8 v1 with the Ed25519 OID and a 32-byte seed, as `openssl genpkey` writes it.
    assert!(lines[1].starts_with("MC4CAQAwBQYDK2VwBCIEI"), "not PKCS#8 v1 Ed25519");
    assert_eq!(lines[2], "-----END PRIVATE KEY-----");
    assert!(generated.public_pem.starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"));

    // jsonwebtoken's own PEM reader, independent of the one the key set uses.
    let encoding = EncodingKey::from_ed_pem(private.as_bytes()).expect("jsonwebtoken reads it");
    let decoding =
        DecodingKey::from_ed_pem(generated.public_pem.as_bytes()).expect("jsonwebtoken reads it");
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some("at+jwt".into());
    header.kid = Some("gen".into());
    let token =
        jsonwebtoken::encode(&header, &payload(TokenKind::Access), &encoding).expect("signs");
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.validate_exp = false;
    validation.validate_aud = false;
    assert!(jsonwebtoken::decode::<Value>(&token, &decoding, &validation).is_ok());
    let ours = issuer_with(vec![KeySpec::ed25519_private("gen", private.to_owned())]);
    assert_eq!(ours.verify(&token, TokenKind::Access, NOW), Ok(claims(TokenKind::Access)));
}

#[test]
fn debug_hides_the_private_key() {
    let generated = generate_ed25519();
    let shown = format!("{generated:?}");
    let body = generated.private_pem.expose_secret().lines().nth(1).expect("body").to_owned();
    assert!(!shown.contains(&body), "{shown}");
    assert!(shown.contains(generated.public_pem.lines().nth(1).expect("body")), "{shown}");
}
