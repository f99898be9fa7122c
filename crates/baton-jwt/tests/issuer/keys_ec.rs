//! P-256 (ES256) keys: the PEM forms OpenSSL and `baton keys generate` write, verify-only keys,
//! the JWKS entry, and what is refused at start-up.

use crate::common::*;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use baton_core::{TokenIssuer, TokenKind};
use baton_jwt::{JwtConfig, JwtIssuer, KeyError, KeySpec, generate_p256};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

/// `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256` and `openssl pkey -pubout`.
const OPENSSL_PKCS8: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgvrQQsWaMx8ynrf1T
wTA7TpzPmGgIQtTERTapJlagp/ahRANCAARS+oLGmdwmKfj8prWF+7e/1eULPdBb
rSmR9l8+yGshJix4/q3ty3dHWp+Rq7hLCDl5hZEwB+cMPa/u15h1eplo
-----END PRIVATE KEY-----
";
const OPENSSL_PKCS8_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEUvqCxpncJin4/Ka1hfu3v9XlCz3Q
W60pkfZfPshrISYseP6t7ct3R1qfkau4Swg5eYWRMAfnDD2v7teYdXqZaA==
-----END PUBLIC KEY-----
";
/// `openssl ecparam -name prime256v1 -genkey -noout` (SEC1) and `openssl ec -pubout`.
const OPENSSL_SEC1: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIH7S92rXBgFoA6qBHblyAw2RHBA3/T2xoJi56MDvnnLooAoGCCqGSM49
AwEHoUQDQgAEAeoGTMFaomzZqrSK4zbRZUosqmuWVPXlOvPkYI72pmHrBZBLYeYZ
MTifPRnWqs1eNtJ7y1Jns2Dylk3aX3iJSw==
-----END EC PRIVATE KEY-----
";
const OPENSSL_SEC1_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEAeoGTMFaomzZqrSK4zbRZUosqmuW
VPXlOvPkYI72pmHrBZBLYeYZMTifPRnWqs1eNtJ7y1Jns2Dylk3aX3iJSw==
-----END PUBLIC KEY-----
";
/// Other curves, and the PKCS#8 key above encrypted: well-formed PEM, not a usable P-256 key.
const P384_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAeicw4hq17cacbw+CV
fuo5uqG4mQjyttJmwXT61/fDhHupEqyLO2F+t+C8ARVbJiuhZANiAASmWLvACKSt
HBELIw/OJepBpz+BJ58Lm9QHR8kUbD1lN3LYtd3gjnjADViyWVlDKA2oJO1fta1r
lTXtPSmfAlDyKyMzFqe+ENNdBjXdPJ+o35HI549Kle2MH78+Ga+NIjo=
-----END PRIVATE KEY-----";
const SECP256K1_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MIGEAgEAMBAGByqGSM49AgEGBSuBBAAKBG0wawIBAQQgkGidMAXKKQm1mzaPp4cJ
iTA256k0Vr7cbueIExACdHmhRANCAASNq1eQs9DnbiboO/z0zuc0aYe5vDLi1WR1
E4aFTblEzSZktpXeIdt3HXRtMTVIplM14ji1I2mNajLf77UitE17
-----END PRIVATE KEY-----";
const SECP256K1_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAEH/3+CipaQABEHU0n9SmIGFza/dqjld1f
rEJW1+BmQcegl2Mx4PWDQYAOWgC3SLNGMFvWRGKhDVYisvFGzchYZQ==
-----END PUBLIC KEY-----";
const ENCRYPTED_PRIVATE: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAiAEn4v7hogeQICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEDqEr15YZWL5SSivuh+EDJUEgZD9
r2T5y8RiDWEwo3uBB+hyz6xCqHnNbFWRGpC6FZf++e7dFpNwqrJJw8hq29RnYXUo
ojRCV9DnnbrwEflZUbNkY+veGtFW//3zzer7/zCyOI+WufJ7SHIHqDSVWQk4zMU2
7hinX4DIPUxVEwNDwHd7MBGcqFgQmPOuEUJZaWEfy50eX4JyY7RWpaib7EmTNq4=
-----END ENCRYPTED PRIVATE KEY-----";

fn build(keys: Vec<KeySpec>) -> Result<JwtIssuer, KeyError> {
    JwtIssuer::new(JwtConfig::new(ISS, AUD, keys))
}

#[test]
fn openssl_keys_in_both_private_forms_are_read_and_pair_up() {
    for (private, public) in
        [(OPENSSL_PKCS8, OPENSSL_PKCS8_PUBLIC), (OPENSSL_SEC1, OPENSSL_SEC1_PUBLIC)]
    {
        let signer = build(vec![KeySpec::es256_private("k", private)]).expect("valid");
        let verifier = build(vec![key(Alg::Hs256, "hs", 1), KeySpec::es256_public("k", public)])
            .expect("valid");
        let token = signer.sign(&claims(TokenKind::Access)).expect("signs");
        assert_eq!(segment(&token, 0)["alg"], "ES256");
        assert_eq!(verifier.verify(&token, TokenKind::Access, NOW), Ok(claims(TokenKind::Access)));
        assert_eq!(signer.jwks(), verifier.jwks(), "same public key published");
    }
}

#[test]
fn pem_that_is_not_a_p256_key_is_refused() {
    let private = |pem: &str| build(vec![KeySpec::es256_private("k", pem)]).expect_err("refused");
    let bad_private = KeyError::BadEcPrivateKey { kid: "k".into() };
    for pem in [
        "",
        "not a pem",
        OPENSSL_PKCS8_PUBLIC,
        P384_PRIVATE,
        SECP256K1_PRIVATE,
        ENCRYPTED_PRIVATE,
        &ed_private_pem(1),
        &OPENSSL_PKCS8[..70],
    ] {
        assert_eq!(private(pem), bad_private, "{pem}");
    }
    let public = |pem: &str| {
        build(vec![key(Alg::Hs256, "hs", 1), KeySpec::es256_public("k", pem)]).expect_err("refused")
    };
    let bad_public = KeyError::BadEcPublicKey { kid: "k".into() };
    for pem in ["", OPENSSL_PKCS8, SECP256K1_PUBLIC, &ed_public_pem(1), &ec_private_pem(1)] {
        assert_eq!(public(pem), bad_public, "{pem}");
    }
    // An Ed25519 key given as ES256 is refused, and the reverse.
    let ed = build(vec![KeySpec::ed25519_private("k", OPENSSL_PKCS8)]).expect_err("refused");
    assert_eq!(ed, KeyError::BadPrivateKey { kid: "k".into() });
}

#[test]
fn a_sec1_key_whose_embedded_public_key_differs_is_refused() {
    // The SEC1 key above with its embedded public point replaced by another key's.
    let mut der = pem_body(OPENSSL_SEC1);
    let other = ec_point(2);
    let at = der.len() - other.len();
    der[at..].copy_from_slice(&other);
    let pem = format!(
        "-----BEGIN EC PRIVATE KEY-----\n{}\n-----END EC PRIVATE KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(&der)
    );
    let err = build(vec![KeySpec::es256_private("k", pem)]).expect_err("refused");
    assert_eq!(err, KeyError::BadEcPrivateKey { kid: "k".into() });
}

fn pem_body(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).expect("base64")
}

#[test]
fn the_jwks_entry_is_rfc_7518s_ec_key() {
    let issuer = issuer_with(vec![
        key(Alg::Hs256, "hs", 9),
        key(Alg::Es256, "ec-now", 1),
        ec_public_key("ec-next", 2),
        key(Alg::EdDsa, "ed", 3),
    ]);
    let coordinates = |fill| {
        let point = ec_point(fill);
        (URL_SAFE_NO_PAD.encode(&point[1..33]), URL_SAFE_NO_PAD.encode(&point[33..]))
    };
    let ((x1, y1), (x2, y2)) = (coordinates(1), coordinates(2));
    let served: Value = serde_json::from_str(issuer.jwks_json()).expect("json");
    assert_eq!(
        served["keys"][0],
        json!({"kty": "EC", "crv": "P-256", "x": x1, "y": y1, "kid": "ec-now", "alg": "ES256", "use": "sig"})
    );
    assert_eq!(
        served["keys"][1],
        json!({"kty": "EC", "crv": "P-256", "x": x2, "y": y2, "kid": "ec-next", "alg": "ES256", "use": "sig"})
    );
    assert_eq!(served["keys"][2]["kty"], "OKP");
    assert_eq!(served["keys"].as_array().expect("array").len(), 3);
    let first = r#"{"keys":[{"kty":"EC","crv":"P-256","x":""#;
    assert!(issuer.jwks_json().starts_with(first), "{}", issuer.jwks_json());
    let jwk = &issuer.jwks().keys()[0];
    assert_eq!(
        (jwk.kty(), jwk.alg(), jwk.x(), jwk.y()),
        ("EC", "ES256", x1.as_str(), Some(y1.as_str()))
    );
    assert_eq!(issuer.jwks().keys()[2].y(), None);
}

/// A resource server with nothing but the JWKS: jsonwebtoken's JWK support, and the raw
/// coordinates with the `p256` crate (the JWS signature is `r || s`, not DER).
#[test]
fn a_resource_server_verifies_with_the_published_ec_jwk() {
    let issuer = issuer_with(vec![key(Alg::Es256, "ec", 1)]);
    let token = issuer.sign(&claims(TokenKind::Access)).expect("signs");
    let set: JwkSet = serde_json::from_str(issuer.jwks_json()).expect("a standard JWK set");
    let decoding = DecodingKey::from_jwk(set.find("ec").expect("published")).expect("usable");
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_issuer(&[ISS]);
    validation.set_audience(&[AUD]);
    validation.validate_exp = false;
    let data = jsonwebtoken::decode::<Value>(&token, &decoding, &validation).expect("verifies");
    assert_eq!(data.claims, payload(TokenKind::Access));

    let jwk = &issuer.jwks().keys()[0];
    let mut sec1 = vec![4u8];
    sec1.extend(URL_SAFE_NO_PAD.decode(jwk.x()).expect("b64"));
    sec1.extend(URL_SAFE_NO_PAD.decode(jwk.y().expect("y")).expect("b64"));
    let public = VerifyingKey::from_sec1_bytes(&sec1).expect("a point on the curve");
    let (message, sig) = token.rsplit_once('.').expect("three parts");
    let sig = Signature::from_slice(&URL_SAFE_NO_PAD.decode(sig).expect("b64")).expect("r || s");
    assert!(public.verify(message.as_bytes(), &sig).is_ok());
    assert!(public.verify(format!("{message}x").as_bytes(), &sig).is_err());
}

#[test]
fn a_published_ec_key_verifies_but_never_signs() {
    let signer = issuer_with(vec![key(Alg::Es256, "next", 2)]);
    let verifier = issuer_with(vec![key(Alg::EdDsa, "now", 1), ec_public_key("next", 2)]);
    let token = signer.sign(&claims(TokenKind::Refresh)).expect("signs");
    assert_eq!(verifier.verify(&token, TokenKind::Refresh, NOW), Ok(claims(TokenKind::Refresh)));
    assert_eq!(verifier.signing_kid(), "now");
    let each = verifier.sign_with_each_key(&claims(TokenKind::Access)).expect("signs");
    assert_eq!(each.len(), 1, "the public key cannot sign");
    let first = build(vec![ec_public_key("pub", 2), key(Alg::Hs256, "hs", 1)]);
    assert_eq!(first.expect_err("refused"), KeyError::FirstKeyCannotSign { kid: "pub".into() });
}

#[test]
fn a_generated_p256_key_is_what_openssl_writes_and_jsonwebtoken_reads() {
    let generated = generate_p256();
    let private = generated.private_pem.expose_secret();
    assert!(
        private.starts_with("-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEH")
    );
    assert!(
        generated
            .public_pem
            .starts_with("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE")
    );
    let signer = issuer_with(vec![KeySpec::es256_private("gen", private.to_owned())]);
    let verifier = issuer_with(vec![
        key(Alg::Hs256, "hs", 1),
        KeySpec::es256_public("gen", generated.public_pem.clone()),
    ]);
    let token = signer.sign(&claims(TokenKind::Access)).expect("signs");
    assert_eq!(verifier.verify(&token, TokenKind::Access, NOW), Ok(claims(TokenKind::Access)));

    // jsonwebtoken's own PEM reader, independent of the one the key set uses.
    let encoding = EncodingKey::from_ec_pem(private.as_bytes()).expect("jsonwebtoken reads it");
    let decoding = DecodingKey::from_ec_pem(generated.public_pem.as_bytes()).expect("reads it");
    let mut header = Header::new(Algorithm::ES256);
    header.typ = Some("at+jwt".into());
    header.kid = Some("gen".into());
    let theirs =
        jsonwebtoken::encode(&header, &payload(TokenKind::Access), &encoding).expect("signs");
    let mut validation = Validation::new(Algorithm::ES256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    assert!(jsonwebtoken::decode::<Value>(&token, &decoding, &validation).is_ok());
    assert_eq!(signer.verify(&theirs, TokenKind::Access, NOW), Ok(claims(TokenKind::Access)));

    let other = generate_p256();
    assert_ne!(other.private_pem.expose_secret(), private);
    assert!(!format!("{generated:?}").contains(private.lines().nth(1).expect("body")));
}

#[test]
fn debug_output_hides_ec_private_keys() {
    let pem = ec_private_pem(5);
    let body = pem.lines().nth(1).expect("a base64 line");
    let config = JwtConfig::new(ISS, AUD, vec![KeySpec::es256_private("ec", pem.clone())]);
    let issuer = JwtIssuer::new(config.clone()).expect("valid");
    let shown = format!("{config:?} {issuer:?}");
    assert!(shown.contains("ec (ES256)"), "{shown}");
    assert!(!shown.contains(&body[..16]), "{shown}");
}
