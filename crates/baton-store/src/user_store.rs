//! [`UserStore`] over the `users` table: one statement per call, counters updated in SQL so
//! concurrent servers never lose an increment.
//!
//! `updated_at` means "last change to the account's own data" (SPEC §2 shows it to the user),
//! so enabling or disabling the account sets it, while the lockout bookkeeping (failure count,
//! lock) leaves it alone: an attacker's failed logins should not change what the owner sees,
//! and the core returns the user after a successful login without a new `updated_at`.

use crate::rows::{NewUser, UserRow};
use crate::schema::users;
use crate::sql_types::{Id, Ts};
use crate::store::Store;
use baton_core::{Email, StoreError, User, UserStore};
use diesel::prelude::*;
use time::OffsetDateTime;
use uuid::Uuid;

impl UserStore for Store {
    fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let row = NewUser::of(user)?;
        self.run(|conn| diesel::insert_into(users::table).values(&row).execute(conn))?;
        Ok(())
    }

    fn find_user(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        let row = self.run(|conn| {
            users::table.find(Id(id)).select(UserRow::as_select()).first(conn).optional()
        })?;
        row.map(User::try_from).transpose()
    }

    fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let row = self.run(|conn| {
            users::table
                .filter(users::email.eq(email.as_str()))
                .select(UserRow::as_select())
                .first(conn)
                .optional()
        })?;
        row.map(User::try_from).transpose()
    }

    fn record_login_failure(&self, id: Uuid, _at: OffsetDateTime) -> Result<u32, StoreError> {
        let count = self.run(|conn| {
            diesel::update(users::table.find(Id(id)))
                .set(users::failed_logins.eq(users::failed_logins + 1))
                .returning(users::failed_logins)
                .get_result::<i32>(conn)
                .optional()
        })?;
        let count = count.unwrap_or(0);
        u32::try_from(count).map_err(|_| StoreError::Backend(format!("failed_logins is {count}")))
    }

    fn lock_user(
        &self,
        id: Uuid,
        until: OffsetDateTime,
        _at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.run(|conn| {
            diesel::update(users::table.find(Id(id)))
                .set((users::locked_until.eq(Some(Ts::new(until))), users::failed_logins.eq(0)))
                .execute(conn)
        })?;
        Ok(())
    }

    fn clear_login_failures(&self, id: Uuid, _at: OffsetDateTime) -> Result<(), StoreError> {
        self.run(|conn| {
            diesel::update(users::table.find(Id(id)))
                .set((users::locked_until.eq(None::<Ts>), users::failed_logins.eq(0)))
                .execute(conn)
        })?;
        Ok(())
    }

    fn set_disabled(
        &self,
        id: Uuid,
        disabled_at: Option<OffsetDateTime>,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let updated = self.run(|conn| {
            diesel::update(users::table.find(Id(id)))
                .set((
                    users::disabled_at.eq(disabled_at.map(Ts::new)),
                    users::updated_at.eq(Ts::new(at)),
                ))
                .execute(conn)
        })?;
        Ok(updated == 1)
    }
}
