//! HTTP Basic authentication of introspection clients (SPEC §9): the API servers listed in
//! `introspection.clients`, each an id and a secret.
//!
//! The check takes the same time whichever id was sent and however much of the secret was
//! right: both sides are hashed with SHA-256 (so every comparison is of 32 bytes, whatever the
//! lengths), compared with `subtle`'s constant-time equality, and every configured client is
//! compared, with no early exit. A wrong id is therefore indistinguishable by timing from a
//! wrong secret.
//!
//! RFC 6749 §2.3.1 asks OAuth clients to form-encode id and secret before Basic encoding, and
//! some do (Go's `golang.org/x/oauth2`) while many send them raw (RFC 7617). Both forms are
//! accepted: a secret such as `openssl rand -base64 32` output contains `+`, `/` and `=`, which
//! the two kinds of client send differently (docs/DECISIONS.md).

use actix_web::HttpRequest;
use actix_web::http::header::AUTHORIZATION;
use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use baton_config::IntrospectionClient;
use sha2::{Digest, Sha256};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

/// Longest `Authorization` header read for Basic credentials; anything longer is refused
/// before decoding. Client ids are short and secrets a few dozen bytes.
pub const MAX_CREDENTIALS_BYTES: usize = 1024;

/// Standard base64, with or without padding: clients differ, and either is unambiguous.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// HTTP Basic credentials as sent: a user id and a password. Its `Debug` never shows the
/// password.
pub struct BasicCredentials {
    id: String,
    secret: String,
}

impl BasicCredentials {
    /// The user id: a client's `client_id` (RFC 6749 §2.3.1).
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl std::fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicCredentials").field("id", &self.id).finish_non_exhaustive()
    }
}

/// Reads `Authorization: Basic <base64(id:secret)>` (RFC 7617). The error is a short reason
/// for the log, never the header's content: no header, another scheme, a header over
/// [`MAX_CREDENTIALS_BYTES`], bad base64, not UTF-8, or no `:`.
pub fn basic_credentials(req: &HttpRequest) -> Result<BasicCredentials, &'static str> {
    let value = req.headers().get(AUTHORIZATION).ok_or("no Authorization header")?;
    if value.len() > MAX_CREDENTIALS_BYTES {
        return Err("Authorization header too long");
    }
    let value = value.to_str().map_err(|_| "Authorization header not ASCII")?;
    let (scheme, encoded) = value.trim().split_once(' ').ok_or("not Basic credentials")?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err("not Basic credentials");
    }
    let decoded = BASE64.decode(encoded.trim()).map_err(|_| "Basic credentials not base64")?;
    let decoded = String::from_utf8(decoded).map_err(|_| "Basic credentials not UTF-8")?;
    let (id, secret) = decoded.split_once(':').ok_or("Basic credentials without a colon")?;
    Ok(BasicCredentials { id: id.to_owned(), secret: secret.to_owned() })
}

/// The id of the client whose id and secret `given` carries (raw or form-encoded), or `None`.
/// Constant-time in everything but the number of configured clients (see the module docs).
pub fn authenticate<'a>(
    clients: &'a [IntrospectionClient],
    given: &BasicCredentials,
) -> Option<&'a str> {
    let ids = [digest(given.id.as_bytes()), digest(&form_decode(&given.id))];
    let secrets = [digest(given.secret.as_bytes()), digest(&form_decode(&given.secret))];
    let mut found = Choice::from(0);
    let mut index = 0u64;
    for (i, client) in clients.iter().enumerate() {
        let (id, secret) = (digest(client.id.as_bytes()), digest(client.secret.expose_bytes()));
        let id_ok = ids[0].ct_eq(&id) | ids[1].ct_eq(&id);
        let secret_ok = secrets[0].ct_eq(&secret) | secrets[1].ct_eq(&secret);
        let hit = id_ok & secret_ok;
        index.conditional_assign(&(i as u64), hit);
        found |= hit;
    }
    let index = usize::try_from(index).ok()?;
    bool::from(found).then(|| clients.get(index).map(|c| c.id.as_str())).flatten()
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// `application/x-www-form-urlencoded` decoding of one value (`+` is a space, `%XX` a byte; a
/// `%` not followed by two hex digits stays as it is), as RFC 6749 §2.3.1 clients encode.
fn form_decode(s: &str) -> Vec<u8> {
    percent_encoding::percent_decode_str(&s.replace('+', " ")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use baton_config::Secret;

    const SECRET: &str = "s3cret+with/base64=chars-0123456789ab";

    fn clients() -> Vec<IntrospectionClient> {
        ["orders", "billing"]
            .into_iter()
            .map(|id| IntrospectionClient {
                id: id.into(),
                secret: Secret::new(format!("{id}-{SECRET}")),
            })
            .collect()
    }

    fn header(value: &str) -> Result<BasicCredentials, &'static str> {
        basic_credentials(
            &TestRequest::default().insert_header(("authorization", value)).to_http_request(),
        )
    }

    fn basic(id: &str, secret: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
        )
    }

    fn check(id: &str, secret: &str) -> Option<String> {
        let clients = clients();
        let given = header(&basic(id, secret)).expect("well-formed");
        authenticate(&clients, &given).map(str::to_owned)
    }

    #[test]
    fn the_right_id_and_secret_authenticate_that_client() {
        assert_eq!(check("orders", &format!("orders-{SECRET}")).as_deref(), Some("orders"));
        assert_eq!(check("billing", &format!("billing-{SECRET}")).as_deref(), Some("billing"));
        // RFC 6749 §2.3.1 clients form-encode both parts.
        let encoded =
            format!("billing-{SECRET}").replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
        assert_eq!(check("billing", &encoded).as_deref(), Some("billing"));
    }

    #[test]
    fn anything_else_is_refused() {
        assert_eq!(check("orders", &format!("billing-{SECRET}")), None, "another client's secret");
        assert_eq!(check("nobody", &format!("orders-{SECRET}")), None, "unknown id");
        assert_eq!(check("orders", &format!("orders-{SECRET}x")), None, "longer secret");
        assert_eq!(check("orders", &format!("orders-{SECRET}")[..20]), None, "a prefix");
        assert_eq!(check("orders", ""), None);
        assert_eq!(check("", ""), None);
        let none = authenticate(&[], &header(&basic("orders", "x")).unwrap());
        assert_eq!(none, None, "no clients configured");
    }

    #[test]
    fn malformed_headers_are_refused_with_a_reason() {
        let none = basic_credentials(&TestRequest::default().to_http_request());
        assert_eq!(none.unwrap_err(), "no Authorization header");
        assert_eq!(header("Bearer abc").unwrap_err(), "not Basic credentials");
        assert_eq!(header("Basic").unwrap_err(), "not Basic credentials");
        assert_eq!(header("Basic !!!").unwrap_err(), "Basic credentials not base64");
        assert_eq!(header("Basic bm9jb2xvbg==").unwrap_err(), "Basic credentials without a colon");
        assert_eq!(header("Basic /w==").unwrap_err(), "Basic credentials not UTF-8");
        let long = format!("Basic {}", "a".repeat(MAX_CREDENTIALS_BYTES));
        assert_eq!(header(&long).unwrap_err(), "Authorization header too long");
        // Case-insensitive scheme, padding optional, a colon inside the secret kept.
        let c = header("basic   b3JkZXJzOmE6Yg").expect("parsed");
        assert_eq!((c.id.as_str(), c.secret.as_str()), ("orders", "a:b"));
        assert!(!format!("{c:?}").contains("a:b"), "Debug hides the secret");
    }

    #[test]
    fn form_decoding_is_lenient() {
        assert_eq!(form_decode("a+b%2Fc%3d"), b"a b/c=");
        assert_eq!(form_decode("100%"), b"100%");
        assert_eq!(form_decode("%zz%4"), b"%zz%4");
    }
}
