//! The core's `TokenIssuer` contract suite on every kind of key set this crate builds.

use std::sync::Arc;

use baton_core::testing::contract::issuer::IssuerSubject;
use baton_jwt::{JwtConfig, JwtIssuer, KeySpec, ReloadableIssuer};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;

fn hs256(kid: &str, fill: u8) -> KeySpec {
    KeySpec::hs256(kid, vec![fill; 32])
}

fn ed25519(kid: &str, fill: u8) -> KeySpec {
    let pem = SigningKey::from_bytes(&[fill; 32]).to_pkcs8_pem(LineEnding::LF).expect("encodes");
    KeySpec::ed25519_private(kid, pem.as_str())
}

fn es256(kid: &str, fill: u8) -> KeySpec {
    use p256::pkcs8::EncodePrivateKey as _;
    let key = p256::SecretKey::from_bytes(&[fill; 32].into()).expect("a valid scalar");
    KeySpec::es256_private(kid, key.to_pkcs8_pem(LineEnding::LF).expect("encodes").as_str())
}

fn issuer(keys: Vec<KeySpec>) -> JwtIssuer {
    JwtIssuer::new(JwtConfig::new("https://baton.test", "baton-api", keys)).expect("valid")
}

/// `issuer` signs with `a` and holds `b`, `reordered` the other way round, `stranger` has
/// neither.
fn subject(a: fn() -> KeySpec, b: fn() -> KeySpec, stranger: fn() -> KeySpec) -> IssuerSubject {
    IssuerSubject {
        issuer: Arc::new(issuer(vec![a(), b()])),
        reordered: Arc::new(issuer(vec![b(), a()])),
        stranger: Arc::new(issuer(vec![stranger()])),
    }
}

fn hs_a() -> KeySpec {
    hs256("a", 1)
}
fn hs_b() -> KeySpec {
    hs256("b", 2)
}
fn ed_a() -> KeySpec {
    ed25519("a", 1)
}
fn ed_b() -> KeySpec {
    ed25519("b", 2)
}
fn ec_a() -> KeySpec {
    es256("a", 1)
}
fn ec_b() -> KeySpec {
    es256("b", 2)
}
fn ec_stranger() -> KeySpec {
    es256("a", 3)
}
/// A stranger that even reuses kid "a": only the key material tells it apart.
fn hs_stranger() -> KeySpec {
    hs256("a", 3)
}
fn ed_stranger() -> KeySpec {
    ed25519("a", 3)
}

mod hs256 {
    baton_core::issuer_contract!(crate::subject(crate::hs_a, crate::hs_b, crate::hs_stranger));
}

mod eddsa {
    baton_core::issuer_contract!(crate::subject(crate::ed_a, crate::ed_b, crate::ed_stranger));
}

mod es256 {
    baton_core::issuer_contract!(crate::subject(crate::ec_a, crate::ec_b, crate::ec_stranger));
}

/// A = ES256 signs, B = EdDSA verifies (a move from EdDSA to ES256 half-way through).
mod ed_to_es256 {
    baton_core::issuer_contract!(crate::subject(crate::ec_a, crate::ed_b, crate::ed_stranger));
}

/// A = EdDSA signs, B = HS256 verifies (a move from HS256 to EdDSA half-way through).
mod mixed {
    baton_core::issuer_contract!(crate::subject(crate::ed_a, crate::hs_b, crate::hs_stranger));
}

/// The reloadable wrapper behaves as the set it holds.
mod reloadable {
    baton_core::issuer_contract!(crate::reloadable_subject());
}

/// The mixed subject, each issuer wrapped in a [`ReloadableIssuer`].
fn reloadable_subject() -> IssuerSubject {
    let wrap = |keys| Arc::new(ReloadableIssuer::new(issuer(keys)));
    IssuerSubject {
        issuer: wrap(vec![ed_a(), hs_b()]),
        reordered: wrap(vec![hs_b(), ed_a()]),
        stranger: wrap(vec![ed_stranger()]),
    }
}
