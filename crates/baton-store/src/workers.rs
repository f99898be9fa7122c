//! The store as a server configures it (`[database]` of `baton-config`) and shares it among
//! its HTTP workers.
//!
//! An actix worker is one thread with a runtime of its own, and a PostgreSQL connection's I/O
//! runs on the runtime that opened it; so by default each worker gets a pool of its own
//! (`pool_size` shared out, rounded up), whose statements never wake another thread. The pool
//! the store opened with stays for probes and background work. SQLite's statements run on the
//! store's blocking threads whoever calls, so every worker shares the one store.

use crate::{Backend, PoolState, Store, StoreConfig};
use baton_config::Config;
use baton_core::StoreError;
use std::sync::{Arc, Mutex};

impl StoreConfig {
    /// The settings of `[database]`.
    pub fn from_config(config: &Config) -> Self {
        StoreConfig {
            url: config.database.url.clone(),
            pool_size: config.database.pool_size,
            connect_timeout: config.database.connect_timeout,
            create_dir: config.database.is_builtin_default(),
        }
    }

    /// The settings of a one-shot command (`migrate`, `purge`, `user`), which uses one
    /// connection at a time and so opens no more.
    pub fn for_command(config: &Config) -> Self {
        StoreConfig { pool_size: 1, ..Self::from_config(config) }
    }
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

/// The stores a server's workers run on: [`WorkerPools::for_worker`] gives each worker its
/// own (or the shared one), and the gauges and readiness probe see all of them.
#[derive(Clone)]
pub struct WorkerPools {
    base: Store,
    shared: Option<Store>,
    per_worker: u32,
    made: Arc<Mutex<Vec<Store>>>,
}

impl WorkerPools {
    /// The pools `config` asks for on top of `base` (the probes' store): one per worker of
    /// [`worker_pool_size`] connections, or with `database.pool_per_worker = false` one pool
    /// of `pool_size` shared by all. On SQLite every worker gets `base`.
    pub fn new(base: &Store, config: &Config) -> Result<Self, StoreError> {
        let postgres = base.backend() == Backend::Postgres;
        let shared = match postgres && !config.database.pool_per_worker {
            true => Some(base.with_own_pool(config.database.pool_size)?),
            false => None,
        };
        let made = Arc::new(Mutex::new(shared.iter().cloned().collect()));
        let per_worker = if postgres { worker_pool_size(config) } else { 0 };
        Ok(Self { base: base.clone(), shared, per_worker, made })
    }

    /// The store one worker runs on, made when the worker starts (on its own runtime).
    pub fn for_worker(&self) -> Store {
        if let Some(shared) = &self.shared {
            return shared.clone();
        }
        // SQLite (no share): its statements run on the store's threads whoever calls.
        let Ok(own) = self.base.with_own_pool(self.per_worker) else {
            return self.base.clone();
        };
        self.made().push(own.clone());
        own
    }

    /// The store probes and background work run on.
    pub fn base(&self) -> &Store {
        &self.base
    }

    /// Every pool's occupancy added up, the base's included.
    pub fn pool_state(&self) -> PoolState {
        let made = self.made().clone();
        std::iter::once(&self.base).chain(made.iter()).map(Store::pool_state).fold(
            PoolState::default(),
            |sum, p| PoolState {
                connections: sum.connections + p.connections,
                idle: sum.idle + p.idle,
                waiting: sum.waiting + p.waiting,
                running: sum.running + p.running,
            },
        )
    }

    /// Ready when every worker's pool can serve a statement now (the base's before any
    /// worker started): an exhausted pool makes the server unready.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let made = self.made().clone();
        if made.is_empty() {
            return self.base.ping().await;
        }
        for store in &made {
            store.ping().await?;
        }
        Ok(())
    }

    fn made(&self) -> std::sync::MutexGuard<'_, Vec<Store>> {
        self.made.lock().unwrap_or_else(|e| e.into_inner())
    }
}
