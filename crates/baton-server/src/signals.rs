//! What signals do to `baton serve`: SIGTERM and ctrl-c (SIGINT) stop it gracefully; SIGHUP
//! never stops it (systemd's `ExecReload` sends it): it reloads the JWT key set ([`reload`]).

use crate::config::{self, ConfigError, Source};
use crate::wiring;
use baton_http::metrics::Metrics;
use baton_jwt::{JwtIssuer, KeyError, ReloadableIssuer};

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
        .and_then(|(jwt, set)| Ok(JwtIssuer::new(wiring::jwt_config_of(&jwt, set))?));
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
                error = %baton_http::error::chain(&e),
                "SIGHUP: key reload failed; the current keys stay in use"
            );
            false
        }
    };
    metrics.key_reload(applied);
    applied
}
