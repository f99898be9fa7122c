//! Form bodies (`application/x-www-form-urlencoded`), as the OAuth and introspection requests
//! send them (RFC 6749 §3.2, RFC 7662 §2.1): within the body limit, with client-safe errors.

use super::body::read;
use crate::error::{ApiError, HttpError};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use serde::de::DeserializeOwned;
use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use utoipa::PartialSchema;
use utoipa::openapi::{RefOr, Schema};

/// A form body of type `T`. Unknown parameters are ignored (RFC 6749 §3.2); a parameter given
/// twice is refused (RFC 6749 §3.1), as is a missing required one (required by `T`'s OpenAPI
/// schema). Error details name parameters, never values.
pub struct Form<T>(pub T);

/// Parses a form body; see [`Form`].
pub fn parse_form<T: DeserializeOwned + PartialSchema>(body: &[u8]) -> Result<T, HttpError> {
    let invalid = |detail: String| HttpError::InvalidBody(detail.into());
    let mut seen = BTreeSet::new();
    for (name, _) in form_urlencoded::parse(body) {
        if !seen.insert(name.clone()) {
            return Err(invalid(format!("parameter {:?} given more than once", name.as_ref())));
        }
    }
    if let RefOr::T(Schema::Object(schema)) = T::schema()
        && let Some(missing) = schema.required.iter().find(|p| !seen.contains(p.as_str()))
    {
        return Err(invalid(format!("missing parameter {missing:?} (form-encoded)")));
    }
    let form = serde_urlencoded::Deserializer::new(form_urlencoded::parse(body));
    serde_path_to_error::deserialize(form).map_err(|e| {
        invalid(format!("parameter {:?} has the wrong type or value", e.path().to_string()))
    })
}

/// Whether the request declares a form body (`application/x-www-form-urlencoded`, any
/// parameters such as `charset`).
fn declares_form(req: &HttpRequest) -> bool {
    matches!(req.mime_type(), Ok(Some(m)) if m.essence_str() == "application/x-www-form-urlencoded")
}

impl<T: DeserializeOwned + PartialSchema + 'static> FromRequest for Form<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    /// Reads the body within the server's limit (413 over it), then requires a form content
    /// type (415) and parses it (400).
    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_form = declares_form(req);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = read(body).await?;
            if !is_form {
                return Err(HttpError::NotForm.into());
            }
            Ok(Form(parse_form(&bytes)?))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, utoipa::ToSchema)]
    struct Request {
        token: String,
        token_type_hint: Option<String>,
    }

    fn detail(body: &str) -> String {
        match parse_form::<Request>(body.as_bytes()) {
            Err(HttpError::InvalidBody(d)) => d.into_owned(),
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn reads_parameters_and_ignores_unknown_ones() {
        let r: Request = parse_form(b"token_type_hint=refresh_token&token=a%2Bb+c&x=1").unwrap();
        assert_eq!(
            (r.token.as_str(), r.token_type_hint.as_deref()),
            ("a+b c", Some("refresh_token"))
        );
    }

    #[test]
    fn refuses_missing_and_repeated_parameters() {
        assert_eq!(detail(""), "missing parameter \"token\" (form-encoded)");
        assert_eq!(detail("{\"token\":\"x\"}"), "missing parameter \"token\" (form-encoded)");
        assert_eq!(detail("token=a&token=b"), "parameter \"token\" given more than once");
        let twice = "token=a&token_type_hint=access_token&token_type_hint=x";
        assert_eq!(detail(twice), "parameter \"token_type_hint\" given more than once");
    }
}
