//! [`AccountStore`] over `account_tokens`, `mail_outbox` and `users`: a token and its mail in
//! one transaction, tokens taken by one `DELETE … RETURNING`, and the outbox claimed one row
//! per statement (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so concurrent senders never wait on
//! each other or take the same mail).

use crate::account_rows::{ClaimedRow, NewMail, NewToken, TokenRow};
use crate::db::Db;
use crate::errors;
use crate::exec::{is_postgres, run};
use crate::schema::{account_tokens, login_attempts, mail_outbox, users};
use crate::sql_types::{DbTime, Id, Ts};
use crate::store::Store;
use baton_core::{
    AccountStore, AccountToken, AccountTokenHash, CreateUserError, Email, EmailChange, OutboxEntry,
    OutboxStats, PasswordHash, QueuedMail, StoreError, TokenPurpose,
};
use diesel::dsl::count_star;
use diesel::{Connection, ExpressionMethods, QueryDsl, SelectableHelper};
use diesel_async::scoped_futures::ScopedFutureExt;
use time::OffsetDateTime;
use uuid::Uuid;

/// Claims the oldest due mail (PostgreSQL): rows another sender holds locked are skipped.
const CLAIM_POSTGRES: &str = "UPDATE mail_outbox SET claimed_until = $2 WHERE id = (\
    SELECT id FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL \
    AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1) \
    ORDER BY next_attempt_at, queued_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
    RETURNING id, kind, recipient, subject, text_body, html_body, queued_at, expires_at, failures";
/// The same on SQLite, whose one writer at a time makes the sub-select safe.
const CLAIM_SQLITE: &str = "UPDATE mail_outbox SET claimed_until = ?2 WHERE id = (\
    SELECT id FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL \
    AND next_attempt_at <= ?1 AND (claimed_until IS NULL OR claimed_until <= ?1) \
    ORDER BY next_attempt_at, queued_at LIMIT 1) \
    RETURNING id, kind, recipient, subject, text_body, html_body, queued_at, expires_at, failures";

#[async_trait::async_trait]
impl AccountStore for Store {
    async fn issue_token(&self, token: &AccountToken, mail: &QueuedMail) -> Result<(), StoreError> {
        let (token, mail) = (token.clone(), mail.clone());
        match self.db() {
            Db::Postgres(pg) => {
                let (token, mail) = (&token, &mail);
                let work = crate::postgres::work(|c| {
                    async move {
                        use diesel_async::RunQueryDsl;
                        let older = account_tokens::table
                            .filter(account_tokens::user_id.eq(Id(token.user_id)))
                            .filter(account_tokens::purpose.eq(token.purpose.as_str()));
                        diesel::delete(older).execute(c).await?;
                        let row = NewToken::from(token);
                        diesel::insert_into(account_tokens::table).values(row).execute(c).await?;
                        let row = NewMail::from(mail);
                        diesel::insert_into(mail_outbox::table).values(row).execute(c).await?;
                        Ok(())
                    }
                    .scope_boxed()
                });
                pg.transaction(&work).await?.map_err(errors::query)
            }
            Db::Sqlite(lite) => {
                lite.run(move |conn| {
                    use diesel::RunQueryDsl;
                    conn.transaction(|c| {
                        let older = account_tokens::table
                            .filter(account_tokens::user_id.eq(Id(token.user_id)))
                            .filter(account_tokens::purpose.eq(token.purpose.as_str()));
                        diesel::delete(older).execute(c)?;
                        diesel::insert_into(account_tokens::table)
                            .values(NewToken::from(&token))
                            .execute(c)?;
                        diesel::insert_into(mail_outbox::table)
                            .values(NewMail::from(&mail))
                            .execute(c)?;
                        Ok(())
                    })
                })
                .await
            }
        }
    }

    async fn last_token_at(
        &self,
        user_id: Uuid,
        purpose: TokenPurpose,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        let purpose = purpose.as_str();
        let newest = run!(self, Read, |c| account_tokens::table
            .filter(account_tokens::user_id.eq(Id(user_id)))
            .filter(account_tokens::purpose.eq(purpose))
            .order(account_tokens::created_at.desc())
            .select(account_tokens::created_at)
            .first::<Ts>(c)
            .optional())?;
        Ok(newest.map(Ts::get))
    }

    async fn take_token(
        &self,
        hash: &AccountTokenHash,
    ) -> Result<Option<AccountToken>, StoreError> {
        let hash = hash.0;
        let row =
            run!(self, Write, |c| diesel::delete(account_tokens::table.find(hash.as_slice()))
                .returning(TokenRow::as_returning())
                .get_result::<TokenRow>(c)
                .optional())?;
        row.map(AccountToken::try_from).transpose()
    }

    async fn queue_mail(&self, mail: &QueuedMail) -> Result<(), StoreError> {
        let mail = mail.clone();
        run!(self, Write, |c| diesel::insert_into(mail_outbox::table)
            .values(NewMail::from(&mail))
            .execute(c))?;
        Ok(())
    }

    async fn set_password(
        &self,
        user_id: Uuid,
        hash: &PasswordHash,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (hash, at) = (hash.as_str().to_owned(), Ts::new(at));
        let updated = run!(self, Write, |c| diesel::update(users::table.find(Id(user_id)))
            .set((users::password_hash.eq(hash.as_str()), users::updated_at.eq(at)))
            .execute(c))?;
        Ok(updated == 1)
    }

    async fn mark_email_verified(
        &self,
        user_id: Uuid,
        email: &Email,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (email, at) = (email.as_str().to_owned(), Ts::new(at));
        let updated = run!(self, Write, |c| diesel::update(
            users::table.find(Id(user_id)).filter(users::email.eq(email.as_str()))
        )
        .set((users::email_verified_at.eq(Some(at)), users::updated_at.eq(at)))
        .execute(c))?;
        Ok(updated == 1)
    }

    async fn change_email(
        &self,
        user_id: Uuid,
        email: &Email,
        at: OffsetDateTime,
    ) -> Result<EmailChange, StoreError> {
        let (email, at) = (email.as_str().to_owned(), Ts::new(at));
        let update = move |email: &str| {
            diesel::update(users::table.find(Id(user_id))).set((
                users::email.eq(email.to_owned()),
                users::email_verified_at.eq(Some(at)),
                users::updated_at.eq(at),
            ))
        };
        let result = match self.db() {
            Db::Postgres(pg) => {
                use diesel_async::RunQueryDsl;
                let mut conn = pg.conn().await?;
                update(&email).execute(&mut conn).await
            }
            Db::Sqlite(lite) => {
                lite.run_raw(move |c| {
                    use diesel::RunQueryDsl;
                    update(&email).execute(c)
                })
                .await?
            }
        };
        match result.map_err(errors::create_user) {
            Ok(1) => Ok(EmailChange::Changed),
            Ok(_) => Ok(EmailChange::NoAccount),
            Err(CreateUserError::EmailTaken) => Ok(EmailChange::Taken),
            Err(CreateUserError::Store(e)) => Err(e),
        }
    }

    async fn clear_login_attempts(&self, account: &[u8; 32]) -> Result<(), StoreError> {
        let account = *account;
        run!(self, Write, |c| diesel::delete(
            login_attempts::table.filter(login_attempts::account.eq(account.as_slice()))
        )
        .execute(c))?;
        Ok(())
    }

    async fn delete_user(
        &self,
        user_id: Uuid,
        farewell: Option<&QueuedMail>,
    ) -> Result<bool, StoreError> {
        let farewell = farewell.cloned();
        match self.db() {
            Db::Postgres(pg) => {
                let farewell = &farewell;
                let work = crate::postgres::work(|c| {
                    async move {
                        use diesel_async::RunQueryDsl;
                        let deleted =
                            diesel::delete(users::table.find(Id(user_id))).execute(c).await?;
                        if let (1, Some(mail)) = (deleted, farewell) {
                            let row = NewMail::from(mail);
                            diesel::insert_into(mail_outbox::table).values(row).execute(c).await?;
                        }
                        Ok(deleted == 1)
                    }
                    .scope_boxed()
                });
                pg.transaction(&work).await?.map_err(errors::query)
            }
            Db::Sqlite(lite) => {
                lite.run(move |conn| {
                    use diesel::RunQueryDsl;
                    conn.transaction(|c| {
                        let deleted = diesel::delete(users::table.find(Id(user_id))).execute(c)?;
                        if let (1, Some(mail)) = (deleted, &farewell) {
                            diesel::insert_into(mail_outbox::table)
                                .values(NewMail::from(mail))
                                .execute(c)?;
                        }
                        Ok(deleted == 1)
                    })
                })
                .await
            }
        }
    }

    async fn claim_mail(
        &self,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Option<OutboxEntry>, StoreError> {
        let (now, until) = (Ts::new(now), Ts::new(until));
        let row = run!(self, Write, |c| diesel::sql_query(if is_postgres(c) {
            CLAIM_POSTGRES
        } else {
            CLAIM_SQLITE
        })
        .bind::<DbTime, _>(now)
        .bind::<DbTime, _>(until)
        .get_result::<ClaimedRow>(c)
        .optional())?;
        Ok(row.map(OutboxEntry::from))
    }

    async fn mail_sent(&self, id: Uuid, at: OffsetDateTime) -> Result<(), StoreError> {
        let at = Ts::new(at);
        run!(self, Write, |c| diesel::update(mail_outbox::table.find(Id(id)))
            .set((
                mail_outbox::sent_at.eq(Some(at)),
                mail_outbox::claimed_until.eq(None::<Ts>),
                mail_outbox::text_body.eq(""),
                mail_outbox::html_body.eq(""),
            ))
            .execute(c))?;
        Ok(())
    }

    async fn mail_retry(
        &self,
        id: Uuid,
        failures: u32,
        next: OffsetDateTime,
        error: &str,
    ) -> Result<(), StoreError> {
        let (next, error) = (Ts::new(next), error.to_owned());
        let failures = i32::try_from(failures).unwrap_or(i32::MAX);
        run!(self, Write, |c| diesel::update(mail_outbox::table.find(Id(id)))
            .set((
                mail_outbox::failures.eq(failures),
                mail_outbox::next_attempt_at.eq(next),
                mail_outbox::claimed_until.eq(None::<Ts>),
                mail_outbox::last_error.eq(Some(error.as_str())),
            ))
            .execute(c))?;
        Ok(())
    }

    async fn mail_failed(
        &self,
        id: Uuid,
        at: OffsetDateTime,
        error: &str,
    ) -> Result<(), StoreError> {
        let (at, error) = (Ts::new(at), error.to_owned());
        run!(self, Write, |c| diesel::update(mail_outbox::table.find(Id(id)))
            .set((
                mail_outbox::failed_at.eq(Some(at)),
                mail_outbox::claimed_until.eq(None::<Ts>),
                mail_outbox::last_error.eq(Some(error.as_str())),
                mail_outbox::text_body.eq(""),
                mail_outbox::html_body.eq(""),
            ))
            .execute(c))?;
        Ok(())
    }

    async fn outbox_stats(&self) -> Result<OutboxStats, StoreError> {
        let waiting = run!(self, Read, |c| mail_outbox::table
            .filter(mail_outbox::sent_at.is_null())
            .filter(mail_outbox::failed_at.is_null())
            .select(count_star())
            .first::<i64>(c))?;
        let oldest = run!(self, Read, |c| mail_outbox::table
            .filter(mail_outbox::sent_at.is_null())
            .filter(mail_outbox::failed_at.is_null())
            .order(mail_outbox::queued_at.asc())
            .select(mail_outbox::queued_at)
            .first::<Ts>(c)
            .optional())?;
        let sent = run!(self, Read, |c| mail_outbox::table
            .filter(mail_outbox::sent_at.is_not_null())
            .select(count_star())
            .first::<i64>(c))?;
        let failed = run!(self, Read, |c| mail_outbox::table
            .filter(mail_outbox::failed_at.is_not_null())
            .select(count_star())
            .first::<i64>(c))?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(OutboxStats {
            waiting: n(waiting),
            oldest_waiting_since: oldest.map(Ts::get),
            sent: n(sent),
            failed: n(failed),
        })
    }
}
