//! actix's connection-level log lines, at the level they deserve.
//!
//! actix-http logs a request it cannot parse (a malformed header, say) at ERROR, before any
//! of Baton's middleware runs: anyone on the internet could then page an operator with one
//! bad request. [`is_actix_connection_error`] tells the log subscriber which lines those are,
//! so it leaves them out, and [`ConnectionLog`] writes each again under Baton's own target:
//! a client's malformed request at INFO, the other connection-level failures at WARN.

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;

/// The module of actix-http that logs connection-level failures.
const DISPATCHER: &str = "actix_http::h1::dispatcher";

/// What actix-http's message starts with when a client sent a request it cannot parse.
const PARSE_ERROR: &str = "stream error: request parse error";

/// Whether `meta` is one of actix-http's connection-level ERROR lines.
pub fn is_actix_connection_error(meta: &Metadata<'_>) -> bool {
    meta.target() == DISPATCHER && *meta.level() == Level::ERROR
}

/// A layer that writes actix's connection-level ERROR lines again under the target
/// `baton_http::connection`: INFO for a client's malformed request, WARN for the rest.
#[derive(Debug, Default, Clone, Copy)]
pub struct ConnectionLog;

impl<S: Subscriber> Layer<S> for ConnectionLog {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if !is_actix_connection_error(event.metadata()) {
            return;
        }
        let mut message = Message::default();
        event.record(&mut message);
        let error = message.0;
        if error.starts_with(PARSE_ERROR) {
            tracing::info!(target: "baton_http::connection", %error, "malformed request refused");
        } else {
            tracing::warn!(target: "baton_http::connection", %error, "connection failed");
        }
    }
}

/// The `message` field of an event.
#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}
