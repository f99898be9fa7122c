//! The two small things the HTTP layer needs from the running service besides the core's use
//! cases: operational probes ([`Operations`]) and the published key set ([`PublishedKeys`]).
//! The binary implements both over its store and JWT adapters, so this crate never learns what
//! a database or a JWT library is.

use baton_core::StoreError;
use time::OffsetDateTime;

/// How busy the adapters are right now, for the `/metrics` gauges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gauges {
    /// Database connections open, busy or idle.
    pub connections: u32,
    /// Database connections open and waiting for work.
    pub idle: u32,
    /// Database work waiting for a connection (or, on SQLite, for one of its threads).
    pub db_waiting: u64,
    /// Database work running now.
    pub db_running: u64,
    /// Password checks waiting for a bcrypt thread.
    pub hash_waiting: u64,
    /// Password checks running on a bcrypt thread now.
    pub hash_running: u64,
}

/// Operational questions about the service that no use case asks: is the database up, how
/// busy are the pools, how many sessions are live.
#[async_trait::async_trait]
pub trait Operations: Send + Sync {
    /// One round trip to the database, for `/readyz`: `Ok` means queries can be served now.
    async fn ping(&self) -> Result<(), StoreError>;
    /// Sessions usable at `now` across every server on the database, for a gauge.
    async fn count_active_sessions(&self, now: OffsetDateTime) -> Result<u64, StoreError>;
    /// The pools' occupancy now; never waits.
    fn gauges(&self) -> Gauges;
}

/// The JWKS as served: the exact bytes and the strong ETag computed from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksDocument {
    /// The JSON text of the key set (RFC 7517).
    pub json: String,
    /// A quoted strong entity tag of `json`.
    pub etag: String,
}

/// The signing key set as resource servers see it. It reloads (SIGHUP), so every call answers
/// for the set in force at that moment.
pub trait PublishedKeys: Send + Sync {
    /// The public keys of every asymmetric key that verifies; never an HMAC secret.
    fn jwks(&self) -> JwksDocument;
    /// The `iss` the current set signs and verifies.
    fn issuer(&self) -> String;
    /// The `aud` of the access tokens the current set signs and verifies.
    fn audience(&self) -> String;
}
