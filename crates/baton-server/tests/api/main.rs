//! Integration tests: the real server on a real socket, each scenario on a fresh SQLite and
//! a fresh PostgreSQL database (`sqlite::<name>` and `postgres::<name>`).
//!
//! PostgreSQL needs a server: run under `scripts/with-postgres.sh`, which exports
//! `TEST_DATABASE_URL`. One test binary keeps linking fast.

mod binary;
mod helpers;

mod bad_input;
mod cli;
mod config_cli;
mod connections;
mod cookies;
mod deploy;
mod health;
mod introspect;
mod jwks;
mod keys;
mod limits;
mod login;
mod logout;
mod logs;
mod mail;
mod me;
mod metrics;
mod mfa;
mod oauth;
mod openapi;
mod process;
mod refresh;
mod register;
mod reload;
mod restart;
mod reuse;
mod sessions;
mod sighup;
mod signals;
