//! Verifying Baton's access tokens offline, with the public keys of Baton's JWKS.
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

/// What an accepted access token says that this API uses.
#[derive(Debug, Clone, Deserialize)]
pub struct AccessClaims {
    /// The user.
    pub sub: String,
    /// The session (what logout ends).
    pub sid: String,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// `access` for access tokens; refresh tokens say `refresh` and are refused here.
    pub token_type: String,
}

/// Why a token was refused (the client gets 401 for all but `Unavailable`).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// Not a JWT, no `kid`, or an `alg` other than EdDSA.
    #[error("malformed token or algorithm not EdDSA")]
    Malformed,
    /// No published key has the token's `kid`.
    #[error("unknown kid")]
    UnknownKey,
    /// Bad signature, wrong `iss`/`aud`, expired or not yet valid.
    #[error("invalid token: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
    /// A refresh token (or anything but an access token).
    #[error("not an access token")]
    NotAccess,
    /// The session ended (only the introspecting route can know).
    #[error("token no longer active")]
    Inactive,
    /// Baton could not be asked (no key set yet, or introspection failed): 503.
    #[error("Baton unavailable: {0}")]
    Unavailable(String),
}

/// Baton's key set as last fetched.
#[derive(Default)]
struct Cached {
    keys: HashMap<String, DecodingKey>,
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
    fn fresh(&self, kid: &str) -> Option<DecodingKey> {
        self.keys.get(kid).filter(|_| self.is_fresh()).cloned()
    }
}

/// The JWKS cache and the verification rules: EdDSA only, `iss`, `aud`, `exp`/`nbf` (with
/// leeway), and `token_type == "access"`.
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
        let mut validation = Validation::new(Algorithm::EdDSA); // the only algorithm accepted
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
        let kid = match (header.alg, header.kid) {
            (Algorithm::EdDSA, Some(kid)) => kid,
            _ => return Err(Refused::Malformed),
        };
        let key = self.key(&kid).await?;
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &key, &self.validation)?.claims;
        if claims.token_type != "access" {
            return Err(Refused::NotAccess);
        }
        Ok(claims)
    }

    /// The key `kid`: from the cache while it is fresh, else after a (re-)fetch.
    async fn key(&self, kid: &str) -> Result<DecodingKey, Refused> {
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
            Some(ed25519_keys(&res.json::<JwkSet>().await.map_err(unavailable)?))
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

/// The Ed25519 signing keys of a JWKS by `kid`; anything else (an HMAC `oct` key above all,
/// which would let whoever serves the JWKS choose the secret) is ignored.
fn ed25519_keys(set: &JwkSet) -> HashMap<String, DecodingKey> {
    set.keys
        .iter()
        .filter(|jwk| matches!(jwk.common.key_algorithm, None | Some(KeyAlgorithm::EdDSA)))
        .filter(|jwk| matches!(jwk.common.public_key_use, None | Some(PublicKeyUse::Signature)))
        .filter_map(|jwk| match &jwk.algorithm {
            AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
                let kid = jwk.common.key_id.clone()?;
                Some((kid, DecodingKey::from_ed_components(&okp.x).ok()?))
            }
            _ => None,
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
