//! [`UserStore`] over the `users`, `login_attempts` and `address_attempts` tables: one
//! statement per change, counters updated in SQL so concurrent servers never lose one.
//!
//! `updated_at` means "last change to the account's own data" (it is shown to the user), so
//! enabling or disabling the account sets it, while failed logins leave it alone: an
//! attacker's attempts should not change what the owner sees.

use crate::db::Db;
use crate::errors;
use crate::exec::run;
use crate::rows::{NewSession, NewUser, UserRow};
use crate::schema::{address_attempts, login_attempts, sessions, users};
use crate::sql::attempts::{self, Counted};
use crate::sql_types::{Id, Ts};
use crate::store::Store;
use baton_core::{
    CreateUserError, Email, LoginKey, LoginLimits, Reservation, Session, StoreError, User,
    UserStore,
};
use diesel::{BoolExpressionMethods, Connection, ExpressionMethods, QueryDsl, SelectableHelper};
use diesel_async::scoped_futures::ScopedFutureExt;
use time::OffsetDateTime;
use uuid::Uuid;

#[async_trait::async_trait]
impl UserStore for Store {
    async fn create_user(
        &self,
        user: &User,
        first_session: Option<&Session>,
    ) -> Result<(), CreateUserError> {
        // One transaction: a session that cannot be stored takes the account with it, so a
        // retry of the registration is not told the email is taken.
        let (user, session) = (user.clone(), first_session.cloned());
        match self.db() {
            Db::Postgres(pg) => {
                let (user, session) = (&user, &session);
                let work = crate::postgres::work(|c| {
                    async move {
                        use diesel_async::RunQueryDsl;
                        diesel::insert_into(users::table)
                            .values(NewUser::from(user))
                            .execute(c)
                            .await?;
                        if let Some(session) = session {
                            let row = NewSession::from(session);
                            diesel::insert_into(sessions::table).values(row).execute(c).await?;
                        }
                        Ok(())
                    }
                    .scope_boxed()
                });
                pg.transaction(&work).await?.map_err(errors::create_user)
            }
            Db::Sqlite(lite) => lite
                .run_raw(move |conn| {
                    use diesel::RunQueryDsl;
                    conn.transaction(|c| {
                        diesel::insert_into(users::table)
                            .values(NewUser::from(&user))
                            .execute(c)?;
                        if let Some(session) = &session {
                            diesel::insert_into(sessions::table)
                                .values(NewSession::from(session))
                                .execute(c)?;
                        }
                        Ok(())
                    })
                })
                .await?
                .map_err(errors::create_user),
        }
    }

    async fn find_user(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        let row = run!(self, Read, |c| users::table
            .find(Id(id))
            .select(UserRow::as_select())
            .first::<UserRow>(c)
            .optional())?;
        Ok(row.map(User::from))
    }

    async fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let email = email.as_str().to_owned();
        let row = run!(self, Read, |c| users::table
            .filter(users::email.eq(email.as_str()))
            .select(UserRow::as_select())
            .first::<UserRow>(c)
            .optional())?;
        Ok(row.map(User::from))
    }

    async fn reserve_login_attempt(
        &self,
        key: &LoginKey,
        now: OffsetDateTime,
        limits: &LoginLimits,
    ) -> Result<Reservation, StoreError> {
        let (account, address, limits) = (*key.account(), key.address().to_owned(), *limits);
        if limits.address_max > 0 {
            let counted = run!(self, Write, clone(address), |c| attempts::count_address(
                &address,
                limits.address_max,
                limits.lock_until,
                now,
            )
            .get_result::<Counted>(c)
            .optional())?;
            if counted.is_none() {
                let until = run!(self, Read, clone(address), |c| address_attempts::table
                    .find(address.as_str())
                    .select(address_attempts::window_ends)
                    .first::<Ts>(c)
                    .optional())?;
                return Ok(Reservation::AddressLocked { until: until.map_or(now, Ts::get) });
            }
        }
        if limits.account_max > 0 {
            let counted = run!(self, Write, clone(address), |c| attempts::count_pair(
                &account,
                &address,
                limits.account_max,
                limits.lock_until,
                now,
                limits.stale_before,
            )
            .get_result::<Counted>(c)
            .optional())?;
            if counted.is_none() {
                if limits.address_max > 0 {
                    self.give_back(&address).await?;
                }
                let until = run!(self, Read, clone(address), |c| login_attempts::table
                    .find((account.as_slice(), address.as_str()))
                    .select(login_attempts::locked_until)
                    .first::<Option<Ts>>(c)
                    .optional())?;
                let until = until.flatten().map_or(now, Ts::get);
                return Ok(Reservation::AccountLocked { until });
            }
        }
        Ok(Reservation::Granted)
    }

    async fn release_login_attempt(&self, key: &LoginKey) -> Result<(), StoreError> {
        let (account, address) = (*key.account(), key.address().to_owned());
        run!(self, Write, clone(address), |c| diesel::delete(
            login_attempts::table.find((account.as_slice(), address.as_str()))
        )
        .execute(c))?;
        self.give_back(&address).await
    }

    async fn set_disabled(
        &self,
        id: Uuid,
        disabled_at: Option<OffsetDateTime>,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (disabled_at, at) = (disabled_at.map(Ts::new), Ts::new(at));
        let updated = run!(self, Write, |c| diesel::update(users::table.find(Id(id)))
            .set((users::disabled_at.eq(disabled_at), users::updated_at.eq(at)))
            .execute(c))?;
        Ok(updated == 1)
    }

    async fn purge_login_attempts(
        &self,
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let (now, stale_before) = (Ts::new(now), Ts::new(stale_before));
        let windows = run!(self, Write, |c| diesel::delete(
            address_attempts::table.filter(address_attempts::window_ends.le(now))
        )
        .execute(c))?;
        let pairs = run!(self, Write, |c| diesel::delete(
            login_attempts::table
                .filter(
                    login_attempts::locked_until.is_null().or(login_attempts::locked_until.le(now))
                )
                .filter(login_attempts::last_attempt_at.le(stale_before)),
        )
        .execute(c))?;
        Ok((windows + pairs) as u64)
    }
}

impl Store {
    /// Takes one attempt back from an address's count, never below zero.
    async fn give_back(&self, address: &str) -> Result<(), StoreError> {
        let address = address.to_owned();
        run!(self, Write, |c| diesel::update(
            address_attempts::table
                .filter(address_attempts::client_addr.eq(address.as_str()))
                .filter(address_attempts::failures.gt(0)),
        )
        .set(address_attempts::failures.eq(address_attempts::failures - 1))
        .execute(c))?;
        Ok(())
    }
}
