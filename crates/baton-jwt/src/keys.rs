//! The key set and its configuration: which secrets sign and verify, and the checks that
//! refuse a weak or ambiguous set at start-up rather than at the first request.

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use jsonwebtoken::{DecodingKey, EncodingKey};

/// Shortest accepted secret, in bytes: HS256 is only as strong as its key, and SPEC §3 refuses
/// anything under 256 bits.
pub const MIN_SECRET_LEN: usize = 32;

/// Clock skew tolerated on `exp` and `nbf` unless configured otherwise (SPEC §3).
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// One HMAC secret and the `kid` that names it in token headers, so that tokens signed before
/// a key rotation can still find the key that verifies them.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey {
    /// Key id written to the `kid` header; unique within a [`JwtConfig`].
    pub kid: String,
    /// The raw HMAC secret (at least [`MIN_SECRET_LEN`] bytes).
    pub secret: Vec<u8>,
}

impl SigningKey {
    /// Pairs a `kid` with its secret; nothing is checked until [`crate::HmacIssuer::new`], so
    /// that all problems of a configuration are reported in one place.
    pub fn new(kid: impl Into<String>, secret: impl Into<Vec<u8>>) -> Self {
        Self { kid: kid.into(), secret: secret.into() }
    }
}

/// Redacts the secret, so a key printed in a log or a panic message does not leak it.
impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("secret", &format_args!("[{} bytes redacted]", self.secret.len()))
            .finish()
    }
}

/// Everything [`crate::HmacIssuer`] needs: the claims it pins and the keys it uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtConfig {
    /// Written to and required in `iss`.
    pub issuer: String,
    /// Written to and required in `aud`.
    pub audience: String,
    /// The key set: the first key signs, every key verifies (key rotation, SPEC §3).
    pub keys: Vec<SigningKey>,
    /// Clock skew tolerated on `exp` and `nbf`.
    pub leeway: Duration,
}

impl JwtConfig {
    /// A configuration with the default leeway ([`DEFAULT_LEEWAY`]).
    pub fn new(
        issuer: impl Into<String>,
        audience: impl Into<String>,
        keys: Vec<SigningKey>,
    ) -> Self {
        Self { issuer: issuer.into(), audience: audience.into(), keys, leeway: DEFAULT_LEEWAY }
    }
}

/// Why a [`JwtConfig`] was refused. Each message fits on one line of a start-up error and
/// never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Nothing could sign tokens.
    #[error("no JWT signing key configured: at least one key is required")]
    NoKeys,
    /// A key has an empty `kid`, so it could not be chosen from a token header.
    #[error("JWT key #{index} has an empty kid")]
    EmptyKid {
        /// Zero-based position of the key in the configured list.
        index: usize,
    },
    /// Two keys share a `kid`, so a token header could not say which one signed it.
    #[error("JWT key id {kid:?} is configured more than once")]
    DuplicateKid {
        /// The repeated key id.
        kid: String,
    },
    /// A secret is too short to resist brute force.
    #[error("JWT key {kid:?} has a {len}-byte secret; at least {min} bytes are required")]
    SecretTooShort {
        /// The offending key id.
        kid: String,
        /// Its secret length in bytes.
        len: usize,
        /// The minimum, [`MIN_SECRET_LEN`].
        min: usize,
    },
    /// An empty issuer would make `iss` meaningless.
    #[error("JWT issuer must not be empty")]
    EmptyIssuer,
    /// An empty audience would make `aud` meaningless.
    #[error("JWT audience must not be empty")]
    EmptyAudience,
}

/// A checked key, ready for jsonwebtoken.
#[derive(Clone)]
pub(crate) struct LoadedKey {
    pub(crate) kid: String,
    pub(crate) encoding: EncodingKey,
    pub(crate) decoding: DecodingKey,
}

/// The checked key set: never empty, `kid`s unique and non-empty, secrets long enough.
#[derive(Clone)]
pub(crate) struct KeySet {
    /// `keys[0]` signs.
    keys: Vec<LoadedKey>,
}

impl KeySet {
    /// Checks every key and builds the jsonwebtoken keys once, not per request.
    pub(crate) fn new(keys: &[SigningKey]) -> Result<Self, KeyError> {
        if keys.is_empty() {
            return Err(KeyError::NoKeys);
        }
        let mut seen = HashSet::with_capacity(keys.len());
        let mut loaded = Vec::with_capacity(keys.len());
        for (index, key) in keys.iter().enumerate() {
            if key.kid.is_empty() {
                return Err(KeyError::EmptyKid { index });
            }
            if !seen.insert(key.kid.as_str()) {
                return Err(KeyError::DuplicateKid { kid: key.kid.clone() });
            }
            if key.secret.len() < MIN_SECRET_LEN {
                return Err(KeyError::SecretTooShort {
                    kid: key.kid.clone(),
                    len: key.secret.len(),
                    min: MIN_SECRET_LEN,
                });
            }
            loaded.push(LoadedKey {
                kid: key.kid.clone(),
                encoding: EncodingKey::from_secret(&key.secret),
                decoding: DecodingKey::from_secret(&key.secret),
            });
        }
        Ok(Self { keys: loaded })
    }

    /// The key that signs new tokens.
    pub(crate) fn signing(&self) -> &LoadedKey {
        // `new` refuses an empty set, so the first key always exists.
        &self.keys[0]
    }

    /// The key a token header names, if it is still configured.
    pub(crate) fn by_kid(&self, kid: &str) -> Option<&LoadedKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// Every key, signing key first.
    pub(crate) fn all(&self) -> impl Iterator<Item = &LoadedKey> {
        self.keys.iter()
    }

    /// The configured `kid`s, signing key first.
    pub(crate) fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.kid.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kid: &str, len: usize) -> SigningKey {
        SigningKey::new(kid, vec![7u8; len])
    }

    fn err(keys: &[SigningKey]) -> KeyError {
        KeySet::new(keys).err().expect("key set should be refused")
    }

    #[test]
    fn refuses_weak_or_ambiguous_sets() {
        assert_eq!(err(&[]), KeyError::NoKeys);
        assert_eq!(err(&[key("a", 32), key("", 32)]), KeyError::EmptyKid { index: 1 });
        assert_eq!(err(&[key("a", 32), key("a", 40)]), KeyError::DuplicateKid { kid: "a".into() });
        assert_eq!(
            err(&[key("a", 31)]),
            KeyError::SecretTooShort { kid: "a".into(), len: 31, min: 32 }
        );
    }

    #[test]
    fn accepts_a_good_set_and_signs_with_the_first_key() {
        let set = KeySet::new(&[key("new", 32), key("old", 64)]).expect("valid set");
        assert_eq!(set.signing().kid, "new");
        assert!(set.by_kid("old").is_some());
        assert!(set.by_kid("gone").is_none());
        assert_eq!(set.kids().collect::<Vec<_>>(), ["new", "old"]);
    }

    #[test]
    fn messages_are_one_line_and_hide_secrets() {
        let key = SigningKey::new("k1", b"super-secret-value-that-is-long!!".to_vec());
        assert!(!format!("{key:?}").contains("super-secret"));
        let all = [
            KeyError::NoKeys,
            KeyError::EmptyKid { index: 0 },
            KeyError::DuplicateKid { kid: "k".into() },
            KeyError::SecretTooShort { kid: "k".into(), len: 3, min: 32 },
            KeyError::EmptyIssuer,
            KeyError::EmptyAudience,
        ];
        for e in all {
            let msg = e.to_string();
            assert!(!msg.is_empty() && !msg.contains('\n'), "{msg:?}");
        }
    }
}
