//! The storage contract, on both backends: the port-level suite written once in
//! `baton_core::testing::contract` (the in-memory fake of the core's tests runs the same one),
//! plus what only a database has (connections, migrations, what lands on disk, TLS, a
//! restart). Test names carry the backend: `postgres::races::refresh_race_strict_revokes_once`,
//! `sqlite::sessions::…`; `cargo test -p baton-store sqlite::` runs one side.
//!
//! PostgreSQL runs the whole suite three times: at its default `READ COMMITTED`, and with the
//! database's `default_transaction_isolation` at `REPEATABLE READ` and at `SERIALIZABLE`
//! (SPEC §8), where the races meet serialization failures that the adapter must retry.
//!
//! PostgreSQL tests need `TEST_DATABASE_URL`; `scripts/with-postgres.sh` provides a server.

mod connect;
mod isolation;
mod operations;
mod restart;
mod runtimes;
mod support;
mod tls;

mod sqlite {
    baton_core::store_contract!(crate::support::Db::sqlite().await.subject());

    mod database {
        crate::operations::tests!(crate::support::Db::sqlite().await);
    }
}

mod postgres {
    baton_core::store_contract!(crate::support::Db::postgres().await.subject());

    mod database {
        crate::operations::tests!(crate::support::Db::postgres().await);
    }
}

mod postgres_repeatable_read {
    baton_core::store_contract!(
        crate::support::Db::postgres_at(baton_store::testing::Isolation::RepeatableRead)
            .await
            .subject()
    );
}

mod postgres_serializable {
    baton_core::store_contract!(
        crate::support::Db::postgres_at(baton_store::testing::Isolation::Serializable)
            .await
            .subject()
    );
}
