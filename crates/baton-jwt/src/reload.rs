//! [`ReloadableIssuer`]: the key set, replaceable while the server runs (SIGHUP, SPEC §3).

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;
use baton_core::{Claims, SignError, TokenError, TokenIssuer, TokenKind};
use time::OffsetDateTime;

use crate::issuer::JwtIssuer;

/// A [`TokenIssuer`] whose key set can be replaced without a restart. Every call works on one
/// whole [`JwtIssuer`], the current one when it starts, so a reload never mixes two sets within
/// a request.
///
/// A bad reload keeps the old keys by construction: [`Self::replace`] only takes a `JwtIssuer`,
/// and the only way to get one is [`JwtIssuer::new`], which checks the whole set. The reload
/// flow is therefore:
///
/// ```text
/// match JwtIssuer::new(read_config()?) {
///     Ok(next) => { reloadable.replace(next); }          // swapped atomically
///     Err(e) => tracing::error!("key reload refused: {e}"), // old keys stay in place
/// }
/// ```
///
/// Tokens signed before a replace keep verifying as long as their `kid` is still in the new set
/// (list the retired key after the new first one until its tokens have expired).
///
/// Built on [`ArcSwap`] rather than `RwLock<Arc<_>>`: every token verification reads the set
/// and a reload is rare, and an `ArcSwap` load neither blocks nor is blocked by a writer.
pub struct ReloadableIssuer {
    current: ArcSwap<JwtIssuer>,
}

impl ReloadableIssuer {
    /// Starts with `issuer` as the current key set.
    pub fn new(issuer: JwtIssuer) -> Self {
        Self { current: ArcSwap::from_pointee(issuer) }
    }

    /// Makes `next` the current key set, atomically: calls already running finish with the
    /// set they started with, later calls use `next`. Returns the previous set (for a log line
    /// of what changed).
    pub fn replace(&self, next: JwtIssuer) -> Arc<JwtIssuer> {
        self.current.swap(Arc::new(next))
    }

    /// The current key set: for the JWKS endpoint (`jwks_json`, `etag`) and log lines. Holding
    /// it keeps that set alive, not current; fetch it again per request.
    pub fn current(&self) -> Arc<JwtIssuer> {
        self.current.load_full()
    }
}

/// Shows the current set, without key material.
impl fmt::Debug for ReloadableIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ReloadableIssuer").field(&*self.current.load()).finish()
    }
}

/// Delegates to the current set; each call loads it once.
impl TokenIssuer for ReloadableIssuer {
    fn sign(&self, claims: &Claims) -> Result<String, SignError> {
        self.current.load().sign(claims)
    }

    fn verify(
        &self,
        token: &str,
        expected: TokenKind,
        now: OffsetDateTime,
    ) -> Result<Claims, TokenError> {
        self.current.load().verify(token, expected, now)
    }

    fn sign_with_each_key(&self, claims: &Claims) -> Result<Vec<String>, SignError> {
        self.current.load().sign_with_each_key(claims)
    }
}
