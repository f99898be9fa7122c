//! TOTP and the second step of a login (SPEC §13). Each handler translates; the rules are the
//! core's ([`baton_core::Auth::enrol_totp`], [`baton_core::Auth::verify_mfa`] and neighbours).

use crate::cookies::Transport;
use crate::cookies::doc::TransportHeader;
use crate::dto::TokenResponse;
use crate::error::ApiError;
use crate::extract::{BearerToken, Client, JsonBody};
use crate::openapi::responses::{BearerRejected, BodyErrors, LockedOut, RateLimited, Unavailable};
use crate::paths;
use crate::response::no_store;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use baton_core::{MfaError, Proof};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The caller's second factors.
#[derive(Serialize, ToSchema)]
pub struct MfaStatus {
    /// A confirmed TOTP: login asks for a code.
    pub totp_enabled: bool,
    /// Unused recovery codes (ten at confirmation, one fewer per use).
    pub recovery_codes_left: u64,
    /// Registered passkeys.
    pub passkeys: u64,
}

/// What an authenticator app needs to enrol; shown once.
#[derive(Serialize, ToSchema)]
pub struct TotpEnrolmentResponse {
    /// The secret in base32, for typing it into the app.
    pub secret: String,
    /// `otpauth://totp/...`, for apps that take a link.
    pub otpauth_uri: String,
    /// The URI as a QR code: a complete SVG document a page can show as is.
    pub qr_svg: String,
}

// The codes' patterns in the document (utoipa takes literals only): a TOTP code is six digits,
// spaces allowed (`123 456`; the server also takes other Unicode white space, the document
// states the ASCII form); a recovery code is sixteen characters of Crockford's base32 in any
// case (`o`/`i`/`l` read as `0`/`1`, only `u` is out), dashes and spaces ignored.

/// `POST /api/v1/auth/mfa/totp/confirm`.
#[derive(Deserialize, ToSchema)]
pub struct TotpCodeBody {
    /// The code the app shows now (six digits; spaces allowed).
    #[schema(example = "123456", pattern = "^( *[0-9]){6} *$")]
    pub code: String,
}

/// The recovery codes, shown once.
#[derive(Serialize, ToSchema)]
pub struct RecoveryCodesResponse {
    /// Ten single-use codes (`xxxx-xxxx-xxxx-xxxx`), each standing in for the app once.
    pub recovery_codes: Vec<String>,
}

/// `DELETE /api/v1/auth/mfa/totp`.
#[derive(Deserialize, ToSchema)]
pub struct DisableTotp {
    /// The account's password.
    #[schema(format = Password)]
    pub password: String,
    /// A current TOTP code or an unused recovery code.
    #[schema(pattern = "^(( *[0-9]){6} *|[ -]*([0-9a-tv-zA-TV-Z][ -]*){16})$")]
    pub code: String,
}

/// `POST /api/v1/auth/mfa/verify`: the `mfa_token` and exactly one second factor.
#[derive(Deserialize, ToSchema)]
pub struct MfaVerify {
    /// From the login's `mfa_required` answer.
    pub mfa_token: String,
    /// A TOTP code.
    #[serde(default)]
    #[schema(pattern = "^( *[0-9]){6} *$")]
    pub code: Option<String>,
    /// A recovery code.
    #[serde(default)]
    #[schema(pattern = "^[ -]*([0-9a-tv-zA-TV-Z][ -]*){16}$")]
    pub recovery_code: Option<String>,
    /// A WebAuthn assertion (`PublicKeyCredential.toJSON()`) answering
    /// `/api/v1/auth/mfa/webauthn/start`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub webauthn: Option<serde_json::Value>,
}

impl MfaVerify {
    fn proof(self) -> Result<(String, Proof), MfaError> {
        let proof = match (self.code, self.recovery_code, self.webauthn) {
            (Some(code), None, None) => Proof::Totp(code),
            (None, Some(code), None) => Proof::RecoveryCode(code),
            (None, None, Some(credential)) => Proof::Passkey(credential.to_string()),
            _ => {
                return Err(MfaError::InvalidInput(
                    "give exactly one of code, recovery_code and webauthn".into(),
                ));
            }
        };
        Ok((self.mfa_token, proof))
    }
}

/// `POST /api/v1/auth/mfa/webauthn/start`.
#[derive(Deserialize, ToSchema)]
pub struct MfaToken {
    /// From the login's `mfa_required` answer.
    pub mfa_token: String,
}

/// WebAuthn options, as `PublicKeyCredential.parseRequestOptionsFromJSON` (or
/// `parseCreationOptionsFromJSON`) takes the `publicKey` member.
#[derive(Serialize, ToSchema)]
pub struct PublicKeyOptions {
    /// The options, base64url fields.
    #[schema(value_type = Object)]
    #[serde(rename = "publicKey")]
    pub public_key: serde_json::Value,
}

/// The `{"publicKey": ...}` text of a ceremony's start as a response body.
pub(crate) fn options(options_json: &str) -> Result<serde_json::Value, ApiError> {
    let value: serde_json::Value = serde_json::from_str(options_json)
        .map_err(|e| MfaError::Fault(baton_core::Fault::SecondFactor(Box::new(e))))?;
    Ok(value)
}

/// `GET /api/v1/auth/mfa`: which second factors the caller's account has.
#[utoipa::path(get, path = paths::MFA, tag = "second factors",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account's second factors.", body = MfaStatus,
         headers(("Cache-Control" = String, description = "`no-store`"))),
        BearerRejected, Unavailable,
    ))]
pub async fn status(
    state: web::Data<AppState>,
    bearer: BearerToken,
) -> Result<HttpResponse, ApiError> {
    let principal = state.auth.authenticate(bearer.as_str()).await?;
    let s = state.auth.second_factor_status(&principal).await?;
    let body = MfaStatus {
        totp_enabled: s.totp,
        recovery_codes_left: s.recovery_codes,
        passkeys: s.passkeys,
    };
    Ok(no_store(StatusCode::OK).json(body))
}

/// `POST /api/v1/auth/mfa/totp`: a new TOTP secret for the caller, pending until confirmed.
#[utoipa::path(post, path = paths::MFA_TOTP, tag = "second factors",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The secret, its `otpauth://` URI and QR code; TOTP is \
         pending until confirmed.", body = TotpEnrolmentResponse),
        (status = 409, description = "TOTP is enabled already (`totp_already_enabled`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "No `mfa.encryption_key` (`mfa_unavailable`), or \
         unavailable.", body = crate::error::Problem, content_type = "application/problem+json"),
        BearerRejected, RateLimited,
    ))]
pub async fn enrol_totp(
    state: web::Data<AppState>,
    bearer: BearerToken,
) -> Result<HttpResponse, ApiError> {
    let principal = state.auth.authenticate(bearer.as_str()).await?;
    let e = state.auth.enrol_totp(&principal).await?;
    Ok(no_store(StatusCode::OK).json(TotpEnrolmentResponse {
        secret: e.secret_base32.clone(),
        otpauth_uri: e.otpauth_uri.clone(),
        qr_svg: e.qr_svg.clone(),
    }))
}

/// `POST /api/v1/auth/mfa/totp/confirm`: a first code turns TOTP on; the answer has the ten
/// recovery codes, shown this once.
#[utoipa::path(post, path = paths::MFA_TOTP_CONFIRM, tag = "second factors",
    request_body = TotpCodeBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "TOTP is on.", body = RecoveryCodesResponse),
        (status = 400, description = "Not six digits (`invalid_input`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or a wrong code \
         (`invalid_code`).", body = crate::error::Problem,
         content_type = "application/problem+json"),
        (status = 409, description = "Nothing pending (`totp_not_enabled`) or on already \
         (`totp_already_enabled`).", body = crate::error::Problem,
         content_type = "application/problem+json"),
        BodyErrors, Unavailable,
    ))]
pub async fn confirm_totp(
    state: web::Data<AppState>,
    bearer: BearerToken,
    JsonBody(body): JsonBody<TotpCodeBody>,
) -> Result<HttpResponse, ApiError> {
    let principal = state.auth.authenticate(bearer.as_str()).await?;
    let recovery_codes = state.auth.confirm_totp(&principal, &body.code).await?;
    Ok(no_store(StatusCode::OK).json(RecoveryCodesResponse { recovery_codes }))
}

/// `DELETE /api/v1/auth/mfa/totp`: with the password and a code, turns TOTP off; every other
/// session of the user ends.
#[utoipa::path(delete, path = paths::MFA_TOTP, tag = "second factors",
    request_body = DisableTotp, security(("bearer" = [])),
    responses(
        (status = 204, description = "TOTP is off, the recovery codes are gone, the other \
         sessions are revoked."),
        (status = 400, description = "A code of neither form (`invalid_input`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, a wrong password \
         (`invalid_credentials`) or code (`invalid_code`), counted toward the lockout.",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "TOTP is not on (`totp_not_enabled`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        LockedOut, RateLimited, BodyErrors, Unavailable,
    ))]
pub async fn disable_totp(
    state: web::Data<AppState>,
    bearer: BearerToken,
    client: Client,
    JsonBody(body): JsonBody<DisableTotp>,
) -> Result<HttpResponse, ApiError> {
    let principal = state.auth.authenticate(bearer.as_str()).await?;
    let addr = client.0.client_addr.as_deref();
    state.auth.disable_totp(&principal, &body.password, &body.code, addr).await?;
    Ok(no_store(StatusCode::NO_CONTENT).finish())
}

/// `POST /api/v1/auth/mfa/verify`: finishes a login that answered `mfa_required`, with a TOTP
/// code, a recovery code or a passkey assertion: the token response of a login.
#[utoipa::path(post, path = paths::MFA_VERIFY, tag = "second factors",
    params(TransportHeader), request_body = MfaVerify,
    responses(
        (status = 200, description = "Logged in: a new session.", body = TokenResponse,
         headers(("Cache-Control" = String, description = "`no-store`"),
                 ("Set-Cookie" = String, description = "With `Baton-Transport: cookie` only: \
                  the refresh-token cookie; the body then has no `refresh_token`."))),
        (status = 400, description = "Not exactly one factor, or one of the wrong form \
         (`invalid_input`); a passkey assertion without a started ceremony \
         (`invalid_challenge`).", body = crate::error::Problem,
         content_type = "application/problem+json"),
        (status = 401, description = "`invalid_mfa_token` (unknown, used or expired: log in \
         again), `invalid_code` or `passkey_refused` (counted toward the lockout).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`account_disabled`, `email_not_verified` or \
         `csrf_rejected`.", body = crate::error::Problem,
         content_type = "application/problem+json"),
        LockedOut, RateLimited, BodyErrors, Unavailable,
    ))]
pub async fn verify(
    state: web::Data<AppState>,
    transport: Transport,
    client: Client,
    JsonBody(body): JsonBody<MfaVerify>,
) -> Result<HttpResponse, ApiError> {
    let result = match body.proof() {
        Ok((mfa_token, proof)) => state.auth.verify_mfa(&mfa_token, proof, client.0).await,
        Err(e) => Err(e),
    };
    state.metrics.mfa_verified(&result);
    Ok(transport.tokens(StatusCode::OK, result?))
}

/// `POST /api/v1/auth/mfa/webauthn/start`: the assertion options for one of the account's
/// passkeys, as the second step of a login.
#[utoipa::path(post, path = paths::MFA_WEBAUTHN_START, tag = "second factors",
    request_body = MfaToken,
    responses(
        (status = 200, description = "Options for `navigator.credentials.get`.",
         body = PublicKeyOptions),
        (status = 400, description = "Invalid JSON or a field of the wrong type \
         (`invalid_input`).", body = crate::error::Problem,
         content_type = "application/problem+json"),
        (status = 401, description = "`invalid_mfa_token`.", body = crate::error::Problem,
         content_type = "application/problem+json"),
        (status = 404, description = "The account has no passkey (`passkey_not_found`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        BodyErrors, Unavailable,
    ))]
pub async fn webauthn_start(
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<MfaToken>,
) -> Result<HttpResponse, ApiError> {
    let options_json = state.auth.start_mfa_webauthn(&body.mfa_token).await?;
    Ok(no_store(StatusCode::OK).json(options(&options_json)?))
}
