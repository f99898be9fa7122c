//! Secrets in configuration (JWT HS256 secrets, Ed25519 private keys, introspection client
//! secrets) and the rules that refuse weak ones.
//!
//! [`Secret`] is built on the `secrecy` crate: the value is zeroized when dropped and its
//! `Debug` is redacted. It serializes as [`REDACTED`], so `baton config` and any serialized
//! configuration never show it.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashSet;
use std::fmt;

/// Shown in place of secrets.
pub const REDACTED: &str = "<redacted>";

/// Secrets shorter than this are refused (SPEC §3): HS256 wants at least 256 bits of key.
pub const MIN_SECRET_BYTES: usize = 32;

/// Secrets with fewer distinct bytes than this are refused as not random (`"a"` × 32,
/// `"abab..."`). Any `openssl rand -base64 32` or `openssl rand -hex 32` output passes: a
/// random hex string of 64 characters has fewer than 10 distinct characters with probability
/// about 1e-12, a base64 one about 1e-26 (docs/DECISIONS.md has the computation).
pub const MIN_DISTINCT_BYTES: usize = 10;

/// Marker carried by the development secret in `config/dev.toml`; any secret containing it is
/// refused outside the `dev` profile so the published dev secret never signs real tokens.
pub const DEV_SECRET_MARKER: &str = "dev-only-insecure";

/// The only profile that accepts a secret carrying [`DEV_SECRET_MARKER`].
pub const DEV_PROFILE: &str = "dev";

/// A secret string. `Debug` and `Serialize` never show it and it is wiped from memory on
/// drop, so printing, logging or dropping a configuration cannot leak it.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a secret, e.g. in tests.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(SecretString::from(secret.into()))
    }

    /// The secret itself, for the adapter that uses it (signing, comparing) only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The secret's bytes, e.g. an HMAC key.
    pub fn expose_bytes(&self) -> &[u8] {
        self.expose().as_bytes()
    }

    /// Why this secret is too weak to use, or `None`. Checks length, whitespace-only and
    /// variety; the message never contains the secret.
    pub fn weakness(&self) -> Option<String> {
        let bytes = self.expose_bytes();
        if bytes.len() < MIN_SECRET_BYTES {
            return Some(format!("is {} bytes; at least {MIN_SECRET_BYTES} required", bytes.len()));
        }
        if self.expose().trim().is_empty() {
            return Some("is only whitespace".into());
        }
        let distinct = bytes.iter().collect::<HashSet<_>>().len();
        if distinct < MIN_DISTINCT_BYTES {
            return Some(format!(
                "has only {distinct} distinct bytes (at least {MIN_DISTINCT_BYTES}): it is not \
                 random"
            ));
        }
        None
    }

    /// True for the published development secret (see [`DEV_SECRET_MARKER`]).
    pub fn is_dev_secret(&self) -> bool {
        self.expose().contains(DEV_SECRET_MARKER)
    }
}

/// How to make a good secret, appended to every refusal.
pub const SECRET_HINT: &str = "generate one with `openssl rand -base64 32`";

/// Compares the secrets themselves, so configurations compare by value (a reload can tell
/// whether keys changed). Not constant-time: configurations are not compared with input from
/// the network.
impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({REDACTED})")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[test]
    fn secrets_are_redacted_in_debug_and_serialized_form() {
        let s = Secret::new("a-very-secret-value-0123456789abcdef");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"<redacted>\"");
        assert_eq!(s.expose(), "a-very-secret-value-0123456789abcdef");
    }

    #[test]
    fn weak_secrets_are_named_without_their_value() {
        let cases = [
            (" ".repeat(32), "whitespace"),
            ("\t\n".repeat(20), "whitespace"),
            ("a".repeat(32), "1 distinct"),
            ("abcdefghi".repeat(4), "9 distinct"),
            ("short".into(), "5 bytes"),
        ];
        for (secret, why) in cases {
            let weakness = Secret::new(secret.clone()).weakness().expect(why);
            assert!(weakness.contains(why), "{weakness}");
            assert!(!weakness.contains(&secret), "{weakness}");
        }
        assert_eq!(Secret::new("abcdefghij".repeat(4)).weakness(), None, "10 distinct is enough");
    }

    /// Random 32-byte secrets as `openssl rand -base64 32` and `-hex 32` print them always
    /// pass. The bytes come from v4 UUIDs (the OS generator), 2 × 122 random bits each.
    #[test]
    fn random_secrets_in_openssl_form_pass() {
        for _ in 0..2_000 {
            let mut bytes = Vec::with_capacity(32);
            bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
            bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
            let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(Secret::new(b64.clone()).weakness(), None, "{b64}");
            assert_eq!(Secret::new(hex.clone()).weakness(), None, "{hex}");
        }
        // Literal outputs of the two commands.
        let samples = [
            "q0Jl7oYk7p8wC3hJrVxQm1i2tYb8dZs9LfA4uGeNHcI=",
            "5f1c9a0e7b3d4c2a8e6f0b1d3c5a7e9f2b4d6c8a0e1f3b5d7c9a1e3f5b7d9c0a",
        ];
        for s in samples {
            assert_eq!(Secret::new(s).weakness(), None, "{s}");
        }
    }
}
