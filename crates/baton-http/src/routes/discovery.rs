//! `GET /.well-known/oauth-authorization-server` (RFC 8414) and the same document at
//! `/.well-known/openid-configuration`, where OpenID-first discovery (openid-client,
//! oauth4webapi's default) looks. It names only what Baton has: the refresh grant, revocation,
//! introspection and the JWKS — no authorization endpoint, no ID tokens, no userinfo.

use crate::paths;
use crate::state::AppState;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

/// `GET /.well-known/oauth-authorization-server`: Baton's metadata (RFC 8414 §2). Every URL is
/// the issuer (the public base URL, `jwt.issuer`) followed by the route's path.
#[utoipa::path(
    get,
    path = paths::OAUTH_METADATA,
    tag = "oauth",
    responses((status = 200, description = "The authorization server metadata.",
        body = Metadata,
        headers(("Cache-Control" = String, description = "`public, max-age=<jwks.max_age>`"))))
)]
pub async fn metadata(state: web::Data<AppState>) -> HttpResponse {
    let issuer = state.keys.issuer();
    let base = issuer.trim_end_matches('/');
    let at = |path: &str| format!("{base}{path}");
    let document = Metadata {
        token_endpoint: at(paths::OAUTH_TOKEN),
        revocation_endpoint: at(paths::OAUTH_REVOKE),
        introspection_endpoint: at(paths::INTROSPECT),
        jwks_uri: at(paths::JWKS),
        issuer,
        grant_types_supported: vec!["refresh_token"],
        response_types_supported: Vec::new(),
        token_endpoint_auth_methods_supported: vec!["none"],
        revocation_endpoint_auth_methods_supported: vec!["none"],
        introspection_endpoint_auth_methods_supported: vec!["client_secret_basic"],
    };
    let cache_control = format!("public, max-age={}", state.config.jwks.max_age.as_secs());
    HttpResponse::Ok().insert_header((CACHE_CONTROL, cache_control)).json(document)
}

/// `GET /.well-known/openid-configuration`: the same document as
/// `/.well-known/oauth-authorization-server`, for libraries that discover there first. It
/// claims no OpenID Connect feature (no `id_token`, no `userinfo_endpoint`).
#[utoipa::path(
    get,
    path = paths::OPENID_CONFIGURATION,
    tag = "oauth",
    responses((status = 200, description = "The authorization server metadata (RFC 8414), \
        served where OpenID discovery looks; no OpenID Connect features are claimed.",
        body = Metadata))
)]
pub async fn openid_configuration(state: web::Data<AppState>) -> HttpResponse {
    metadata(state).await
}

/// RFC 8414 §2 metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct Metadata {
    /// `iss` of every token: the public base URL.
    pub issuer: String,
    /// `POST` the refresh grant here (RFC 6749 §6).
    pub token_endpoint: String,
    /// `POST` a token here to end its session (RFC 7009).
    pub revocation_endpoint: String,
    /// `POST` an access token here, as an introspection client (RFC 7662).
    pub introspection_endpoint: String,
    /// The public keys of the asymmetric signing keys.
    pub jwks_uri: String,
    /// `["refresh_token"]`: sessions start with Baton's own login, not an OAuth grant.
    #[schema(value_type = Vec<String>)]
    pub grant_types_supported: Vec<&'static str>,
    /// Empty: Baton has no authorization endpoint.
    #[schema(value_type = Vec<String>)]
    pub response_types_supported: Vec<&'static str>,
    /// `["none"]`: public clients, which name themselves with `client_id`.
    #[schema(value_type = Vec<String>)]
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    /// `["none"]`, as at the token endpoint.
    #[schema(value_type = Vec<String>)]
    pub revocation_endpoint_auth_methods_supported: Vec<&'static str>,
    /// `["client_secret_basic"]`: the `introspection.clients`.
    #[schema(value_type = Vec<String>)]
    pub introspection_endpoint_auth_methods_supported: Vec<&'static str>,
}
