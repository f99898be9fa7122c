//! TOTP secrets sealed at rest with AES-256-GCM under `mfa.encryption_key`.
//!
//! The sealed text is `v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`:
//! - the key id is derived from the key itself (the first 8 bytes of a SHA-256 of it, in
//!   hex), so an operator rotating keys only lists them, and two keys can never share an id;
//!   the hash of a 256-bit random key reveals nothing of it;
//! - the nonce is 96 random bits per seal: at the number of TOTP enrolments any Baton will
//!   see, a repeat is out of reach (NIST SP 800-38D's 2^32 messages per key);
//! - the associated data binds the ciphertext to the scheme, the key id and the user id, so
//!   a sealed secret copied into another user's row does not open.

use aes_gcm::aead::{Aead, Generate, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use baton_core::domain::totp::{SealedSecret, TotpSecret};
use baton_core::ports::{SealError, SecretSealer};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Bytes of an `mfa.encryption_key` (AES-256).
pub const KEY_BYTES: usize = 32;
/// The first part of every sealed text: the format's version.
pub const SEAL_SCHEME: &str = "v1";
/// Bytes of an AES-GCM nonce.
const NONCE_BYTES: usize = 12;
/// Bytes of an AES-GCM tag.
const TAG_BYTES: usize = 16;

/// A configured key that cannot be used; names the key by its position, never its content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// No key at all: TOTP is unavailable (the caller decides; this adapter needs a key).
    #[error("no mfa.encryption_key configured")]
    None,
    /// Not base64, or not 32 bytes once decoded.
    #[error(
        "mfa.encryption_key #{0} is not 32 bytes of base64 (make one with `openssl rand -base64 32`)"
    )]
    Malformed(usize),
    /// The same key twice.
    #[error("mfa.encryption_key #{0} repeats an earlier key")]
    Repeated(usize),
}

/// The id a key's sealed texts carry: 16 hex digits of a SHA-256 of the key. Shown by the
/// binary (start-up log, `baton config`) so an operator can tell which key seals.
pub fn key_id(key: &[u8; KEY_BYTES]) -> String {
    let digest = Sha256::new().chain_update(b"baton mfa key id\0").chain_update(key).finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// One configured key: its id and its cipher.
struct SealingKey {
    id: String,
    cipher: Aes256Gcm,
}

/// [`SecretSealer`] with AES-256-GCM: the first key seals, every key opens.
pub struct AesGcmSealer {
    keys: Vec<SealingKey>,
}

impl std::fmt::Debug for AesGcmSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("AesGcmSealer").field("key_ids", &ids).finish()
    }
}

impl AesGcmSealer {
    /// A sealer with `keys` in order: the first seals, all open. At least one, all distinct.
    pub fn new(keys: &[[u8; KEY_BYTES]]) -> Result<Self, KeyError> {
        if keys.is_empty() {
            return Err(KeyError::None);
        }
        let mut sealing: Vec<SealingKey> = Vec::with_capacity(keys.len());
        for (i, key) in keys.iter().enumerate() {
            let id = key_id(key);
            if sealing.iter().any(|k| k.id == id) {
                return Err(KeyError::Repeated(i));
            }
            let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| KeyError::Malformed(i))?;
            sealing.push(SealingKey { id, cipher });
        }
        Ok(Self { keys: sealing })
    }

    /// A sealer from keys as configured: standard base64 of 32 bytes each (`openssl rand
    /// -base64 32`).
    pub fn from_base64<'a>(keys: impl IntoIterator<Item = &'a str>) -> Result<Self, KeyError> {
        let decoded = keys
            .into_iter()
            .enumerate()
            .map(|(i, text)| {
                let bytes = STANDARD.decode(text.trim()).map_err(|_| KeyError::Malformed(i))?;
                <[u8; KEY_BYTES]>::try_from(bytes.as_slice()).map_err(|_| KeyError::Malformed(i))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(&decoded)
    }

    /// The id of the key that seals, for the start-up log.
    pub fn current_key_id(&self) -> &str {
        &self.keys[0].id
    }

    fn aad(key_id: &str, user: Uuid) -> Vec<u8> {
        let mut aad = format!("baton totp {SEAL_SCHEME}\0{key_id}\0").into_bytes();
        aad.extend_from_slice(user.as_bytes());
        aad
    }
}

impl SecretSealer for AesGcmSealer {
    fn seal(&self, secret: &TotpSecret, user: Uuid) -> Result<SealedSecret, SealError> {
        let key = &self.keys[0];
        let nonce = Nonce::generate();
        let aad = Self::aad(&key.id, user);
        let sealed = key
            .cipher
            .encrypt(&nonce, Payload { msg: secret.expose(), aad: &aad })
            .map_err(|e| SealError::Backend(e.to_string().into()))?;
        let mut payload = nonce.to_vec();
        payload.extend_from_slice(&sealed);
        let text = format!("{SEAL_SCHEME}.{}.{}", key.id, URL_SAFE_NO_PAD.encode(&payload));
        Ok(SealedSecret::new(text))
    }

    fn open(&self, sealed: &SealedSecret, user: Uuid) -> Result<TotpSecret, SealError> {
        let mut parts = sealed.as_str().splitn(3, '.');
        let (Some(SEAL_SCHEME), Some(id), Some(payload)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(SealError::Corrupt);
        };
        // Strict base64: a changed character in the padding bits is refused, not ignored.
        let bytes = URL_SAFE_NO_PAD.decode(payload).map_err(|_| SealError::Corrupt)?;
        if bytes.len() < NONCE_BYTES + TAG_BYTES {
            return Err(SealError::Corrupt);
        }
        let key = self.keys.iter().find(|k| k.id == id);
        let key = key.ok_or_else(|| SealError::UnknownKey(id.to_owned()))?;
        let (nonce, body) = bytes.split_at(NONCE_BYTES);
        let nonce = Nonce::try_from(nonce).map_err(|_| SealError::Corrupt)?;
        let aad = Self::aad(id, user);
        let plain = key
            .cipher
            .decrypt(&nonce, Payload { msg: body, aad: &aad })
            .map_err(|_| SealError::Corrupt)?;
        Ok(TotpSecret::from_bytes(plain))
    }

    fn is_current(&self, sealed: &SealedSecret) -> bool {
        sealed.as_str().starts_with(&format!("{SEAL_SCHEME}.{}.", self.keys[0].id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_and_named_by_position() {
        let good = STANDARD.encode([7u8; 32]);
        assert!(AesGcmSealer::from_base64([good.as_str()]).is_ok());
        assert_eq!(AesGcmSealer::from_base64([]).unwrap_err(), KeyError::None);
        let short = STANDARD.encode([7u8; 31]);
        let e = AesGcmSealer::from_base64([good.as_str(), short.as_str()]).unwrap_err();
        assert_eq!(e, KeyError::Malformed(1));
        assert!(!e.to_string().contains(&short));
        let e = AesGcmSealer::from_base64([good.as_str(), "not base64!"]).unwrap_err();
        assert_eq!(e, KeyError::Malformed(1));
        let e = AesGcmSealer::from_base64([good.as_str(), good.as_str()]).unwrap_err();
        assert_eq!(e, KeyError::Repeated(1));
    }

    #[test]
    fn the_key_id_is_stable_and_reveals_nothing_of_the_key() {
        let id = key_id(&[7u8; 32]);
        assert_eq!(id.len(), 16);
        assert_eq!(id, key_id(&[7u8; 32]));
        assert_ne!(id, key_id(&[8u8; 32]));
        let sealer = AesGcmSealer::new(&[[7u8; 32]]).unwrap();
        assert_eq!(sealer.current_key_id(), id);
        assert_eq!(format!("{sealer:?}"), format!("AesGcmSealer {{ key_ids: [\"{id}\"] }}"));
    }
}
