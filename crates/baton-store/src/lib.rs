//! Baton's storage adapter: [`baton_core::UserStore`], [`baton_core::TokenStore`],
//! [`baton_core::AccountStore`] and [`baton_core::FactorStore`] over diesel, for PostgreSQL (production, many servers on one database) and an embedded SQLite
//! file (the zero-setup default).
//!
//! The backend is chosen by the URL's scheme alone. PostgreSQL is reached without a thread
//! hop: diesel-async connections in a deadpool pool, awaited on the caller's task, with TLS
//! through rustls. SQLite stays blocking behind the async ports: r2d2 connections, each
//! statement on the store's own bounded blocking threads. Queries are written once with
//! diesel's query DSL and run on either (`exec::run!`), so both backends run the same
//! statements and are held to the same contract suite (`baton_core::testing::contract`, run
//! by `tests/contract`). Representation choices (UUIDs, instants, hashes) are explained in
//! `README.md`.
//!
//! Every rule that must hold across servers rests on a single conditional statement per
//! change — above all [`baton_core::TokenStore::rotate`], one `UPDATE … WHERE <the rules'
//! guard> RETURNING …` — never on process memory.

#![warn(missing_docs)]

mod account_rows;
mod account_store;
mod blocking;
mod config;
mod db;
mod errors;
mod exec;
mod factor_rows;
mod factor_store;
mod migrations;
mod postgres;
mod rows;
mod schema;
mod sql;
mod sql_types;
mod sqlite;
mod store;
mod tls;
mod token_store;
mod url;
mod user_store;
mod workers;

#[cfg(feature = "testing")]
pub mod testing;

pub use config::{Backend, PoolState, SetupError, StoreConfig};
pub use store::Store;
pub use tls::TlsError;
pub use url::UrlError;
pub use workers::{WorkerPools, worker_pool_size};

/// The text of the statements the store keeps prepared, for tools that drive the very same
/// SQL without Baton (`baton-bench`'s limits). Parameters are `$1`, `$2`, … in order of first
/// use; `crates/baton-store/src/sql/rotate.rs` says what each is.
pub mod statements {
    pub use crate::sql::rotate::{POSTGRES as ROTATE_POSTGRES, SQLITE as ROTATE_SQLITE};
}
