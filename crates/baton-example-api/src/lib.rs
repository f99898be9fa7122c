//! An example API that accepts Baton's access tokens: the code an API author writes, small
//! enough to read in one sitting, and tested against a real Baton.
//!
//! Two routes show the two ways to check a token (see README.md for when to use which):
//!
//! - `GET /jwks-only`: the signature is checked with Baton's published public keys
//!   ([`jwks::Verifier`]), offline and fast; a logged-out session's token still works until
//!   its `exp` (15 minutes by default).
//! - `GET /introspected`: the same check, then Baton is asked whether the session is still
//!   live ([`introspect::Introspector`]); logout ends access at once, at the cost of a call to
//!   Baton per request.
//!
//! A third, `GET /mfa-only`, shows an API demanding a second factor: the JWKS check, then the
//! token's `amr` claim (RFC 8176) must hold `mfa`; otherwise 401 with RFC 9470's
//! `insufficient_user_authentication` challenge.

#![warn(missing_docs)]

pub mod introspect;
pub mod jwks;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use introspect::Introspector;
use jwks::{AccessClaims, Refused, Verifier};
use serde_json::json;
use std::time::Duration;

/// Where Baton is and who this API is to it.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Baton's base URL, e.g. `https://auth.example.com`.
    pub baton_url: String,
    /// Baton's `jwt.issuer` (`iss` of its tokens): its public base URL, usually `baton_url`.
    pub issuer: String,
    /// Baton's `jwt.audience` (`aud` of its tokens): the audience this API accepts.
    pub audience: String,
    /// This API's id in Baton's `introspection.clients`.
    pub client_id: String,
    /// Its secret there.
    pub client_secret: String,
    /// The shortest time between two JWKS fetches caused by unknown `kid`s.
    pub refetch_floor: Duration,
}

/// What the handlers share.
pub struct State {
    verifier: Verifier,
    introspector: Introspector,
}

impl State {
    /// The verifier and the introspection client for `settings`.
    pub fn new(settings: &Settings) -> Self {
        let base = settings.baton_url.trim_end_matches('/');
        Self {
            verifier: Verifier::new(
                format!("{base}/.well-known/jwks.json"),
                &settings.issuer,
                &settings.audience,
                settings.refetch_floor,
            ),
            introspector: Introspector::new(
                format!("{base}/api/v1/auth/introspect"),
                settings.client_id.clone(),
                settings.client_secret.clone(),
            ),
        }
    }
}

/// The routes, for `App::configure`.
pub fn routes(state: web::Data<State>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(state)
            .route("/jwks-only", web::get().to(jwks_only))
            .route("/introspected", web::get().to(introspected))
            .route("/mfa-only", web::get().to(mfa_only));
    }
}

/// Accepts any unexpired access token signed by a key in Baton's JWKS.
async fn jwks_only(state: web::Data<State>, req: HttpRequest) -> Result<HttpResponse, Refused> {
    let claims = state.verifier.verify(bearer(&req)?).await?;
    Ok(hello(&claims, "signature (JWKS)"))
}

/// Accepts a token as `/jwks-only` does, and only while Baton says its session is live.
async fn introspected(state: web::Data<State>, req: HttpRequest) -> Result<HttpResponse, Refused> {
    let token = bearer(&req)?;
    // The offline check first: forged and expired tokens never cost a call to Baton.
    let claims = state.verifier.verify(token).await?;
    state.introspector.check(token, &claims.sub).await?;
    Ok(hello(&claims, "signature (JWKS) and session (introspection)"))
}

/// Accepts a token as `/jwks-only` does, and only if its login gave a second factor.
async fn mfa_only(state: web::Data<State>, req: HttpRequest) -> Result<HttpResponse, Refused> {
    let claims = state.verifier.verify(bearer(&req)?).await?;
    if !claims.amr.iter().any(|m| m == "mfa") {
        return Err(Refused::NeedsSecondFactor);
    }
    Ok(hello(&claims, "signature (JWKS) and a second factor (amr)"))
}

fn hello(claims: &AccessClaims, checked: &str) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "user": claims.sub,
        "client": claims.client_id,
        "session": claims.sid,
        "checked": checked,
    }))
}

/// The `Authorization: Bearer` token.
fn bearer(req: &HttpRequest) -> Result<&str, Refused> {
    let value = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let token = value.and_then(|v| v.strip_prefix("Bearer ").or(v.strip_prefix("bearer ")));
    token.map(str::trim).filter(|t| !t.is_empty()).ok_or(Refused::Malformed)
}

/// 401 with the RFC 6750 challenge for a refused token, 503 when Baton cannot be reached; the
/// reason stays in the log.
impl ResponseError for Refused {
    fn status_code(&self) -> StatusCode {
        match self {
            Refused::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    fn error_response(&self) -> HttpResponse {
        tracing::info!(reason = %self, "request refused");
        let mut res = HttpResponse::build(self.status_code());
        let challenge = match self {
            Refused::Unavailable(_) => None,
            // RFC 9470 §3: log in again with a stronger method, here a second factor.
            Refused::NeedsSecondFactor => Some(
                "Bearer error=\"insufficient_user_authentication\", \
                 error_description=\"A second factor is required\"",
            ),
            _ => Some("Bearer error=\"invalid_token\""),
        };
        if let Some(challenge) = challenge {
            let challenge = HeaderValue::from_static(challenge);
            res.insert_header((header::WWW_AUTHENTICATE, challenge));
        }
        res.json(json!({ "error": self.status_code().canonical_reason() }))
    }
}
