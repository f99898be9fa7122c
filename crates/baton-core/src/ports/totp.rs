//! The TOTP engine (RFC 6238): codes and enrolment material from a secret. `baton-mfa` adapts
//! totp-rs and the `qrcode` crate to it.

use super::BoxError;
use crate::domain::totp::{TimeStep, TotpCode, TotpEnrolment, TotpSecret};

/// The enrolment material could not be made (an issuer or account name no `otpauth://` URI
/// can carry, a QR code too large). Not the client's doing: the cause is kept for the log.
#[derive(Debug, thiserror::Error)]
#[error("TOTP enrolment material could not be made")]
pub struct TotpError(#[source] pub BoxError);

/// HMAC-SHA-1, six digits, 30-second steps ([`crate::domain::totp`]), as every authenticator
/// app computes them. Pure computation: it never blocks.
pub trait TotpEngine: Send + Sync {
    /// What an app needs to enrol `secret` for `account` (the user's email) under the
    /// adapter's configured issuer: the base32 secret, the `otpauth://totp/` URI naming
    /// issuer and account, and that URI as an SVG QR code. MUST put the issuer both in the
    /// label and as the `issuer` parameter (apps read one or the other), and MUST answer
    /// [`TotpError`] rather than a URI an app would misread.
    fn enrolment(&self, secret: &TotpSecret, account: &str) -> Result<TotpEnrolment, TotpError>;

    /// Which time step `code` belongs to: the LATEST step `s` with `now - skew <= s <= now +
    /// skew` whose code is `code`, or `None` when there is none. Answering the latest step
    /// is what lets [`crate::rules::totp::judge`] refuse a replay: a code accepted once can
    /// only match again at steps not after the one stored. Codes MUST be compared in
    /// constant time.
    fn check(
        &self,
        secret: &TotpSecret,
        code: &TotpCode,
        now: TimeStep,
        skew: u8,
    ) -> Option<TimeStep>;
}
