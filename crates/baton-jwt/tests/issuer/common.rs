//! Shared fixtures: a fixed clock, keys of both algorithms, claims, and forgers for hand-made
//! tokens.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use baton_core::{Claims, TokenKind};
use baton_jwt::{JwtConfig, JwtIssuer, KeySpec};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

pub const ISS: &str = "https://baton.test";
pub const AUD: &str = "baton-api";

/// The fixed "now" every test verifies against.
pub const NOW: OffsetDateTime = datetime!(2025-06-01 12:00:00 UTC);

/// Turns `fn name(alg: Alg)` test bodies into one `#[test]` per algorithm, in modules `hs256`
/// and `eddsa`, so every behaviour is checked for both.
macro_rules! per_alg {
    ($($test:ident),* $(,)?) => {
        mod hs256 {
            $( #[test] fn $test() { super::$test($crate::common::Alg::Hs256) } )*
        }
        mod eddsa {
            $( #[test] fn $test() { super::$test($crate::common::Alg::EdDsa) } )*
        }
    };
}

/// The two algorithms a key can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    Hs256,
    EdDsa,
}

impl Alg {
    pub fn jwt(self) -> Algorithm {
        match self {
            Alg::Hs256 => Algorithm::HS256,
            Alg::EdDsa => Algorithm::EdDSA,
        }
    }

    /// The header `alg` string.
    pub fn name(self) -> &'static str {
        match self {
            Alg::Hs256 => "HS256",
            Alg::EdDsa => "EdDSA",
        }
    }
}

pub fn secret(fill: u8) -> Vec<u8> {
    vec![fill; 32]
}

/// A fixed Ed25519 key: the seed is 32 bytes of `fill`.
pub fn ed_key(fill: u8) -> SigningKey {
    SigningKey::from_bytes(&[fill; 32])
}

pub fn ed_private_pem(fill: u8) -> String {
    ed_key(fill).to_pkcs8_pem(LineEnding::LF).expect("encodes").to_string()
}

pub fn ed_public_pem(fill: u8) -> String {
    ed_key(fill).verifying_key().to_public_key_pem(LineEnding::LF).expect("encodes")
}

/// A key of `alg` named `kid`; equal `fill`s give equal key material.
pub fn key(alg: Alg, kid: &str, fill: u8) -> KeySpec {
    match alg {
        Alg::Hs256 => KeySpec::hs256(kid, secret(fill)),
        Alg::EdDsa => KeySpec::ed25519_private(kid, ed_private_pem(fill)),
    }
}

/// The verify-only public half of the Ed25519 key `fill`.
pub fn public_key(kid: &str, fill: u8) -> KeySpec {
    KeySpec::ed25519_public(kid, ed_public_pem(fill))
}

pub fn issuer_with(keys: Vec<KeySpec>) -> JwtIssuer {
    JwtIssuer::new(JwtConfig::new(ISS, AUD, keys)).expect("valid config")
}

/// The usual issuer: one key "k1" of `alg`, material filled with 1s.
pub fn issuer(alg: Alg) -> JwtIssuer {
    issuer_with(vec![key(alg, "k1", 1)])
}

/// Claims issued at `NOW`, valid for 15 minutes; refresh tokens carry a session end.
pub fn claims(kind: TokenKind) -> Claims {
    Claims {
        kind,
        user_id: Uuid::from_u128(0x1111),
        session_id: Uuid::from_u128(0x2222),
        jti: format!("{}.3", Uuid::from_u128(0x2222)),
        issued_at: NOW,
        not_before: NOW,
        expires_at: NOW + time::Duration::minutes(15),
        session_expires_at: (kind == TokenKind::Refresh).then(|| NOW + time::Duration::days(30)),
    }
}

/// The JSON payload `JwtIssuer` would write for `claims(kind)`.
pub fn payload(kind: TokenKind) -> Value {
    let c = claims(kind);
    let mut payload = json!({
        "iss": ISS,
        "aud": AUD,
        "sub": c.user_id.to_string(),
        "sid": c.session_id.to_string(),
        "jti": c.jti,
        "iat": c.issued_at.unix_timestamp(),
        "nbf": c.not_before.unix_timestamp(),
        "exp": c.expires_at.unix_timestamp(),
        "token_type": kind.as_str(),
    });
    if let Some(end) = c.session_expires_at {
        payload["session_exp"] = end.unix_timestamp().into();
    }
    payload
}

/// The jsonwebtoken signing key of `alg` with material `fill`.
pub fn encoding_key(alg: Alg, fill: u8) -> EncodingKey {
    match alg {
        Alg::Hs256 => EncodingKey::from_secret(&secret(fill)),
        Alg::EdDsa => {
            let der = ed_key(fill).to_pkcs8_der().expect("encodes");
            EncodingKey::from_ed_der(der.as_bytes())
        }
    }
}

/// Signs any payload with jsonwebtoken under `alg` and `kid`, with key material `fill`.
pub fn forge(alg: Alg, kid: Option<&str>, payload: &Value, fill: u8) -> String {
    let mut header = Header::new(alg.jwt());
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, payload, &encoding_key(alg, fill)).expect("encodes")
}

/// Signs `header.payload` exactly as given with `key` under `alg`: only the header or claims
/// are wrong, never the signature over them.
pub fn sign_raw_with(alg: Algorithm, key: &EncodingKey, header: &Value, payload: &Value) -> String {
    let message =
        format!("{}.{}", b64(header.to_string().as_bytes()), b64(payload.to_string().as_bytes()));
    let sig = jsonwebtoken::crypto::sign(message.as_bytes(), key, alg).expect("signs");
    format!("{message}.{sig}")
}

/// [`sign_raw_with`] the issuer's own key "k1" of `alg`.
pub fn sign_raw(alg: Alg, header: &Value, payload: &Value) -> String {
    sign_raw_with(alg.jwt(), &encoding_key(alg, 1), header, payload)
}

/// Base64url without padding, as JWT segments are written.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes one segment of a token as JSON.
pub fn segment(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).expect("segment exists");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("json")
}

/// The reason of an `Invalid` error; panics on anything else.
pub fn reason(result: Result<Claims, baton_core::TokenError>) -> String {
    match result {
        Err(baton_core::TokenError::Invalid(reason)) => reason,
        other => panic!("expected Invalid, got {other:?}"),
    }
}
