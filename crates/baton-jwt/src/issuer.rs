//! [`HmacIssuer`]: the [`TokenIssuer`] that signs and verifies HS256 JWTs (SPEC §3).
//!
//! Verification is deliberately paranoid: every check that jsonwebtoken can do is pinned, the
//! header is also checked by hand, and the time checks use the caller's `now` (never the
//! system clock) so that the core's rules can be tested with a fixed clock.

use std::collections::HashSet;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use baton_core::{Claims, SignError, TokenError, TokenIssuer, TokenKind};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::claims::WireClaims;
use crate::keys::{JwtConfig, KeyError, KeySet};

/// Longest token [`HmacIssuer::verify`] looks at, in bytes. Baton's tokens are a few hundred
/// bytes; anything this long is refused before any decoding, so junk cannot cost CPU or memory.
pub const MAX_TOKEN_LEN: usize = 8192;

/// The one algorithm accepted, written and checked in the header.
const ALG: Algorithm = Algorithm::HS256;

/// Signs Baton's access and refresh tokens as HS256 JWTs and verifies them with a rotating key
/// set: the first configured key signs, every configured key verifies (chosen by `kid`).
#[derive(Clone)]
pub struct HmacIssuer {
    issuer: String,
    audience: String,
    keys: KeySet,
    leeway: time::Duration,
    validation: Validation,
}

impl HmacIssuer {
    /// Checks the configuration and prepares the keys. Refuses an empty key set, an empty or
    /// duplicate `kid`, a secret shorter than [`crate::MIN_SECRET_LEN`] bytes and an empty
    /// issuer or audience, so a bad deployment fails at start-up, not at the first login.
    pub fn new(config: JwtConfig) -> Result<Self, KeyError> {
        if config.issuer.is_empty() {
            return Err(KeyError::EmptyIssuer);
        }
        if config.audience.is_empty() {
            return Err(KeyError::EmptyAudience);
        }
        let keys = KeySet::new(&config.keys)?;

        // jsonwebtoken checks the algorithm and the signature only: `exp` and `nbf` are checked
        // here against the caller's clock, and `iss`/`aud` by hand for precise log reasons.
        // Presence of every claim is enforced by `WireClaims`, which has no optional field.
        let mut validation = Validation::new(ALG);
        validation.algorithms = vec![ALG];
        validation.required_spec_claims = HashSet::new();
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.leeway = 0;

        Ok(Self {
            issuer: config.issuer,
            audience: config.audience,
            keys,
            leeway: time::Duration::try_from(config.leeway).unwrap_or(time::Duration::MAX),
            validation,
        })
    }

    /// The `kid` new tokens are signed with, for a start-up log line.
    pub fn signing_kid(&self) -> &str {
        &self.keys.signing().kid
    }
}

impl HmacIssuer {
    fn sign_as(&self, key: &crate::keys::LoadedKey, claims: &Claims) -> Result<String, SignError> {
        let mut header = Header::new(ALG);
        header.kid = Some(key.kid.clone());
        let wire = WireClaims::from_claims(claims, &self.issuer, &self.audience);
        jsonwebtoken::encode(&header, &wire, &key.encoding).map_err(|e| SignError(Box::new(e)))
    }
}

/// Shows the configuration without the secrets.
impl fmt::Debug for HmacIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacIssuer")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("kids", &self.keys.kids().collect::<Vec<_>>())
            .field("leeway", &self.leeway)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer for HmacIssuer {
    /// Deterministic: HMAC has no randomness and the header and claims serialize in a fixed
    /// order, so equal claims give byte-identical tokens while the signing key stays the same.
    fn sign(&self, claims: &Claims) -> Result<String, SignError> {
        self.sign_as(self.keys.signing(), claims)
    }

    fn sign_with_each_key(&self, claims: &Claims) -> Result<Vec<String>, SignError> {
        self.keys.all().map(|key| self.sign_as(key, claims)).collect()
    }

    /// Refuses, in this order: oversized or malformed input, a header that is not HS256 with a
    /// known `kid`, a bad signature, malformed or missing claims, the wrong `iss`, `aud` or
    /// `token_type`, then an `exp` past (`Expired`) or an `nbf` ahead, both with the leeway.
    /// Reasons are short and never contain the token.
    fn verify(
        &self,
        token: &str,
        expected: TokenKind,
        now: OffsetDateTime,
    ) -> Result<Claims, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Invalid(format!("token longer than {MAX_TOKEN_LEN} bytes")));
        }
        if !is_compact_jws(token) {
            return Err(invalid("malformed token"));
        }
        let header = RawHeader::parse(token).ok_or_else(|| invalid("malformed header"))?;
        if header.alg != "HS256" {
            return Err(invalid("algorithm not allowed"));
        }
        if header.typ.as_deref().is_some_and(|t| !t.eq_ignore_ascii_case("JWT")) {
            return Err(invalid("unexpected typ header"));
        }
        if header.crit.is_some() {
            return Err(invalid("crit header not supported"));
        }
        let kid = header.kid.ok_or_else(|| invalid("missing kid"))?;
        let key = self.keys.by_kid(&kid).ok_or_else(|| invalid("unknown kid"))?;

        let wire = jsonwebtoken::decode::<WireClaims>(token, &key.decoding, &self.validation)
            .map_err(|e| TokenError::Invalid(library_reason(e.kind())))?
            .claims;
        if wire.iss != self.issuer {
            return Err(invalid("wrong issuer"));
        }
        if wire.aud != self.audience {
            return Err(invalid("wrong audience"));
        }
        let claims = wire.into_claims().map_err(invalid)?;
        if claims.kind != expected {
            return Err(invalid("wrong token type"));
        }
        // RFC 7519: valid before `exp` and from `nbf`; the leeway widens both. An instant
        // beyond what `time` represents is treated as never reached.
        if claims.expires_at.checked_add(self.leeway).is_some_and(|end| now >= end) {
            return Err(TokenError::Expired);
        }
        if claims.not_before.checked_sub(self.leeway).is_some_and(|start| now < start) {
            return Err(invalid("token not yet valid"));
        }
        Ok(claims)
    }
}

fn invalid(reason: &str) -> TokenError {
    TokenError::Invalid(reason.to_owned())
}

/// Three non-empty base64url segments and nothing else.
fn is_compact_jws(token: &str) -> bool {
    let mut parts = 0;
    for part in token.split('.') {
        parts += 1;
        let b64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if part.is_empty() || !part.bytes().all(b64url) {
            return false;
        }
    }
    parts == 3
}

/// The header fields verification looks at, read independently of jsonwebtoken so that the
/// algorithm is checked against the literal string and `none` gets a clear reason.
#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crit: Option<serde_json::Value>,
}

impl RawHeader {
    /// `None` for anything that is not base64url-encoded JSON with a string `alg`.
    fn parse(token: &str) -> Option<Self> {
        let encoded = token.split('.').next()?;
        let json = URL_SAFE_NO_PAD.decode(encoded).ok()?;
        serde_json::from_slice(&json).ok()
    }
}

/// A log reason for a jsonwebtoken error. Only names of our own claims are passed on; other
/// library messages may quote token content and are replaced by a fixed text.
fn library_reason(kind: &ErrorKind) -> String {
    match kind {
        ErrorKind::InvalidSignature => "bad signature".into(),
        ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => "algorithm not allowed".into(),
        ErrorKind::Json(e) => {
            let msg = e.to_string();
            match msg.strip_prefix("missing field `").and_then(|m| m.split_once('`')) {
                Some((field, _)) => format!("missing claim {field}"),
                None => "malformed JSON".into(),
            }
        }
        ErrorKind::Base64(_) => "malformed base64".into(),
        ErrorKind::Utf8(_) => "malformed UTF-8".into(),
        _ => "malformed token".into(),
    }
}
