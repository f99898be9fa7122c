//! Wiring: configuration → adapters → core use cases → a running server.

use crate::app::{self, AppState};
use crate::blocking::Pools;
use crate::config::{Config, ConfigError, JwtKey, JwtSettings, KeyMaterial};
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use actix_web::dev::{Server, ServerHandle};
use baton_core::{Auth, Ports, StoreError, SystemClock, SystemRandom};
use baton_jwt::{JwtConfig, JwtIssuer, KeyError, KeySpec, ReloadableIssuer};
use baton_password::{BcryptHasher, CostOutOfRange};
use baton_store::{Store, StoreConfig};
use std::net::TcpListener;
use std::sync::Arc;

/// Why the service could not start; printed with its cause chain, on one line.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database could not be opened or migrated.
    #[error("database")]
    Store(#[from] StoreError),
    /// The JWT keys were refused.
    #[error("jwt")]
    Keys(#[from] KeyError),
    /// The configuration asks for something this build cannot do, or a key file went away.
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// The password hasher could not be set up.
    #[error("passwords")]
    Hasher(#[from] CostOutOfRange),
    /// The socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// `host:port` from the configuration.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A use case run by a command failed.
    #[error("{0}")]
    Fault(#[from] baton_core::Fault),
    /// Any other I/O failure while starting or serving.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The store settings from `[database]`.
pub fn store_config(config: &Config) -> StoreConfig {
    StoreConfig {
        url: config.database.url.clone(),
        pool_size: config.database.pool_size,
        connect_timeout: config.database.connect_timeout,
        create_dir: config.database.is_builtin_default(),
    }
}

/// The store settings of a one-shot command (`migrate`, `purge`, `user`): a pool of one
/// connection. Such a command uses one connection at a time, and with two r2d2 opens a
/// replacement in the background as soon as the first is checked out; a process that exits
/// while libpq is connecting can abort in the Kerberos library's exit handlers (seen as
/// `k5_mutex_lock: Assertion ... failed` and a core dump instead of exit code 1).
pub fn command_store_config(config: &Config) -> StoreConfig {
    StoreConfig { pool_size: 1, ..store_config(config) }
}

/// The signing settings from `[jwt]`: every key in signing order (the first signs, all
/// verify) with its material, PEM files read now. Called at start and on every reload.
pub fn jwt_config(config: &Config) -> Result<JwtConfig, ConfigError> {
    Ok(jwt_config_of(&config.jwt, config.jwt.key_set()?))
}

/// The signing settings from a `[jwt]` section and its key set already read (as
/// [`crate::config::reload_jwt`] returns them on SIGHUP).
pub fn jwt_config_of(jwt: &JwtSettings, keys: Vec<JwtKey>) -> JwtConfig {
    let keys = keys
        .into_iter()
        .map(|key| match key.material {
            KeyMaterial::HmacSecret(secret) => KeySpec::hs256(key.kid, secret.expose_bytes()),
            KeyMaterial::Ed25519PrivatePem(pem) => KeySpec::ed25519_private(key.kid, pem.expose()),
            KeyMaterial::Ed25519PublicPem(pem) => KeySpec::ed25519_public(key.kid, pem),
            KeyMaterial::Es256PrivatePem(pem) => KeySpec::es256_private(key.kid, pem.expose()),
            KeyMaterial::Es256PublicPem(pem) => KeySpec::es256_public(key.kid, pem),
        })
        .collect();
    JwtConfig {
        issuer: jwt.issuer.clone(),
        audience: jwt.audience.clone(),
        previous_issuers: jwt.previous_issuers.clone(),
        keys,
        leeway: jwt.leeway,
    }
}

/// The core wired to a given store: JWT issuer, bcrypt hasher (its dummy hash costs nothing
/// to make), system clock and randomness. Also returns the key set, which reloads.
pub fn auth(config: &Config, store: &Store) -> Result<(Auth, Arc<ReloadableIssuer>), StartupError> {
    let issuer = Arc::new(ReloadableIssuer::new(JwtIssuer::new(jwt_config(config)?)?));
    tracing::info!(kid = issuer.current().signing_kid(), "JWT signing key loaded");
    let hasher = BcryptHasher::new(config.passwords.bcrypt_cost)?;
    let ports = Ports {
        users: Arc::new(store.clone()),
        tokens: Arc::new(store.clone()),
        issuer: issuer.clone(),
        hasher: Arc::new(hasher),
        clock: Arc::new(SystemClock),
        random: Arc::new(SystemRandom),
    };
    Ok((Auth::new(ports, config.policy()), issuer))
}

/// Opens the store (creating and migrating the database), wires the core and starts fresh
/// metrics. Blocks: run it before the async runtime starts serving or on a blocking thread.
pub fn state(config: &Config) -> Result<AppState, StartupError> {
    let store = Store::connect(&store_config(config))?;
    let (auth, issuer) = auth(config, &store)?;
    let config = Arc::new(config.clone());
    let limiter = Arc::new(RateLimiter::new(&config.rate_limit));
    Ok(AppState {
        auth,
        issuer,
        store,
        pools: pools(&config),
        config,
        metrics: Metrics::new(),
        limiter,
    })
}

/// The thread pools: one database thread per pooled connection, `passwords.threads` bcrypt
/// threads (one per core unless configured), both waiting `database.connect_timeout` at most.
pub fn pools(config: &Config) -> Pools {
    Pools::new(
        config.database.pool_size as usize,
        config.passwords.threads(),
        config.database.connect_timeout,
    )
}

/// A bound, not yet running HTTP server and the port it got.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `server.host:server.port` and builds the server around `state`.
    pub fn bind(config: &Config, state: AppState) -> Result<Self, StartupError> {
        let addr = format!("{}:{}", config.server.host, config.server.port);
        let listener =
            TcpListener::bind(&addr).map_err(|source| StartupError::Bind { addr, source })?;
        Self::with_listener(listener, config, state)
    }

    /// Builds the server on an already bound listener.
    pub fn with_listener(
        listener: TcpListener,
        config: &Config,
        state: AppState,
    ) -> Result<Self, StartupError> {
        let port = listener.local_addr()?.port();
        let server = app::server(listener, state, &config.server)?;
        Ok(Self { port, server })
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server (gracefully or not) from elsewhere.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until the server is stopped (signal or handle); in-flight requests finish first.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The blocking budget is the configuration's, not the machine's: a 32-core host with a
    /// pool of 16 runs at most 16 database use cases at once, whatever the HTTP workers.
    #[test]
    fn the_pools_are_sized_by_configuration_not_by_workers() {
        let mut config = Config::default();
        config.database.pool_size = 16;
        config.passwords.threads = Some(3);
        for workers in [1, 2, 32, 64] {
            config.server.workers = Some(workers);
            let pools = pools(&config);
            assert_eq!((pools.db.size(), pools.hash.size()), (16, 3), "{workers} workers");
        }
    }

    /// One-shot commands hold one connection whatever `pool_size` says, so r2d2 never opens a
    /// second in the background while the command exits; the server keeps the configured size.
    #[test]
    fn one_shot_commands_hold_one_connection() {
        let mut config = Config::default();
        config.database.pool_size = 16;
        assert_eq!(command_store_config(&config).pool_size, 1);
        assert_eq!(store_config(&config).pool_size, 16);
        let command = command_store_config(&config);
        assert_eq!(
            (command.url, command.connect_timeout),
            (config.database.url.clone(), config.database.connect_timeout)
        );
    }
}
