//! Deterministic stand-ins for the second-factor ports: random bytes from a seed, a reference
//! TOTP engine on the independent HOTP of [`super::hotp`], and a sealer. They pass the same
//! contract suites as `baton-mfa`'s adapters (`testing::contract::{totp, sealing}`), so core
//! tests written against them hold for the real ones.

use std::sync::atomic::{AtomicU64, Ordering};

use super::hotp::{base32, hotp_code};
use crate::domain::totp::{SealedSecret, TimeStep, TotpCode, TotpEnrolment, TotpSecret};
use crate::ports::{RandomBytes, SealError, SecretSealer, TotpEngine, TotpError};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Bytes that look random but repeat for a seed: SHA-256 of the seed and a counter.
#[derive(Debug, Default)]
pub struct SeqBytes {
    seed: u64,
    next: AtomicU64,
    period: Option<u64>,
}

impl SeqBytes {
    /// A source whose bytes differ from those of every other seed.
    pub fn seeded(seed: u64) -> Self {
        Self { seed, next: AtomicU64::new(0), period: None }
    }

    /// A broken source that repeats itself after `calls` fills, to test that callers cope.
    pub fn repeating_every(calls: u64) -> Self {
        Self { seed: 0, next: AtomicU64::new(0), period: Some(calls.max(1)) }
    }
}

impl RandomBytes for SeqBytes {
    fn fill(&self, dest: &mut [u8]) {
        let mut n = self.next.fetch_add(1, Ordering::SeqCst);
        if let Some(period) = self.period {
            n %= period;
        }
        for (i, chunk) in dest.chunks_mut(32).enumerate() {
            let block = Sha256::new()
                .chain_update(self.seed.to_be_bytes())
                .chain_update(n.to_be_bytes())
                .chain_update((i as u64).to_be_bytes())
                .finalize();
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
    }
}

/// A TOTP engine on the reference HOTP: correct, slow, not constant-time, for tests only.
/// Its QR code is a placeholder SVG (no QR encoder in the core).
#[derive(Debug, Clone)]
pub struct RefTotp {
    issuer: String,
}

impl RefTotp {
    /// An engine enrolling under `issuer`.
    pub fn new(issuer: &str) -> Self {
        Self { issuer: issuer.to_owned() }
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl TotpEngine for RefTotp {
    fn enrolment(&self, secret: &TotpSecret, account: &str) -> Result<TotpEnrolment, TotpError> {
        let secret_base32 = base32(secret.expose());
        let (issuer, account) = (encode(&self.issuer), encode(account));
        let otpauth_uri =
            format!("otpauth://totp/{issuer}:{account}?secret={secret_base32}&issuer={issuer}");
        let qr_svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>".to_owned();
        Ok(TotpEnrolment { secret_base32, otpauth_uri, qr_svg })
    }

    fn check(
        &self,
        secret: &TotpSecret,
        code: &TotpCode,
        now: TimeStep,
        skew: u8,
    ) -> Option<TimeStep> {
        let skew = i64::from(skew);
        (-skew..=skew)
            .rev()
            .map(|by| now.offset(by))
            .filter(|step| step.number() >= 0)
            .find(|step| hotp_code(secret.expose(), step.number() as u64) == code.as_str())
    }
}

/// A sealer with SHA-256 as its cipher (a keystream and a MAC, both keyed): it hides the
/// secret, binds it to the user and refuses tampering as AES-GCM does, which is all the
/// sealing contract asks. Not a cipher to use outside tests.
#[derive(Debug)]
pub struct FakeSealer {
    keys: Vec<(String, [u8; 32])>,
    nonces: AtomicU64,
}

impl FakeSealer {
    /// A sealer with `keys` as (id, key) pairs: the first seals, all open.
    pub fn new(keys: Vec<(String, [u8; 32])>) -> Self {
        Self { keys, nonces: AtomicU64::new(0) }
    }

    /// A sealer whose keys are derived from their ids, for the sealing contract's key names.
    pub fn named(ids: &[&str]) -> Self {
        let key = |id: &str| Sha256::digest(id.as_bytes()).into();
        Self::new(ids.iter().map(|id| (id.to_string(), key(id))).collect())
    }

    fn stream(key: &[u8; 32], nonce: &[u8], user: Uuid, len: usize) -> Vec<u8> {
        (0..len.div_ceil(32) as u64)
            .flat_map(|i| {
                Sha256::new()
                    .chain_update(key)
                    .chain_update(nonce)
                    .chain_update(user.as_bytes())
                    .chain_update(i.to_be_bytes())
                    .finalize()
            })
            .take(len)
            .collect()
    }

    fn tag(key: &[u8; 32], nonce: &[u8], user: Uuid, body: &[u8]) -> [u8; 32] {
        let d = Sha256::new().chain_update(b"tag").chain_update(key).chain_update(nonce);
        d.chain_update(user.as_bytes()).chain_update(body).finalize().into()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    // Lower case only, as `hex` writes it: a text differing only in case is another text.
    let lower_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    if !text.len().is_multiple_of(2) || !text.bytes().all(lower_hex) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

impl SecretSealer for FakeSealer {
    fn seal(&self, secret: &TotpSecret, user: Uuid) -> Result<SealedSecret, SealError> {
        let (id, key) = self.keys.first().ok_or(SealError::Backend("no key".into()))?;
        let nonce = self.nonces.fetch_add(1, Ordering::SeqCst).to_be_bytes();
        let stream = Self::stream(key, &nonce, user, secret.expose().len());
        let body: Vec<u8> = secret.expose().iter().zip(stream).map(|(a, b)| a ^ b).collect();
        let tag = Self::tag(key, &nonce, user, &body);
        let text = format!("fake1.{id}.{}{}{}", hex(&nonce), hex(&body), hex(&tag));
        Ok(SealedSecret::new(text))
    }

    fn open(&self, sealed: &SealedSecret, user: Uuid) -> Result<TotpSecret, SealError> {
        let mut parts = sealed.as_str().splitn(3, '.');
        let (Some("fake1"), Some(id), Some(payload)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(SealError::Corrupt);
        };
        let bytes = unhex(payload).filter(|b| b.len() >= 40).ok_or(SealError::Corrupt)?;
        let (_, key) = self
            .keys
            .iter()
            .find(|(kid, _)| kid == id)
            .ok_or_else(|| SealError::UnknownKey(id.to_owned()))?;
        let (nonce, rest) = bytes.split_at(8);
        let (body, tag) = rest.split_at(rest.len() - 32);
        if Self::tag(key, nonce, user, body) != tag {
            return Err(SealError::Corrupt);
        }
        let stream = Self::stream(key, nonce, user, body.len());
        Ok(TotpSecret::from_bytes(body.iter().zip(stream).map(|(a, b)| a ^ b).collect()))
    }

    fn is_current(&self, sealed: &SealedSecret) -> bool {
        self.keys.first().is_some_and(|(id, _)| sealed.key_id() == Some(id.as_str()))
    }
}
