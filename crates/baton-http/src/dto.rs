//! The JSON shapes of SPEC §2: what clients send and what they get back.
//!
//! Requests deserialize into plain fields and go to the core unvalidated (the core owns the
//! rules); responses are built from core values. Unknown request fields are ignored so that
//! clients can evolve. Request types holding secrets have no `Debug`.

use baton_core::{IssuedTokens, LogoutScope, SessionSummary, User};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// `POST /api/v1/auth/register`. The fields' schemas come from `crate::openapi::fields`, built
/// from the core's limits, because the rules count bytes and trim where JSON Schema's length
/// keywords count characters.
#[derive(Deserialize, ToSchema)]
pub struct RegisterRequest {
    /// Login address; trimmed and lower-cased, at most 254 bytes.
    #[schema(schema_with = crate::openapi::fields::email_schema)]
    pub email: String,
    /// Chosen password: 8 to 72 bytes (longer is refused, never truncated).
    #[schema(schema_with = crate::openapi::fields::password_schema)]
    pub password: String,
    /// Optional display name, at most 100 characters once trimmed, no control characters.
    #[serde(default)]
    #[schema(schema_with = crate::openapi::fields::name_schema)]
    pub name: Option<String>,
}

/// `POST /api/v1/auth/login`.
#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Login address, any string: one that is no address is simply unknown (401).
    #[schema(example = "ada@example.com")]
    pub email: String,
    /// Password attempt, any string: every attempt is checked (one over 72 bytes never
    /// matches), so it has no length rule.
    #[schema(example = "correct horse battery", format = Password)]
    pub password: String,
}

// The request body itself is optional (no body, or an empty one); the document says so with
// `required: false` (`crate::openapi::OptionalBodies`) rather than `oneOf [this, null]`, with
// which generated clients cannot leave the body out.
/// Body of refresh and logout: a refresh token, optional. The body itself may be left out.
#[derive(Deserialize, Default, ToSchema)]
pub struct RefreshTokenBody {
    /// The refresh token; blank counts as absent.
    #[serde(default)]
    #[schema(example = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImRlZmF1bHQifQ...")]
    pub refresh_token: Option<String>,
}

impl RefreshTokenBody {
    /// The token, if one was given (blank strings count as none).
    pub fn into_token(self) -> Option<String> {
        self.refresh_token.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
    }
}

/// `?scope=` of logout.
#[derive(Deserialize, Default, Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The caller's session (default).
    #[default]
    Local,
    /// Every session of the user.
    Global,
    /// Every session but the caller's.
    Others,
}

impl From<Scope> for LogoutScope {
    fn from(s: Scope) -> Self {
        match s {
            Scope::Local => LogoutScope::Local,
            Scope::Global => LogoutScope::Global,
            Scope::Others => LogoutScope::Others,
        }
    }
}

/// The logout query string.
#[derive(Deserialize, Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogoutQuery {
    /// Which sessions to end: `local` (the caller's, default), `global` (all) or `others`.
    #[serde(default)]
    pub scope: Scope,
}

/// A user as clients see it (no hash, no lockout state).
#[derive(Serialize, Debug, Clone, PartialEq, Eq, ToSchema)]
#[schema(as = User)]
pub struct UserResponse {
    /// User id (the `sub` of its tokens).
    pub id: Uuid,
    /// Normalised email.
    pub email: String,
    /// Display name or `null`.
    #[schema(required = true)]
    pub name: Option<String>,
    /// Whether the email was proven to be the user's (a verification link was used).
    pub email_verified: bool,
    /// Registration time.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last change to the account.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<&User> for UserResponse {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            email: u.email.as_str().to_owned(),
            name: u.name.as_ref().map(|n| n.as_str().to_owned()),
            email_verified: u.email_verified_at.is_some(),
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// The token response of login, register and refresh.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Signed access token.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(value_type = String, example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// When the access token expires.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Signed refresh token. Absent with cookie transport (`Baton-Transport: cookie`): the
    /// token is then only in the `Set-Cookie` header, out of reach of page scripts.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub refresh_token: Option<String>,
    /// When the refresh token expires.
    #[serde(with = "time::serde::rfc3339")]
    pub refresh_expires_at: OffsetDateTime,
    /// The account.
    pub user: UserResponse,
}

impl From<IssuedTokens> for TokenResponse {
    fn from(t: IssuedTokens) -> Self {
        Self {
            expires_in: (t.access_expires_at - t.issued_at).whole_seconds().max(0),
            user: UserResponse::from(&t.user),
            access_token: t.access_token,
            token_type: "Bearer",
            expires_at: t.access_expires_at,
            refresh_token: Some(t.refresh_token),
            refresh_expires_at: t.refresh_expires_at,
        }
    }
}

/// One entry of the sessions list.
#[derive(Serialize, Debug, ToSchema)]
#[schema(as = Session)]
pub struct SessionResponse {
    /// Session id, for `DELETE /api/v1/auth/sessions/{id}`.
    pub id: Uuid,
    /// Login time.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last login or refresh.
    #[serde(with = "time::serde::rfc3339")]
    pub last_used_at: OffsetDateTime,
    /// When the session ends unless refreshed.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Device description, if the client sent one.
    #[schema(required = true)]
    pub user_agent: Option<String>,
    /// Whether this is the session of the access token that asked.
    pub current: bool,
}

impl From<SessionSummary> for SessionResponse {
    fn from(s: SessionSummary) -> Self {
        Self {
            id: s.id,
            created_at: s.created_at,
            last_used_at: s.last_used_at,
            expires_at: s.expires_at,
            user_agent: s.user_agent,
            current: s.current,
        }
    }
}

/// Body of `/healthz` and `/readyz`.
#[derive(Serialize, Debug, ToSchema)]
#[schema(as = Health)]
pub struct HealthResponse {
    /// `ok`.
    #[schema(value_type = String, example = "ok")]
    pub status: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_are_rfc3339_utc() {
        let user = UserResponse {
            id: Uuid::nil(),
            email: "a@example.com".into(),
            name: None,
            email_verified: false,
            created_at: datetime!(2026-11-22 10:15:00 UTC),
            updated_at: datetime!(2026-11-22 10:15:00 UTC),
        };
        let json = serde_json::to_value(&user).unwrap();
        assert_eq!(json["created_at"], "2026-11-22T10:15:00Z");
        assert_eq!(json["updated_at"], "2026-11-22T10:15:00Z");
        assert_eq!(json["name"], serde_json::Value::Null);
    }

    #[test]
    fn blank_refresh_tokens_count_as_absent() {
        let body = |t: Option<&str>| RefreshTokenBody { refresh_token: t.map(Into::into) };
        assert_eq!(body(Some("  ")).into_token(), None);
        assert_eq!(body(None).into_token(), None);
        assert_eq!(body(Some(" t ")).into_token().as_deref(), Some("t"));
    }
}
