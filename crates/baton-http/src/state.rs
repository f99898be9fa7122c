//! What every handler shares.

use crate::adapters::{Operations, PublishedKeys};
use crate::metrics::Metrics;
use crate::middleware::ratelimit::RateLimiter;
use baton_config::Config;
use baton_core::Auth;
use std::sync::Arc;

/// What handlers share: the use cases, the configuration, metrics, the rate limiter, and the
/// binary's [`Operations`] and [`PublishedKeys`]. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Baton's use cases, wired to their adapters.
    pub auth: Auth,
    /// The configuration the server started with (the key set aside, which reloads).
    pub config: Arc<Config>,
    /// Counters and gauges behind `/metrics`.
    pub metrics: Metrics,
    /// The per-address rate limit of register and login.
    pub limiter: Arc<RateLimiter>,
    /// Readiness and gauges of the database.
    pub operations: Arc<dyn Operations>,
    /// The key set `/.well-known/jwks.json` publishes and introspection names.
    pub keys: Arc<dyn PublishedKeys>,
    /// Makes each HTTP worker's use cases, when set: a worker is one thread with its own
    /// runtime, and adapters that keep connections (PostgreSQL) serve it best with a pool of
    /// its own. Unset, every worker shares `auth`.
    pub worker_auth: Option<Arc<dyn Fn() -> Auth + Send + Sync>>,
}

impl AppState {
    /// The state of a server on `config`: fresh metrics and a rate limiter. (The adapters
    /// behind `auth` bound their own work: the store its connections, the hasher its threads.)
    pub fn new(
        auth: Auth,
        config: Config,
        operations: Arc<dyn Operations>,
        keys: Arc<dyn PublishedKeys>,
    ) -> Self {
        Self {
            auth,
            metrics: Metrics::new(),
            limiter: Arc::new(RateLimiter::new(&config.rate_limit)),
            config: Arc::new(config),
            operations,
            keys,
            worker_auth: None,
        }
    }

    /// The state one HTTP worker serves from: this one, with the use cases `worker_auth`
    /// makes for it.
    pub fn for_worker(&self) -> Self {
        let mut state = self.clone();
        if let Some(make) = &self.worker_auth {
            state.auth = make();
        }
        state
    }
}
