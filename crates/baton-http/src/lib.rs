//! Baton's driving adapter: the actix-web HTTP API over the core's use cases (SPEC §2, §9,
//! §10, §11). A library, so that the `baton` binary only wires configuration and adapters into
//! it, and the integration tests start this very server on a real socket.
//!
//! It knows the core and the configuration, and nothing that knows a database, a JWT library
//! or bcrypt: what it needs from those (a readiness probe, gauges, the published key set)
//! comes through the small traits of [`adapters`], implemented by the binary.
//!
//! Bottom to top: [`adapters`], [`state`] (what handlers share) and [`paths`] (every route's
//! path, once);
//! [`error`] (the one mapping from failures to HTTP answers); [`response`], [`dto`] and
//! [`extract`] (what requests carry and answers look like); [`cookies`] (browser clients);
//! [`metrics`] and [`middleware`]; [`routes`] (the handlers), [`openapi`] (their document);
//! [`app`] (the routing table and the middleware stack) and [`server`] (a bound, running
//! server).

pub mod adapters;
pub mod app;
pub mod cookies;
pub mod dto;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod paths;
pub mod response;
pub mod routes;
pub mod server;
pub mod state;

pub use adapters::{Gauges, JwksDocument, Operations, PublishedKeys};
pub use server::Application;
pub use state::AppState;
