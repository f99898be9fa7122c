//! How the second-factor use cases' failures are answered (SPEC §13), and the `mfa_required`
//! answer of a login that needs a second factor.

use super::answer::{Answer, Answered};
use actix_web::http::StatusCode as S;
use baton_core::{MfaError, MfaPending};
use serde_json::{Value, json};

/// 403 `mfa_required`: the password was right, no session is open yet; the body carries the
/// single-use `mfa_token`, the account's `methods` and the token's `expires_in` (seconds).
pub fn mfa_required(pending: &MfaPending) -> Answer {
    let mut answer = Answer::new(
        S::FORBIDDEN,
        "mfa_required",
        "a second factor is required: POST /api/v1/auth/mfa/verify with the mfa_token",
    );
    let members = json!({
        "mfa_token": pending.mfa_token,
        "methods": pending.methods,
        "expires_in": pending.expires_in.as_secs(),
    });
    if let Value::Object(members) = members {
        answer.extra = Some(members);
    }
    answer
}

impl Answered for MfaError {
    fn answer(&self) -> Answer {
        let unauthorized = |code, detail| Answer::new(S::UNAUTHORIZED, code, detail);
        match self {
            MfaError::InvalidInput(detail) => {
                Answer::new(S::BAD_REQUEST, "invalid_input", "").detail(detail.clone())
            }
            MfaError::Unavailable => Answer::new(
                S::SERVICE_UNAVAILABLE,
                "mfa_unavailable",
                "TOTP is not available: the server has no mfa.encryption_key",
            ),
            MfaError::AlreadyEnabled => Answer::new(
                S::CONFLICT,
                "totp_already_enabled",
                "TOTP is already enabled; disable it first",
            ),
            MfaError::NotEnrolled => Answer::new(
                S::CONFLICT,
                "totp_not_enabled",
                "no TOTP to confirm or disable: enrol first",
            ),
            MfaError::InvalidCode => unauthorized("invalid_code", "the code is wrong or used"),
            MfaError::InvalidCredentials => {
                unauthorized("invalid_credentials", "the password is wrong")
            }
            MfaError::PasswordRequired => Answer::new(
                S::FORBIDDEN,
                "password_required",
                "removing the last second factor needs the password",
            ),
            MfaError::LockedOut { retry_after } => Answer::new(
                S::TOO_MANY_REQUESTS,
                "locked_out",
                "too many failed checks; try again later",
            )
            .retry_after(retry_after.as_secs()),
            MfaError::InvalidMfaToken => unauthorized(
                "invalid_mfa_token",
                "the mfa_token is invalid, used or expired: log in again",
            ),
            MfaError::InvalidChallenge => Answer::new(
                S::BAD_REQUEST,
                "invalid_challenge",
                "no such passkey ceremony (not started, expired or finished): start again",
            ),
            MfaError::PasskeyRefused => unauthorized("passkey_refused", "the passkey was refused"),
            MfaError::PasskeyExists => {
                Answer::new(S::CONFLICT, "passkey_exists", "this passkey is registered already")
            }
            MfaError::PasskeyNotFound => {
                Answer::new(S::NOT_FOUND, "passkey_not_found", "no such passkey")
            }
            MfaError::AccountDisabled => {
                Answer::new(S::FORBIDDEN, "account_disabled", "the account is disabled")
            }
            MfaError::EmailNotVerified => Answer::new(
                S::FORBIDDEN,
                "email_not_verified",
                "verify the account's email first: follow the link in the verification mail",
            ),
            MfaError::Fault(f) => f.answer(),
        }
    }
}
