//! [`JwtIssuer`]: the [`TokenIssuer`] that signs and verifies Baton's JWTs (SPEC §3), HS256,
//! EdDSA or ES256 per key, in the token profiles of [`crate::header::Profile`].
//!
//! Verification is deliberately paranoid: every check that jsonwebtoken can do is pinned, the
//! header is also checked by hand (the `alg` must be the one of the key its `kid` names, and
//! the `typ` decides which `iss`, `aud` and claims the token must have), and the time checks
//! use the caller's `now` (never the system clock) so that the core's rules can be tested with
//! a fixed clock.

use std::fmt;

use baton_core::{Claims, SignError, TokenError, TokenIssuer, TokenKind};
use jsonwebtoken::Header;
use jsonwebtoken::errors::ErrorKind;
use time::OffsetDateTime;

use crate::claims::WireClaims;
use crate::config::{JwtConfig, KeyError};
use crate::header::{Profile, RawHeader, is_compact_jws};
use crate::jwks::{Jwks, Published};
use crate::keys::{KeySet, LoadedKey};

/// Longest token [`JwtIssuer::verify`](TokenIssuer::verify) looks at, in bytes. Baton's tokens
/// are a few hundred bytes; anything this long is refused before any decoding, so junk cannot
/// cost CPU or memory.
pub const MAX_TOKEN_LEN: usize = baton_core::domain::token::MAX_TOKEN_BYTES;

/// The header `alg` values Baton ever writes; anything else is refused before the `kid` is
/// even looked up.
const KNOWN_ALGS: [&str; 3] = ["HS256", "EdDSA", "ES256"];

/// Signs Baton's access and refresh tokens as JWTs and verifies them with a key set: the first
/// configured key signs, every configured key verifies (chosen by `kid`, with the algorithm of
/// that key only). Immutable once built; [`crate::ReloadableIssuer`] swaps whole sets.
#[derive(Clone)]
pub struct JwtIssuer {
    issuer: String,
    audience: String,
    previous_issuers: Vec<String>,
    keys: KeySet,
    leeway: time::Duration,
    published: Published,
}

impl JwtIssuer {
    /// Checks the configuration and prepares the keys, so a bad deployment (or a bad reload)
    /// fails here, not at the first login. Refuses an empty key set, an empty or duplicate
    /// `kid`, an HS256 secret shorter than [`crate::MIN_SECRET_LEN`] bytes, a PEM that is not
    /// a key of the stated algorithm and kind, a first key that cannot sign (public only), an
    /// empty issuer or audience, and an audience equal to the issuer (the refresh tokens'
    /// audience).
    pub fn new(config: JwtConfig) -> Result<Self, KeyError> {
        if config.issuer.is_empty() {
            return Err(KeyError::EmptyIssuer);
        }
        if config.audience.is_empty() {
            return Err(KeyError::EmptyAudience);
        }
        if config.audience == config.issuer {
            return Err(KeyError::AudienceIsIssuer);
        }
        let keys = KeySet::new(&config.keys)?;
        let published = Published::of(&keys);
        let mut previous_issuers: Vec<String> = Vec::new();
        for iss in config.previous_issuers {
            if !iss.is_empty() && iss != config.issuer && !previous_issuers.contains(&iss) {
                previous_issuers.push(iss);
            }
        }
        Ok(Self {
            issuer: config.issuer,
            audience: config.audience,
            previous_issuers,
            keys,
            leeway: time::Duration::try_from(config.leeway).unwrap_or(time::Duration::MAX),
            published,
        })
    }

    /// The `kid` new tokens are signed with, for a start-up or reload log line.
    pub fn signing_kid(&self) -> &str {
        &self.keys.signing().kid
    }

    /// The `iss` every new token carries: Baton's public base URL, the OAuth metadata's
    /// `issuer` (RFC 8414) and the introspection answer's `iss` (RFC 7662).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The `aud` every access token carries and must carry (the APIs), for the introspection
    /// answer (RFC 7662 `aud`) of an access token.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// The `aud` of refresh tokens of the current profile: Baton itself, i.e. [`Self::issuer`],
    /// so no API that checks its own audience accepts one.
    pub fn refresh_audience(&self) -> &str {
        &self.issuer
    }

    /// Issuers besides [`Self::issuer`] whose tokens of the earlier profile still verify.
    pub fn previous_issuers(&self) -> &[String] {
        &self.previous_issuers
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

    /// Signs `claims` with `key`, which must be able to sign, in `profile` with `iss`: the
    /// issuer for a new token, or a previous one when re-minting a token of the earlier
    /// profile.
    fn sign_with(
        &self,
        key: &LoadedKey,
        claims: &Claims,
        profile: Profile,
        iss: &str,
    ) -> Result<String, SignError> {
        let encoding = key.encoding.as_ref().ok_or_else(|| {
            SignError(format!("JWT key {:?} is a public key only and cannot sign", key.kid).into())
        })?;
        let (aud, with_client) = match profile {
            Profile::Access => (&self.audience, true),
            Profile::Refresh => (&self.issuer, true),
            Profile::Legacy => (&self.audience, false),
        };
        let wire = WireClaims::from_claims(claims, iss, aud, with_client)
            .map_err(|e| SignError(Box::new(e)))?;
        let mut header = Header::new(key.alg);
        header.typ = Some(profile.typ().to_owned());
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, &wire, encoding).map_err(|e| SignError(Box::new(e)))
    }

    /// Checks that `wire`'s `iss`, `aud`, `token_type` and `client_id` are those of the
    /// profile its header `typ` names: an access token is addressed to the APIs, a refresh
    /// token to Baton itself, and a token of the earlier profile (either kind, addressed to
    /// the APIs) may come from a previous issuer but never names a client.
    fn check_profile(&self, profile: Profile, wire: &WireClaims) -> Result<(), &'static str> {
        let (issuers_ok, aud, kind) = match profile {
            Profile::Access => (wire.iss == self.issuer, &self.audience, Some("access")),
            Profile::Refresh => (wire.iss == self.issuer, &self.issuer, Some("refresh")),
            Profile::Legacy => {
                let ok = wire.iss == self.issuer || self.previous_issuers.contains(&wire.iss);
                (ok, &self.audience, None)
            }
        };
        if !issuers_ok {
            return Err("wrong issuer");
        }
        if wire.aud != *aud {
            return Err("wrong audience");
        }
        if kind.is_some_and(|k| wire.token_type != k) {
            return Err("typ header does not match token_type");
        }
        match (profile, &wire.client_id) {
            (Profile::Legacy, Some(_)) => Err("client_id in a token of the earlier profile"),
            (Profile::Access | Profile::Refresh, None) => Err("missing claim client_id"),
            _ => Ok(()),
        }
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
            .field("previous_issuers", &self.previous_issuers)
            .field("keys", &keys)
            .field("leeway", &self.leeway)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer for JwtIssuer {
    /// Deterministic: HMAC and Ed25519 (RFC 8032) signatures have no randomness, ECDSA nonces
    /// are derived from the key and message (RFC 6979, as the `p256` crate signs), and the
    /// header and claims serialize in a fixed order, so equal claims give byte-identical
    /// tokens while the signing key stays the same. An access token is written `typ: at+jwt`
    /// for the APIs' audience, a refresh token `typ: rt+jwt` for Baton's own.
    fn sign(&self, claims: &Claims) -> Result<String, SignError> {
        self.sign_with(self.keys.signing(), claims, Profile::of(claims.kind), &self.issuer)
    }

    /// Refuses, in this order: oversized or malformed input, a header parameter Baton never
    /// writes (`crit`, `jku`, `jwk`, `x5u`, `x5c`, ...), an `alg` Baton never writes, a `typ`
    /// other than the profiles' own, an unknown `kid`, an `alg` other than that key's own, a
    /// bad signature, malformed or missing claims, an `iss`, `aud`, `token_type` or
    /// `client_id` that does not fit the `typ`, the wrong kind, then an `exp` past
    /// (`Expired`), an `nbf` or an `iat` ahead, all with the leeway. Reasons are short and
    /// never contain the token.
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
        let header = RawHeader::parse(token).map_err(invalid)?;
        if !KNOWN_ALGS.contains(&header.alg.as_str()) {
            return Err(invalid("algorithm not allowed"));
        }
        let typ = header.typ.ok_or_else(|| invalid("missing typ header"))?;
        let profile = Profile::from_typ(&typ).ok_or_else(|| invalid("unexpected typ header"))?;
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
        self.check_profile(profile, &wire).map_err(invalid)?;
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
        // A token "issued" later than any plausible clock skew was not issued by a sane
        // server: refused, whatever its `nbf` says.
        if claims.issued_at.checked_sub(self.leeway).is_some_and(|start| now < start) {
            return Err(invalid("token issued in the future"));
        }
        Ok(claims)
    }

    /// One token per key that can sign (public-only keys cannot), the signing key first, in
    /// key-set order: whichever key of the set minted a refresh token, it can be re-minted.
    /// For refresh claims these are followed by the tokens of the earlier profile (`typ: JWT`,
    /// no `client_id`, the APIs' audience) for each key and each issuer, current then
    /// previous: the current token of a session rotated by a server of the earlier release
    /// (a rolling upgrade) is found too. Access tokens are never re-minted.
    fn sign_with_each_key(&self, claims: &Claims) -> Result<Vec<String>, SignError> {
        let profile = Profile::of(claims.kind);
        let mut tokens: Vec<String> = self
            .keys
            .signers()
            .map(|key| self.sign_with(key, claims, profile, &self.issuer))
            .collect::<Result<_, _>>()?;
        if claims.kind == TokenKind::Refresh {
            let issuers = std::iter::once(&self.issuer).chain(&self.previous_issuers);
            for iss in issuers {
                for key in self.keys.signers() {
                    tokens.push(self.sign_with(key, claims, Profile::Legacy, iss)?);
                }
            }
        }
        Ok(tokens)
    }
}

fn invalid(reason: &str) -> TokenError {
    TokenError::Invalid(reason.to_owned())
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
