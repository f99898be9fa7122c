//! Where a refresh request's token comes from, read once: the refresh-token cookie under
//! cookie transport, else the JSON body's `refresh_token`, else `Authorization: Bearer`.

use super::Transport;
use crate::dto::RefreshTokenBody;
use crate::error::{ApiError, HttpError};
use crate::extract::{Authorization, OptionalJson, authorization};
use crate::metrics::Metrics;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use std::future::Future;
use std::pin::Pin;

/// The refresh token a refresh request presents, and the transport its answer goes back by.
/// The body wins over `Authorization`, so a client that adds its access token to every request
/// can still refresh; under cookie transport only the cookie counts. Refusals before the core
/// (no token: 400, or 403 `csrf_rejected` for a cookie without the header; a malformed bearer
/// header: 401) are counted in [`Metrics`] here, since the use case never sees them. Its
/// `Debug` never shows the token.
pub struct PresentedRefresh {
    /// The token, not yet verified.
    pub token: String,
    /// How the answer carries the successor.
    pub transport: Transport,
}

impl std::fmt::Debug for PresentedRefresh {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PresentedRefresh").field("transport", &self.transport).finish()
    }
}

impl FromRequest for PresentedRefresh {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let transport = Transport::from_request(req, payload);
        let body = OptionalJson::<RefreshTokenBody>::from_request(req, payload);
        let header = authorization(req);
        let metrics = req.app_data::<Metrics>().cloned();
        Box::pin(async move {
            let mut transport = transport.await?;
            let token = match transport.refresh_token()? {
                Some(token) => Some(token),
                None => body.await?.0.and_then(RefreshTokenBody::into_token),
            };
            let token = match (token, header) {
                (Some(token), _) => token,
                (None, Ok(Authorization::Bearer(token))) => token,
                (None, Ok(Authorization::Absent)) => {
                    let missing = transport.no_token();
                    if let (HttpError::Csrf(refusal), Some(m)) = (&missing, &metrics) {
                        m.csrf_rejected(refusal);
                    }
                    return Err(missing.into());
                }
                (None, Err(malformed)) => {
                    if let Some(m) = &metrics {
                        m.refresh_refused();
                    }
                    return Err(malformed.into());
                }
            };
            Ok(PresentedRefresh { token, transport })
        })
    }
}
