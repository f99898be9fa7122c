//! Passkeys (SPEC §13): registration, the list, renaming and removal with the access token,
//! and passwordless login. Options and credentials travel as the WebAuthn JSON forms.

use crate::cookies::Transport;
use crate::cookies::doc::TransportHeader;
use crate::dto::TokenResponse;
use crate::error::ApiError;
use crate::extract::{BearerToken, Client, JsonBody, OptionalJson};
use crate::openapi::responses::{BearerRejected, BodyErrors, LockedOut, RateLimited, Unavailable};
use crate::paths;
use crate::response::no_store;
use crate::routes::mfa::{PublicKeyOptions, options};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use baton_core::MfaError;
use baton_core::domain::factor::PasskeyRecord;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// A passkey as its owner sees it.
#[derive(Serialize, ToSchema)]
pub struct PasskeyResponse {
    /// Id for renaming and removing it.
    pub id: Uuid,
    /// The owner's name for it.
    pub name: String,
    /// Registration time.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The last login it made, or `null`.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub last_used_at: Option<OffsetDateTime>,
    /// A synced passkey (a password manager or platform account holds it) rather than one
    /// bound to a single device.
    pub synced: bool,
}

impl From<PasskeyRecord> for PasskeyResponse {
    fn from(p: PasskeyRecord) -> Self {
        Self {
            id: p.id,
            name: p.name,
            created_at: p.created_at,
            last_used_at: p.last_used_at,
            synced: p.backup_eligible,
        }
    }
}

/// `POST /api/v1/auth/passkeys/register/finish`.
#[derive(Deserialize, ToSchema)]
pub struct RegisterFinish {
    /// The browser's `PublicKeyCredential.toJSON()` of the new credential.
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
    /// A name for it (1 to 64 characters); "Passkey" when left out.
    #[serde(default)]
    pub name: Option<String>,
}

/// `PATCH /api/v1/auth/passkeys/{id}`.
#[derive(Deserialize, ToSchema)]
pub struct Rename {
    /// The new name (1 to 64 characters).
    pub name: String,
}

/// `DELETE /api/v1/auth/passkeys/{id}`: the password, needed only to remove the account's
/// last second factor. The body itself may be left out.
#[derive(Deserialize, Default, ToSchema)]
pub struct RemovePasskey {
    /// The account's password.
    #[serde(default)]
    #[schema(format = Password)]
    pub password: Option<String>,
}

/// A started passwordless login.
#[derive(Serialize, ToSchema)]
pub struct LoginStart {
    /// Give it back to `/api/v1/auth/passkeys/login/finish`; good for five minutes, once.
    pub challenge_id: String,
    /// Options for `navigator.credentials.get` (`parseRequestOptionsFromJSON`).
    #[schema(value_type = Object)]
    #[serde(rename = "publicKey")]
    pub public_key: serde_json::Value,
}

/// `POST /api/v1/auth/passkeys/login/finish`.
#[derive(Deserialize, ToSchema)]
pub struct LoginFinish {
    /// From the start.
    pub challenge_id: String,
    /// The browser's `PublicKeyCredential.toJSON()` of the assertion.
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

fn passkey_id(id: &str) -> Result<Uuid, MfaError> {
    Uuid::parse_str(id).map_err(|_| MfaError::PasskeyNotFound)
}

/// `POST /api/v1/auth/passkeys/register/start`: creation options for a new passkey.
#[utoipa::path(post, path = paths::PASSKEY_REGISTER_START, tag = "second factors",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Options for `navigator.credentials.create`; the \
         ceremony is good for five minutes.", body = PublicKeyOptions),
        BearerRejected, Unavailable,
    ))]
pub async fn register_start(
    state: web::Data<AppState>,
    bearer: BearerToken,
) -> Result<HttpResponse, ApiError> {
    let principal = state.auth.authenticate(bearer.as_str()).await?;
    let options_json = state.auth.start_passkey_registration(&principal).await?;
    Ok(no_store(StatusCode::OK).json(options(&options_json)?))
}

/// `POST /api/v1/auth/passkeys/register/finish`: stores the new passkey.
#[utoipa::path(post, path = paths::PASSKEY_REGISTER_FINISH, tag = "second factors",
    request_body = RegisterFinish, security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered.", body = PasskeyResponse),
        (status = 400, description = "Not a credential, or a bad name (`invalid_input`); no \
         registration started or it expired (`invalid_challenge`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or the credential does not \
         verify (`passkey_refused`).", body = crate::error::Problem,
         content_type = "application/problem+json"),
        (status = 409, description = "Registered already (`passkey_exists`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        BodyErrors, Unavailable,
    ))]
pub async fn register_finish(
    state: web::Data<AppState>,
    bearer: BearerToken,
    JsonBody(body): JsonBody<RegisterFinish>,
) -> Result<HttpResponse, ApiError> {
    let principal = state.auth.authenticate(bearer.as_str()).await?;
    let credential = body.credential.to_string();
    let auth = &state.auth;
    let record = auth.finish_passkey_registration(&principal, &credential, body.name.as_deref());
    Ok(no_store(StatusCode::CREATED).json(PasskeyResponse::from(record.await?)))
}

/// `GET /api/v1/auth/passkeys`: the caller's passkeys, oldest first (a JSON array).
#[utoipa::path(get, path = paths::PASSKEYS, tag = "second factors",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's passkeys.", body = Vec<PasskeyResponse>),
        BearerRejected, Unavailable,
    ))]
pub async fn list(
    state: web::Data<AppState>,
    bearer: BearerToken,
) -> Result<HttpResponse, ApiError> {
    let principal = state.auth.authenticate(bearer.as_str()).await?;
    let passkeys = state.auth.list_passkeys(&principal).await?;
    let body: Vec<PasskeyResponse> = passkeys.into_iter().map(Into::into).collect();
    Ok(no_store(StatusCode::OK).json(body))
}

/// `PATCH /api/v1/auth/passkeys/{id}`: renames one of the caller's passkeys.
#[utoipa::path(patch, path = paths::PASSKEY, tag = "second factors",
    params(("id" = String, Path, description = "The passkey's id.")),
    request_body = Rename, security(("bearer" = [])),
    responses(
        (status = 204, description = "Renamed."),
        (status = 400, description = "A bad name (`invalid_input`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a passkey of the caller (`passkey_not_found`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        BearerRejected, BodyErrors, Unavailable,
    ))]
pub async fn rename(
    state: web::Data<AppState>,
    bearer: BearerToken,
    id: web::Path<String>,
    JsonBody(body): JsonBody<Rename>,
) -> Result<HttpResponse, ApiError> {
    let principal = state.auth.authenticate(bearer.as_str()).await?;
    state.auth.rename_passkey(&principal, passkey_id(&id)?, &body.name).await?;
    Ok(no_store(StatusCode::NO_CONTENT).finish())
}

/// `DELETE /api/v1/auth/passkeys/{id}`: removes one of the caller's passkeys; every other
/// session of the user ends. The account's last second factor goes only with the password.
#[utoipa::path(delete, path = paths::PASSKEY, tag = "second factors",
    params(("id" = String, Path, description = "The passkey's id.")),
    request_body(content = RemovePasskey, description = "The password, when this is the \
        account's last second factor; otherwise the body may be left out."),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed; the other sessions are revoked."),
        (status = 400, description = "Invalid JSON or a field of the wrong type \
         (`invalid_input`).", body = crate::error::Problem,
         content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or a wrong password \
         (`invalid_credentials`, counted toward the lockout).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The last second factor, and no password \
         (`password_required`).", body = crate::error::Problem,
         content_type = "application/problem+json"),
        (status = 404, description = "Not a passkey of the caller (`passkey_not_found`).",
         body = crate::error::Problem, content_type = "application/problem+json"),
        LockedOut, BodyErrors, Unavailable,
    ))]
pub async fn remove(
    state: web::Data<AppState>,
    bearer: BearerToken,
    client: Client,
    id: web::Path<String>,
    body: OptionalJson<RemovePasskey>,
) -> Result<HttpResponse, ApiError> {
    let principal = state.auth.authenticate(bearer.as_str()).await?;
    let id = passkey_id(&id)?;
    let password = body.0.unwrap_or_default().password;
    let addr = client.0.client_addr.as_deref();
    state.auth.delete_passkey(&principal, id, password.as_deref(), addr).await?;
    Ok(no_store(StatusCode::NO_CONTENT).finish())
}

/// `POST /api/v1/auth/passkeys/login/start`: starts a passwordless login.
#[utoipa::path(post, path = paths::PASSKEY_LOGIN_START, tag = "second factors",
    responses(
        (status = 200, description = "The handle and the options for \
         `navigator.credentials.get` (empty `allowCredentials`: the browser offers the \
         site's discoverable passkeys).", body = LoginStart),
        Unavailable,
    ))]
pub async fn login_start(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let started = state.auth.start_passwordless().await?;
    let mut public_key = options(&started.options_json)?;
    let public_key = public_key.get_mut("publicKey").map(serde_json::Value::take);
    let public_key = public_key.unwrap_or_default();
    let body = LoginStart { challenge_id: started.challenge_id, public_key };
    Ok(no_store(StatusCode::OK).json(body))
}

/// `POST /api/v1/auth/passkeys/login/finish`: a discoverable passkey logs its owner in.
#[utoipa::path(post, path = paths::PASSKEY_LOGIN_FINISH, tag = "second factors",
    params(TransportHeader), request_body = LoginFinish,
    responses(
        (status = 200, description = "Logged in: a new session.", body = TokenResponse,
         headers(("Cache-Control" = String, description = "`no-store`"),
                 ("Set-Cookie" = String, description = "With `Baton-Transport: cookie` only: \
                  the refresh-token cookie; the body then has no `refresh_token`."))),
        (status = 400, description = "Not an assertion (`invalid_input`); an unknown, used or \
         expired `challenge_id` (`invalid_challenge`).", body = crate::error::Problem,
         content_type = "application/problem+json"),
        (status = 401, description = "The assertion does not verify, or its passkey is gone \
         (`passkey_refused`).", body = crate::error::Problem,
         content_type = "application/problem+json"),
        (status = 403, description = "`account_disabled`, `email_not_verified` or \
         `csrf_rejected`.", body = crate::error::Problem,
         content_type = "application/problem+json"),
        RateLimited, BodyErrors, Unavailable,
    ))]
pub async fn login_finish(
    state: web::Data<AppState>,
    transport: Transport,
    client: Client,
    JsonBody(body): JsonBody<LoginFinish>,
) -> Result<HttpResponse, ApiError> {
    let credential = body.credential.to_string();
    let auth = &state.auth;
    let result = auth.finish_passwordless(&body.challenge_id, &credential, client.0).await;
    state.metrics.passkey_login(&result);
    Ok(transport.tokens(StatusCode::OK, result?))
}
