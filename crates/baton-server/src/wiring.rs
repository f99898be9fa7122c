//! Wiring: configuration → adapters → the core's use cases → the HTTP adapter's state.

use crate::config::{Config, ConfigError, JwtKey, JwtSettings, KeyMaterial};
use baton_core::{Auth, Clock, Ports, StoreError, SystemClock, SystemRandom};
use baton_http::{AppState, Gauges, JwksDocument, Operations, PublishedKeys};
use baton_jwt::{JwtConfig, JwtIssuer, KeyError, KeySpec, ReloadableIssuer};
use baton_password::{BcryptHasher, CostOutOfRange, HashPool};
use baton_store::{Backend, Store, StoreConfig};
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

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
    let adapters = Adapters::new(config, store, Arc::new(SystemClock))?;
    Ok((adapters.auth_on(store.clone()), adapters.keys))
}

/// Every adapter the core runs on but the store, so that each HTTP worker can get use cases
/// on a pool of its own ([`Adapters::auth_on`]).
#[derive(Clone)]
pub struct Adapters {
    ports: Ports,
    policy: baton_core::Policy,
    /// The reloadable JWT key set.
    pub keys: Arc<ReloadableIssuer>,
    /// bcrypt, on its own bounded pool, shared by every worker.
    pub hasher: Arc<BcryptHasher>,
}

impl Adapters {
    /// The JWT key set and the bcrypt hasher (`passwords.threads` threads, waiting
    /// `database.connect_timeout` at most), on `store` and `clock`.
    pub fn new(
        config: &Config,
        store: &Store,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartupError> {
        let keys = Arc::new(ReloadableIssuer::new(JwtIssuer::new(jwt_config(config)?)?));
        tracing::info!(kid = keys.current().signing_kid(), "JWT signing key loaded");
        let pool =
            HashPool { threads: config.passwords.threads(), wait: config.database.connect_timeout };
        let hasher = Arc::new(BcryptHasher::new(config.passwords.bcrypt_cost, pool)?);
        let ports = Ports {
            users: Arc::new(store.clone()),
            tokens: Arc::new(store.clone()),
            issuer: keys.clone(),
            hasher: hasher.clone(),
            clock,
            random: Arc::new(SystemRandom),
        };
        Ok(Self { ports, policy: config.policy(), keys, hasher })
    }

    /// The use cases on `store`, with every other adapter shared.
    pub fn auth_on(&self, store: Store) -> Auth {
        let ports =
            Ports { users: Arc::new(store.clone()), tokens: Arc::new(store), ..self.ports.clone() };
        Auth::new(ports, self.policy.clone())
    }
}

/// A wired service: the HTTP adapter's state and the adapters behind it that the commands and
/// tests reach for directly (the store for its backend name, the key set for reloads).
#[derive(Clone)]
pub struct Service {
    /// What the HTTP handlers share.
    pub state: AppState,
    /// The database.
    pub store: Store,
    /// The reloadable JWT key set.
    pub keys: Arc<ReloadableIssuer>,
}

/// Opens the store (creating and migrating the database), wires the core and the HTTP state.
pub async fn service(config: &Config) -> Result<Service, StartupError> {
    service_at(config, Arc::new(SystemClock)).await
}

/// [`service`] whose use cases read `clock`. On PostgreSQL each HTTP worker gets a pool of its
/// own, `database.pool_size` shared out among the workers (at least one connection each).
pub async fn service_at(config: &Config, clock: Arc<dyn Clock>) -> Result<Service, StartupError> {
    let opened = Store::connect(&store_config(config)).await?;
    // On PostgreSQL the opening pool only migrates: requests run on the workers' own pools,
    // probes and the purge on one connection of their own, so a server opens at most
    // `pool_size` (rounded up to a multiple of the workers) + 1 connections.
    let store = match opened.backend() {
        Backend::Postgres => opened.with_own_pool(1).map_err(StoreError::from)?,
        Backend::Sqlite => opened.clone(),
    };
    drop(opened);
    let adapters = Adapters::new(config, &store, clock)?;
    let workers = Arc::new(Mutex::new(Vec::new()));
    let operations = Arc::new(Probes {
        store: store.clone(),
        workers: workers.clone(),
        hasher: adapters.hasher.clone(),
    });
    let published = Arc::new(KeySet(adapters.keys.clone()));
    let auth = adapters.auth_on(store.clone());
    let mut state = AppState::new(auth, config.clone(), operations, published);
    let adapters_shared = adapters.clone();
    if store.backend() == Backend::Postgres && !config.database.pool_per_worker {
        // One pool for every worker: its connections' I/O runs on the runtime that opened
        // each, so a statement may wake another worker's thread.
        let shared = store.with_own_pool(config.database.pool_size).map_err(StoreError::from)?;
        workers.lock().unwrap_or_else(|e| e.into_inner()).push(shared.clone());
        state.worker_auth = Some(Arc::new(move || adapters_shared.auth_on(shared.clone())));
    } else if store.backend() == Backend::Postgres {
        let per_worker = worker_pool_size(config);
        let (base, adapters) = (store.clone(), adapters.clone());
        state.worker_auth = Some(Arc::new(move || {
            let own = base.with_own_pool(per_worker).unwrap_or_else(|_| base.clone());
            workers.lock().unwrap_or_else(|e| e.into_inner()).push(own.clone());
            adapters.auth_on(own)
        }));
    }
    Ok(Service { state, store, keys: adapters.keys })
}

/// Each HTTP worker's share of `database.pool_size`, rounded up (at least one).
pub fn worker_pool_size(config: &Config) -> u32 {
    let workers = config
        .server
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let workers = u32::try_from(workers.max(1)).unwrap_or(u32::MAX);
    config.database.pool_size.div_ceil(workers).max(1)
}

/// [`Operations`] over the store and the hasher; the gauges add up every worker's pool.
struct Probes {
    store: Store,
    workers: Arc<Mutex<Vec<Store>>>,
    hasher: Arc<BcryptHasher>,
}

#[async_trait::async_trait]
impl Operations for Probes {
    /// Ready when every worker's pool can serve a statement now (the probes' own connection
    /// before the workers start): an exhausted pool makes the server unready.
    async fn ping(&self) -> Result<(), StoreError> {
        let workers = self.workers.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if workers.is_empty() {
            return self.store.ping().await;
        }
        for store in &workers {
            store.ping().await?;
        }
        Ok(())
    }

    async fn count_active_sessions(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        self.store.count_active_sessions(now).await
    }

    fn gauges(&self) -> Gauges {
        let workers = self.workers.lock().unwrap_or_else(|e| e.into_inner());
        let pools = std::iter::once(&self.store).chain(workers.iter()).map(Store::pool_state);
        let hash = self.hasher.load();
        let mut g = Gauges {
            hash_waiting: hash.waiting as u64,
            hash_running: hash.running as u64,
            ..Gauges::default()
        };
        for pool in pools {
            g.connections += pool.connections;
            g.idle += pool.idle;
            g.db_waiting += u64::from(pool.waiting);
            g.db_running += u64::from(pool.running);
        }
        g
    }
}

/// [`PublishedKeys`] over the reloadable key set: each call reads the set in force.
struct KeySet(Arc<ReloadableIssuer>);

impl PublishedKeys for KeySet {
    fn jwks(&self) -> JwksDocument {
        let set = self.0.current();
        JwksDocument { json: set.jwks_json().to_owned(), etag: set.etag().to_owned() }
    }

    fn issuer(&self) -> String {
        self.0.current().issuer().to_owned()
    }

    fn audience(&self) -> String {
        self.0.current().audience().to_owned()
    }
}
