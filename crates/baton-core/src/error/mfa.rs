//! What the second-factor use cases (SPEC §13) can answer: enrolment and removal of TOTP and
//! passkeys, the second step of a login, passwordless login.

use std::fmt;
use std::time::Duration;

use super::{Fault, fault_from};
use crate::ports::{HashError, SignError, StoreError};
use strum::{EnumDiscriminants, EnumIter, IntoStaticStr};

/// A login whose password was right and which waits for a second factor: what the client
/// needs to finish it. Its `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct MfaPending {
    /// The single-use handle of this login (`mfa_token`); only its hash is stored.
    pub mfa_token: String,
    /// The factors the account has: `totp`, `recovery_code`, `webauthn`.
    pub methods: Vec<&'static str>,
    /// How long the token stays good.
    pub expires_in: Duration,
}

impl fmt::Debug for MfaPending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaPending")
            .field("mfa_token", &"<redacted>")
            .field("methods", &self.methods)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// What the second-factor use cases can answer.
#[derive(Debug, thiserror::Error, EnumDiscriminants)]
#[strum_discriminants(name(MfaOutcome), derive(EnumIter, IntoStaticStr), vis(pub))]
#[strum_discriminants(strum(serialize_all = "snake_case"))]
pub enum MfaError {
    /// Input that cannot be what was asked for (a code that is not six digits, a name too
    /// long, a credential that is not WebAuthn JSON). Safe to show.
    #[error("{0}")]
    InvalidInput(String),
    /// TOTP needs `mfa.encryption_key`, which is not configured. (Labelled apart from a
    /// fault's `unavailable`, which is the database's.)
    #[error("TOTP is not available on this server")]
    #[strum_discriminants(strum(serialize = "mfa_unavailable"))]
    Unavailable,
    /// The account has a confirmed TOTP already: disable it first.
    #[error("TOTP is already enabled")]
    AlreadyEnabled,
    /// No TOTP to confirm or to disable.
    #[error("TOTP is not enabled")]
    NotEnrolled,
    /// A wrong, replayed or used TOTP or recovery code (counted toward the lockout at login
    /// and on removal).
    #[error("wrong code")]
    InvalidCode,
    /// The password given to remove a factor is wrong (counted toward the lockout).
    #[error("wrong password")]
    #[strum_discriminants(strum(serialize = "bad_credentials"))]
    InvalidCredentials,
    /// Removing the account's last second factor needs the password.
    #[error("the password is required to remove the last second factor")]
    PasswordRequired,
    /// Too many failed checks for this account from this address.
    #[error("too many failed checks")]
    #[strum_discriminants(strum(serialize = "locked"))]
    LockedOut {
        /// Time until the lock lifts.
        retry_after: Duration,
    },
    /// An `mfa_token` that is unknown, used or expired.
    #[error("invalid mfa token")]
    InvalidMfaToken,
    /// A passkey ceremony that was not started, expired, or finished already.
    #[error("no such passkey ceremony")]
    InvalidChallenge,
    /// The passkey assertion or registration did not verify (counted toward the lockout when
    /// it was a second factor).
    #[error("the passkey was refused")]
    PasskeyRefused,
    /// This authenticator's credential is registered already.
    #[error("passkey already registered")]
    PasskeyExists,
    /// Not a passkey of the caller.
    #[error("passkey not found")]
    PasskeyNotFound,
    /// The account is disabled.
    #[error("account disabled")]
    #[strum_discriminants(strum(serialize = "disabled"))]
    AccountDisabled,
    /// The email is not verified and the policy requires it.
    #[error("email not verified")]
    #[strum_discriminants(strum(serialize = "unverified"))]
    EmailNotVerified,
    /// Baton's side failed.
    #[error(transparent)]
    Fault(#[from] Fault),
}

fault_from!(MfaError);
