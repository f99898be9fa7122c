//! Wiring: configuration → adapters → the core's use cases → the HTTP adapter's state.

use crate::config::{Config, ConfigError, JwtKey, JwtSettings, KeyMaterial};
use baton_core::{Auth, Ports, StoreError, SystemClock, SystemRandom};
use baton_http::{AppState, Gauges, JwksDocument, Operations, PublishedKeys};
use baton_jwt::{JwtConfig, JwtIssuer, KeyError, KeySpec, ReloadableIssuer};
use baton_password::{BcryptHasher, CostOutOfRange};
use baton_store::{Store, StoreConfig};
use std::sync::Arc;
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
        })
        .collect();
    JwtConfig {
        issuer: jwt.issuer.clone(),
        audience: jwt.audience.clone(),
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
/// Blocks: run it before the async runtime starts serving or on a blocking thread.
pub fn service(config: &Config) -> Result<Service, StartupError> {
    let store = Store::connect(&store_config(config))?;
    let (auth, keys) = auth(config, &store)?;
    let operations = Arc::new(StoreOperations(store.clone()));
    let published = Arc::new(KeySet(keys.clone()));
    let state = AppState::new(auth, config.clone(), operations, published);
    Ok(Service { state, store, keys })
}

/// [`Operations`] over the store.
struct StoreOperations(Store);

impl Operations for StoreOperations {
    fn ping(&self) -> Result<(), StoreError> {
        self.0.ping()
    }

    fn count_active_sessions(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        self.0.count_active_sessions(now)
    }

    fn gauges(&self) -> Gauges {
        let pool = self.0.pool_state();
        Gauges { connections: pool.connections, idle: pool.idle }
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
