//! The log subscriber: human-readable or JSON lines on stderr (the per-request span is
//! `baton_http::middleware::tracing`).

use crate::config::{LogConfig, LogFormat};
use baton_http::middleware::connection_log::{ConnectionLog, is_actix_connection_error};
use std::io::IsTerminal;
use tracing_subscriber::filter::{EnvFilter, filter_fn};
use tracing_subscriber::prelude::*;

/// Installs the global subscriber: `log.level` as the filter (`RUST_LOG` overrides it),
/// `log.format` as the line format. Logs go to stderr, keeping stdout for command output.
/// actix's connection-level ERROR lines are written at INFO or WARN instead ([`ConnectionLog`]).
/// Does nothing if a subscriber is already installed (as in tests).
pub fn init(log: &LogConfig) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&log.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let lines = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let lines = match log.format {
        LogFormat::Pretty => lines.boxed(),
        LogFormat::Json => {
            lines.json().flatten_event(true).with_current_span(false).with_span_list(true).boxed()
        }
    };
    let not_actix = filter_fn(|meta| !is_actix_connection_error(meta));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(lines.with_filter(not_actix))
        .with(ConnectionLog)
        .try_init();
}
