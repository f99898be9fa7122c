//! Baton's HTTP server: the actix-web API over the core's use cases, and the command line. A
//! library so the integration tests can start the real server.
//!
//! Layout: [`config`] (the `baton-config` crate) reads settings; [`startup`] wires adapters
//! into the core; [`app`] builds the actix application from [`routes`], [`extract`], [`body`] and
//! [`dto`], with [`cookies`] for browser clients; [`error`] is the single mapping from
//! failures to HTTP answers; [`shutdown`] handles signals and counts requests a stop cuts off.

#![warn(missing_docs)]

pub mod app;
pub mod blocking;
pub mod body;
pub mod cli;
pub mod client_addr;
pub mod client_auth;
pub mod commands;
/// The configuration, from its own crate: the binary reads it and holds none of its rules.
pub use baton_config as config;
pub mod cookies;
pub mod dto;
pub mod error;
pub mod extract;
pub mod flows;
pub mod metrics;
pub mod openapi;
pub mod ratelimit;
pub mod routes;
pub mod shutdown;
pub mod startup;
pub mod telemetry;
