//! `GET /.well-known/jwks.json`: the public keys resource servers verify access tokens with
//! (SPEC §9), cacheable and revalidated with an ETag.

use crate::paths;
use crate::state::AppState;
use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_TYPE, ETAG, EntityTag, Header, HeaderValue, IfNoneMatch,
};
use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::ToSchema;

/// The JWKS's content type: plain `application/json`, as every major issuer serves its JWKS,
/// rather than RFC 7517's `application/jwk-set+json`, which some HTTP clients refuse to read
/// as JSON (docs/DECISIONS.md).
pub const JWKS_CONTENT_TYPE: &str = "application/json";

/// `GET /.well-known/jwks.json`: the current key set's JWKS, exactly the bytes its ETag was
/// computed from, with `Cache-Control: public, max-age=<jwks.max_age>`. A request whose
/// `If-None-Match` matches (`*`, or any listed tag under the weak comparison of RFC 9110
/// §8.8.3.2) gets `304 Not Modified` with the same `ETag` and `Cache-Control` and no body.
/// HMAC secrets are never published: an HS256-only key set serves `{"keys":[]}`.
#[utoipa::path(
    get,
    path = paths::JWKS,
    tag = "resource servers",
    params(("If-None-Match" = Option<String>, Header,
        description = "An ETag from an earlier answer: 304 while the key set is unchanged.")),
    responses(
        (status = 200, description = "The JSON Web Key Set (RFC 7517): one \
         `{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\",\"kid\",\"alg\":\"EdDSA\",\"use\":\"sig\"}` \
         per Ed25519 key that verifies, in key-set order.",
         body = JwkSet, content_type = "application/json",
         headers(
            ("Cache-Control" = String, description = "`public, max-age=<jwks.max_age seconds>`"),
            ("ETag" = String, description = "Strong ETag of the exact body."),
         )),
        (status = 304, description = "Not modified: the `If-None-Match` tag is current.",
         headers(
            ("Cache-Control" = String, description = "As on the 200 answer."),
            ("ETag" = String, description = "The current ETag."),
         )),
    )
)]
pub async fn jwks(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let set = state.keys.jwks();
    let cache_control = format!("public, max-age={}", state.config.jwks.max_age.as_secs());
    let unchanged = not_modified(&req, &set.etag);
    let mut res = if unchanged { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    res.insert_header((CACHE_CONTROL, cache_control));
    // The ETag is a quoted hex digest, always a valid header value; were it not, the set is
    // served without one rather than failing the request.
    if let Ok(etag) = HeaderValue::from_str(&set.etag) {
        res.insert_header((ETAG, etag));
    }
    if unchanged {
        res.finish()
    } else {
        res.insert_header((CONTENT_TYPE, JWKS_CONTENT_TYPE)).body(set.json)
    }
}

/// The JWKS's shape, for the OpenAPI document only: the server serves the bytes
/// `baton_jwt::Jwks` serialized, so that generated clients and schemathesis know the fields
/// a resource server reads.
#[derive(ToSchema)]
pub struct JwkSet {
    /// One entry per Ed25519 key that verifies, in key-set order; empty for an HS256-only set.
    pub keys: Vec<Jwk>,
}

/// One published Ed25519 public key (RFC 8037 §2), for the OpenAPI document only.
#[derive(ToSchema)]
pub struct Jwk {
    /// Key type: always `OKP`.
    #[schema(pattern = "^OKP$")]
    pub kty: String,
    /// Curve: always `Ed25519`.
    #[schema(pattern = "^Ed25519$")]
    pub crv: String,
    /// The 32-byte public key, base64url without padding.
    #[schema(pattern = "^[A-Za-z0-9_-]{43}$")]
    pub x: String,
    /// The key id a token's header names.
    pub kid: String,
    /// Always `EdDSA`: the only algorithm this key verifies.
    #[schema(pattern = "^EdDSA$")]
    pub alg: String,
    /// Always `sig`.
    #[schema(pattern = "^sig$", rename = "use")]
    pub use_: String,
}

/// Whether `If-None-Match` makes a GET of the representation tagged `etag` answer 304 (RFC 9110
/// §13.1.2): `*` matches any current representation, a list matches when one of its tags
/// equals `etag` under the weak comparison (a `W/` prefix on either side is ignored). No
/// header, or one that does not parse, never matches: the full answer is always safe.
pub fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    let Ok(current) = etag.parse::<EntityTag>() else { return false };
    match IfNoneMatch::parse(req) {
        Ok(IfNoneMatch::Any) => true,
        Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|tag| tag.weak_eq(&current)),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    const TAG: &str = "\"0123abcd\"";

    fn with(values: &[&str]) -> bool {
        let mut req = TestRequest::get();
        for value in values {
            req = req.append_header(("if-none-match", *value));
        }
        not_modified(&req.to_http_request(), TAG)
    }

    #[test]
    fn matching_tags_and_star_answer_304() {
        assert!(with(&[TAG]));
        assert!(with(&["*"]));
        assert!(with(&["W/\"0123abcd\""]), "weak comparison ignores W/");
        assert!(with(&["\"other\", \"0123abcd\""]), "a list");
        assert!(with(&["\"other\"", "\"0123abcd\""]), "several header lines");
        assert!(with(&["\"other\" ,W/\"0123abcd\" "]), "spaces around items");
    }

    #[test]
    fn anything_else_gets_the_full_answer() {
        assert!(!with(&[]));
        assert!(!with(&["\"other\""]));
        assert!(!with(&["0123abcd"]), "unquoted is not an entity tag");
        assert!(!with(&["w/\"0123abcd\""]), "the weak prefix is case-sensitive");
        assert!(!with(&["\"0123ABCD\""]), "tags compare exactly");
        assert!(!with(&[""]));
        assert!(!with(&["\"0123abcd"]), "unterminated");
    }
}
