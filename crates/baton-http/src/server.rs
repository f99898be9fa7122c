//! The HTTP server: the app-wide middleware around [`crate::app`], on a bound socket.

use crate::app::{self, problem_safety_net};
use crate::metrics;
use crate::middleware::inflight;
use crate::middleware::tracing::{self as request_log, RequestSpan};
use crate::state::AppState;
use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use baton_config::ServerConfig;
use std::net::TcpListener;
use std::time::Duration;
use tracing_actix_web::TracingLogger;

/// How often [`spawn_upkeep`] runs: recorded latencies folded into the histograms, idle
/// rate-limit buckets forgotten.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// Keeps the metrics' histograms drained and the rate limiter's idle buckets forgotten while
/// the server runs, so neither grows without bound. Needs a running actix (tokio) runtime.
pub fn spawn_upkeep(state: &AppState) {
    let (metrics, limiter) = (state.metrics.clone(), state.limiter.clone());
    actix_web::rt::spawn(async move {
        let mut ticker = actix_web::rt::time::interval(UPKEEP_EVERY);
        loop {
            ticker.tick().await;
            metrics.run_upkeep();
            limiter.upkeep();
        }
    });
}

/// Runs the purge use case every `purge.interval` in the background (never if zero). Every
/// server may do it: deleting already-deleted rows is harmless. Needs a running actix
/// (tokio) runtime.
pub fn spawn_purge(state: &AppState) {
    let (auth, every) = (state.auth.clone(), state.config.purge.interval);
    if every.is_zero() {
        return;
    }
    actix_web::rt::spawn(async move {
        let start = actix_web::rt::time::Instant::now() + every;
        let mut ticker = actix_web::rt::time::interval_at(start, every);
        loop {
            ticker.tick().await;
            match auth.purge().await {
                Ok(purged) => tracing::info!(purged, "purged dead sessions"),
                Err(e) => {
                    let error = crate::error::chain(&e);
                    tracing::warn!(%error, "periodic purge failed");
                }
            }
        }
    });
}

/// How often the outbox is looked at for mail that is due.
pub const MAIL_EVERY: Duration = Duration::from_secs(1);

/// How often, in sending rounds, the outbox's gauges are refreshed: counting the whole table
/// every second on every server would cost more than the gauges are worth.
const STATS_EVERY_ROUNDS: u32 = 15;

/// Sends the outbox's due mail in the background, every [`MAIL_EVERY`], while the server
/// runs, and keeps the mail metrics current (the outbox's gauges every 15 rounds). Every server may run it: each mail is claimed by
/// one sender. Nothing when mail is off. Needs a running tokio runtime; the task is `Send`, so
/// tests may start it on theirs.
pub fn spawn_mail_sender(state: &AppState) {
    let (auth, metrics) = (state.auth.clone(), state.metrics.clone());
    if !auth.sends_mail() {
        return;
    }
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(MAIL_EVERY);
        for round in 0u32.. {
            ticker.tick().await;
            match auth.deliver_mail().await {
                Ok(done) => metrics.mail_delivered(&done),
                Err(e) => {
                    let error = crate::error::chain(&e);
                    tracing::warn!(%error, "mail sending round failed");
                }
            }
            if round % STATS_EVERY_ROUNDS != 0 {
                continue;
            }
            if let Ok(stats) = auth.outbox_stats().await {
                metrics.outbox(&stats, time::OffsetDateTime::now_utc());
            }
        }
    });
}

/// Builds the HTTP server on an already bound listener (port 0 works: tests read the port
/// back from the listener). The returned [`Server`] must be awaited or spawned to run; it
/// stops through its handle. actix's own signal handling is off (it treats ctrl-c as a
/// forced stop); `baton serve` installs its own, graceful for SIGTERM and ctrl-c alike.
pub fn server(
    listener: TcpListener,
    state: AppState,
    config: &ServerConfig,
) -> std::io::Result<Server> {
    let workers = config
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let server = HttpServer::new(move || {
        let data = web::Data::new(state.for_worker());
        App::new()
            .wrap(problem_safety_net())
            .wrap(from_fn(request_log::request_id_header))
            .wrap(TracingLogger::<RequestSpan>::new())
            .wrap(from_fn(metrics::track))
            .wrap(from_fn(inflight::track))
            .configure(app::configure(data.clone()))
    })
    .workers(workers)
    .shutdown_timeout(config.shutdown_timeout.as_secs())
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}

/// A bound, not yet running HTTP server and the port it got.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `server.host:server.port` and builds the server around `state`.
    pub fn bind(config: &ServerConfig, state: AppState) -> std::io::Result<Self> {
        let listener = TcpListener::bind((config.host.as_str(), config.port))?;
        Self::with_listener(listener, config, state)
    }

    /// Builds the server on an already bound listener.
    pub fn with_listener(
        listener: TcpListener,
        config: &ServerConfig,
        state: AppState,
    ) -> std::io::Result<Self> {
        let port = listener.local_addr()?.port();
        let server = server(listener, state, config)?;
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
