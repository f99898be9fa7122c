//! A fresh store per test, on SQLite or PostgreSQL (at a given isolation level), as the
//! contract suite's subject.

use std::sync::Arc;

use baton_core::testing::FakeIssuer;
use baton_core::testing::contract::StoreSubject;
use baton_store::testing::{self, Isolation, PgDatabase, TempDirGuard};
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
    pub async fn sqlite() -> Self {
        let (url, dir) = testing::sqlite_url();
        let store = Store::connect(&testing::config(url)).await.expect("connect to SQLite");
        assert_eq!(store.backend(), Backend::Sqlite);
        Self { store, keep: Keep::Dir(dir) }
    }

    /// A fresh database on the test PostgreSQL server, at its default isolation level.
    pub async fn postgres() -> Self {
        Self::postgres_at(Isolation::ReadCommitted).await
    }

    /// A fresh database on the test PostgreSQL server whose transactions run at `level`.
    pub async fn postgres_at(level: Isolation) -> Self {
        let db = testing::postgres_database_at(level);
        let store = Store::connect(&testing::config(db.url().to_owned()))
            .await
            .expect("connect to PostgreSQL");
        assert_eq!(store.backend(), Backend::Postgres);
        Self { store, keep: Keep::Pg(db) }
    }

    /// The contract suite's subject. The use-case-level tests sign with the core's fake
    /// issuer, which passes the same issuer contract as the JWT adapter (so this crate needs
    /// no other adapter). The peer (another server's handle) is a pool of its own on the same
    /// database.
    pub fn subject(self) -> StoreSubject {
        let peer = self.store.with_own_pool(4).expect("a second pool");
        let subject =
            StoreSubject::new(Arc::new(self.store.clone()), Arc::new(FakeIssuer::new("contract")))
                .with_peer(Arc::new(peer));
        match self.keep {
            Keep::Dir(dir) => subject.holding((self.store, dir)),
            Keep::Pg(db) => subject.holding((self.store, db)),
        }
    }
}
