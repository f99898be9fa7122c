//! Shared fixtures: a fixed clock, keys of the three algorithms, claims, and forgers for
//! hand-made tokens, in the current profile and the earlier one.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use baton_core::{Claims, ClientId, TokenKind};
use baton_jwt::{JwtConfig, JwtIssuer, KeySpec};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

pub const ISS: &str = "https://baton.test";
pub const AUD: &str = "baton-api";
/// The issuer of the release before RFC 9068 tokens, when nobody configured one.
pub const OLD_ISS: &str = "baton";
pub const CLIENT: &str = "test-app";

/// The fixed "now" every test verifies against.
pub const NOW: OffsetDateTime = datetime!(2025-06-01 12:00:00 UTC);

/// Turns `fn name(alg: Alg)` test bodies into one `#[test]` per algorithm, in modules `hs256`,
/// `eddsa` and `es256`, so every behaviour is checked for each.
macro_rules! per_alg {
    ($($test:ident),* $(,)?) => {
        mod hs256 {
            $( #[test] fn $test() { super::$test($crate::common::Alg::Hs256) } )*
        }
        mod eddsa {
            $( #[test] fn $test() { super::$test($crate::common::Alg::EdDsa) } )*
        }
        mod es256 {
            $( #[test] fn $test() { super::$test($crate::common::Alg::Es256) } )*
        }
    };
}

/// The three algorithms a key can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    Hs256,
    EdDsa,
    Es256,
}

impl Alg {
    pub fn jwt(self) -> Algorithm {
        match self {
            Alg::Hs256 => Algorithm::HS256,
            Alg::EdDsa => Algorithm::EdDSA,
            Alg::Es256 => Algorithm::ES256,
        }
    }

    /// The header `alg` string.
    pub fn name(self) -> &'static str {
        match self {
            Alg::Hs256 => "HS256",
            Alg::EdDsa => "EdDSA",
            Alg::Es256 => "ES256",
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

/// A fixed P-256 key: the scalar is 32 bytes of `fill` (far below the group order).
pub fn ec_key(fill: u8) -> p256::SecretKey {
    p256::SecretKey::from_bytes(&[fill; 32].into()).expect("a valid scalar")
}

pub fn ec_private_pem(fill: u8) -> String {
    use p256::pkcs8::EncodePrivateKey as _;
    ec_key(fill).to_pkcs8_pem(LineEnding::LF).expect("encodes").to_string()
}

pub fn ec_public_pem(fill: u8) -> String {
    use p256::pkcs8::EncodePublicKey as _;
    ec_key(fill).public_key().to_public_key_pem(LineEnding::LF).expect("encodes")
}

/// The P-256 point of key `fill`, uncompressed SEC1 (`04 || x || y`).
pub fn ec_point(fill: u8) -> Vec<u8> {
    ec_key(fill).public_key().to_encoded_point(false).as_bytes().to_vec()
}

/// A key of `alg` named `kid`; equal `fill`s give equal key material.
pub fn key(alg: Alg, kid: &str, fill: u8) -> KeySpec {
    match alg {
        Alg::Hs256 => KeySpec::hs256(kid, secret(fill)),
        Alg::EdDsa => KeySpec::ed25519_private(kid, ed_private_pem(fill)),
        Alg::Es256 => KeySpec::es256_private(kid, ec_private_pem(fill)),
    }
}

/// The verify-only public half of the Ed25519 key `fill`.
pub fn public_key(kid: &str, fill: u8) -> KeySpec {
    KeySpec::ed25519_public(kid, ed_public_pem(fill))
}

/// The verify-only public half of the P-256 key `fill`.
pub fn ec_public_key(kid: &str, fill: u8) -> KeySpec {
    KeySpec::es256_public(kid, ec_public_pem(fill))
}

pub fn issuer_with(keys: Vec<KeySpec>) -> JwtIssuer {
    JwtIssuer::new(JwtConfig::new(ISS, AUD, keys)).expect("valid config")
}

/// The usual issuer: one key "k1" of `alg`, material filled with 1s.
pub fn issuer(alg: Alg) -> JwtIssuer {
    issuer_with(vec![key(alg, "k1", 1)])
}

/// The issuer of tokens from before RFC 9068 whose `iss` was [`OLD_ISS`].
pub fn issuer_after_upgrade(alg: Alg) -> JwtIssuer {
    let mut config = JwtConfig::new(ISS, AUD, vec![key(alg, "k1", 1)]);
    config.previous_issuers = vec![OLD_ISS.into()];
    JwtIssuer::new(config).expect("valid config")
}

/// Claims issued at `NOW` for [`CLIENT`], valid for 15 minutes; refresh tokens carry a session
/// end.
pub fn claims(kind: TokenKind) -> Claims {
    Claims {
        kind,
        user_id: Uuid::from_u128(0x1111),
        client_id: Some(ClientId::parse(CLIENT).expect("valid")),
        session_id: Uuid::from_u128(0x2222),
        jti: format!("{}.3", Uuid::from_u128(0x2222)),
        issued_at: NOW,
        not_before: NOW,
        expires_at: NOW + time::Duration::minutes(15),
        session_expires_at: (kind == TokenKind::Refresh).then(|| NOW + time::Duration::days(30)),
        email_verified: None,
        amr: None,
    }
}

/// The header `typ` `JwtIssuer` writes for `kind`.
pub fn typ(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Access => "at+jwt",
        TokenKind::Refresh => "rt+jwt",
    }
}

/// The header `JwtIssuer` writes for a token of `kind` signed by `alg` key "k1".
pub fn header(alg: Alg, kind: TokenKind) -> Value {
    json!({"typ": typ(kind), "alg": alg.name(), "kid": "k1"})
}

/// The JSON payload `JwtIssuer` would write for `claims(kind)`: access tokens for the APIs'
/// audience, refresh tokens for Baton's own (the issuer).
pub fn payload(kind: TokenKind) -> Value {
    let c = claims(kind);
    let aud = if kind == TokenKind::Refresh { ISS } else { AUD };
    let mut payload = json!({
        "iss": ISS,
        "aud": aud,
        "sub": c.user_id.to_string(),
        "client_id": CLIENT,
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

/// What the release before RFC 9068 tokens wrote for `claims(kind)` with issuer `iss`: the
/// APIs' audience for both kinds, no `client_id` (and header `typ: JWT`, see [`forge_legacy`]).
pub fn legacy_payload(kind: TokenKind, iss: &str) -> Value {
    let mut payload = payload(kind);
    let object = payload.as_object_mut().expect("object");
    object.remove("client_id");
    object.insert("iss".into(), iss.into());
    object.insert("aud".into(), AUD.into());
    payload
}

/// The claims Baton reads back from [`legacy_payload`]: no client.
pub fn legacy_claims(kind: TokenKind) -> Claims {
    Claims { client_id: None, ..claims(kind) }
}

/// The jsonwebtoken signing key of `alg` with material `fill`.
pub fn encoding_key(alg: Alg, fill: u8) -> EncodingKey {
    match alg {
        Alg::Hs256 => EncodingKey::from_secret(&secret(fill)),
        Alg::EdDsa => {
            let der = ed_key(fill).to_pkcs8_der().expect("encodes");
            EncodingKey::from_ed_der(der.as_bytes())
        }
        Alg::Es256 => {
            use p256::pkcs8::EncodePrivateKey as _;
            let der = ec_key(fill).to_pkcs8_der().expect("encodes");
            EncodingKey::from_ec_der(der.as_bytes())
        }
    }
}

/// Signs any payload with jsonwebtoken under `alg`, header `typ` and `kid`, with key material
/// `fill`.
pub fn forge_typ(alg: Alg, typ: &str, kid: Option<&str>, payload: &Value, fill: u8) -> String {
    let mut header = Header::new(alg.jwt());
    header.typ = Some(typ.to_owned());
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, payload, &encoding_key(alg, fill)).expect("encodes")
}

/// [`forge_typ`] with the `typ` Baton writes for the payload's `token_type` (`at+jwt` for
/// anything but `refresh`).
pub fn forge(alg: Alg, kid: Option<&str>, payload: &Value, fill: u8) -> String {
    let kind =
        if payload["token_type"] == "refresh" { TokenKind::Refresh } else { TokenKind::Access };
    forge_typ(alg, typ(kind), kid, payload, fill)
}

/// A token exactly as the release before RFC 9068 minted it: header
/// `{"typ":"JWT","alg":...,"kid":"k1"}` (jsonwebtoken's default header), key `fill` = 1.
pub fn forge_legacy(alg: Alg, payload: &impl serde::Serialize) -> String {
    let mut header = Header::new(alg.jwt());
    header.kid = Some("k1".into());
    jsonwebtoken::encode(&header, payload, &encoding_key(alg, 1)).expect("encodes")
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

/// A refresh-token payload of the release before RFC 9068 tokens, field for field in the
/// order its wire struct serialized them (a JSON `Value` would sort them), for re-minting
/// tests that compare bytes.
#[derive(serde::Serialize)]
pub struct EarlierRefresh {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub sid: String,
    pub jti: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub token_type: &'static str,
    pub session_exp: i64,
}
