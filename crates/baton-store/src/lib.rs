//! Baton's storage adapter: [`baton_core::UserStore`] and [`baton_core::TokenStore`] over
//! diesel and an r2d2 pool, for PostgreSQL (production, many servers on one database) and an
//! embedded SQLite file (the zero-setup default).
//!
//! The backend is chosen by the URL's scheme alone. Queries are written once against a
//! diesel `MultiConnection` enum, so both backends run the same statements and are held to
//! the same contract suite (`baton_core::testing::contract`, run by `tests/contract`); the two
//! hot statements run on the concrete connection. Representation choices (UUIDs, instants,
//! hashes) are explained in `README.md`.
//!
//! Every rule that must hold across servers rests on a single conditional statement per
//! change — above all [`baton_core::TokenStore::rotate`], one `UPDATE … WHERE <the rules'
//! guard> RETURNING …` — never on process memory.

#![warn(missing_docs)]

mod connection;
mod errors;
mod migrations;
mod rows;
mod schema;
mod sql;
mod sql_types;
mod store;
mod token_store;
mod url;
mod user_store;

#[cfg(feature = "testing")]
pub mod testing;

pub use store::{Backend, PoolState, SetupError, Store, StoreConfig};
pub use url::UrlError;

/// The text of the statements the store keeps prepared, for tools that drive the very same
/// SQL without Baton (`baton-bench`'s limits). Parameters are `$1`, `$2`, … in order of first
/// use; `crates/baton-store/src/sql/rotate.rs` says what each is.
pub mod statements {
    pub use crate::sql::rotate::{POSTGRES as ROTATE_POSTGRES, SQLITE as ROTATE_SQLITE};
}
