//! The statements that are written as SQL text rather than with diesel's query builder:
//! the rotation (an `UPDATE … FROM users … RETURNING` both rows, which the builder cannot
//! express) and the login-attempt upserts (`INSERT … ON CONFLICT DO UPDATE … WHERE …
//! RETURNING`). Each stays prepared on every connection that runs it (see [`KeepPrepared`]),
//! and each builder returns one statement that both backends run (`crate::exec::Loads`). Placeholders are `$1`, `$2`, … in order of first use, which PostgreSQL
//! reads by number and SQLite by first appearance, so one text serves both where the SQL
//! itself agrees.

pub(crate) mod attempts;
pub(crate) mod rotate;

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::{QueryResult, RunQueryDsl};

/// Marks a statement of fixed text as safe to keep prepared, under a type of its own as the
/// cache key. Diesel never caches `UPDATE` statements (their `SET` list may vary) nor raw SQL,
/// so without this the rotation is parsed and planned by PostgreSQL on every refresh.
pub(crate) struct KeepPrepared<Q, Marker>(
    pub(crate) Q,
    pub(crate) std::marker::PhantomData<Marker>,
);

impl<Q, Marker> KeepPrepared<Q, Marker> {
    /// Wraps `query`, cached under `Marker`.
    pub(crate) fn new(query: Q) -> Self {
        Self(query, std::marker::PhantomData)
    }
}

impl<Q, Marker: 'static> QueryId for KeepPrepared<Q, Marker> {
    type QueryId = Marker;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<Q, Marker, DB> QueryFragment<DB> for KeepPrepared<Q, Marker>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &DB) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q: Query, Marker> Query for KeepPrepared<Q, Marker> {
    type SqlType = Q::SqlType;
}

impl<Q, Marker, Conn> RunQueryDsl<Conn> for KeepPrepared<Q, Marker> {}
