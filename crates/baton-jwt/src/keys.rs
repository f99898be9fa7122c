//! The checked key set: every key parsed once, pinned to its algorithm, ready for jsonwebtoken.

use std::collections::HashSet;

use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};
use p256::elliptic_curve::sec1::{EncodedPoint, ToEncodedPoint};
use secrecy::ExposeSecret;

use crate::config::{KeyError, KeyMaterial, KeySpec, MIN_SECRET_LEN};

/// A checked key, ready for jsonwebtoken.
#[derive(Clone)]
pub(crate) struct LoadedKey {
    pub(crate) kid: String,
    /// The one algorithm tokens of this `kid` may use.
    pub(crate) alg: Algorithm,
    /// `None` for a public-only key: it verifies, never signs.
    pub(crate) encoding: Option<EncodingKey>,
    pub(crate) decoding: DecodingKey,
    /// jsonwebtoken's checks, pinned to `alg` (the header is also checked by hand).
    pub(crate) validation: Validation,
    /// The public key, published in the JWKS; `None` for HMAC keys.
    pub(crate) public: Option<PublicKey>,
}

/// The public half of an asymmetric key, as the JWKS publishes it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum PublicKey {
    /// The raw 32-byte Ed25519 key (RFC 8037 `x`).
    Ed25519([u8; 32]),
    /// The P-256 point's affine coordinates, 32 bytes each, big-endian (RFC 7518 §6.2.1).
    P256 { x: [u8; 32], y: [u8; 32] },
}

impl PublicKey {
    /// The coordinates of an uncompressed P-256 point; `None` for any other encoding.
    fn p256(point: &EncodedPoint<p256::NistP256>) -> Option<Self> {
        let x = point.x()?[..].try_into().ok()?;
        let y = point.y()?[..].try_into().ok()?;
        Some(Self::P256 { x, y })
    }
}

impl LoadedKey {
    /// The header `alg` string of this key's algorithm.
    pub(crate) fn alg_name(&self) -> &'static str {
        alg_name(self.alg)
    }
}

/// The header `alg` of the algorithms Baton uses.
pub(crate) fn alg_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::EdDSA => "EdDSA",
        Algorithm::ES256 => "ES256",
        _ => "HS256",
    }
}

/// The checked key set: never empty, `kid`s unique and non-empty, every key well-formed, the
/// first one able to sign.
#[derive(Clone)]
pub(crate) struct KeySet {
    /// `keys[0]` signs.
    keys: Vec<LoadedKey>,
}

impl KeySet {
    /// Checks every key and builds the jsonwebtoken keys once, not per request.
    pub(crate) fn new(specs: &[KeySpec]) -> Result<Self, KeyError> {
        let mut seen = HashSet::with_capacity(specs.len());
        let mut keys = Vec::with_capacity(specs.len());
        for (index, spec) in specs.iter().enumerate() {
            if spec.kid.is_empty() {
                return Err(KeyError::EmptyKid { index });
            }
            if !seen.insert(spec.kid.as_str()) {
                return Err(KeyError::DuplicateKid { kid: spec.kid.clone() });
            }
            keys.push(load(spec)?);
        }
        match keys.first() {
            None => Err(KeyError::NoKeys),
            Some(first) if first.encoding.is_none() => {
                Err(KeyError::FirstKeyCannotSign { kid: first.kid.clone() })
            }
            Some(_) => Ok(Self { keys }),
        }
    }

    /// The key that signs new tokens.
    pub(crate) fn signing(&self) -> &LoadedKey {
        // `new` refuses an empty set, so the first key always exists.
        &self.keys[0]
    }

    /// Every key that can sign, the signing key first.
    pub(crate) fn signers(&self) -> impl Iterator<Item = &LoadedKey> {
        self.keys.iter().filter(|k| k.encoding.is_some())
    }

    /// The key a token header names, if it is still configured.
    pub(crate) fn by_kid(&self, kid: &str) -> Option<&LoadedKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// Every key, in configured order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &LoadedKey> {
        self.keys.iter()
    }
}

/// Parses and checks one key. Parser errors are dropped on purpose: their text could quote key
/// material, and the `kid` says enough to find the bad entry.
fn load(spec: &KeySpec) -> Result<LoadedKey, KeyError> {
    let kid = spec.kid.clone();
    let alg = spec.material.algorithm();
    let (encoding, decoding, public) = match &spec.material {
        KeyMaterial::Hs256 { secret } => {
            let secret = secret.expose_secret();
            if secret.len() < MIN_SECRET_LEN {
                let len = secret.len();
                return Err(KeyError::SecretTooShort { kid, len, min: MIN_SECRET_LEN });
            }
            (Some(EncodingKey::from_secret(secret)), DecodingKey::from_secret(secret), None)
        }
        KeyMaterial::Ed25519Private { pem } => {
            let bad = || KeyError::BadPrivateKey { kid: kid.clone() };
            // Checks the PEM label, the Ed25519 OID and, when present, that the embedded public
            // key matches the private one.
            let signing =
                SigningKey::from_pkcs8_pem(pem.expose_secret().trim()).map_err(|_| bad())?;
            let der = signing.to_pkcs8_der().map_err(|_| bad())?;
            let public = signing.verifying_key().to_bytes();
            (
                Some(EncodingKey::from_ed_der(der.as_bytes())),
                DecodingKey::from_ed_der(&public),
                Some(PublicKey::Ed25519(public)),
            )
        }
        KeyMaterial::Ed25519Public { pem } => {
            let verifying = VerifyingKey::from_public_key_pem(pem.trim())
                .map_err(|_| KeyError::BadPublicKey { kid: kid.clone() })?;
            // A small-order public key accepts signatures made without any private key.
            if verifying.is_weak() {
                return Err(KeyError::BadPublicKey { kid });
            }
            let public = verifying.to_bytes();
            (None, DecodingKey::from_ed_der(&public), Some(PublicKey::Ed25519(public)))
        }
        KeyMaterial::Es256Private { pem } => {
            let bad = || KeyError::BadEcPrivateKey { kid: kid.clone() };
            // PKCS#8 checks the label, the EC OID and the P-256 curve; SEC1 (`openssl ecparam
            // -genkey`) is read as P-256 and, when it embeds one, its public key must match.
            let text = pem.expose_secret().trim();
            let secret = p256::SecretKey::from_pkcs8_pem(text)
                .or_else(|_| p256::SecretKey::from_sec1_pem(text))
                .map_err(|_| bad())?;
            let der = secret.to_pkcs8_der().map_err(|_| bad())?;
            let point = secret.public_key().to_encoded_point(false);
            let public = PublicKey::p256(&point).ok_or_else(bad)?;
            (
                Some(EncodingKey::from_ec_der(der.as_bytes())),
                DecodingKey::from_ec_der(point.as_bytes()),
                Some(public),
            )
        }
        KeyMaterial::Es256Public { pem } => {
            let bad = || KeyError::BadEcPublicKey { kid: kid.clone() };
            // SPKI with the EC OID and the P-256 curve; the point must be on the curve and
            // not the identity.
            let key = p256::PublicKey::from_public_key_pem(pem.trim()).map_err(|_| bad())?;
            let point = key.to_encoded_point(false);
            let public = PublicKey::p256(&point).ok_or_else(bad)?;
            (None, DecodingKey::from_ec_der(point.as_bytes()), Some(public))
        }
    };
    Ok(LoadedKey { kid, alg, encoding, decoding, validation: validation(alg), public })
}

/// jsonwebtoken checks the algorithm and the signature only: `exp` and `nbf` are checked by the
/// issuer against the caller's clock, and `iss`/`aud` by hand for precise log reasons. Presence
/// of every claim is enforced by `WireClaims`.
fn validation(alg: Algorithm) -> Validation {
    let mut validation = Validation::new(alg);
    validation.algorithms = vec![alg];
    validation.required_spec_claims = HashSet::new();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.leeway = 0;
    validation
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hs(kid: &str, len: usize) -> KeySpec {
        KeySpec::hs256(kid, vec![7u8; len])
    }

    fn err(keys: &[KeySpec]) -> KeyError {
        KeySet::new(keys).err().expect("key set should be refused")
    }

    #[test]
    fn refuses_weak_or_ambiguous_sets() {
        assert_eq!(err(&[]), KeyError::NoKeys);
        assert_eq!(err(&[hs("a", 32), hs("", 32)]), KeyError::EmptyKid { index: 1 });
        assert_eq!(err(&[hs("a", 32), hs("a", 40)]), KeyError::DuplicateKid { kid: "a".into() });
        assert_eq!(
            err(&[hs("a", 31)]),
            KeyError::SecretTooShort { kid: "a".into(), len: 31, min: 32 }
        );
    }

    #[test]
    fn signs_with_the_first_key_and_lists_signers_first() {
        let set = KeySet::new(&[hs("new", 32), hs("old", 64)]).expect("valid set");
        assert_eq!(set.signing().kid, "new");
        assert!(set.by_kid("old").is_some());
        assert!(set.by_kid("gone").is_none());
        assert_eq!(set.signers().map(|k| k.kid.as_str()).collect::<Vec<_>>(), ["new", "old"]);
        assert!(set.iter().all(|k| k.alg == Algorithm::HS256 && k.public.is_none()));
    }
}
