//! The end of `baton serve`: which signals do what, and how many requests a stop cut off.
//!
//! SIGTERM and ctrl-c (SIGINT) stop the server gracefully; SIGHUP never stops it (systemd's
//! `ExecReload` sends it): it reloads the JWT key set ([`reload`]). A stop that reaches `server.shutdown_timeout` cuts the requests still running; [`track`] counts them so
//! the stop can say how many were cut instead of ending silently.

use crate::config::{self, ConfigError, Source};
use crate::metrics::Metrics;
use crate::startup;
use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use baton_jwt::{JwtIssuer, KeyError, ReloadableIssuer};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// What a signal asks of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Stop gracefully (SIGTERM, SIGINT); the name is for the log.
    Stop(&'static str),
    /// Reload what can be reloaded (SIGHUP).
    Reload,
}

/// The signal handlers of `baton serve`, installed before the server listens so that an early
/// SIGHUP cannot kill it by the default action.
pub struct Signals {
    #[cfg(unix)]
    streams: [(tokio::signal::unix::Signal, Signal); 3],
}

impl Signals {
    /// Installs the handlers; needs a running tokio (actix) runtime.
    pub fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                streams: [
                    (signal(SignalKind::terminate())?, Signal::Stop("SIGTERM")),
                    (signal(SignalKind::interrupt())?, Signal::Stop("SIGINT")),
                    (signal(SignalKind::hangup())?, Signal::Reload),
                ],
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// The next signal received.
    pub async fn next(&mut self) -> Signal {
        #[cfg(unix)]
        {
            std::future::poll_fn(|cx| {
                for (stream, meaning) in &mut self.streams {
                    if stream.poll_recv(cx).is_ready() {
                        return std::task::Poll::Ready(*meaning);
                    }
                }
                std::task::Poll::Pending
            })
            .await
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Stop("ctrl-c")
        }
    }
}

/// Requests that started and have not answered yet, in this process. One counter per process
/// (not per server) because `baton serve` runs one server; tests that start several servers
/// in one process never stop through [`begin_stop`], so they never read it.
static RUNNING: AtomicUsize = AtomicUsize::new(0);
/// Set when the stop begins: a request dropped unanswered after that was cut.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Middleware counting in-flight requests (see [`cut_requests`]).
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    RUNNING.fetch_add(1, Ordering::SeqCst);
    let mut guard = Running { answered: false };
    let res = next.call(req).await;
    guard.answered = true;
    RUNNING.fetch_sub(1, Ordering::SeqCst);
    res
}

/// Un-counts a request dropped before it answered, unless the stop dropped it: that one was
/// cut and stays counted.
struct Running {
    answered: bool,
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.answered && !STOPPING.load(Ordering::SeqCst) {
            RUNNING.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Marks the start of the stop; requests dropped unanswered from now on count as cut.
pub fn begin_stop() {
    STOPPING.store(true, Ordering::SeqCst);
}

/// After the server stopped: requests that never answered (cut at `shutdown_timeout`, or
/// still running when the workers were torn down).
pub fn cut_requests() -> usize {
    RUNNING.load(Ordering::SeqCst)
}

/// Why a reload kept the old keys; printed with its cause chain, which names keys, files and
/// settings but never key material (the configuration's and baton-jwt's messages never do).
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// The configuration does not load or validate (as a start would refuse it), or a key file
    /// cannot be read.
    #[error("configuration")]
    Config(#[from] ConfigError),
    /// The key set is refused by the signing adapter (e.g. a PEM that is not an Ed25519 key).
    #[error("jwt")]
    Keys(#[from] KeyError),
}

/// The SIGHUP hook (SPEC §3): re-reads the configuration from `source` (all of it is
/// validated again, as at start, but only `[jwt]` is applied) and the key files, builds the new
/// key set, and only if all of that succeeds swaps it in, atomically: each signature or
/// verification uses one whole set, so requests running across the swap complete. A failed
/// reload keeps the old keys and says why at warn level. Either way the outcome is counted in
/// `baton_key_reloads_total`. Blocks on file reads: call it off the async executor. Returns
/// whether the new set is in place.
pub fn reload(source: &Source, keys: &ReloadableIssuer, metrics: &Metrics) -> bool {
    let next = config::reload_jwt(source)
        .map_err(ReloadError::from)
        .and_then(|(jwt, set)| Ok(JwtIssuer::new(startup::jwt_config_of(&jwt, set))?));
    let applied = match next {
        Ok(next) => {
            let signing_kid = next.signing_kid().to_owned();
            let kids: Vec<String> = next.kids().map(str::to_owned).collect();
            let published: Vec<&str> = next.jwks().keys().iter().map(|k| k.kid()).collect();
            let published = published.join(",");
            let previous = keys.replace(next);
            tracing::info!(
                profile = %source.profile,
                signing_kid,
                kids = %kids.join(","),
                published = %published,
                previous_signing_kid = previous.signing_kid(),
                "SIGHUP: JWT key set reloaded"
            );
            true
        }
        Err(e) => {
            tracing::warn!(
                profile = %source.profile,
                error = %crate::error::chain(&e),
                "SIGHUP: key reload failed; the current keys stay in use"
            );
            false
        }
    };
    metrics.key_reload(applied);
    applied
}
