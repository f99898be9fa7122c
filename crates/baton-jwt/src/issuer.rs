//! [`JwtIssuer`]: the [`TokenIssuer`] that signs and verifies Baton's JWTs (SPEC §3), HS256 or
//! EdDSA per key.
//!
//! Verification is deliberately paranoid: every check that jsonwebtoken can do is pinned, the
//! header is also checked by hand (the `alg` must be the one of the key its `kid` names), and
//! the time checks use the caller's `now` (never the system clock) so that the core's rules
//! can be tested with a fixed clock.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use baton_core::{Claims, SignError, TokenError, TokenIssuer, TokenKind};
use jsonwebtoken::Header;
use jsonwebtoken::errors::ErrorKind;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::claims::WireClaims;
use crate::config::{JwtConfig, KeyError};
use crate::jwks::{Jwks, Published};
use crate::keys::{KeySet, LoadedKey};

/// Longest token [`JwtIssuer::verify`](TokenIssuer::verify) looks at, in bytes. Baton's tokens
/// are a few hundred bytes; anything this long is refused before any decoding, so junk cannot
/// cost CPU or memory.
pub const MAX_TOKEN_LEN: usize = baton_core::domain::token::MAX_TOKEN_BYTES;

/// The header `alg` values Baton ever writes; anything else is refused before the `kid` is
/// even looked up.
const KNOWN_ALGS: [&str; 2] = ["HS256", "EdDSA"];

/// Signs Baton's access and refresh tokens as JWTs and verifies them with a key set: the first
/// configured key signs, every configured key verifies (chosen by `kid`, with the algorithm of
/// that key only). Immutable once built; [`crate::ReloadableIssuer`] swaps whole sets.
#[derive(Clone)]
pub struct JwtIssuer {
    issuer: String,
    audience: String,
    keys: KeySet,
    leeway: time::Duration,
    published: Published,
}

impl JwtIssuer {
    /// Checks the configuration and prepares the keys, so a bad deployment (or a bad reload)
    /// fails here, not at the first login. Refuses an empty key set, an empty or duplicate
    /// `kid`, an HS256 secret shorter than [`crate::MIN_SECRET_LEN`] bytes, a PEM that is not
    /// an Ed25519 key of the expected kind, a first key that cannot sign (public only), and an
    /// empty issuer or audience.
    pub fn new(config: JwtConfig) -> Result<Self, KeyError> {
        if config.issuer.is_empty() {
            return Err(KeyError::EmptyIssuer);
        }
        if config.audience.is_empty() {
            return Err(KeyError::EmptyAudience);
        }
        let keys = KeySet::new(&config.keys)?;
        let published = Published::of(&keys);
        Ok(Self {
            issuer: config.issuer,
            audience: config.audience,
            keys,
            leeway: time::Duration::try_from(config.leeway).unwrap_or(time::Duration::MAX),
            published,
        })
    }

    /// The `kid` new tokens are signed with, for a start-up or reload log line.
    pub fn signing_kid(&self) -> &str {
        &self.keys.signing().kid
    }

    /// The `iss` every token of this set carries and must carry, for the introspection answer
    /// (RFC 7662 `iss`), which reports the set that verified the token.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The `aud` every token of this set carries and must carry, for the introspection answer
    /// (RFC 7662 `aud`).
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Every configured `kid`, the signing one first, for a start-up or reload log line.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.kid.as_str())
    }

    /// The public keys resource servers verify access tokens with (SPEC §9): every Ed25519 key
    /// of the set, in key-set order, and never HMAC material. An HS256-only set publishes
    /// `{"keys":[]}`.
    pub fn jwks(&self) -> &Jwks {
        &self.published.jwks
    }

    /// [`Self::jwks`] serialized, the exact bytes [`Self::etag`] is computed from: serve these
    /// so the ETag always matches the body.
    pub fn jwks_json(&self) -> &str {
        &self.published.json
    }

    /// A strong ETag for [`Self::jwks_json`] (quoted hex SHA-256), so the JWKS endpoint can
    /// answer `304 Not Modified`; it changes exactly when the published keys do.
    pub fn etag(&self) -> &str {
        &self.published.etag
    }

    /// Signs `claims` with `key`, which must be able to sign.
    fn sign_with(&self, key: &LoadedKey, claims: &Claims) -> Result<String, SignError> {
        let encoding = key.encoding.as_ref().ok_or_else(|| {
            SignError(format!("JWT key {:?} is a public key only and cannot sign", key.kid).into())
        })?;
        let wire = WireClaims::from_claims(claims, &self.issuer, &self.audience)
            .map_err(|e| SignError(Box::new(e)))?;
        let mut header = Header::new(key.alg);
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, &wire, encoding).map_err(|e| SignError(Box::new(e)))
    }
}

/// Shows the configuration without any key material.
impl fmt::Debug for JwtIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| {
                let role = if k.encoding.is_some() { "" } else { ", verify-only" };
                format!("{} ({}{role})", k.kid, k.alg_name())
            })
            .collect();
        f.debug_struct("JwtIssuer")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("keys", &keys)
            .field("leeway", &self.leeway)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer for JwtIssuer {
    /// Deterministic: HMAC and Ed25519 (RFC 8032) signatures have no randomness, and the header
    /// and claims serialize in a fixed order, so equal claims give byte-identical tokens while
    /// the signing key stays the same.
    fn sign(&self, claims: &Claims) -> Result<String, SignError> {
        self.sign_with(self.keys.signing(), claims)
    }

    /// Refuses, in this order: oversized or malformed input, an `alg` Baton never writes, an
    /// unknown `kid`, an `alg` other than that key's own, a bad signature, malformed or
    /// missing claims, the wrong `iss`, `aud` or `token_type`, then an `exp` past (`Expired`)
    /// or an `nbf` ahead, both with the leeway. Reasons are short and never contain the token.
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
        if !KNOWN_ALGS.contains(&header.alg.as_str()) {
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
        // The key, not the token, decides the algorithm: an HS256 token "signed" with an
        // Ed25519 public key as HMAC secret (key confusion) stops here.
        if header.alg != key.alg_name() {
            return Err(invalid("algorithm does not match the key"));
        }

        let wire = jsonwebtoken::decode::<WireClaims>(token, &key.decoding, &key.validation)
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

    /// One token per key that can sign (public-only keys cannot), the signing key first, in
    /// key-set order: whichever key of the set minted a refresh token, it can be re-minted.
    fn sign_with_each_key(&self, claims: &Claims) -> Result<Vec<String>, SignError> {
        self.keys.signers().map(|key| self.sign_with(key, claims)).collect()
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
