//! A fresh store per test, on SQLite or PostgreSQL, as the contract suite's subject.

use std::sync::Arc;

use baton_core::testing::FakeIssuer;
use baton_core::testing::contract::StoreSubject;
use baton_store::testing::{self, PgDatabase, TempDirGuard};
use baton_store::{Backend, Store};

/// A store on its own fresh database; the database (SQLite file or PostgreSQL database) goes
/// away with it.
pub struct Db {
    pub store: Store,
    keep: Keep,
}

enum Keep {
    Dir(TempDirGuard),
    Pg(PgDatabase),
}

impl Db {
    /// A fresh SQLite file in a temporary directory.
    pub fn sqlite() -> Self {
        let (url, dir) = testing::sqlite_url();
        let store = Store::connect(&testing::config(url)).expect("connect to SQLite");
        assert_eq!(store.backend(), Backend::Sqlite);
        Self { store, keep: Keep::Dir(dir) }
    }

    /// A fresh database on the test PostgreSQL server.
    pub fn postgres() -> Self {
        let db = testing::postgres_database();
        let store =
            Store::connect(&testing::config(db.url().to_owned())).expect("connect to PostgreSQL");
        assert_eq!(store.backend(), Backend::Postgres);
        Self { store, keep: Keep::Pg(db) }
    }

    /// The contract suite's subject. The use-case-level tests sign with the core's fake
    /// issuer, which passes the same issuer contract as the JWT adapter (so this crate needs
    /// no other adapter).
    pub fn subject(self) -> StoreSubject {
        let subject =
            StoreSubject::new(Arc::new(self.store.clone()), Arc::new(FakeIssuer::new("contract")));
        match self.keep {
            Keep::Dir(dir) => subject.holding((self.store, dir)),
            Keep::Pg(db) => subject.holding((self.store, db)),
        }
    }
}
