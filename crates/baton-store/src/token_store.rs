//! [`TokenStore`] over the `sessions` table.
//!
//! Every state change is a single statement whose `WHERE` clause carries its precondition,
//! so the database's row lock (PostgreSQL) or write lock (SQLite) makes each one atomic
//! across any number of servers without transactions spanning round trips. Every statement
//! takes its instants as bound parameters and touches one session or one user's sessions
//! (purge aside). The two hot statements — the rotation and the access check's look-up — stay
//! prepared on each connection.

use crate::exec::{is_postgres, run};
use crate::rows::{NewSession, RotatedRow, SessionRow, UserRow};
use crate::schema::{sessions, users};
use crate::sql::rotate;
use crate::sql_types::{Id, Ts};
use crate::store::Store;
use baton_core::{RevokeReason, Rotation, Session, StoreError, TokenStore, User};
use diesel::{
    BoolExpressionMethods, ExpressionMethods, NullableExpressionMethods, QueryDsl, SelectableHelper,
};
use time::OffsetDateTime;
use uuid::Uuid;

#[async_trait::async_trait]
impl TokenStore for Store {
    async fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        let session = session.clone();
        run!(self, Write, |c| diesel::insert_into(sessions::table)
            .values(NewSession::from(&session))
            .execute(c))?;
        Ok(())
    }

    async fn find_session(&self, id: Uuid) -> Result<Option<(Session, User)>, StoreError> {
        // The access check's look-up: the session joined with its owner, by primary key.
        let row = run!(self, Read, |c| sessions::table
            .inner_join(users::table)
            .filter(sessions::id.eq(Id(id)))
            .select((SessionRow::as_select(), UserRow::as_select()))
            .first::<(SessionRow, UserRow)>(c)
            .optional())?;
        row.map(|(s, u)| Ok((Session::try_from(s)?, User::from(u)))).transpose()
    }

    async fn rotate(&self, rotation: &Rotation) -> Result<Option<(Session, User)>, StoreError> {
        let r = rotation.clone();
        let row = run!(self, Write, |c| rotate::statement(is_postgres(c), &r)
            .get_result::<RotatedRow>(c)
            .optional())?;
        row.map(<(Session, User)>::try_from).transpose()
    }

    async fn revoke_session(
        &self,
        id: Uuid,
        reason: RevokeReason,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (at, reason) = (Ts::new(at), reason.as_str());
        let revoked = run!(self, Write, |c| diesel::update(
            sessions::table.filter(sessions::id.eq(Id(id))).filter(sessions::revoked_at.is_null()),
        )
        .set((sessions::revoked_at.eq(Some(at)), sessions::revoke_reason.eq(Some(reason))))
        .execute(c))?;
        Ok(revoked == 1)
    }

    async fn revoke_user_sessions(
        &self,
        user_id: Uuid,
        except: Option<Uuid>,
        reason: RevokeReason,
        at: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let (at, reason) = (Ts::new(at), reason.as_str());
        // No session has the nil id, so "all but nil" is "all".
        let keep = Id(except.unwrap_or(Uuid::nil()));
        let revoked = run!(self, Write, |c| diesel::update(sessions::table)
            .set((sessions::revoked_at.eq(Some(at)), sessions::revoke_reason.eq(Some(reason))))
            .filter(sessions::user_id.eq(Id(user_id)))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::id.ne(keep))
            .execute(c))?;
        Ok(revoked as u64)
    }

    async fn unrevoked_sessions(&self, user_id: Uuid) -> Result<Vec<Session>, StoreError> {
        let rows = run!(self, Read, |c| sessions::table
            .filter(sessions::user_id.eq(Id(user_id)))
            .filter(sessions::revoked_at.is_null())
            .select(SessionRow::as_select())
            .load::<SessionRow>(c))?;
        rows.into_iter().map(Session::try_from).collect()
    }

    async fn purge(
        &self,
        revoked_before: OffsetDateTime,
        expired_before: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let (revoked_before, expired_before) = (Ts::new(revoked_before), Ts::new(expired_before));
        let deleted = run!(self, Write, |c| diesel::delete(
            sessions::table.filter(
                sessions::revoked_at
                    .le(revoked_before)
                    .or(sessions::expires_at.le(expired_before).nullable())
                    .or(sessions::absolute_expires_at.le(expired_before).nullable()),
            ),
        )
        .execute(c))?;
        Ok(deleted as u64)
    }
}
