//! TOTP as `[mfa]` configures it (`baton-config`): the engine under `mfa.totp_issuer`, and the
//! sealer of `mfa.encryption_key` when a key is set (none: TOTP is unavailable), for
//! [`baton_core::SecondFactors`].

use crate::{AesGcmSealer, IssuerError, KeyError, TotpRs};
use baton_config::Config;

/// Why the configured TOTP could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// `mfa.totp_issuer` cannot stand in an `otpauth://` URI.
    #[error(transparent)]
    Issuer(#[from] IssuerError),
    /// An `mfa.encryption_key` is not a key.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// The TOTP engine and, when `mfa.encryption_key` is set, the sealer of its secrets.
pub fn totp(config: &Config) -> Result<(TotpRs, Option<AesGcmSealer>), SettingsError> {
    let engine = TotpRs::new(&config.mfa.totp_issuer)?;
    let sealer = match config.mfa.totp_available() {
        true => Some(AesGcmSealer::from_base64(config.mfa.encryption_keys())?),
        false => None,
    };
    Ok((engine, sealer))
}
