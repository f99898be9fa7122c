//! The OpenAPI 3 document of `GET /api-docs/openapi.json`, generated from the handlers'
//! `#[utoipa::path]` attributes and the DTOs' schemas, so it describes the code that runs.
//!
//! The error answers every route shares (problem+json bodies, `WWW-Authenticate`,
//! `Retry-After`) are written once as `IntoResponses` groups in [`responses`]. A test checks
//! the document lists exactly the routes of [`crate::app::endpoints`]. [`fields`] has the
//! register fields whose rules JSON Schema's length keywords cannot state, [`links`] the links
//! from the token responses to the operations that take their tokens.

pub mod fields;
pub mod links;
pub mod responses;

use crate::cookies::doc::CookieScheme;
use crate::dto::Scope;
use crate::error::Problem;
use crate::openapi::links::TokenLinks;
use crate::paths;
use crate::routes::{
    account, discovery, health, introspect, jwks, lifecycle, mfa, oauth, ops, passkeys, sessions,
    tokens,
};
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Required};
use utoipa::{Modify, OpenApi};

/// Name of the bearer security scheme in the document.
pub const BEARER: &str = "bearer";

/// Baton's API description; `ApiDoc::openapi()` builds it.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Baton",
        description = "Refresh-token authentication: short-lived access tokens, rotating \
                       refresh tokens with reuse detection. Errors are RFC 9457 \
                       `application/problem+json` with a stable `code`."
    ),
    paths(
        account::register,
        account::login,
        tokens::refresh,
        tokens::logout,
        tokens::me,
        sessions::list,
        sessions::revoke,
        health::healthz,
        health::readyz,
        ops::metrics,
        ops::openapi,
        jwks::jwks,
        introspect::introspect,
        lifecycle::change_password,
        lifecycle::forgot_password,
        lifecycle::reset_password,
        lifecycle::verify_email,
        lifecycle::resend_verification,
        lifecycle::change_email,
        lifecycle::delete_account,
        oauth::token,
        oauth::revoke,
        discovery::metadata,
        discovery::openid_configuration,
        mfa::status,
        mfa::enrol_totp,
        mfa::confirm_totp,
        mfa::disable_totp,
        mfa::verify,
        mfa::webauthn_start,
        passkeys::register_start,
        passkeys::register_finish,
        passkeys::list,
        passkeys::rename,
        passkeys::remove,
        passkeys::login_start,
        passkeys::login_finish,
    ),
    components(schemas(Problem, Scope)),
    modifiers(&BearerScheme, &BasicScheme, &CookieScheme, &OptionalBodies, &TokenLinks),
    tags(
        (name = "auth", description = "Accounts, tokens and sessions"),
        (name = "account", description = "The account lifecycle: passwords, verified \
                                          emails, closing the account (links go by mail)"),
        (name = "operations", description = "Probes, metrics and this document"),
        (name = "resource servers", description = "For the APIs that accept Baton's access \
                                                   tokens: the JWKS and introspection"),
        (name = "second factors", description = "TOTP, recovery codes and passkeys; the \
                                                 second step of a login (`mfa_required`) \
                                                 and passwordless login"),
        (name = "oauth", description = "The OAuth 2.0 surface for standard client libraries: \
                                        the refresh grant, revocation and metadata; errors are \
                                        RFC 6749 JSON (`error`, `error_description`, `code`)"),
    )
)]
pub struct ApiDoc;

/// The document as served: built once, then shared.
pub fn document_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        let mut doc = ApiDoc::openapi();
        doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
        doc.to_json().expect("the OpenAPI document serializes")
    })
}

/// Adds the `bearer` HTTP scheme (JWT access tokens) that protected routes name.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some("An access token (a refresh token only on /auth/refresh)."))
            .build();
        components.add_security_scheme(BEARER, SecurityScheme::Http(scheme));
    }
}

/// Name of the HTTP Basic security scheme of introspection clients.
pub const BASIC: &str = "basic";

/// Adds the `basic` HTTP scheme that introspection clients (`introspection.clients`) use.
struct BasicScheme;

impl Modify for BasicScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Basic)
            .description(Some("An introspection client's id and secret."))
            .build();
        components.add_security_scheme(BASIC, SecurityScheme::Http(scheme));
    }
}

/// The operations whose JSON body may be left out: refresh and logout (`body::OptionalJson`).
pub const OPTIONAL_BODIES: [&str; 2] = [paths::REFRESH, paths::LOGOUT];

/// Marks the request bodies of [`OPTIONAL_BODIES`] `required: false`. utoipa renders an optional
/// body only as `Option<T>`, that is `oneOf [T, null]` and no `required`; generated clients
/// (openapi-python-client) then cannot call logout without a body. The handlers declare the
/// plain schema and this sets what the server accepts: the schema, or no body at all.
struct OptionalBodies;

impl Modify for OptionalBodies {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for path in OPTIONAL_BODIES {
            let body = openapi
                .paths
                .paths
                .get_mut(path)
                .and_then(|item| item.post.as_mut())
                .and_then(|op| op.request_body.as_mut());
            if let Some(RefOr::T(body)) = body {
                body.required = Some(Required::False);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_with_the_bearer_scheme() {
        let doc: serde_json::Value = serde_json::from_str(document_json()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
        assert_eq!(doc["components"]["securitySchemes"][BEARER]["scheme"], "bearer");
        let schemas = ["Problem", "TokenResponse", "User", "Session", "RegisterRequest", "JwkSet"];
        for schema in schemas {
            assert!(doc["components"]["schemas"][schema].is_object(), "{schema} missing");
        }
    }

    #[test]
    fn every_link_names_an_operation_of_the_document() {
        let doc: serde_json::Value = serde_json::from_str(document_json()).unwrap();
        let operations = || {
            doc["paths"]
                .as_object()
                .unwrap()
                .values()
                .flat_map(|item| item.as_object().unwrap().values())
        };
        let ids: Vec<&str> = operations().filter_map(|op| op["operationId"].as_str()).collect();
        let mut links = Vec::new();
        for op in operations() {
            for response in op["responses"].as_object().unwrap().values() {
                for (name, link) in response["links"].as_object().into_iter().flatten() {
                    let target = link["operationId"].as_str().unwrap_or_default();
                    assert!(ids.contains(&target), "link {name} to {target:?}");
                    links.push(format!("{}:{name}", op["operationId"]));
                }
            }
        }
        // register, login and refresh link to refresh and logout; register also to login.
        assert_eq!(links.len(), 7, "{links:?}");
    }
}
