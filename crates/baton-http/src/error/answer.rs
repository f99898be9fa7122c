//! How every failure is answered: one `match` per error type, with no catch-all arm, giving
//! the HTTP status, the problem `code` and the client-safe detail together. A new variant in
//! the core does not compile until it is mapped here. (Its `/metrics` label comes from the
//! core: [`baton_core::Outcomes`].)
//!
//! "Where does `token_reused` become a 401?" — in [`RefreshError`]'s `answer`, below.

use actix_web::http::StatusCode as S;
use baton_core::{
    AccessError, AccountError, Fault, HashError, InputError, LoginError, RefreshError,
    RegisterError, RevokeSessionError, StoreError,
};
use std::borrow::Cow;

/// `WWW-Authenticate` for a request without bearer credentials (RFC 6750 §3.1: no error code
/// when the client did not try to authenticate).
pub const CHALLENGE_MISSING: &str = "Bearer realm=\"baton\"";
/// `WWW-Authenticate` for a bearer token that was refused.
pub const CHALLENGE_INVALID: &str = "Bearer error=\"invalid_token\"";
/// `WWW-Authenticate` of a refused introspection client (RFC 7617 §2).
pub const CHALLENGE_BASIC: &str = "Basic realm=\"baton\"";

/// How one failure is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: S,
    /// The stable machine-readable `code` of the problem body.
    pub code: &'static str,
    /// The human-readable detail, safe to show (never which credential failed, never a value).
    pub detail: Cow<'static, str>,
    /// `Retry-After` in whole seconds, if the client should wait.
    pub retry_after: Option<u64>,
    /// `WWW-Authenticate`, if any.
    pub challenge: Option<&'static str>,
    /// Members the problem body carries besides the standard ones (`mfa_required`'s
    /// `mfa_token`, `methods`, `expires_in`).
    pub extra: Option<serde_json::Map<String, serde_json::Value>>,
}

impl Answer {
    /// An answer without extra headers.
    pub fn new(status: S, code: &'static str, detail: &'static str) -> Self {
        Self {
            status,
            code,
            detail: Cow::Borrowed(detail),
            retry_after: None,
            challenge: None,
            extra: None,
        }
    }

    /// The same answer asking the client to wait `seconds` (at least one).
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }

    /// The same answer with a `WWW-Authenticate` challenge.
    pub fn challenge(mut self, challenge: &'static str) -> Self {
        self.challenge = Some(challenge);
        self
    }

    pub(super) fn detail(mut self, detail: impl Into<Cow<'static, str>>) -> Self {
        self.detail = detail.into();
        self
    }
}

/// A failure that knows its answer.
pub trait Answered {
    /// The answer to give.
    fn answer(&self) -> Answer;
}

fn invalid_input(e: &InputError) -> Answer {
    Answer::new(S::BAD_REQUEST, "invalid_input", "").detail(e.to_string())
}

fn email_not_verified() -> Answer {
    Answer::new(
        S::FORBIDDEN,
        "email_not_verified",
        "verify the account's email first: follow the link in the verification mail",
    )
}

impl Answered for AccountError {
    fn answer(&self) -> Answer {
        match self {
            AccountError::InvalidInput(e) => invalid_input(e),
            AccountError::InvalidCredentials => {
                Answer::new(S::UNAUTHORIZED, "invalid_credentials", "the password is wrong")
            }
            AccountError::LockedOut { retry_after } => Answer::new(
                S::TOO_MANY_REQUESTS,
                "locked_out",
                "too many failed password checks; try again later",
            )
            .retry_after(retry_after.as_secs()),
            AccountError::InvalidResetToken => Answer::new(
                S::BAD_REQUEST,
                "invalid_reset_token",
                "the reset link is invalid, used or expired: ask for a new one",
            ),
            AccountError::InvalidVerificationToken => Answer::new(
                S::BAD_REQUEST,
                "invalid_verification_token",
                "the verification link is invalid, used or expired: ask for a new one",
            ),
            AccountError::EmailTaken => {
                Answer::new(S::CONFLICT, "email_taken", "an account with this email already exists")
            }
            AccountError::MailUnavailable => Answer::new(
                S::SERVICE_UNAVAILABLE,
                "mail_unavailable",
                "this server sends no mail (no mail transport or link configured)",
            ),
            AccountError::Fault(f) => f.answer(),
        }
    }
}

impl Answered for Fault {
    fn answer(&self) -> Answer {
        match self {
            Fault::Store(StoreError::Unavailable(_)) | Fault::Hashing(HashError::Busy) => {
                Answer::new(
                    S::SERVICE_UNAVAILABLE,
                    "service_unavailable",
                    "the service is temporarily unavailable; retry later",
                )
                .retry_after(1)
            }
            Fault::Store(StoreError::Backend(_))
            | Fault::Signing(_)
            | Fault::Hashing(HashError::Failed(_))
            | Fault::Mail(_)
            | Fault::SecondFactor(_) => {
                Answer::new(S::INTERNAL_SERVER_ERROR, "internal", "internal server error")
            }
        }
    }
}

impl Answered for RegisterError {
    fn answer(&self) -> Answer {
        match self {
            RegisterError::InvalidInput(e) => invalid_input(e),
            RegisterError::EmailTaken => {
                Answer::new(S::CONFLICT, "email_taken", "an account with this email already exists")
            }
            RegisterError::Fault(f) => f.answer(),
        }
    }
}

impl Answered for LoginError {
    fn answer(&self) -> Answer {
        match self {
            LoginError::InvalidCredentials => {
                Answer::new(S::UNAUTHORIZED, "invalid_credentials", "invalid email or password")
            }
            LoginError::AccountDisabled => {
                Answer::new(S::FORBIDDEN, "account_disabled", "the account is disabled")
            }
            LoginError::EmailNotVerified => email_not_verified(),
            LoginError::LockedOut { retry_after } => Answer::new(
                S::TOO_MANY_REQUESTS,
                "locked_out",
                "too many failed logins; try again later",
            )
            .retry_after(retry_after.as_secs()),
            LoginError::MfaRequired(pending) => super::mfa::mfa_required(pending),
            LoginError::Fault(f) => f.answer(),
        }
    }
}

impl Answered for RefreshError {
    fn answer(&self) -> Answer {
        let unauthorized =
            |code, detail| Answer::new(S::UNAUTHORIZED, code, detail).challenge(CHALLENGE_INVALID);
        match self {
            RefreshError::Expired => unauthorized("token_expired", "the token has expired"),
            RefreshError::Invalid(_) => unauthorized("invalid_token", "the token is invalid"),
            RefreshError::SessionRevoked => {
                unauthorized("session_revoked", "the session has ended")
            }
            RefreshError::ReuseDetected | RefreshError::ReplayRejected => unauthorized(
                "token_reused",
                "this refresh token was already used; the session has been revoked",
            ),
            RefreshError::AccountDisabled => {
                Answer::new(S::FORBIDDEN, "account_disabled", "the account is disabled")
            }
            RefreshError::EmailNotVerified => email_not_verified(),
            RefreshError::Fault(f) => f.answer(),
        }
    }
}

impl Answered for AccessError {
    /// Bearer-protected routes answer only 401 for a token that does not authenticate anyone,
    /// a disabled account included (login and refresh answer 403 for it).
    fn answer(&self) -> Answer {
        let unauthorized =
            |code, detail| Answer::new(S::UNAUTHORIZED, code, detail).challenge(CHALLENGE_INVALID);
        match self {
            AccessError::Expired => unauthorized("token_expired", "the token has expired"),
            AccessError::Invalid(_) => unauthorized("invalid_token", "the token is invalid"),
            AccessError::SessionRevoked => unauthorized("session_revoked", "the session has ended"),
            AccessError::AccountDisabled => {
                unauthorized("account_disabled", "the account is disabled")
            }
            AccessError::Fault(f) => f.answer(),
        }
    }
}

impl Answered for RevokeSessionError {
    fn answer(&self) -> Answer {
        match self {
            RevokeSessionError::NotFound => {
                Answer::new(S::NOT_FOUND, "session_not_found", "no such session")
            }
            RevokeSessionError::Fault(f) => f.answer(),
        }
    }
}
