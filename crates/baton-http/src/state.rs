//! What every handler shares.

use crate::adapters::{Operations, PublishedKeys};
use crate::blocking::Pools;
use crate::metrics::Metrics;
use crate::middleware::ratelimit::RateLimiter;
use baton_config::Config;
use baton_core::Auth;
use std::sync::Arc;

/// What handlers share: the use cases, the configuration, the pools they run on, metrics, the
/// rate limiter, and the binary's [`Operations`] and [`PublishedKeys`]. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Baton's use cases, wired to their adapters.
    pub auth: Auth,
    /// The configuration the server started with (the key set aside, which reloads).
    pub config: Arc<Config>,
    /// The database and password-hashing thread pools.
    pub pools: Pools,
    /// Counters and gauges behind `/metrics`.
    pub metrics: Metrics,
    /// The per-address rate limit of register and login.
    pub limiter: Arc<RateLimiter>,
    /// Readiness and gauges of the database.
    pub operations: Arc<dyn Operations>,
    /// The key set `/.well-known/jwks.json` publishes and introspection names.
    pub keys: Arc<dyn PublishedKeys>,
}

impl AppState {
    /// The state of a server on `config`: fresh metrics, a rate limiter and pools sized by the
    /// configuration (`database.pool_size` database threads, `passwords.threads` bcrypt
    /// threads, both waiting `database.connect_timeout` at most).
    pub fn new(
        auth: Auth,
        config: Config,
        operations: Arc<dyn Operations>,
        keys: Arc<dyn PublishedKeys>,
    ) -> Self {
        let pools = Pools::new(
            config.database.pool_size as usize,
            config.passwords.threads(),
            config.database.connect_timeout,
        );
        Self {
            auth,
            pools,
            metrics: Metrics::new(),
            limiter: Arc::new(RateLimiter::new(&config.rate_limit)),
            config: Arc::new(config),
            operations,
            keys,
        }
    }
}
