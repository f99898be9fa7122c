//! `baton`, the binary: reads the command line and configuration, wires the adapters
//! (`baton-store`, `baton-jwt`, `baton-password`) into the core and the HTTP adapter
//! (`baton-http`), and runs the commands. No business rule and no HTTP lives here. A library
//! so the integration tests can start the real server.
//!
//! [`cli`] is the command line, [`commands`] what each subcommand does, [`wiring`] turns
//! configuration into adapters, [`signals`] handles SIGTERM/ctrl-c and SIGHUP (key reload),
//! [`telemetry`] installs the log subscriber.

pub mod cli;
pub mod commands;
/// The configuration, from its own crate: the binary reads it and holds none of its rules.
pub use baton_config as config;
pub mod signals;
pub mod telemetry;
pub mod wiring;
