//! What can go wrong in a use case, in terms a caller can act on.

use std::time::Duration;

use crate::ports::{HashError, StoreError, TokenError};

/// Input that breaks a rule of SPEC §5; the message is safe to show to the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The email is not an address Baton accepts.
    #[error("email {0}")]
    Email(&'static str),
    /// Fewer than 8 bytes.
    #[error("password must be at least 8 bytes")]
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

/// The outcome of a use case that did not succeed. Each variant maps to one HTTP status
/// and one stable `code` in the server; see `docs/ARCHITECTURE.md`.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The request breaks an input rule.
    #[error(transparent)]
    InvalidInput(#[from] InputError),
    /// Registration with an email that has an account.
    #[error("email already registered")]
    EmailTaken,
    /// Unknown email or wrong password: deliberately indistinguishable.
    #[error("invalid email or password")]
    InvalidCredentials,
    /// The account is disabled.
    #[error("account disabled")]
    AccountDisabled,
    /// Too many failed logins; try again after `retry_after`.
    #[error("account locked")]
    LockedOut {
        /// Time until the lock lifts.
        retry_after: Duration,
    },
    /// The token's `exp` has passed.
    #[error("token expired")]
    TokenExpired,
    /// The token is malformed, forged, of the wrong kind or unknown; the detail is for logs.
    #[error("invalid token: {0}")]
    InvalidToken(String),
    /// The session was revoked or reached its absolute lifetime.
    #[error("session revoked")]
    SessionRevoked,
    /// A retired refresh token was presented: the session has been revoked.
    #[error("refresh token reused")]
    TokenReused,
    /// No such active session of the caller.
    #[error("session not found")]
    SessionNotFound,
    /// No such user (administrative commands).
    #[error("user not found")]
    UserNotFound,
    /// The database is unreachable or overloaded; retry later.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A fault on the server's side.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AuthError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::EmailTaken => AuthError::EmailTaken,
            StoreError::Unavailable(m) => AuthError::Unavailable(m),
            StoreError::Backend(m) => AuthError::Internal(m),
        }
    }
}

impl From<TokenError> for AuthError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Expired => AuthError::TokenExpired,
            TokenError::Invalid(m) => AuthError::InvalidToken(m),
            TokenError::Signing(m) => AuthError::Internal(m),
        }
    }
}

impl From<HashError> for AuthError {
    fn from(e: HashError) -> Self {
        AuthError::Internal(e.to_string())
    }
}
