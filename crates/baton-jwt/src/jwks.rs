//! The JSON Web Key Set (RFC 7517; RFC 8037 for Ed25519, RFC 7518 §6.2 for P-256) that
//! resource servers fetch from `/.well-known/jwks.json` to verify access tokens with public
//! keys alone (SPEC §9).

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::keys::{KeySet, PublicKey};

/// The published key set: `{"keys":[...]}`. It holds the public key of every asymmetric key
/// that verifies, in key-set order, and by construction never any HMAC material (a shared
/// secret would let every reader mint tokens).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Jwks {
    keys: Vec<PublicJwk>,
}

/// One published key, fields in this order: an Ed25519 key (RFC 8037 §2)
/// `{"kty":"OKP","crv":"Ed25519","x":...,"kid":...,"alg":"EdDSA","use":"sig"}`, or a P-256 key
/// (RFC 7518 §6.2.1) `{"kty":"EC","crv":"P-256","x":...,"y":...,"kid":...,"alg":"ES256",
/// "use":"sig"}`. `alg` and `use` tell a resource server to use it for that algorithm's
/// signatures only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicJwk {
    kty: &'static str,
    crv: &'static str,
    x: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    y: Option<String>,
    kid: String,
    alg: &'static str,
    #[serde(rename = "use")]
    use_: &'static str,
}

impl Jwks {
    /// The published keys, in key-set order, so a caller can log or check what is served.
    pub fn keys(&self) -> &[PublicJwk] {
        &self.keys
    }
}

impl PublicJwk {
    /// The `kid` tokens signed by this key carry, so a resource server can pick it.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The `x` member, base64url without padding: the raw 32-byte Ed25519 key, or the P-256
    /// point's x coordinate.
    pub fn x(&self) -> &str {
        &self.x
    }

    /// The `y` member of a P-256 key (its point's y coordinate); `None` for Ed25519.
    pub fn y(&self) -> Option<&str> {
        self.y.as_deref()
    }

    /// The algorithm the key verifies (`EdDSA` or `ES256`), as its `alg` member says.
    pub fn alg(&self) -> &str {
        self.alg
    }

    /// The key type (`OKP` or `EC`).
    pub fn kty(&self) -> &str {
        self.kty
    }
}

/// The key set's JWKS, its exact bytes and their ETag, computed once per key set so that
/// serving it costs nothing and the ETag always matches the bytes served.
#[derive(Debug, Clone)]
pub(crate) struct Published {
    pub(crate) jwks: Jwks,
    pub(crate) json: String,
    pub(crate) etag: String,
}

impl Published {
    /// Publishes every key with a public half.
    pub(crate) fn of(keys: &KeySet) -> Self {
        let keys = keys
            .iter()
            .filter_map(|k| {
                let kid = k.kid.clone();
                Some(match k.public? {
                    PublicKey::Ed25519(x) => PublicJwk {
                        kty: "OKP",
                        crv: "Ed25519",
                        x: URL_SAFE_NO_PAD.encode(x),
                        y: None,
                        kid,
                        alg: "EdDSA",
                        use_: "sig",
                    },
                    PublicKey::P256 { x, y } => PublicJwk {
                        kty: "EC",
                        crv: "P-256",
                        x: URL_SAFE_NO_PAD.encode(x),
                        y: Some(URL_SAFE_NO_PAD.encode(y)),
                        kid,
                        alg: "ES256",
                        use_: "sig",
                    },
                })
            })
            .collect();
        let jwks = Jwks { keys };
        let json = to_json(&jwks);
        let etag = etag_of(json.as_bytes());
        Self { jwks, json, etag }
    }
}

/// The document's JSON. Fields serialize in declaration order and the keys in key-set order,
/// so equal key sets give equal bytes (and equal ETags) on every server.
fn to_json(jwks: &Jwks) -> String {
    // serde_json fails only for maps with non-string keys and custom `Serialize` errors;
    // `Jwks` holds neither, so this cannot fail, whatever the configured keys are.
    serde_json::to_string(jwks).expect("a JWKS of plain strings always serializes")
}

/// A strong ETag (RFC 9110 §8.8.3): the quoted hex SHA-256 of the exact bytes served.
fn etag_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut etag = String::with_capacity(2 + 2 * digest.len());
    etag.push('"');
    for byte in digest {
        // Writing to a `String` cannot fail.
        let _ = write!(etag, "{byte:02x}");
    }
    etag.push('"');
    etag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_etag_is_a_quoted_sha256_of_the_bytes() {
        // SHA-256 of the empty string, a well-known value.
        let empty = "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"";
        assert_eq!(etag_of(b""), empty);
        assert_ne!(etag_of(br#"{"keys":[]}"#), etag_of(br#"{"keys":[ ]}"#));
    }
}
