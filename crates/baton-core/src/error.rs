//! What each use case can answer when it does not succeed: one enum per use case, listing
//! exactly the outcomes of that operation, so that "what can `refresh` fail with?" is
//! answered by one type ([`RefreshError`]).
//!
//! Failures on Baton's side (database, signing, hashing) are a [`Fault`], which keeps its
//! cause chain for the log and never reaches a client beyond "unavailable" or "internal".
//! Use cases that can fail only that way (logout, the sessions list, purge, introspection)
//! return [`Fault`] itself. Each enum's outcome labels (for `/metrics`) are derived from its
//! variants ([`crate::outcome`]).

mod mfa;

use std::time::Duration;

pub use mfa::{MfaError, MfaOutcome, MfaPending};

use crate::outcome::{FaultKind, Outcomes, outcomes};
use crate::ports::{ComposeError, CreateUserError, HashError, SignError, StoreError, TokenError};
use strum::{EnumDiscriminants, EnumIter, IntoEnumIterator, IntoStaticStr};

/// An error and its sources on one line, `outer: inner: innermost`, for logs and stored
/// failure reasons: adapters' errors keep the why in their sources, and a log line needs all
/// of it. The one formatter every crate uses.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Input that breaks a rule of the account policy; the message is safe to show the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The email is not an address Baton accepts.
    #[error("email {0}")]
    Email(&'static str),
    /// Fewer than 8 characters.
    #[error("password must be at least 8 characters")]
    PasswordTooShort,
    /// More than 72 bytes: bcrypt would silently ignore the rest.
    #[error("password must be at most 72 bytes")]
    PasswordTooLong,
    /// More than 100 characters.
    #[error("name must be at most 100 characters")]
    NameTooLong,
    /// Control characters in a name.
    #[error("name must not contain control characters")]
    NameInvalid,
}

/// Something on Baton's side failed: not the client's doing, and nothing it can fix beyond
/// retrying. The source chain says what happened, for the log.
#[derive(Debug, thiserror::Error)]
pub enum Fault {
    /// The database failed or did not answer.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A token could not be signed.
    #[error(transparent)]
    Signing(#[from] SignError),
    /// A password could not be hashed or verified.
    #[error(transparent)]
    Hashing(#[from] HashError),
    /// A mail could not be composed from its templates.
    #[error(transparent)]
    Mail(#[from] ComposeError),
    /// A second-factor adapter failed: a sealed secret that does not open (a removed key),
    /// a stored passkey or ceremony state it cannot read, enrolment material it cannot make.
    #[error("second factor: {0}")]
    SecondFactor(#[source] crate::ports::BoxError),
}

/// Gives a use-case error `From` conversions from every adapter failure, through [`Fault`],
/// so that `?` works on port calls inside the use case.
macro_rules! fault_from {
    ($($error:ty),* $(,)?) => {$(
        impl From<StoreError> for $error {
            fn from(e: StoreError) -> Self {
                Self::Fault(Fault::Store(e))
            }
        }
        impl From<SignError> for $error {
            fn from(e: SignError) -> Self {
                Self::Fault(Fault::Signing(e))
            }
        }
        impl From<HashError> for $error {
            fn from(e: HashError) -> Self {
                Self::Fault(Fault::Hashing(e))
            }
        }
    )*};
}

pub(crate) use fault_from;

fault_from!(
    RegisterError,
    LoginError,
    RefreshError,
    AccessError,
    RevokeSessionError,
    AdminError,
    AccountError,
);

impl Fault {
    /// Which kind of failure this is.
    pub fn kind(&self) -> FaultKind {
        match self {
            Fault::Store(StoreError::Unavailable(_)) | Fault::Hashing(HashError::Busy) => {
                FaultKind::Unavailable
            }
            Fault::Store(StoreError::Backend(_))
            | Fault::Signing(_)
            | Fault::Hashing(HashError::Failed(_))
            | Fault::Mail(_)
            | Fault::SecondFactor(_) => FaultKind::Error,
        }
    }
}

impl Outcomes for Fault {
    fn label(&self) -> &'static str {
        self.kind().into()
    }

    fn labels() -> Vec<&'static str> {
        FaultKind::iter().map(Into::into).collect()
    }
}

outcomes!(
    RegisterError => RegisterOutcome,
    LoginError => LoginOutcome,
    RefreshError => RefreshOutcome,
    AccessError => AccessOutcome,
    RevokeSessionError => RevokeSessionOutcome,
    AccountError => AccountOutcome,
    MfaError => MfaOutcome,
);

/// What the account lifecycle's use cases (SPEC §12) can answer.
#[derive(Debug, thiserror::Error, EnumDiscriminants)]
#[strum_discriminants(name(AccountOutcome), derive(EnumIter, IntoStaticStr), vis(pub))]
#[strum_discriminants(strum(serialize_all = "snake_case"))]
pub enum AccountError {
    /// The new password or email breaks a rule.
    #[error(transparent)]
    InvalidInput(#[from] InputError),
    /// The current password is wrong (counted toward the lockout like a failed login).
    #[error("wrong password")]
    #[strum_discriminants(strum(serialize = "bad_credentials"))]
    InvalidCredentials,
    /// Too many failed password checks for this account from this address.
    #[error("too many failed password checks")]
    #[strum_discriminants(strum(serialize = "locked"))]
    LockedOut {
        /// Time until the lock lifts.
        retry_after: Duration,
    },
    /// A reset token that is unknown, used or expired.
    #[error("invalid reset token")]
    InvalidResetToken,
    /// A verification token that is unknown, used, expired, or for an address the account
    /// no longer has.
    #[error("invalid verification token")]
    InvalidVerificationToken,
    /// The new email belongs to another account.
    #[error("email already registered")]
    EmailTaken,
    /// No mail transport or link is configured, so nothing that needs a mail can be done.
    #[error("mail is not configured")]
    MailUnavailable,
    /// Baton's side failed.
    #[error(transparent)]
    Fault(#[from] Fault),
}

/// What registration (and `baton user create`) can answer.
#[derive(Debug, thiserror::Error, EnumDiscriminants)]
#[strum_discriminants(name(RegisterOutcome), derive(EnumIter, IntoStaticStr), vis(pub))]
#[strum_discriminants(strum(serialize_all = "snake_case"))]
pub enum RegisterError {
    /// The email, password or name breaks a rule.
    #[error(transparent)]
    InvalidInput(#[from] InputError),
    /// The email has an account.
    #[error("email already registered")]
    EmailTaken,
    /// Baton's side failed.
    #[error(transparent)]
    Fault(#[from] Fault),
}

impl From<CreateUserError> for RegisterError {
    fn from(e: CreateUserError) -> Self {
        match e {
            CreateUserError::EmailTaken => RegisterError::EmailTaken,
            CreateUserError::Store(e) => e.into(),
        }
    }
}

/// What login can answer.
#[derive(Debug, thiserror::Error, EnumDiscriminants)]
#[strum_discriminants(name(LoginOutcome), derive(EnumIter, IntoStaticStr), vis(pub))]
#[strum_discriminants(strum(serialize_all = "snake_case"))]
pub enum LoginError {
    /// Unknown email or wrong password: deliberately indistinguishable.
    #[error("invalid email or password")]
    #[strum_discriminants(strum(serialize = "bad_credentials"))]
    InvalidCredentials,
    /// The password is right but the account is disabled.
    #[error("account disabled")]
    #[strum_discriminants(strum(serialize = "disabled"))]
    AccountDisabled,
    /// The password is right but the email is not verified and the policy requires it.
    #[error("email not verified")]
    #[strum_discriminants(strum(serialize = "unverified"))]
    EmailNotVerified,
    /// Too many failed logins for this account from this address, or from this address over
    /// all accounts; try again after `retry_after`.
    #[error("too many failed logins")]
    #[strum_discriminants(strum(serialize = "locked"))]
    LockedOut {
        /// Time until the lock lifts (at least one second).
        retry_after: Duration,
    },
    /// The password is right and the account has a second factor: no session yet; finish
    /// with `POST /api/v1/auth/mfa/verify`.
    #[error("a second factor is required")]
    MfaRequired(MfaPending),
    /// Baton's side failed.
    #[error(transparent)]
    Fault(#[from] Fault),
}

/// What a refresh can answer.
#[derive(Debug, thiserror::Error, EnumDiscriminants)]
#[strum_discriminants(name(RefreshOutcome), derive(EnumIter, IntoStaticStr), vis(pub))]
#[strum_discriminants(strum(serialize_all = "snake_case"))]
pub enum RefreshError {
    /// The refresh token's `exp`, or its session's sliding expiry, has passed.
    #[error("refresh token expired")]
    Expired,
    /// Malformed, forged, of the wrong kind, or of an unknown session; the reason is for logs.
    #[error("invalid refresh token: {0}")]
    Invalid(String),
    /// The session was revoked (not for reuse) or reached its absolute lifetime.
    #[error("session revoked")]
    #[strum_discriminants(strum(serialize = "revoked"))]
    SessionRevoked,
    /// A retired refresh token came back and this request revoked its session.
    #[error("refresh token reused; session revoked")]
    ReuseDetected,
    /// A retired refresh token of a session already revoked for reuse came back (a loser of
    /// a race, or a later replay): answered like reuse, but nothing new happened.
    #[error("refresh token reused; session already revoked")]
    ReplayRejected,
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

impl From<TokenError> for RefreshError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Expired => RefreshError::Expired,
            TokenError::Invalid(reason) => RefreshError::Invalid(reason),
        }
    }
}

/// What an access check (a bearer-protected request) can answer.
#[derive(Debug, thiserror::Error, EnumDiscriminants)]
#[strum_discriminants(name(AccessOutcome), derive(EnumIter, IntoStaticStr), vis(pub))]
#[strum_discriminants(strum(serialize_all = "snake_case"))]
pub enum AccessError {
    /// The access token's `exp` has passed.
    #[error("access token expired")]
    Expired,
    /// Malformed, forged, of the wrong kind, or of an unknown session; the reason is for logs.
    #[error("invalid access token: {0}")]
    Invalid(String),
    /// Its session was revoked, or is past its sliding or absolute expiry.
    #[error("session revoked")]
    #[strum_discriminants(strum(serialize = "revoked"))]
    SessionRevoked,
    /// The account is disabled.
    #[error("account disabled")]
    #[strum_discriminants(strum(serialize = "disabled"))]
    AccountDisabled,
    /// Baton's side failed.
    #[error(transparent)]
    Fault(#[from] Fault),
}

impl From<TokenError> for AccessError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Expired => AccessError::Expired,
            TokenError::Invalid(reason) => AccessError::Invalid(reason),
        }
    }
}

/// What ending one session from the sessions list can answer.
#[derive(Debug, thiserror::Error, EnumDiscriminants)]
#[strum_discriminants(name(RevokeSessionOutcome), derive(EnumIter, IntoStaticStr), vis(pub))]
#[strum_discriminants(strum(serialize_all = "snake_case"))]
pub enum RevokeSessionError {
    /// Not an active session of the caller (unknown, someone else's, or already ended): one
    /// answer for all, so that session ids cannot be probed.
    #[error("session not found")]
    #[strum_discriminants(strum(serialize = "not_found"))]
    NotFound,
    /// Baton's side failed.
    #[error(transparent)]
    Fault(#[from] Fault),
}

/// What disabling or enabling an account (`baton user disable|enable`) can answer.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// No account has this email.
    #[error("user not found")]
    UserNotFound,
    /// Baton's side failed.
    #[error(transparent)]
    Fault(#[from] Fault),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[derive(Debug, thiserror::Error)]
    #[error("connection refused")]
    struct Refused;

    #[test]
    fn faults_keep_their_cause_chain() {
        let e: RefreshError = StoreError::unavailable(Refused).into();
        assert_eq!(e.to_string(), "database unavailable");
        assert_eq!(e.source().expect("the cause is kept").to_string(), "connection refused");
        assert!(matches!(e, RefreshError::Fault(Fault::Store(StoreError::Unavailable(_)))));
    }

    #[test]
    fn create_user_errors_become_register_errors() {
        assert!(matches!(
            RegisterError::from(CreateUserError::EmailTaken),
            RegisterError::EmailTaken
        ));
        let e = RegisterError::from(CreateUserError::Store(StoreError::backend(Refused)));
        assert!(matches!(e, RegisterError::Fault(Fault::Store(StoreError::Backend(_)))));
    }
}
