//! What each subcommand does. Errors come back as one line for stderr.
//!
//! `serve`, `migrate` and `purge` live here; account administration in [`user`], signing keys
//! in [`mod@keys`]; the configuration report is `baton_config::print_report`.

pub mod keys;
mod user;

pub use keys::keys;
pub use user::{mfa, user};

use crate::config::{Config, Source};
use crate::signals::{self, Signal, Signals};
use crate::wiring::{self, Service, StartupError};
use baton_http::Application;
use baton_http::middleware::inflight;
use baton_store::{Store, StoreConfig};

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

/// `baton serve`: migrate, bind, serve until SIGTERM or ctrl-c, then drain and return.
/// SIGHUP never stops it ([`signals::reload`]).
pub fn serve(config: Config, source: &Source) -> Result<(), StartupError> {
    let (profile, files) = (&source.profile, source.existing_files());
    tracing::info!(%profile, ?files, "configuration loaded");
    // What `baton config` warns about (no mail under prod, a link in a query string, ...),
    // and second factors left off (no `mfa.encryption_key`, passkeys bound to localhost).
    let second_factors = config.second_factor_warnings(profile);
    config.warnings(profile).iter().chain(&second_factors).for_each(|w| tracing::warn!("{w}"));
    let source = source.clone();
    actix_web::rt::System::new().block_on(async move {
        let service = wiring::service(&config).await?;
        // Before listening: from the first accepted request on, no signal may kill it.
        let mut signals = Signals::install()?;
        let server = &config.server;
        let app = Application::bind(server, service.state.clone()).map_err(|source| {
            StartupError::Bind { addr: format!("{}:{}", server.host, server.port), source }
        })?;
        tracing::info!(
            host = %server.host,
            port = app.port(),
            backend = service.store.backend().as_str(),
            "baton listening"
        );
        let state = &service.state;
        baton_http::server::spawn_purge(state);
        baton_http::server::spawn_mail_sender(state);
        baton_http::server::spawn_upkeep(state);
        let handle = app.handle();
        let timeout = config.server.shutdown_timeout;
        actix_web::rt::spawn(async move {
            loop {
                match signals.next().await {
                    Signal::Reload => reload(&source, &service).await,
                    Signal::Stop(name) => {
                        tracing::info!(
                            signal = name,
                            "shutdown requested; finishing in-flight requests"
                        );
                        break;
                    }
                }
            }
            inflight::begin_stop();
            handle.stop(true).await;
        });
        app.run_until_stopped().await?;
        // The server future ends once the workers have stopped: what never answered was cut.
        let cut = inflight::cut_requests();
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

/// Runs [`signals::reload`] off the executor (it reads files); reloads run one at a time.
async fn reload(source: &Source, service: &Service) {
    let (source, keys) = (source.clone(), service.keys.clone());
    let metrics = service.state.metrics.clone();
    let done = actix_web::rt::task::spawn_blocking(move || {
        signals::reload(&source, &keys, &metrics);
    });
    if done.await.is_err() {
        tracing::error!("SIGHUP: the key reload task failed; the current keys stay in use");
    }
}

/// `baton migrate`: apply pending migrations and say which ones ran.
pub fn migrate(config: &Config) -> Result<(), StartupError> {
    one_shot(async {
        let store = Store::open(&StoreConfig::for_command(config)).await?;
        let applied = store.run_migrations().await?;
        Ok((store.backend(), applied))
    })
    .map(|(backend, applied)| report_migrations(backend.as_str(), &applied))
}

fn report_migrations(backend: &str, applied: &[String]) {
    if applied.is_empty() {
        println!("database schema is up to date ({backend} backend, nothing to apply)");
    } else {
        println!("applied {} migration(s) on {backend}: {}", applied.len(), applied.join(", "));
    }
}

/// `baton purge`: delete dead sessions once and report how many.
pub fn purge(config: &Config) -> Result<(), StartupError> {
    let purged = one_shot(async {
        let store = Store::connect(&StoreConfig::for_command(config)).await?;
        let (auth, _) = wiring::auth(config, &store)?;
        Ok::<_, StartupError>(auth.purge().await?)
    })?;
    println!("purged {purged} sessions");
    Ok(())
}

/// Runs a one-shot command's work on a runtime of its own: one thread, gone when it returns.
pub(crate) fn one_shot<T>(
    work: impl std::future::Future<Output = Result<T, StartupError>>,
) -> Result<T, StartupError> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(work)
}
