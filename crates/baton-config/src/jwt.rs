//! `[jwt]`: the signing keys and claims, and the key set in the form the signing adapter
//! consumes ([`JwtSettings::key_set`]).
//!
//! Either one `secret` (HS256, kid [`DEFAULT_KID`]) or a `keys` list: the first key signs,
//! every key verifies. A key is HS256 with a `secret`, or EdDSA (Ed25519) with exactly one of
//! `private_key`, `private_key_file` (it signs) or `public_key`, `public_key_file` (it only
//! verifies). Secrets and private keys are [`Secret`]s: never printed.

use super::problem::ConfigError;
use super::secret::Secret;
use crate::duration;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// Key id of the single `jwt.secret`. Keep it as the kid of the old secret when moving to
/// `jwt.keys`, so tokens signed before the move keep verifying (docs/OPERATIONS.md).
pub const DEFAULT_KID: &str = "default";

/// `[jwt]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JwtSettings {
    /// The single HS256 signing secret (kid `default`), at least 32 random bytes.
    pub secret: Option<Secret>,
    /// Several keys for rotation: the first signs, all verify.
    pub keys: Vec<KeyConfig>,
    /// `iss` claim.
    pub issuer: String,
    /// `aud` claim.
    pub audience: String,
    /// Clock skew tolerated on `exp` and `nbf`.
    #[serde(with = "duration")]
    pub leeway: Duration,
}

impl Default for JwtSettings {
    fn default() -> Self {
        Self {
            secret: None,
            keys: Vec::new(),
            issuer: "baton".into(),
            audience: "baton-api".into(),
            leeway: Duration::from_secs(60),
        }
    }
}

/// A key's algorithm, pinned: a token whose header names another is refused (SPEC §3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyAlg {
    /// HMAC-SHA256 with a shared secret (the default).
    #[default]
    HS256,
    /// Ed25519 signatures: APIs verify with the public key alone.
    EdDSA,
}

impl KeyAlg {
    /// The JOSE name, as in a token header.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlg::HS256 => "HS256",
            KeyAlg::EdDSA => "EdDSA",
        }
    }
}

/// One entry of `jwt.keys`, as written. Which fields are required depends on `alg`; see
/// [`KeyConfig::check`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    /// The `kid` header of tokens it signs.
    pub kid: String,
    /// `HS256` (default) or `EdDSA`.
    #[serde(default)]
    pub alg: KeyAlg,
    /// HS256 only: the shared secret, at least 32 random bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
    /// EdDSA: the private key as inline PEM (signs and verifies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<Secret>,
    /// EdDSA: a file holding the private key as PEM (signs and verifies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key_file: Option<PathBuf>,
    /// EdDSA: the public key as inline PEM (verifies only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// EdDSA: a file holding the public key as PEM (verifies only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_file: Option<PathBuf>,
}

impl KeyConfig {
    /// An HS256 key, e.g. in tests.
    pub fn hs256(kid: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            kid: kid.into(),
            alg: KeyAlg::HS256,
            secret: Some(Secret::new(secret)),
            private_key: None,
            private_key_file: None,
            public_key: None,
            public_key_file: None,
        }
    }

    /// Checks that the fields fit `alg`; the message names the fields, never their values.
    pub fn check(&self) -> Result<(), String> {
        let sources = [
            ("private_key", self.private_key.is_some()),
            ("private_key_file", self.private_key_file.is_some()),
            ("public_key", self.public_key.is_some()),
            ("public_key_file", self.public_key_file.is_some()),
        ];
        let given: Vec<&str> = sources.iter().filter(|(_, set)| *set).map(|(n, _)| *n).collect();
        match self.alg {
            KeyAlg::HS256 if !given.is_empty() => Err(format!(
                "alg HS256 takes a secret, not {}: set alg = \"EdDSA\" for an Ed25519 key",
                given.join(", ")
            )),
            KeyAlg::HS256 if self.secret.is_none() => {
                Err("alg HS256 needs a secret = \"...\" (at least 32 random bytes)".into())
            }
            KeyAlg::EdDSA if self.secret.is_some() => {
                Err("alg EdDSA takes a PEM key, not a secret: use private_key_file (or \
                 private_key, public_key, public_key_file)"
                    .into())
            }
            KeyAlg::EdDSA if given.len() != 1 => Err(format!(
                "alg EdDSA needs exactly one of private_key, private_key_file, public_key, \
                 public_key_file (found {})",
                if given.is_empty() { "none".to_owned() } else { given.join(", ") }
            )),
            _ => Ok(()),
        }
    }

    /// True when this key can sign (HS256, or EdDSA with a private key).
    pub fn can_sign(&self) -> bool {
        match self.alg {
            KeyAlg::HS256 => true,
            KeyAlg::EdDSA => self.private_key.is_some() || self.private_key_file.is_some(),
        }
    }
}

/// The material of one key, as the signing adapter needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyMaterial {
    /// HS256: the shared secret's bytes ([`Secret::expose_bytes`]).
    HmacSecret(Secret),
    /// EdDSA: a PKCS#8 private key in PEM (it signs; the public key derives from it).
    Ed25519PrivatePem(Secret),
    /// EdDSA: a public key in PEM (SPKI); it only verifies.
    Ed25519PublicPem(String),
}

/// One key of the key set, ready for the signing adapter: `kid`, pinned `alg`, material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtKey {
    /// Written to and looked up from the token header.
    pub kid: String,
    /// The only algorithm accepted for this kid.
    pub alg: KeyAlg,
    /// The secret or PEM text (files already read).
    pub material: KeyMaterial,
}

impl JwtSettings {
    /// The configured keys in signing order: the `keys` list, or the single `secret` as kid
    /// [`DEFAULT_KID`] (HS256). The first signs; all verify. Nothing is read or checked.
    pub fn key_configs(&self) -> Vec<KeyConfig> {
        match &self.secret {
            Some(secret) if self.keys.is_empty() => {
                vec![KeyConfig::hs256(DEFAULT_KID, secret.expose())]
            }
            _ => self.keys.clone(),
        }
    }

    /// The key set in signing order (the first signs, all verify) with its material: secrets
    /// as given, PEM from inline text or read from the files now. A file that cannot be read
    /// is an error naming the key and the path, never the content.
    pub fn key_set(&self) -> Result<Vec<JwtKey>, ConfigError> {
        let invalid = |m: String| ConfigError::Invalid(format!("jwt.keys: {m}"));
        self.key_configs().iter().map(|k| resolve(k).map_err(invalid)).collect()
    }
}

/// One key with its material; the message names the kid and any file, never key material.
pub(super) fn resolve(key: &KeyConfig) -> Result<JwtKey, String> {
    let fail = |message: String| format!("kid {:?}: {message}", key.kid);
    key.check().map_err(fail)?;
    let read = |path: &PathBuf, what: &str| {
        let text = std::fs::read_to_string(path).map_err(|e| {
            fail(format!(
                "cannot read {what} file {}: {e}; check the path and that baton may read it",
                path.display()
            ))
        })?;
        check_pem(&text, what).map_err(|m| fail(format!("{what} file {}: {m}", path.display())))?;
        Ok::<_, String>(text)
    };
    let material = match key.alg {
        KeyAlg::HS256 => KeyMaterial::HmacSecret(key.secret.clone().expect("checked above")),
        KeyAlg::EdDSA => {
            if let Some(pem) = &key.private_key {
                check_pem(pem.expose(), "private key")
                    .map_err(|m| fail(format!("private_key: {m}")))?;
                KeyMaterial::Ed25519PrivatePem(pem.clone())
            } else if let Some(path) = &key.private_key_file {
                KeyMaterial::Ed25519PrivatePem(Secret::new(read(path, "private key")?))
            } else if let Some(pem) = &key.public_key {
                check_pem(pem, "public key").map_err(|m| fail(format!("public_key: {m}")))?;
                KeyMaterial::Ed25519PublicPem(pem.clone())
            } else {
                let path = key.public_key_file.as_ref().expect("checked above");
                KeyMaterial::Ed25519PublicPem(read(path, "public key")?)
            }
        }
    };
    Ok(JwtKey { kid: key.kid.clone(), alg: key.alg, material })
}

/// A light shape check, so a wrong file (a certificate, a secret, a public key where a
/// private one belongs) fails at start-up; the adapter parses the key itself.
fn check_pem(text: &str, what: &str) -> Result<(), String> {
    let label = if what == "private key" { "PRIVATE KEY-----" } else { "PUBLIC KEY-----" };
    let begins = text.trim_start().starts_with("-----BEGIN ") && text.contains(label);
    if begins {
        Ok(())
    } else {
        Err(format!(
            "not a PEM {what} (expected a -----BEGIN ...{label} block; make one with \
             `openssl genpkey -algorithm ed25519`)"
        ))
    }
}
