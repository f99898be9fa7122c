//! Baton's second-factor adapters that need no OpenSSL: the TOTP engine, the sealing of TOTP
//! secrets at rest, and the operating system's random bytes (SPEC §13).
//!
//! - [`TotpRs`]: [`baton_core::ports::TotpEngine`] on totp-rs (RFC 6238: HMAC-SHA-1, six
//!   digits, 30 s) and the `qrcode` crate for the enrolment QR code as SVG.
//! - [`AesGcmSealer`]: [`baton_core::ports::SecretSealer`] with AES-256-GCM under
//!   `mfa.encryption_key` (several keys for rotation: the first seals, all open).
//! - [`OsRandomBytes`]: [`baton_core::ports::RandomBytes`] from the OS generator.
//! - [`settings::totp`]: the engine and sealer as `[mfa]` configures them.
//!
//! Passkeys live in `baton-passkeys`, which links OpenSSL through webauthn-rs.

mod random;
mod sealing;
pub mod settings;
mod totp;

pub use random::OsRandomBytes;
pub use sealing::{AesGcmSealer, KEY_BYTES, KeyError, SEAL_SCHEME, key_id};
pub use totp::{IssuerError, TotpRs};
