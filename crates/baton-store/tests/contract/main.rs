//! The storage contract, on both backends: the port-level suite written once in
//! `baton_core::testing::contract` (the in-memory fake of the core's tests runs the same one),
//! plus what only a database has (connections, migrations, what lands on disk). Test names
//! carry the backend: `postgres::races::refresh_race_strict_revokes_once`,
//! `sqlite::sessions::…`; `cargo test -p baton-store sqlite::` runs one side.
//!
//! PostgreSQL tests need `TEST_DATABASE_URL`; `scripts/with-postgres.sh` provides a server.

mod connect;
mod operations;
mod support;

mod sqlite {
    baton_core::store_contract!(crate::support::Db::sqlite().subject());

    mod database {
        crate::operations::tests!(crate::support::Db::sqlite());
    }
}

mod postgres {
    baton_core::store_contract!(crate::support::Db::postgres().subject());

    mod database {
        crate::operations::tests!(crate::support::Db::postgres());
    }
}
