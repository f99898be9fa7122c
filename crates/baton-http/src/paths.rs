//! Every route's path, written once: the routing table ([`crate::app`]), the OpenAPI document
//! (`#[utoipa::path(path = ...)]` and its modifiers), the cookie's `Path` and the tests all
//! name these constants.

/// Prefix of the JSON API (SPEC §2).
pub const API: &str = "/api/v1";
/// Prefix of the account and token routes; also the refresh-token cookie's `Path`, so the
/// browser sends the cookie to these routes and no others.
pub const AUTH: &str = "/api/v1/auth";

/// `POST`: create an account and log in.
pub const REGISTER: &str = "/api/v1/auth/register";
/// `POST`: open a session with email and password.
pub const LOGIN: &str = "/api/v1/auth/login";
/// `POST`: rotate a session's refresh token.
pub const REFRESH: &str = "/api/v1/auth/refresh";
/// `POST`: end sessions of the caller.
pub const LOGOUT: &str = "/api/v1/auth/logout";
/// `GET`: the caller's account.
pub const ME: &str = "/api/v1/auth/me";
/// `GET`: the caller's active sessions.
pub const SESSIONS: &str = "/api/v1/auth/sessions";
/// `DELETE`: end one of the caller's sessions.
pub const SESSION: &str = "/api/v1/auth/sessions/{id}";
/// `POST`: RFC 7662 introspection for resource servers.
pub const INTROSPECT: &str = "/api/v1/auth/introspect";
/// `GET`: the public keys of the asymmetric signing keys.
pub const JWKS: &str = "/.well-known/jwks.json";
/// `GET`: liveness.
pub const HEALTHZ: &str = "/healthz";
/// `GET`: readiness (the database answers).
pub const READYZ: &str = "/readyz";
/// `GET`: Prometheus metrics.
pub const METRICS: &str = "/metrics";
/// `GET`: this API's OpenAPI document.
pub const OPENAPI: &str = "/api-docs/openapi.json";
/// `POST`: the OAuth 2.0 token endpoint (RFC 6749 §6: the refresh grant, form-encoded).
pub const OAUTH_TOKEN: &str = "/api/v1/oauth/token";
/// `POST`: OAuth 2.0 token revocation (RFC 7009).
pub const OAUTH_REVOKE: &str = "/api/v1/oauth/revoke";
/// `GET`: OAuth 2.0 authorization server metadata (RFC 8414).
pub const OAUTH_METADATA: &str = "/.well-known/oauth-authorization-server";
/// `GET`: the same metadata where OpenID-first discovery looks for it.
pub const OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";
/// `POST`: change the caller's password.
pub const PASSWORD: &str = "/api/v1/auth/password";
/// `POST`: ask for a password-reset mail.
pub const PASSWORD_FORGOT: &str = "/api/v1/auth/password/forgot";
/// `POST`: set a new password with a reset token.
pub const PASSWORD_RESET: &str = "/api/v1/auth/password/reset";
/// `POST`: ask to change the caller's email (confirmed from the new address).
pub const EMAIL: &str = "/api/v1/auth/email";
/// `POST`: use a verification (or email-change) token.
pub const EMAIL_VERIFY: &str = "/api/v1/auth/email/verify";
/// `POST`: send the verification mail again.
pub const EMAIL_VERIFY_RESEND: &str = "/api/v1/auth/email/verify/resend";
/// `GET`: which second factors the caller's account has.
pub const MFA: &str = "/api/v1/auth/mfa";
/// `POST`: start TOTP enrolment; `DELETE`: disable TOTP.
pub const MFA_TOTP: &str = "/api/v1/auth/mfa/totp";
/// `POST`: confirm TOTP with a first code (answers the recovery codes).
pub const MFA_TOTP_CONFIRM: &str = "/api/v1/auth/mfa/totp/confirm";
/// `POST`: finish a login with a second factor.
pub const MFA_VERIFY: &str = "/api/v1/auth/mfa/verify";
/// `POST`: the passkey options for a login's second factor.
pub const MFA_WEBAUTHN_START: &str = "/api/v1/auth/mfa/webauthn/start";
/// `GET`: the caller's passkeys.
pub const PASSKEYS: &str = "/api/v1/auth/passkeys";
/// `PATCH`: rename, `DELETE`: remove one of the caller's passkeys.
pub const PASSKEY: &str = "/api/v1/auth/passkeys/{id}";
/// `POST`: start registering a passkey.
pub const PASSKEY_REGISTER_START: &str = "/api/v1/auth/passkeys/register/start";
/// `POST`: finish registering a passkey.
pub const PASSKEY_REGISTER_FINISH: &str = "/api/v1/auth/passkeys/register/finish";
/// `POST`: start a passwordless login.
pub const PASSKEY_LOGIN_START: &str = "/api/v1/auth/passkeys/login/start";
/// `POST`: finish a passwordless login.
pub const PASSKEY_LOGIN_FINISH: &str = "/api/v1/auth/passkeys/login/finish";
