//! Wiring: configuration → adapters → the core's use cases → the HTTP adapter's state.

use crate::config::{Config, ConfigError};
use baton_core::ports::SecretSealer;
use baton_core::{
    Auth, Clock, MailSetup, Ports, SecondFactors, StoreError, SystemClock, SystemRandom,
};
use baton_http::{AppState, Gauges, JwksDocument, Operations, PublishedKeys};
use baton_jwt::{JwtIssuer, KeyError, ReloadableIssuer};
use baton_mfa::OsRandomBytes;
use baton_password::{BcryptHasher, CostOutOfRange, HashPool};
use baton_store::{Backend, Store, StoreConfig, WorkerPools};
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
    /// The mail transport or templates could not be set up.
    #[error("mail")]
    Mail(#[from] baton_mail::SetupError),
    /// The second factors could not be set up (`[mfa]`, `[webauthn]`).
    #[error("second factors: {0}")]
    SecondFactors(String),
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

pub use baton_jwt::settings::{jwt_config, jwt_config_of};
pub use baton_store::worker_pool_size;

/// The core wired to a given store: JWT issuer, bcrypt hasher (its dummy hash costs nothing
/// to make), system clock and randomness. Also returns the key set, which reloads.
pub fn auth(config: &Config, store: &Store) -> Result<(Auth, Arc<ReloadableIssuer>), StartupError> {
    let adapters = Adapters::new(config, Arc::new(SystemClock))?;
    Ok((adapters.auth_on(store.clone()), adapters.keys))
}

/// Every adapter the core runs on but the store, so that each HTTP worker can get use cases
/// on a pool of its own ([`Adapters::auth_on`]).
#[derive(Clone)]
pub struct Adapters {
    policy: baton_core::Policy,
    clock: Arc<dyn Clock>,
    mail: Option<MailSetup>,
    second: SecondFactors,
    /// The reloadable JWT key set.
    pub keys: Arc<ReloadableIssuer>,
    /// bcrypt, on its own bounded pool (`passwords.threads`), shared by every worker.
    pub hasher: Arc<BcryptHasher>,
}

impl Adapters {
    /// The JWT key set and the bcrypt hasher (waiting `database.connect_timeout` at most).
    pub fn new(config: &Config, clock: Arc<dyn Clock>) -> Result<Self, StartupError> {
        let keys = Arc::new(ReloadableIssuer::new(JwtIssuer::new(jwt_config(config)?)?));
        tracing::info!(kid = keys.current().signing_kid(), "JWT signing key loaded");
        let (threads, wait) = (config.passwords.threads(), config.database.connect_timeout);
        let hasher = BcryptHasher::new(config.passwords.bcrypt_cost, HashPool { threads, wait })?;
        let mail = baton_mail::settings::mail_setup(config)?;
        let second = second_factors(config)?;
        let hasher = Arc::new(hasher);
        Ok(Self { policy: config.policy(), clock, mail, second, keys, hasher })
    }

    /// The use cases on `store`, with every other adapter shared.
    pub fn auth_on(&self, store: Store) -> Auth {
        let ports = Ports {
            users: Arc::new(store.clone()),
            tokens: Arc::new(store.clone()),
            accounts: Arc::new(store.clone()),
            factors: Arc::new(store),
            issuer: self.keys.clone(),
            hasher: self.hasher.clone(),
            clock: self.clock.clone(),
            random: Arc::new(SystemRandom),
        };
        let auth = Auth::new(ports, self.policy.clone()).with_second_factors(self.second.clone());
        match self.mail.clone() {
            Some(mail) => auth.with_mail(mail),
            None => auth,
        }
    }
}

/// TOTP (sealed with `mfa.encryption_key` when one is set) and passkeys (the relying party of
/// `[webauthn]`), on the system's random bytes; each adapter reads its own section.
fn second_factors(config: &Config) -> Result<SecondFactors, StartupError> {
    let bad = |e: &dyn std::error::Error| StartupError::SecondFactors(baton_core::error_chain(e));
    let (totp, sealer) = baton_mfa::settings::totp(config).map_err(|e| bad(&e))?;
    let passkeys = baton_passkeys::settings::relying_party(config).map_err(|e| bad(&e))?;
    let sealer = sealer.map(|s| Arc::new(s) as Arc<dyn SecretSealer>);
    let (totp, passkeys, random) = (Arc::new(totp), Arc::new(passkeys), Arc::new(OsRandomBytes));
    Ok(SecondFactors { totp, sealer, passkeys, random })
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
/// own ([`WorkerPools`]) and the pool that migrated keeps one connection for probes and the
/// purge, so a server opens at most `pool_size` (rounded up to a multiple of the workers) + 1.
pub async fn service_at(config: &Config, clock: Arc<dyn Clock>) -> Result<Service, StartupError> {
    let opened = Store::connect(&StoreConfig::from_config(config)).await?;
    let store = match opened.backend() {
        Backend::Postgres => opened.with_own_pool(1).map_err(StoreError::from)?,
        Backend::Sqlite => opened.clone(),
    };
    drop(opened);
    let adapters = Adapters::new(config, clock)?;
    let pools = WorkerPools::new(&store, config)?;
    let probes = Arc::new(Probes { pools: pools.clone(), hasher: adapters.hasher.clone() });
    let published = Arc::new(KeySet(adapters.keys.clone()));
    let auth = adapters.auth_on(store.clone());
    let mut state = AppState::new(auth, config.clone(), probes, published);
    let keys = adapters.keys.clone();
    state.worker_auth = Some(Arc::new(move || adapters.auth_on(pools.for_worker())));
    Ok(Service { state, store, keys })
}

/// [`Operations`] over the workers' pools and the hasher.
struct Probes {
    pools: WorkerPools,
    hasher: Arc<BcryptHasher>,
}

#[async_trait::async_trait]
impl Operations for Probes {
    async fn ping(&self) -> Result<(), StoreError> {
        self.pools.ping().await
    }

    async fn count_active_sessions(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        self.pools.base().count_active_sessions(now).await
    }

    fn gauges(&self) -> Gauges {
        let (pool, hash) = (self.pools.pool_state(), self.hasher.load());
        Gauges {
            connections: pool.connections,
            idle: pool.idle,
            db_waiting: u64::from(pool.waiting),
            db_running: u64::from(pool.running),
            hash_waiting: hash.waiting as u64,
            hash_running: hash.running as u64,
        }
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
