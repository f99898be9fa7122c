//! The TOTP engine: totp-rs computes codes and the `otpauth://` URI, `qrcode` draws it.

use baton_core::domain::totp::{
    DIGITS, PERIOD_SECS, TimeStep, TotpCode, TotpEnrolment, TotpSecret,
};
use baton_core::ports::{TotpEngine, TotpError};
use qrcode::QrCode;
use qrcode::render::svg;
use totp_rs::{Algorithm, Builder, Totp};

/// The configured issuer cannot name a TOTP account: empty, or with a `:` (the separator of
/// issuer and account in the URI's label).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("TOTP issuer {0:?} must be non-empty and without ':'")]
pub struct IssuerError(pub String);

/// [`TotpEngine`] on totp-rs: SHA-1, six digits, 30-second steps, the parameters every
/// authenticator app assumes, so the URI names none of them.
#[derive(Debug, Clone)]
pub struct TotpRs {
    issuer: String,
}

impl TotpRs {
    /// An engine enrolling under `issuer` (`mfa.totp_issuer`): the name apps show above the
    /// code.
    pub fn new(issuer: &str) -> Result<Self, IssuerError> {
        if issuer.trim().is_empty() || issuer.contains(':') {
            return Err(IssuerError(issuer.to_owned()));
        }
        Ok(Self { issuer: issuer.to_owned() })
    }

    /// totp-rs's engine for `secret`, with no skew of its own: the window is walked here so
    /// that the answer is the latest matching step (see [`TotpEngine::check`]).
    fn totp(&self, secret: &TotpSecret, account: &str) -> Totp {
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(DIGITS as u8)
            .with_skew(0)
            .with_step_duration(PERIOD_SECS as u64)
            .with_secret(secret.expose())
            .with_issuer(Some(self.issuer.as_str()))
            .with_account_name(account)
            // Checked above (issuer) and in `enrolment` (account); secrets are Baton's own
            // 160-bit ones. Not `build()`: it refuses secrets under 128 bits, which a check
            // must answer `None` for, not panic on.
            .build_noncompliant()
    }
}

impl TotpEngine for TotpRs {
    fn enrolment(&self, secret: &TotpSecret, account: &str) -> Result<TotpEnrolment, TotpError> {
        if account.is_empty() || account.contains(':') {
            return Err(TotpError(format!("account {account:?} cannot be a TOTP label").into()));
        }
        let totp = self.totp(secret, account);
        let otpauth_uri = totp.to_url().map_err(|e| TotpError(e.to_string().into()))?;
        let qr = QrCode::new(otpauth_uri.as_bytes()).map_err(|e| TotpError(Box::new(e)))?;
        let qr_svg =
            qr.render::<svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build();
        let secret_base32 = totp.secret().to_base32();
        Ok(TotpEnrolment { secret_base32, otpauth_uri, qr_svg })
    }

    fn check(
        &self,
        secret: &TotpSecret,
        code: &TotpCode,
        now: TimeStep,
        skew: u8,
    ) -> Option<TimeStep> {
        let totp = self.totp(secret, "");
        let skew = i64::from(skew);
        // Latest first; every step of the window is computed and compared (in constant time,
        // by totp-rs) whatever matched, so the time taken says nothing about which did.
        let mut found = None;
        for step in (-skew..=skew).rev().map(|by| now.offset(by)) {
            let Ok(start) = u64::try_from(step.start_unix()) else {
                continue; // before 1970: no code
            };
            let matched = totp.check(code.as_str(), start).is_some();
            if matched && found.is_none() {
                found = Some(step);
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_that_break_the_label_are_refused() {
        assert!(TotpRs::new("Baton").is_ok());
        for bad in ["", "  ", "Acme:Auth"] {
            assert_eq!(TotpRs::new(bad).unwrap_err(), IssuerError(bad.into()));
        }
    }

    #[test]
    fn accounts_that_break_the_label_are_refused() {
        let engine = TotpRs::new("Baton").unwrap();
        let secret = TotpSecret::from_bytes(vec![7; 20]);
        assert!(engine.enrolment(&secret, "a:b@example.com").is_err());
        assert!(engine.enrolment(&secret, "").is_err());
    }

    #[test]
    fn the_qr_code_is_a_whole_svg_of_the_uri() {
        let engine = TotpRs::new("Baton Example").unwrap();
        let e = engine.enrolment(&TotpSecret::from_bytes(vec![7; 20]), "ada@example.com").unwrap();
        assert!(e.qr_svg.contains("<svg") && e.qr_svg.trim_end().ends_with("</svg>"));
        assert!(e.otpauth_uri.starts_with("otpauth://totp/Baton%20Example:ada%40example.com?"));
    }

    #[test]
    fn short_secrets_and_times_before_1970_do_not_panic() {
        let engine = TotpRs::new("Baton").unwrap();
        let code = TotpCode::parse("123456").unwrap();
        let short = TotpSecret::from_bytes(vec![1; 4]);
        let _ = engine.check(&short, &code, TimeStep::new(100), 1);
        assert_eq!(engine.check(&short, &code, TimeStep::new(-5), 1), None);
    }
}
