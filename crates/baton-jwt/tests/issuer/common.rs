//! Shared fixtures: a fixed clock, keys, claims and a forger for hand-made tokens.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use baton_core::{Claims, TokenKind};
use baton_jwt::{HmacIssuer, JwtConfig, SigningKey};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

pub const ISS: &str = "https://baton.test";
pub const AUD: &str = "baton-api";

/// The fixed "now" every test verifies against.
pub const NOW: OffsetDateTime = datetime!(2025-06-01 12:00:00 UTC);

pub fn secret(fill: u8) -> Vec<u8> {
    vec![fill; 32]
}

pub fn key(kid: &str, fill: u8) -> SigningKey {
    SigningKey::new(kid, secret(fill))
}

pub fn issuer_with(keys: Vec<SigningKey>) -> HmacIssuer {
    HmacIssuer::new(JwtConfig::new(ISS, AUD, keys)).expect("valid config")
}

/// The usual issuer: one key "k1" filled with 1s.
pub fn issuer() -> HmacIssuer {
    issuer_with(vec![key("k1", 1)])
}

/// Claims issued at `NOW`, valid for 15 minutes.
pub fn claims(kind: TokenKind) -> Claims {
    Claims {
        kind,
        user_id: Uuid::from_u128(0x1111),
        session_id: Uuid::from_u128(0x2222),
        jti: format!("{}.3", Uuid::from_u128(0x2222)),
        issued_at: NOW,
        not_before: NOW,
        expires_at: NOW + time::Duration::minutes(15),
    }
}

/// The JSON payload `HmacIssuer` would write for `claims(kind)`.
pub fn payload(kind: TokenKind) -> Value {
    let c = claims(kind);
    json!({
        "iss": ISS,
        "aud": AUD,
        "sub": c.user_id.to_string(),
        "sid": c.session_id.to_string(),
        "jti": c.jti,
        "iat": c.issued_at.unix_timestamp(),
        "nbf": c.not_before.unix_timestamp(),
        "exp": c.expires_at.unix_timestamp(),
        "token_type": kind.as_str(),
    })
}

/// Signs any payload with jsonwebtoken under `alg` and `kid`, with the raw `secret`.
pub fn forge(alg: Algorithm, kid: Option<&str>, payload: &Value, secret: &[u8]) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, payload, &EncodingKey::from_secret(secret)).expect("encodes")
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
