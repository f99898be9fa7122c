//! The routing table and the application built from it.
//!
//! [`endpoints`] is the one list of routes: the server registers it and a test checks the
//! OpenAPI document ([`crate::openapi`]) lists exactly it. Each route says who calls it
//! ([`Exposure`]), which decides what wraps its resource: CORS for the browser origins, and the
//! per-address rate limit for the two routes that hash a password. The middleware every
//! request passes through is in [`crate::server`].

use crate::cookies;
use crate::error::{ApiError, HttpError, PROBLEM_JSON};
use crate::extract::TrustedProxies;
use crate::extract::body;
use crate::middleware::ratelimit;
use crate::openapi;
use crate::paths;
use crate::routes::{
    account, discovery, health, introspect, jwks, lifecycle, mfa, oauth, ops, passkeys, sessions,
    tokens,
};
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::{Method, header};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers, from_fn};
use actix_web::{HttpResponse, ResponseError, Route, web};

/// Who calls a route, which decides what wraps it besides the app-wide middleware.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// Browser apps may call it: CORS with credentials for `cookies.allowed_origins`.
    Browsers,
    /// Like [`Exposure::Browsers`], and it hashes a password: the per-address rate limit
    /// answers 429 before any bcrypt runs (SPEC §5).
    BrowsersRateLimited,
    /// Servers, operators and tooling: no CORS headers at all.
    Servers,
}

/// One route of the API. The table is data so that the server and the OpenAPI check read
/// the same list and cannot drift apart.
pub struct Endpoint {
    /// HTTP method.
    pub method: Method,
    /// Path pattern as actix and OpenAPI both write it (`/api/v1/auth/sessions/{id}`).
    pub path: &'static str,
    /// Who calls it.
    pub exposure: Exposure,
    /// The handler, as a route without a method guard.
    handler: fn() -> Route,
}

fn endpoint(
    method: Method,
    path: &'static str,
    exposure: Exposure,
    handler: fn() -> Route,
) -> Endpoint {
    Endpoint { method, path, exposure, handler }
}

/// Every route Baton serves (SPEC §2), in registration order.
pub fn endpoints() -> Vec<Endpoint> {
    use Exposure::{Browsers, BrowsersRateLimited, Servers};
    vec![
        endpoint(Method::POST, paths::REGISTER, BrowsersRateLimited, || {
            web::route().to(account::register)
        }),
        endpoint(Method::POST, paths::LOGIN, BrowsersRateLimited, || {
            web::route().to(account::login)
        }),
        endpoint(Method::POST, paths::REFRESH, Browsers, || web::route().to(tokens::refresh)),
        endpoint(Method::POST, paths::LOGOUT, Browsers, || web::route().to(tokens::logout)),
        endpoint(Method::GET, paths::ME, Browsers, || web::route().to(tokens::me)),
        endpoint(Method::GET, paths::SESSIONS, Browsers, || web::route().to(sessions::list)),
        endpoint(Method::DELETE, paths::SESSION, Browsers, || web::route().to(sessions::revoke)),
        endpoint(Method::GET, paths::HEALTHZ, Servers, || web::route().to(health::healthz)),
        endpoint(Method::GET, paths::READYZ, Servers, || web::route().to(health::readyz)),
        endpoint(Method::GET, paths::METRICS, Servers, || web::route().to(ops::metrics)),
        endpoint(Method::GET, paths::OPENAPI, Servers, || web::route().to(ops::openapi)),
        endpoint(Method::GET, paths::JWKS, Servers, || web::route().to(jwks::jwks)),
        endpoint(Method::POST, paths::INTROSPECT, Servers, || {
            web::route().to(introspect::introspect)
        }),
        endpoint(Method::POST, paths::PASSWORD, BrowsersRateLimited, || {
            web::route().to(lifecycle::change_password)
        }),
        endpoint(Method::POST, paths::PASSWORD_FORGOT, BrowsersRateLimited, || {
            web::route().to(lifecycle::forgot_password)
        }),
        endpoint(Method::POST, paths::PASSWORD_RESET, BrowsersRateLimited, || {
            web::route().to(lifecycle::reset_password)
        }),
        endpoint(Method::POST, paths::EMAIL, BrowsersRateLimited, || {
            web::route().to(lifecycle::change_email)
        }),
        endpoint(Method::POST, paths::EMAIL_VERIFY, Browsers, || {
            web::route().to(lifecycle::verify_email)
        }),
        endpoint(Method::POST, paths::EMAIL_VERIFY_RESEND, BrowsersRateLimited, || {
            web::route().to(lifecycle::resend_verification)
        }),
        // Shares `/me`'s resource and so its exposure: not rate-limited (the password check
        // is counted toward the lockout instead).
        endpoint(Method::DELETE, paths::ME, Browsers, || {
            web::route().to(lifecycle::delete_account)
        }),
        endpoint(Method::POST, paths::OAUTH_TOKEN, Browsers, || web::route().to(oauth::token)),
        endpoint(Method::POST, paths::OAUTH_REVOKE, Browsers, || web::route().to(oauth::revoke)),
        endpoint(Method::GET, paths::OAUTH_METADATA, Browsers, || {
            web::route().to(discovery::metadata)
        }),
        endpoint(Method::GET, paths::OPENID_CONFIGURATION, Browsers, || {
            web::route().to(discovery::openid_configuration)
        }),
        // Second factors (SPEC §13). The routes that check a password or a code toward the
        // lockout are rate-limited; `DELETE /mfa/totp` shares the enrolment's resource.
        endpoint(Method::GET, paths::MFA, Browsers, || web::route().to(mfa::status)),
        endpoint(Method::POST, paths::MFA_TOTP, BrowsersRateLimited, || {
            web::route().to(mfa::enrol_totp)
        }),
        endpoint(Method::DELETE, paths::MFA_TOTP, BrowsersRateLimited, || {
            web::route().to(mfa::disable_totp)
        }),
        endpoint(Method::POST, paths::MFA_TOTP_CONFIRM, Browsers, || {
            web::route().to(mfa::confirm_totp)
        }),
        endpoint(Method::POST, paths::MFA_VERIFY, BrowsersRateLimited, || {
            web::route().to(mfa::verify)
        }),
        endpoint(Method::POST, paths::MFA_WEBAUTHN_START, Browsers, || {
            web::route().to(mfa::webauthn_start)
        }),
        endpoint(Method::GET, paths::PASSKEYS, Browsers, || web::route().to(passkeys::list)),
        endpoint(Method::PATCH, paths::PASSKEY, Browsers, || web::route().to(passkeys::rename)),
        endpoint(Method::DELETE, paths::PASSKEY, Browsers, || web::route().to(passkeys::remove)),
        endpoint(Method::POST, paths::PASSKEY_REGISTER_START, Browsers, || {
            web::route().to(passkeys::register_start)
        }),
        endpoint(Method::POST, paths::PASSKEY_REGISTER_FINISH, Browsers, || {
            web::route().to(passkeys::register_finish)
        }),
        endpoint(Method::POST, paths::PASSKEY_LOGIN_START, Browsers, || {
            web::route().to(passkeys::login_start)
        }),
        endpoint(Method::POST, paths::PASSKEY_LOGIN_FINISH, BrowsersRateLimited, || {
            web::route().to(passkeys::login_finish)
        }),
    ]
}

/// Registers the app data, every route of [`endpoints`] and the 404 fallback on an app or a
/// test service. Routes sharing a path share one resource, whose other methods answer 405.
pub fn configure(state: web::Data<AppState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        let trusted = TrustedProxies(state.config.server.trusted_proxies.clone().into());
        cfg.app_data(state.clone())
            .app_data(state.metrics.clone())
            .app_data(state.limiter.clone())
            .app_data(trusted)
            .app_data(web::Data::new(state.config.cookies.clone()))
            .app_data(web::Data::new(ops::OpenApiDocument(openapi::document_json())))
            .app_data(body::payload_config())
            .app_data(body::query_config());
        let endpoints = endpoints();
        let mut paths: Vec<&'static str> = Vec::new();
        for e in &endpoints {
            if !paths.contains(&e.path) {
                paths.push(e.path);
            }
        }
        for path in paths {
            let routes: Vec<&Endpoint> = endpoints.iter().filter(|e| e.path == path).collect();
            let mut allow: Vec<&str> = routes.iter().map(|e| e.method.as_str()).collect();
            let exposure = routes[0].exposure;
            let gets = routes.iter().any(|e| e.method == Method::GET);
            if gets {
                allow.push(Method::HEAD.as_str());
            }
            let mut res = resource(path, allow.join(", "));
            for e in routes {
                res = res.route((e.handler)().method(e.method.clone()));
                // HEAD wherever GET is (RFC 9110 §9.3.2): the same handler; actix sends the
                // headers and no body.
                if e.method == Method::GET {
                    res = res.route((e.handler)().method(Method::HEAD));
                }
            }
            let cors = || cookies::cors::layer(&state.config.cookies);
            // Innermost first: the limit, the safety net, then CORS outside it so that
            // problem+json answers carry the CORS headers too.
            match exposure {
                Exposure::Servers => cfg.service(res),
                Exposure::Browsers => cfg.service(
                    res.wrap(problem_safety_net()).wrap(cors()).wrap(from_fn(cookies::cors::tidy)),
                ),
                Exposure::BrowsersRateLimited => cfg.service(
                    res.wrap(from_fn(ratelimit::limit))
                        .wrap(problem_safety_net())
                        .wrap(cors())
                        .wrap(from_fn(cookies::cors::tidy)),
                ),
            };
        }
        cfg.default_service(web::to(not_found));
    }
}

/// A resource whose unmatched methods answer 405 as problem+json, with `Allow: <allow>`.
fn resource(path: &str, allow: String) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || {
        let allow = allow.clone();
        async move {
            Err::<HttpResponse, _>(ApiError::from(HttpError::MethodNotAllowed).with_allow(allow))
        }
    }))
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(HttpError::NotFound.into())
}

/// Safety net: any error response not already problem+json (produced by actix itself or a
/// library) is replaced by the problem+json answer for its status, so clients always get
/// the documented error shape.
pub fn problem_safety_net<B: MessageBody + 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(|res: ServiceResponse<B>| {
        // Baton's own error bodies: problem+json, or the OAuth endpoints' RFC 6749 JSON.
        let is_problem = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
            let v = v.as_bytes();
            v.starts_with(PROBLEM_JSON.as_bytes()) || v.starts_with(b"application/json")
        });
        if is_problem {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        let replacement = ApiError::from(HttpError::Status(res.status())).error_response();
        let (req, _) = res.into_parts();
        let res = ServiceResponse::new(req, replacement).map_into_right_body();
        Ok(ErrorHandlerResponse::Response(res))
    })
}
