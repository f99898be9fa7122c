//! [`TokenStore`] over the `sessions` table.
//!
//! Every state change is a single statement whose `WHERE` clause carries its precondition,
//! so the database's row lock (PostgreSQL) or write lock (SQLite) makes each one atomic
//! across any number of servers without transactions spanning round trips. The two hot
//! statements — the rotation and the access check's look-up — run on the concrete
//! connection and stay prepared.

use crate::connection::{AnyConnection, on_backend};
use crate::rows::{NewSession, SessionRow, UserRow};
use crate::schema::{sessions, users};
use crate::sql::rotate;
use crate::sql_types::{Id, Ts};
use crate::store::Store;
use baton_core::{RevokeReason, Rotation, Session, StoreError, TokenStore, User};
use diesel::prelude::*;
use time::OffsetDateTime;
use uuid::Uuid;

/// The access check's look-up: the session joined with its owner, by primary key.
fn find_row(conn: &mut AnyConnection, id: Uuid) -> QueryResult<Option<(SessionRow, UserRow)>> {
    // Built inside each arm: the selection is typed by its backend.
    on_backend!(conn, |c| sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(Id(id)))
        .select((SessionRow::as_select(), UserRow::as_select()))
        .first::<(SessionRow, UserRow)>(c)
        .optional())
}

impl TokenStore for Store {
    fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        let row = NewSession::from(session);
        self.write(|conn| diesel::insert_into(sessions::table).values(&row).execute(conn))?;
        Ok(())
    }

    fn find_session(&self, id: Uuid) -> Result<Option<(Session, User)>, StoreError> {
        let row = self.read(|conn| find_row(conn, id))?;
        row.map(|(s, u)| Ok((Session::try_from(s)?, User::from(u)))).transpose()
    }

    fn rotate(&self, rotation: &Rotation) -> Result<Option<(Session, User)>, StoreError> {
        let row = self.write(|conn| rotate::run(conn, rotation))?;
        row.map(<(Session, User)>::try_from).transpose()
    }

    fn revoke_session(
        &self,
        id: Uuid,
        reason: RevokeReason,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let revoked = self.write(|conn| {
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
        let revoked = self.write(|conn| {
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
        let rows = self.read(|conn| {
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
        let deleted = self.write(|conn| {
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
