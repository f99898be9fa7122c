//! Verifying Baton's access tokens offline, with the public keys of Baton's JWKS, as RFC 9068
//! (the JWT profile for OAuth 2.0 access tokens) asks: header `typ: at+jwt`, the algorithm of
//! the published key (ES256 or EdDSA, never the token's choice), `iss`, `aud`, `exp`, `nbf`,
//! and the claims `sub`, `client_id`, `iat`, `jti`. A refresh token (`typ: rt+jwt`, addressed
//! to Baton itself) fails the `typ` check before any key is looked up, and its audience too.
//!
//! The key set is fetched over HTTP and cached for the `max-age` Baton sends, then revalidated
//! with its ETag. A token naming a `kid` the cache does not know makes one re-fetch (Baton
//! publishes a new key before it signs with it, so this only happens early in a rotation or
//! for forged tokens); re-fetches are spaced by `refetch_floor` so junk `kid`s cannot turn
//! every request into a call to Baton.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use tokio::sync::{Mutex, RwLock};

/// The header `typ` of an RFC 9068 access token; RFC 9068 §4 also allows the media type's
/// long form, compared case-insensitively.
const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// What an accepted access token says that this API uses. Every field is required, as RFC 9068
/// §2.2 requires them (`sid` and `token_type` are Baton's).
#[derive(Debug, Clone, Deserialize)]
pub struct AccessClaims {
    /// The user.
    pub sub: String,
    /// The OAuth client the user signed in with (RFC 9068 §2.2), e.g. to tell a mobile app's
    /// requests from a web app's.
    pub client_id: String,
    /// The session (what logout ends).
    pub sid: String,
    /// The token's unique id.
    pub jti: String,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// `access` for access tokens; refresh tokens say `refresh` and are refused here.
    pub token_type: String,
    /// How the user proved who they are (RFC 8176): `mfa` when a second factor was given.
    /// Tokens minted before Baton had second factors carry none: read as "no second factor".
    #[serde(default)]
    pub amr: Vec<String>,
}

/// Why a token was refused (the client gets 401 for all but `Unavailable`).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// Not a JWT, no `kid`, or an `alg` that is not the published key's (ES256 or EdDSA).
    #[error("malformed token or algorithm not the key's")]
    Malformed,
    /// No published key has the token's `kid`.
    #[error("unknown kid")]
    UnknownKey,
    /// Bad signature, wrong `iss`/`aud`, expired or not yet valid.
    #[error("invalid token: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
    /// A refresh token, or anything but an RFC 9068 access token (`typ` other than `at+jwt`).
    #[error("not an access token")]
    NotAccess,
    /// The session ended (only the introspecting route can know).
    #[error("token no longer active")]
    Inactive,
    /// A valid token whose login gave no second factor, on a route that needs one (answered
    /// with RFC 9470's `insufficient_user_authentication`, so the client knows to log in with
    /// a second factor rather than to refresh).
    #[error("no second factor at login")]
    NeedsSecondFactor,
    /// Baton could not be asked (no key set yet, or introspection failed): 503.
    #[error("Baton unavailable: {0}")]
    Unavailable(String),
}

/// Baton's key set as last fetched.
#[derive(Default)]
struct Cached {
    /// Each published key by `kid`, with the one algorithm it verifies.
    keys: HashMap<String, (Algorithm, DecodingKey)>,
    etag: Option<String>,
    fresh_until: Option<Instant>,
    fetched_at: Option<Instant>,
}

impl Cached {
    /// Within the `max-age` of the last fetch.
    fn is_fresh(&self) -> bool {
        self.fresh_until.is_some_and(|until| Instant::now() < until)
    }

    /// The key `kid`, if the set is fresh and has it.
    fn fresh(&self, kid: &str) -> Option<(Algorithm, DecodingKey)> {
        self.keys.get(kid).filter(|_| self.is_fresh()).cloned()
    }
}

/// The JWKS cache and the verification rules: `typ: at+jwt`, the published key's algorithm,
/// `iss`, `aud`, `exp`/`nbf` (with leeway), the RFC 9068 claims, and `token_type == "access"`.
pub struct Verifier {
    url: String,
    http: reqwest::Client,
    validation: Validation,
    refetch_floor: Duration,
    cache: RwLock<Cached>,
    fetching: Mutex<()>,
}

impl Verifier {
    /// Verifies against the JWKS at `jwks_url`, for tokens of `issuer` meant for `audience`.
    pub fn new(jwks_url: String, issuer: &str, audience: &str, refetch_floor: Duration) -> Self {
        // The algorithm is set per key (`verify`); this one is never used as such.
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 60;
        Self {
            url: jwks_url,
            http: reqwest::Client::new(),
            validation,
            refetch_floor,
            cache: RwLock::new(Cached::default()),
            fetching: Mutex::new(()),
        }
    }

    /// The claims of `token` if it is a valid access token signed by a key in Baton's JWKS.
    pub async fn verify(&self, token: &str) -> Result<AccessClaims, Refused> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| Refused::Malformed)?;
        // RFC 9068 §4: anything else (a refresh token above all) is not an access token.
        let typ = header.typ.as_deref().unwrap_or_default().to_ascii_lowercase();
        if typ.strip_prefix("application/").unwrap_or(&typ) != ACCESS_TOKEN_TYP {
            return Err(Refused::NotAccess);
        }
        let kid = match (header.alg, header.kid) {
            (Algorithm::ES256 | Algorithm::EdDSA, Some(kid)) => kid,
            _ => return Err(Refused::Malformed),
        };
        let (alg, key) = self.key(&kid).await?;
        // The key's algorithm, never the header's choice (algorithm confusion).
        if header.alg != alg {
            return Err(Refused::Malformed);
        }
        let mut validation = self.validation.clone();
        validation.algorithms = vec![alg];
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &key, &validation)?.claims;
        if claims.token_type != "access" {
            return Err(Refused::NotAccess);
        }
        Ok(claims)
    }

    /// The key `kid`: from the cache while it is fresh, else after a (re-)fetch.
    async fn key(&self, kid: &str) -> Result<(Algorithm, DecodingKey), Refused> {
        if let Some(key) = self.cache.read().await.fresh(kid) {
            return Ok(key);
        }
        // One fetch at a time; whoever waited may find what the fetch before brought.
        let _one = self.fetching.lock().await;
        let due = {
            let cache = self.cache.read().await;
            if let Some(key) = cache.fresh(kid) {
                return Ok(key);
            }
            let spaced = cache.fetched_at.is_none_or(|at| at.elapsed() >= self.refetch_floor);
            spaced || !cache.is_fresh()
        };
        if due && let Err(e) = self.fetch().await {
            // Keep serving with the keys we have; only a cold cache is an outage.
            tracing::warn!(error = %e, "cannot fetch Baton's JWKS");
            if self.cache.read().await.fetched_at.is_none() {
                return Err(e);
            }
        }
        self.cache.read().await.keys.get(kid).cloned().ok_or(Refused::UnknownKey)
    }

    /// Fetches the JWKS (conditionally, with the last ETag) and replaces the cache.
    async fn fetch(&self) -> Result<(), Refused> {
        let unavailable = |e: reqwest::Error| Refused::Unavailable(e.to_string());
        let etag = self.cache.read().await.etag.clone();
        let mut request = self.http.get(&self.url);
        if let Some(etag) = &etag {
            request = request.header("if-none-match", etag);
        }
        let res = request.send().await.map_err(unavailable)?;
        let max_age = max_age(res.headers().get("cache-control"));
        let status = res.status();
        let new_etag = res.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let keys = if status == reqwest::StatusCode::NOT_MODIFIED {
            None // unchanged: keep the keys, refresh the lifetime
        } else if status.is_success() {
            Some(signing_keys(&res.json::<JwkSet>().await.map_err(unavailable)?))
        } else {
            return Err(Refused::Unavailable(format!("JWKS answered {status}")));
        };
        let mut cache = self.cache.write().await;
        if let Some(keys) = keys {
            cache.keys = keys;
            cache.etag = new_etag;
        }
        let now = Instant::now();
        cache.fetched_at = Some(now);
        cache.fresh_until = Some(now + max_age);
        Ok(())
    }
}

/// The P-256 (ES256) and Ed25519 (EdDSA) signing keys of a JWKS by `kid`, each with its
/// algorithm; anything else (an HMAC `oct` key above all, which would let whoever serves the
/// JWKS choose the secret) is ignored, and so is a key whose `alg` says another algorithm.
fn signing_keys(set: &JwkSet) -> HashMap<String, (Algorithm, DecodingKey)> {
    set.keys
        .iter()
        .filter(|jwk| matches!(jwk.common.public_key_use, None | Some(PublicKeyUse::Signature)))
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone()?;
            let stated = jwk.common.key_algorithm;
            let (alg, key) = match &jwk.algorithm {
                AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
                    (KeyAlgorithm::ES256, DecodingKey::from_ec_components(&ec.x, &ec.y).ok()?)
                }
                AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
                    (KeyAlgorithm::EdDSA, DecodingKey::from_ed_components(&okp.x).ok()?)
                }
                _ => return None,
            };
            if stated.is_some_and(|s| s != alg) {
                return None;
            }
            let alg = if alg == KeyAlgorithm::ES256 { Algorithm::ES256 } else { Algorithm::EdDSA };
            Some((kid, (alg, key)))
        })
        .collect()
}

/// `max-age` of a `Cache-Control` header; 60 s when absent or unreadable.
fn max_age(header: Option<&reqwest::header::HeaderValue>) -> Duration {
    let seconds = header
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').find_map(|d| d.trim().strip_prefix("max-age=")?.parse().ok()));
    Duration::from_secs(seconds.unwrap_or(60))
}
