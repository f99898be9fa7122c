//! What each subcommand does. Errors come back as one line for stderr.
//!
//! `serve`, `migrate` and `purge` live here; account administration in [`user`], the
//! configuration report in [`show_config`], signing keys in [`mod@keys`].

pub mod keys;
mod show_config;
mod user;

pub use keys::keys;
pub use show_config::show_config;
pub use user::user;

use crate::app::AppState;
use crate::config::{Config, Source};
use crate::metrics::Metrics;
use crate::shutdown::{self, Signal, Signals};
use crate::startup::{self, Application, StartupError};
use baton_core::Auth;
use baton_store::Store;
use std::time::Duration;

/// Why a command failed: start-up trouble, or the task itself; one line for stderr.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The database, keys or hasher could not be set up.
    #[error(transparent)]
    Startup(#[from] StartupError),
    /// The task could not be done, said for an operator (e.g. "no user with email ...").
    #[error("{0}")]
    Failed(String),
}

/// How often `baton serve` folds recorded latencies into the histograms, bounding memory
/// between scrapes.
const METRICS_UPKEEP: Duration = Duration::from_secs(5);

/// `baton serve`: migrate, bind, serve until SIGTERM or ctrl-c, then drain and return.
/// SIGHUP never stops it ([`shutdown::reload`]).
pub fn serve(config: Config, source: &Source) -> Result<(), StartupError> {
    tracing::info!(
        profile = %source.profile,
        files = ?source.existing_files(),
        "configuration loaded"
    );
    let state = startup::state(&config)?;
    let source = source.clone();
    actix_web::rt::System::new().block_on(async move {
        // Before listening: from the first accepted request on, no signal may kill it.
        let mut signals = Signals::install()?;
        let app = Application::bind(&config, state.clone())?;
        tracing::info!(
            host = %config.server.host,
            port = app.port(),
            backend = state.store.backend().as_str(),
            "baton listening"
        );
        spawn_purge(state.auth.clone(), config.purge.interval);
        spawn_metrics_upkeep(state.metrics.clone(), state.limiter.clone());
        let handle = app.handle();
        let timeout = config.server.shutdown_timeout;
        actix_web::rt::spawn(async move {
            loop {
                match signals.next().await {
                    Signal::Reload => reload(&source, &state).await,
                    Signal::Stop(name) => {
                        tracing::info!(
                            signal = name,
                            "shutdown requested; finishing in-flight requests"
                        );
                        break;
                    }
                }
            }
            shutdown::begin_stop();
            handle.stop(true).await;
        });
        app.run_until_stopped().await?;
        // The server future ends once the workers have stopped: what never answered was cut.
        let cut = shutdown::cut_requests();
        if cut > 0 {
            tracing::warn!(
                cut,
                shutdown_timeout = %baton_config::duration::format(timeout),
                "server.shutdown_timeout reached: {cut} in-flight request(s) were cut off"
            );
        }
        tracing::info!("baton stopped");
        Ok(())
    })
}

/// Runs [`shutdown::reload`] off the executor (it reads files); reloads run one at a time.
async fn reload(source: &Source, state: &AppState) {
    let (source, keys, metrics) = (source.clone(), state.issuer.clone(), state.metrics.clone());
    let done = actix_web::rt::task::spawn_blocking(move || {
        shutdown::reload(&source, &keys, &metrics);
    });
    if done.await.is_err() {
        tracing::error!("SIGHUP: the key reload task failed; the current keys stay in use");
    }
}

/// Runs the purge use case every `every` in the background (never if zero). Every server
/// may do it: deleting already-deleted rows is harmless.
fn spawn_purge(auth: Auth, every: Duration) {
    if every.is_zero() {
        return;
    }
    actix_web::rt::spawn(async move {
        let start = actix_web::rt::time::Instant::now() + every;
        let mut ticker = actix_web::rt::time::interval_at(start, every);
        loop {
            ticker.tick().await;
            let auth = auth.clone();
            match actix_web::rt::task::spawn_blocking(move || auth.purge()).await {
                Ok(Ok(purged)) => tracing::info!(purged, "purged dead sessions"),
                Ok(Err(e)) => {
                    let error = crate::error::chain(&e);
                    tracing::warn!(%error, "periodic purge failed");
                }
                Err(e) => tracing::error!(error = %e, "periodic purge task failed"),
            }
        }
    });
}

/// Keeps the metrics' histograms drained and the rate limiter's idle buckets forgotten while
/// the server runs, so neither grows without bound.
fn spawn_metrics_upkeep(metrics: Metrics, limiter: std::sync::Arc<crate::ratelimit::RateLimiter>) {
    actix_web::rt::spawn(async move {
        let mut ticker = actix_web::rt::time::interval(METRICS_UPKEEP);
        loop {
            ticker.tick().await;
            metrics.run_upkeep();
            limiter.upkeep();
        }
    });
}

/// `baton migrate`: apply pending migrations and say which ones ran.
pub fn migrate(config: &Config) -> Result<(), StartupError> {
    let store = Store::open(&startup::command_store_config(config))?;
    let applied = store.run_migrations()?;
    let backend = store.backend().as_str();
    if applied.is_empty() {
        println!("database schema is up to date ({backend} backend, nothing to apply)");
    } else {
        println!("applied {} migration(s) on {backend}: {}", applied.len(), applied.join(", "));
    }
    Ok(())
}

/// `baton purge`: delete dead sessions once and report how many.
pub fn purge(config: &Config) -> Result<(), StartupError> {
    let store = Store::connect(&startup::command_store_config(config))?;
    let (auth, _) = startup::auth(config, &store)?;
    let purged = auth.purge()?;
    println!("purged {purged} sessions");
    Ok(())
}
