//! The account lifecycle (SPEC §12): change and reset passwords, verify and change emails,
//! close accounts. Each handler translates; the rules are the core's
//! ([`baton_core::Auth::change_password`] and its neighbours), mail goes through the outbox.

use crate::error::ApiError;
use crate::extract::{BearerToken, Client, JsonBody};
use crate::openapi::responses::{BearerRejected, BodyErrors, LockedOut, RateLimited, Unavailable};
use crate::paths;
use crate::response::no_store;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use baton_core::{AccountError, TokenPurpose};
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /api/v1/auth/password`: changes the caller's password; every other session of the
/// user ends, the caller's lives on.
#[utoipa::path(post, path = paths::PASSWORD, tag = "account", request_body = ChangePassword,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Changed; the other sessions are revoked."),
        (status = 400, description = "The new password breaks a rule (`invalid_input`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or a wrong current password \
         (`invalid_credentials`, counted toward the lockout).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        LockedOut, RateLimited, BodyErrors, Unavailable,
    ))]
pub async fn change_password(
    state: web::Data<AppState>,
    bearer: BearerToken,
    client: Client,
    JsonBody(body): JsonBody<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    let principal = state.auth.authenticate(bearer.as_str()).await?;
    let addr = client.0.client_addr.as_deref();
    let auth = &state.auth;
    auth.change_password(&principal, &body.current_password, body.new_password, addr).await?;
    Ok(no_store(StatusCode::NO_CONTENT).finish())
}

/// `POST /api/v1/auth/password/forgot`: 202 whether or not the email has an account, and as
/// fast either way (the mail is prepared after the answer); an account gets a reset link,
/// at most one a minute.
#[utoipa::path(post, path = paths::PASSWORD_FORGOT, tag = "account", request_body = Forgot,
    responses(
        (status = 202, description = "Accepted: a reset link is on its way if the email has \
         an account."),
        (status = 400, description = "Invalid JSON or a field of the wrong type \
         (`invalid_input`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "This server sends no mail (`mail_unavailable`), or is \
         unavailable.", body = crate::error::Problem, content_type = "application/problem+json"),
        RateLimited, BodyErrors,
    ))]
pub async fn forgot_password(
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<Forgot>,
) -> Result<HttpResponse, ApiError> {
    state.auth.can_send(TokenPurpose::Reset)?;
    let auth = state.auth.clone();
    actix_web::rt::spawn(async move {
        if let Err(e) = auth.forgot_password(&body.email).await {
            tracing::warn!(error = %crate::error::chain(&e), "password reset mail not queued");
        }
    });
    Ok(no_store(StatusCode::ACCEPTED).finish())
}

/// `POST /api/v1/auth/password/reset`: a reset token (used once) sets the new password; every
/// session of the user ends and the login lockout lifts.
#[utoipa::path(post, path = paths::PASSWORD_RESET, tag = "account", request_body = Reset,
    responses(
        (status = 204, description = "The password is reset; every session is revoked."),
        (status = 400, description = "An unknown, used or expired token \
         (`invalid_reset_token`) or a password that breaks a rule (`invalid_input`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        RateLimited, BodyErrors, Unavailable,
    ))]
pub async fn reset_password(
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<Reset>,
) -> Result<HttpResponse, ApiError> {
    state.auth.reset_password(&body.token, body.new_password).await?;
    Ok(no_store(StatusCode::NO_CONTENT).finish())
}

/// `POST /api/v1/auth/email/verify`: a verification token marks the email verified; an
/// email-change token makes the new address the account's email.
#[utoipa::path(post, path = paths::EMAIL_VERIFY, tag = "account", request_body = Verify,
    responses(
        (status = 204, description = "Verified (or changed)."),
        (status = 400, description = "An unknown, used or expired token \
         (`invalid_verification_token`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new address has an account now (`email_taken`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        BodyErrors, Unavailable,
    ))]
pub async fn verify_email(
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<Verify>,
) -> Result<HttpResponse, ApiError> {
    state.auth.verify_email(&body.token).await?;
    Ok(no_store(StatusCode::NO_CONTENT).finish())
}

/// `POST /api/v1/auth/email/verify/resend`: a new verification link, unless the email is
/// verified (then nothing happens); at most one a minute.
#[utoipa::path(post, path = paths::EMAIL_VERIFY_RESEND, tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Accepted: a link is on its way unless the email is \
         verified or one was sent within the minute."),
        (status = 503, description = "This server sends no mail (`mail_unavailable`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        BearerRejected, RateLimited,
    ))]
pub async fn resend_verification(
    state: web::Data<AppState>,
    bearer: BearerToken,
) -> Result<HttpResponse, ApiError> {
    let principal = state.auth.authenticate(bearer.as_str()).await?;
    state.auth.resend_verification(&principal).await?;
    Ok(no_store(StatusCode::ACCEPTED).finish())
}

/// `POST /api/v1/auth/email`: asks to move the account to `new_email`; the change takes
/// effect when the link mailed there is used, and the current address is told.
#[utoipa::path(post, path = paths::EMAIL, tag = "account", request_body = ChangeEmail,
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Accepted: a confirmation link is on its way to the new \
         address."),
        (status = 400, description = "Not an email address (`invalid_input`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or a wrong password \
         (`invalid_credentials`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "This server sends no mail (`mail_unavailable`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        LockedOut, RateLimited, BodyErrors,
    ))]
pub async fn change_email(
    state: web::Data<AppState>,
    bearer: BearerToken,
    client: Client,
    JsonBody(body): JsonBody<ChangeEmail>,
) -> Result<HttpResponse, ApiError> {
    let principal = state.auth.authenticate(bearer.as_str()).await?;
    let addr = client.0.client_addr.as_deref();
    state.auth.change_email(&principal, &body.new_email, &body.password, addr).await?;
    Ok(no_store(StatusCode::ACCEPTED).finish())
}

/// `DELETE /api/v1/auth/me`: closes the caller's account with its password; every token of
/// the user stops at once and the email can register again.
#[utoipa::path(delete, path = paths::ME, tag = "account", request_body = CloseAccount,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The account is gone."),
        (status = 400, description = "Invalid JSON or a field of the wrong type \
         (`invalid_input`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or a wrong password \
         (`invalid_credentials`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        LockedOut, BodyErrors, Unavailable,
    ))]
pub async fn delete_account(
    state: web::Data<AppState>,
    bearer: BearerToken,
    client: Client,
    JsonBody(body): JsonBody<CloseAccount>,
) -> Result<HttpResponse, ApiError> {
    let principal = state.auth.authenticate(bearer.as_str()).await?;
    let addr = client.0.client_addr.as_deref();
    state.auth.delete_account(&principal, &body.password, addr).await?;
    Ok(no_store(StatusCode::NO_CONTENT).finish())
}

/// After a registration: queues the verification mail. Registration never fails for it: a
/// server without mail simply sends none, and a fault is logged (the user can ask again).
pub async fn after_registration(state: &AppState, user: &baton_core::User) {
    match state.auth.send_verification(user).await {
        Ok(()) | Err(AccountError::MailUnavailable) => {}
        Err(e) => tracing::warn!(error = %crate::error::chain(&e), "verification mail not queued"),
    }
}

/// `POST /api/v1/auth/password`.
#[derive(Deserialize, ToSchema)]
pub struct ChangePassword {
    /// The password now.
    #[schema(format = Password)]
    pub current_password: String,
    /// The new password: 8 characters to 72 bytes.
    #[schema(schema_with = crate::openapi::fields::password_schema)]
    pub new_password: String,
}

/// `POST /api/v1/auth/password/forgot`.
#[derive(Deserialize, ToSchema)]
pub struct Forgot {
    /// The account's email (any string: one without an account gets the same answer).
    #[schema(example = "ada@example.com")]
    pub email: String,
}

/// `POST /api/v1/auth/password/reset`.
#[derive(Deserialize, ToSchema)]
pub struct Reset {
    /// The token from the reset link.
    pub token: String,
    /// The new password: 8 characters to 72 bytes.
    #[schema(schema_with = crate::openapi::fields::password_schema)]
    pub new_password: String,
}

/// `POST /api/v1/auth/email/verify`.
#[derive(Deserialize, ToSchema)]
pub struct Verify {
    /// The token from the verification (or email-change) link.
    pub token: String,
}

/// `POST /api/v1/auth/email`.
#[derive(Deserialize, ToSchema)]
pub struct ChangeEmail {
    /// The address to move to.
    #[schema(schema_with = crate::openapi::fields::email_schema)]
    pub new_email: String,
    /// The account's password.
    #[schema(format = Password)]
    pub password: String,
}

/// `DELETE /api/v1/auth/me`.
#[derive(Deserialize, ToSchema)]
pub struct CloseAccount {
    /// The account's password.
    #[schema(format = Password)]
    pub password: String,
}
