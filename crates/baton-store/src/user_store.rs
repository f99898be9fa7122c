//! [`UserStore`] over the `users`, `login_attempts` and `address_attempts` tables: one
//! statement per change, counters updated in SQL so concurrent servers never lose one.
//!
//! `updated_at` means "last change to the account's own data" (it is shown to the user), so
//! enabling or disabling the account sets it, while failed logins leave it alone: an
//! attacker's attempts should not change what the owner sees.

use crate::errors;
use crate::rows::{NewSession, NewUser, UserRow};
use crate::schema::{address_attempts, login_attempts, sessions, users};
use crate::sql::attempts;
use crate::sql_types::{Id, Ts};
use crate::store::Store;
use baton_core::{
    CreateUserError, Email, LoginKey, LoginLimits, Reservation, Session, StoreError, User,
    UserStore,
};
use diesel::prelude::*;
use time::OffsetDateTime;
use uuid::Uuid;

impl UserStore for Store {
    fn create_user(
        &self,
        user: &User,
        first_session: Option<&Session>,
    ) -> Result<(), CreateUserError> {
        let row = NewUser::from(user);
        let session = first_session.map(NewSession::from);
        // One transaction: a session that cannot be stored takes the account with it, so a
        // retry of the registration is not told the email is taken.
        let mut conn = self.conn()?;
        conn.transaction(|conn| {
            diesel::insert_into(users::table).values(&row).execute(conn)?;
            if let Some(session) = &session {
                diesel::insert_into(sessions::table).values(session).execute(conn)?;
            }
            Ok(())
        })
        .map_err(errors::create_user)
    }

    fn find_user(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        let row = self.read(|conn| {
            users::table.find(Id(id)).select(UserRow::as_select()).first(conn).optional()
        })?;
        Ok(row.map(User::from))
    }

    fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let row = self.read(|conn| {
            users::table
                .filter(users::email.eq(email.as_str()))
                .select(UserRow::as_select())
                .first(conn)
                .optional()
        })?;
        Ok(row.map(User::from))
    }

    fn reserve_login_attempt(
        &self,
        key: &LoginKey,
        now: OffsetDateTime,
        limits: &LoginLimits,
    ) -> Result<Reservation, StoreError> {
        let address = key.address();
        if limits.address_max > 0 {
            let counted = self.write(|conn| {
                attempts::count_address(conn, address, limits.address_max, limits.lock_until, now)
            })?;
            if !counted {
                let until = self.read(|conn| {
                    address_attempts::table
                        .find(address)
                        .select(address_attempts::window_ends)
                        .first::<Ts>(conn)
                        .optional()
                })?;
                return Ok(Reservation::AddressLocked { until: until.map_or(now, Ts::get) });
            }
        }
        if limits.account_max > 0 {
            let counted = self.write(|conn| {
                attempts::count_pair(
                    conn,
                    key.account(),
                    address,
                    limits.account_max,
                    limits.lock_until,
                    now,
                    limits.stale_before,
                )
            })?;
            if !counted {
                if limits.address_max > 0 {
                    self.write(|conn| give_back(conn, address))?;
                }
                let until = self.read(|conn| {
                    login_attempts::table
                        .find((key.account().as_slice(), address))
                        .select(login_attempts::locked_until)
                        .first::<Option<Ts>>(conn)
                        .optional()
                })?;
                let until = until.flatten().map_or(now, Ts::get);
                return Ok(Reservation::AccountLocked { until });
            }
        }
        Ok(Reservation::Granted)
    }

    fn release_login_attempt(&self, key: &LoginKey) -> Result<(), StoreError> {
        let (account, address) = (key.account().as_slice(), key.address());
        self.write(|conn| {
            diesel::delete(login_attempts::table.find((account, address))).execute(conn)
        })?;
        self.write(|conn| give_back(conn, address))?;
        Ok(())
    }

    fn set_disabled(
        &self,
        id: Uuid,
        disabled_at: Option<OffsetDateTime>,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let updated = self.write(|conn| {
            diesel::update(users::table.find(Id(id)))
                .set((
                    users::disabled_at.eq(disabled_at.map(Ts::new)),
                    users::updated_at.eq(Ts::new(at)),
                ))
                .execute(conn)
        })?;
        Ok(updated == 1)
    }

    fn purge_login_attempts(
        &self,
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let (now, stale_before) = (Ts::new(now), Ts::new(stale_before));
        let windows = self.write(|conn| {
            diesel::delete(address_attempts::table.filter(address_attempts::window_ends.le(now)))
                .execute(conn)
        })?;
        let pairs = self.write(|conn| {
            diesel::delete(
                login_attempts::table
                    .filter(
                        login_attempts::locked_until
                            .is_null()
                            .or(login_attempts::locked_until.le(now)),
                    )
                    .filter(login_attempts::last_attempt_at.le(stale_before)),
            )
            .execute(conn)
        })?;
        Ok((windows + pairs) as u64)
    }
}

/// Takes one attempt back from an address's count, never below zero.
fn give_back(conn: &mut crate::connection::AnyConnection, address: &str) -> QueryResult<usize> {
    diesel::update(
        address_attempts::table
            .filter(address_attempts::client_addr.eq(address))
            .filter(address_attempts::failures.gt(0)),
    )
    .set(address_attempts::failures.eq(address_attempts::failures - 1))
    .execute(conn)
}
