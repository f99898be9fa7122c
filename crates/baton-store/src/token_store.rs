//! [`TokenStore`] over the `sessions` table.
//!
//! Every state change is a single statement whose `WHERE` clause carries its precondition,
//! so the database's row lock (PostgreSQL) or write lock (SQLite) makes each one atomic
//! across any number of servers without transactions spanning round trips.

use crate::connection::AnyConnection;
use crate::rows::{NewSession, SessionRow, UserRow};
use crate::schema::{sessions, users};
use crate::sql_types::{Id, Ts};
use crate::store::Store;
use baton_core::{RevokeReason, Rotation, Session, StoreError, TokenStore, User};
use diesel::prelude::*;
use time::OffsetDateTime;
use uuid::Uuid;

/// Marks a statement of fixed shape as safe to keep prepared. Diesel never caches `UPDATE`
/// statements (their `SET` list may vary), so without this the rotation is parsed and
/// planned by PostgreSQL on every refresh, and its SQL text rebuilt by diesel.
pub(crate) struct KeepPrepared<Q, Marker>(Q, std::marker::PhantomData<Marker>);

impl<Q, Marker: 'static> diesel::query_builder::QueryId for KeepPrepared<Q, Marker> {
    type QueryId = Marker;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<Q, Marker, DB> diesel::query_builder::QueryFragment<DB> for KeepPrepared<Q, Marker>
where
    DB: diesel::backend::Backend,
    Q: diesel::query_builder::QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, pass: diesel::query_builder::AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &DB) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q: diesel::query_builder::Query, Marker> diesel::query_builder::Query
    for KeepPrepared<Q, Marker>
{
    type SqlType = Q::SqlType;
}

impl<Q, Marker, Conn> RunQueryDsl<Conn> for KeepPrepared<Q, Marker> {}

/// Statement-cache key of [`rotate_row`].
pub(crate) struct RotateStatement;

/// The rotation compare-and-swap, as one conditional `UPDATE … RETURNING`:
///
/// ```sql
/// UPDATE sessions SET refresh_hash = $new, generation = generation + 1,
///        rotated_at = $at, last_used_at = $at, expires_at = $exp
///  WHERE id = $sid AND generation = $gen AND refresh_hash = $old AND revoked_at IS NULL
/// RETURNING *
/// ```
///
/// Concurrent callers with the same guard queue on the row; the first changes `generation`,
/// so the guard no longer matches for the rest and they get no row. Public to the crate (and
/// to the `testing` hook) so a test can run it inside a transaction that then rolls back.
pub(crate) fn rotate_row(
    conn: &mut AnyConnection,
    r: &Rotation,
) -> QueryResult<Option<SessionRow>> {
    let at = Ts::new(r.rotated_at);
    let update = diesel::update(
        sessions::table
            .filter(sessions::id.eq(Id(r.session_id)))
            .filter(sessions::generation.eq(r.expected_generation))
            .filter(sessions::refresh_hash.eq(r.expected_hash.as_bytes().as_slice()))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::refresh_hash.eq(r.new_hash.as_bytes().as_slice()),
        sessions::generation.eq(sessions::generation + 1),
        sessions::rotated_at.eq(at),
        sessions::last_used_at.eq(at),
        sessions::expires_at.eq(Ts::new(r.expires_at)),
    ))
    .returning(sessions::all_columns);
    KeepPrepared::<_, RotateStatement>(update, std::marker::PhantomData)
        .get_result::<SessionRow>(conn)
        .optional()
}

impl TokenStore for Store {
    fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        let row = NewSession::from(session);
        self.run(|conn| diesel::insert_into(sessions::table).values(&row).execute(conn))?;
        Ok(())
    }

    fn find_session(&self, id: Uuid) -> Result<Option<(Session, User)>, StoreError> {
        let row = self.run(|conn| {
            sessions::table
                .inner_join(users::table)
                .filter(sessions::id.eq(Id(id)))
                .select((SessionRow::as_select(), UserRow::as_select()))
                .first::<(SessionRow, UserRow)>(conn)
                .optional()
        })?;
        row.map(|(s, u)| Ok((Session::try_from(s)?, User::try_from(u)?))).transpose()
    }

    fn rotate(&self, rotation: &Rotation) -> Result<Option<Session>, StoreError> {
        let row = self.run(|conn| rotate_row(conn, rotation))?;
        row.map(Session::try_from).transpose()
    }

    fn revoke_session(
        &self,
        id: Uuid,
        reason: RevokeReason,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let revoked = self.run(|conn| {
            diesel::update(
                sessions::table
                    .filter(sessions::id.eq(Id(id)))
                    .filter(sessions::revoked_at.is_null()),
            )
            .set((
                sessions::revoked_at.eq(Some(Ts::new(at))),
                sessions::revoke_reason.eq(Some(reason.as_str())),
            ))
            .execute(conn)
        })?;
        Ok(revoked == 1)
    }

    fn revoke_user_sessions(
        &self,
        user_id: Uuid,
        except: Option<Uuid>,
        reason: RevokeReason,
        at: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let revoked = self.run(|conn| {
            let mut update = diesel::update(sessions::table)
                .set((
                    sessions::revoked_at.eq(Some(Ts::new(at))),
                    sessions::revoke_reason.eq(Some(reason.as_str())),
                ))
                .filter(sessions::user_id.eq(Id(user_id)))
                .filter(sessions::revoked_at.is_null())
                .into_boxed();
            if let Some(keep) = except {
                update = update.filter(sessions::id.ne(Id(keep)));
            }
            update.execute(conn)
        })?;
        Ok(revoked as u64)
    }

    fn unrevoked_sessions(&self, user_id: Uuid) -> Result<Vec<Session>, StoreError> {
        let rows = self.run(|conn| {
            sessions::table
                .filter(sessions::user_id.eq(Id(user_id)))
                .filter(sessions::revoked_at.is_null())
                .select(SessionRow::as_select())
                .load(conn)
        })?;
        rows.into_iter().map(Session::try_from).collect()
    }

    fn purge(
        &self,
        revoked_before: OffsetDateTime,
        expired_before: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let (revoked_before, expired_before) = (Ts::new(revoked_before), Ts::new(expired_before));
        let deleted = self.run(|conn| {
            diesel::delete(
                sessions::table.filter(
                    sessions::revoked_at
                        .le(revoked_before)
                        .or(sessions::expires_at.le(expired_before).nullable())
                        .or(sessions::absolute_expires_at.le(expired_before).nullable()),
                ),
            )
            .execute(conn)
        })?;
        Ok(deleted as u64)
    }
}
