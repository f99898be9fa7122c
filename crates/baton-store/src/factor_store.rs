//! [`FactorStore`] over `totp_factors`, `recovery_codes`, `passkeys` and `mfa_challenges`.
//!
//! What decides a race is one conditional statement: accepting a TOTP step is an `UPDATE`
//! whose `WHERE` demands a later step, using a recovery code is a `DELETE`, taking a
//! challenge a `DELETE … RETURNING`; of concurrent calls the database's row lock lets one
//! change the row, and the others find nothing left to change (or, above `READ COMMITTED`,
//! fail to serialize and run again, finding nothing). Only the changes that span two tables
//! (confirming TOTP with its recovery codes, deleting it with them) are transactions.

use crate::db::Db;
use crate::errors;
use crate::exec::run;
use crate::factor_rows::{
    ChallengeRow, NewChallenge, NewPendingTotp, PasskeyRow, TotpRow, recovery_code_rows,
};
use crate::schema::{mfa_challenges, passkeys, recovery_codes, totp_factors};
use crate::sql_types::{Id, Ts};
use crate::store::Store;
use baton_core::domain::factor::{
    Challenge, ChallengeId, FactorSummary, PasskeyRecord, TotpFactor,
};
use baton_core::domain::passkey::{CeremonyState, CredentialId, PasskeyBlob};
use baton_core::domain::recovery::RecoveryCodeHash;
use baton_core::domain::totp::{SealedSecret, TimeStep};
use baton_core::{FactorStore, StoreError};
use diesel::dsl::exists;
use diesel::upsert::excluded;
use diesel::{BoolExpressionMethods, Connection, ExpressionMethods, QueryDsl, SelectableHelper};
use diesel_async::scoped_futures::ScopedFutureExt;
use time::OffsetDateTime;
use uuid::Uuid;

#[async_trait::async_trait]
impl FactorStore for Store {
    async fn factor_summary(&self, user_id: Uuid) -> Result<FactorSummary, StoreError> {
        let user = Id(user_id);
        let (totp, codes, keys) = run!(self, Read, |c| diesel::select((
            exists(
                totp_factors::table
                    .filter(totp_factors::user_id.eq(user))
                    .filter(totp_factors::confirmed_at.is_not_null())
            ),
            recovery_codes::table.filter(recovery_codes::user_id.eq(user)).count().single_value(),
            passkeys::table.filter(passkeys::user_id.eq(user)).count().single_value(),
        ))
        .get_result::<(bool, Option<i64>, Option<i64>)>(c))?;
        let n = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok()).unwrap_or(0);
        Ok(FactorSummary { totp, recovery_codes: n(codes), passkeys: n(keys) })
    }

    async fn totp(&self, user_id: Uuid) -> Result<Option<TotpFactor>, StoreError> {
        let row = run!(self, Read, |c| totp_factors::table
            .find(Id(user_id))
            .select(TotpRow::as_select())
            .first::<TotpRow>(c)
            .optional())?;
        Ok(row.map(TotpFactor::from))
    }

    async fn totp_factors_after(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<TotpFactor>, StoreError> {
        let after = after.map(Id);
        let limit = i64::from(limit);
        let rows = run!(self, Read, |c| {
            let mut query = totp_factors::table
                .select(TotpRow::as_select())
                .order(totp_factors::user_id)
                .limit(limit)
                .into_boxed();
            if let Some(after) = after {
                query = query.filter(totp_factors::user_id.gt(after));
            }
            query.load::<TotpRow>(c)
        })?;
        Ok(rows.into_iter().map(TotpFactor::from).collect())
    }

    async fn put_pending_totp(
        &self,
        user_id: Uuid,
        sealed: &SealedSecret,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (sealed, at) = (sealed.as_str().to_owned(), Ts::new(at));
        // Inserted, or a pending row replaced: one row; a confirmed row fails the upsert's
        // `WHERE` and stays as it was: none.
        let stored = run!(self, Write, |c| diesel::query_dsl::methods::FilterDsl::filter(
            diesel::insert_into(totp_factors::table)
                .values(NewPendingTotp { user_id: Id(user_id), sealed: &sealed, created_at: at })
                .on_conflict(totp_factors::user_id)
                .do_update()
                .set((
                    totp_factors::sealed.eq(excluded(totp_factors::sealed)),
                    totp_factors::created_at.eq(excluded(totp_factors::created_at)),
                    totp_factors::last_step.eq(None::<i64>),
                )),
            totp_factors::confirmed_at.is_null(),
        )
        .execute(c))?;
        Ok(stored == 1)
    }

    async fn confirm_totp(
        &self,
        user_id: Uuid,
        sealed: &SealedSecret,
        step: TimeStep,
        codes: &[RecoveryCodeHash],
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (sealed, step, at) = (sealed.as_str().to_owned(), step.number(), Ts::new(at));
        // An empty set skips the insert: a multi-row insert needs at least one row.
        let codes: Vec<[u8; 32]> = codes.iter().map(|h| *h.as_bytes()).collect();
        let user = Id(user_id);
        match self.db() {
            Db::Postgres(pg) => {
                let (sealed, codes) = (&sealed, &codes);
                let work = crate::postgres::work(|c| {
                    async move {
                        use diesel_async::RunQueryDsl;
                        let pending = totp_factors::table
                            .filter(totp_factors::user_id.eq(user))
                            .filter(totp_factors::confirmed_at.is_null())
                            .filter(totp_factors::sealed.eq(sealed.as_str()));
                        let confirmed = diesel::update(pending)
                            .set((
                                totp_factors::confirmed_at.eq(Some(at)),
                                totp_factors::last_step.eq(Some(step)),
                            ))
                            .execute(c)
                            .await?;
                        if confirmed != 1 {
                            return Ok(false);
                        }
                        let older = recovery_codes::table.filter(recovery_codes::user_id.eq(user));
                        diesel::delete(older).execute(c).await?;
                        if !codes.is_empty() {
                            let rows = recovery_code_rows(user_id, codes);
                            diesel::insert_into(recovery_codes::table)
                                .values(rows)
                                .execute(c)
                                .await?;
                        }
                        Ok(true)
                    }
                    .scope_boxed()
                });
                pg.transaction(&work).await?.map_err(errors::query)
            }
            Db::Sqlite(lite) => {
                lite.run(move |conn| {
                    use diesel::RunQueryDsl;
                    conn.transaction(|c| {
                        let pending = totp_factors::table
                            .filter(totp_factors::user_id.eq(user))
                            .filter(totp_factors::confirmed_at.is_null())
                            .filter(totp_factors::sealed.eq(sealed.as_str()));
                        let confirmed = diesel::update(pending)
                            .set((
                                totp_factors::confirmed_at.eq(Some(at)),
                                totp_factors::last_step.eq(Some(step)),
                            ))
                            .execute(c)?;
                        if confirmed != 1 {
                            return Ok(false);
                        }
                        let older = recovery_codes::table.filter(recovery_codes::user_id.eq(user));
                        diesel::delete(older).execute(c)?;
                        if !codes.is_empty() {
                            diesel::insert_into(recovery_codes::table)
                                .values(recovery_code_rows(user_id, &codes))
                                .execute(c)?;
                        }
                        Ok(true)
                    })
                })
                .await
            }
        }
    }

    async fn accept_totp_step(&self, user_id: Uuid, step: TimeStep) -> Result<bool, StoreError> {
        let step = step.number();
        let accepted = run!(self, Write, |c| diesel::update(
            totp_factors::table
                .filter(totp_factors::user_id.eq(Id(user_id)))
                .filter(totp_factors::confirmed_at.is_not_null())
                .filter(totp_factors::last_step.is_null().or(totp_factors::last_step.lt(step))),
        )
        .set(totp_factors::last_step.eq(Some(step)))
        .execute(c))?;
        Ok(accepted == 1)
    }

    async fn reseal_totp(
        &self,
        user_id: Uuid,
        old: &SealedSecret,
        new: &SealedSecret,
    ) -> Result<bool, StoreError> {
        let (old, new) = (old.as_str().to_owned(), new.as_str().to_owned());
        let resealed = run!(self, Write, |c| diesel::update(
            totp_factors::table
                .filter(totp_factors::user_id.eq(Id(user_id)))
                .filter(totp_factors::sealed.eq(old.as_str())),
        )
        .set(totp_factors::sealed.eq(new.as_str()))
        .execute(c))?;
        Ok(resealed == 1)
    }

    async fn delete_totp(&self, user_id: Uuid) -> Result<bool, StoreError> {
        let user = Id(user_id);
        match self.db() {
            Db::Postgres(pg) => {
                let work = crate::postgres::work(|c| {
                    async move {
                        use diesel_async::RunQueryDsl;
                        let codes = recovery_codes::table.filter(recovery_codes::user_id.eq(user));
                        diesel::delete(codes).execute(c).await?;
                        let deleted =
                            diesel::delete(totp_factors::table.find(user)).execute(c).await?;
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
                        let codes = recovery_codes::table.filter(recovery_codes::user_id.eq(user));
                        diesel::delete(codes).execute(c)?;
                        let deleted = diesel::delete(totp_factors::table.find(user)).execute(c)?;
                        Ok(deleted == 1)
                    })
                })
                .await
            }
        }
    }

    async fn use_recovery_code(
        &self,
        user_id: Uuid,
        hash: &RecoveryCodeHash,
    ) -> Result<bool, StoreError> {
        let hash = *hash.as_bytes();
        let used = run!(self, Write, |c| diesel::delete(
            recovery_codes::table.find((Id(user_id), hash.as_slice()))
        )
        .execute(c))?;
        Ok(used == 1)
    }

    async fn add_passkey(&self, passkey: &PasskeyRecord) -> Result<bool, StoreError> {
        // `DO NOTHING` on the credential id only: a taken credential id stores nothing and
        // fails nothing (a failed statement would abort a surrounding PostgreSQL transaction),
        // while a duplicate passkey id is still an error.
        let row = PasskeyRow::from(passkey);
        let added = run!(self, Write, |c| diesel::insert_into(passkeys::table)
            .values(&row)
            .on_conflict(passkeys::credential_id)
            .do_nothing()
            .execute(c))?;
        Ok(added == 1)
    }

    async fn passkeys(&self, user_id: Uuid) -> Result<Vec<PasskeyRecord>, StoreError> {
        let rows = run!(self, Read, |c| passkeys::table
            .filter(passkeys::user_id.eq(Id(user_id)))
            .order((passkeys::created_at.asc(), passkeys::id.asc()))
            .select(PasskeyRow::as_select())
            .load::<PasskeyRow>(c))?;
        Ok(rows.into_iter().map(PasskeyRecord::from).collect())
    }

    async fn passkey_used(
        &self,
        credential_id: &CredentialId,
        blob: Option<&PasskeyBlob>,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (credential_id, at) = (credential_id.as_str().to_owned(), Ts::new(at));
        let blob = blob.map(|b| b.as_str().to_owned());
        // A `None` in the changeset leaves its column out: the blob changes only when given.
        let noted = run!(self, Write, |c| diesel::update(
            passkeys::table.filter(passkeys::credential_id.eq(credential_id.as_str()))
        )
        .set((
            passkeys::last_used_at.eq(Some(at)),
            blob.as_deref().map(|b| passkeys::credential.eq(b)),
        ))
        .execute(c))?;
        Ok(noted == 1)
    }

    async fn rename_passkey(
        &self,
        user_id: Uuid,
        id: Uuid,
        name: &str,
    ) -> Result<bool, StoreError> {
        let name = name.to_owned();
        let renamed = run!(self, Write, |c| diesel::update(
            passkeys::table.find(Id(id)).filter(passkeys::user_id.eq(Id(user_id)))
        )
        .set(passkeys::name.eq(name.as_str()))
        .execute(c))?;
        Ok(renamed == 1)
    }

    async fn delete_passkey(&self, user_id: Uuid, id: Uuid) -> Result<bool, StoreError> {
        let deleted = run!(self, Write, |c| diesel::delete(
            passkeys::table.find(Id(id)).filter(passkeys::user_id.eq(Id(user_id)))
        )
        .execute(c))?;
        Ok(deleted == 1)
    }

    async fn put_challenge(&self, challenge: &Challenge) -> Result<(), StoreError> {
        let challenge = challenge.clone();
        run!(self, Write, |c| diesel::insert_into(mfa_challenges::table)
            .values(NewChallenge::from(&challenge))
            .on_conflict(mfa_challenges::id)
            .do_update()
            .set((
                mfa_challenges::kind.eq(excluded(mfa_challenges::kind)),
                mfa_challenges::user_id.eq(excluded(mfa_challenges::user_id)),
                mfa_challenges::client_id.eq(excluded(mfa_challenges::client_id)),
                mfa_challenges::state.eq(excluded(mfa_challenges::state)),
                mfa_challenges::created_at.eq(excluded(mfa_challenges::created_at)),
                mfa_challenges::expires_at.eq(excluded(mfa_challenges::expires_at)),
            ))
            .execute(c))?;
        Ok(())
    }

    async fn challenge(&self, id: &ChallengeId) -> Result<Option<Challenge>, StoreError> {
        let id = *id.as_bytes();
        let row = run!(self, Read, |c| mfa_challenges::table
            .find(id.as_slice())
            .select(ChallengeRow::as_select())
            .first::<ChallengeRow>(c)
            .optional())?;
        row.map(Challenge::try_from).transpose()
    }

    async fn set_challenge_state(
        &self,
        id: &ChallengeId,
        state: &CeremonyState,
    ) -> Result<bool, StoreError> {
        let (id, state) = (*id.as_bytes(), state.as_str().to_owned());
        let set = run!(self, Write, |c| diesel::update(mfa_challenges::table.find(id.as_slice()))
            .set(mfa_challenges::state.eq(Some(state.as_str())))
            .execute(c))?;
        Ok(set == 1)
    }

    async fn take_challenge(&self, id: &ChallengeId) -> Result<Option<Challenge>, StoreError> {
        let id = *id.as_bytes();
        let row = run!(self, Write, |c| diesel::delete(mfa_challenges::table.find(id.as_slice()))
            .returning(ChallengeRow::as_returning())
            .get_result::<ChallengeRow>(c)
            .optional())?;
        row.map(Challenge::try_from).transpose()
    }

    async fn purge_challenges(&self, before: OffsetDateTime) -> Result<u64, StoreError> {
        let before = Ts::new(before);
        let purged = run!(self, Write, |c| diesel::delete(
            mfa_challenges::table.filter(mfa_challenges::expires_at.le(before))
        )
        .execute(c))?;
        Ok(purged as u64)
    }
}
