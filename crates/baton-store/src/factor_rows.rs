//! `totp_factors`, `recovery_codes`, `passkeys` and `mfa_challenges` rows, and their checked
//! conversion to the domain (a value the domain cannot hold is a [`StoreError::Backend`]
//! naming the row, as in `crate::rows`).

use crate::rows::corrupt;
use crate::schema::{mfa_challenges, passkeys, recovery_codes, totp_factors};
use crate::sql_types::{Id, Ts};
use baton_core::domain::factor::{
    Challenge, ChallengeId, ChallengeKind, PasskeyRecord, TotpFactor,
};
use baton_core::domain::passkey::{CeremonyState, CredentialId, PasskeyBlob};
use baton_core::domain::totp::{SealedSecret, TimeStep};
use baton_core::{ClientId, StoreError};
use diesel::prelude::*;

/// A `totp_factors` row.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = totp_factors)]
pub struct TotpRow {
    user_id: Id,
    sealed: String,
    confirmed_at: Option<Ts>,
    last_step: Option<i64>,
    created_at: Ts,
}

impl From<TotpRow> for TotpFactor {
    fn from(row: TotpRow) -> Self {
        TotpFactor {
            user_id: row.user_id.0,
            sealed: SealedSecret::new(row.sealed),
            confirmed_at: row.confirmed_at.map(Ts::get),
            last_step: row.last_step.map(TimeStep::new),
            created_at: row.created_at.get(),
        }
    }
}

/// A new pending `totp_factors` row (neither confirmed nor any step accepted).
#[derive(Insertable)]
#[diesel(table_name = totp_factors)]
pub struct NewPendingTotp<'a> {
    /// Owner.
    pub user_id: Id,
    /// The sealed secret.
    pub sealed: &'a str,
    /// When the enrolment started.
    pub created_at: Ts,
}

/// A new `recovery_codes` row.
#[derive(Insertable)]
#[diesel(table_name = recovery_codes)]
pub struct NewRecoveryCode<'a> {
    user_id: Id,
    code_hash: &'a [u8],
}

/// The rows of `user`'s recovery codes, for one multi-row insert.
pub fn recovery_code_rows(user: uuid::Uuid, hashes: &[[u8; 32]]) -> Vec<NewRecoveryCode<'_>> {
    hashes.iter().map(|h| NewRecoveryCode { user_id: Id(user), code_hash: h }).collect()
}

/// A `passkeys` row, read or written.
#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = passkeys)]
pub struct PasskeyRow {
    id: Id,
    user_id: Id,
    credential_id: String,
    name: String,
    credential: String,
    backup_eligible: bool,
    created_at: Ts,
    last_used_at: Option<Ts>,
}

impl From<&PasskeyRecord> for PasskeyRow {
    fn from(p: &PasskeyRecord) -> Self {
        Self {
            id: Id(p.id),
            user_id: Id(p.user_id),
            credential_id: p.credential_id.as_str().to_owned(),
            name: p.name.clone(),
            credential: p.blob.as_str().to_owned(),
            backup_eligible: p.backup_eligible,
            created_at: Ts::new(p.created_at),
            last_used_at: p.last_used_at.map(Ts::new),
        }
    }
}

impl From<PasskeyRow> for PasskeyRecord {
    fn from(row: PasskeyRow) -> Self {
        PasskeyRecord {
            id: row.id.0,
            user_id: row.user_id.0,
            credential_id: CredentialId::new(row.credential_id),
            name: row.name,
            blob: PasskeyBlob::new(row.credential),
            backup_eligible: row.backup_eligible,
            created_at: row.created_at.get(),
            last_used_at: row.last_used_at.map(Ts::get),
        }
    }
}

/// An `mfa_challenges` row.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = mfa_challenges)]
pub struct ChallengeRow {
    id: Vec<u8>,
    kind: String,
    user_id: Option<Id>,
    client_id: Option<String>,
    state: Option<String>,
    created_at: Ts,
    expires_at: Ts,
}

impl TryFrom<ChallengeRow> for Challenge {
    type Error = StoreError;

    fn try_from(row: ChallengeRow) -> Result<Self, StoreError> {
        // A challenge has no uuid of its own: the row is named by its user (nil for none)
        // and the first bytes of its id.
        let head: String = row.id.iter().take(4).map(|b| format!("{b:02x}")).collect();
        let owner = Id(row.user_id.map_or(uuid::Uuid::nil(), |u| u.0));
        let bad = |what: String| corrupt("mfa_challenges", owner, format!("id {head}..: {what}"));
        let id = ChallengeId::from_slice(&row.id)
            .ok_or_else(|| bad(format!("id is {} bytes", row.id.len())))?;
        let kind = ChallengeKind::parse(&row.kind)
            .ok_or_else(|| bad(format!("unknown kind {:?}", row.kind)))?;
        let client_id = match row.client_id {
            Some(c) => {
                Some(ClientId::parse(&c).map_err(|_| bad(format!("invalid client_id {c:?}")))?)
            }
            None => None,
        };
        Ok(Challenge {
            id,
            kind,
            user_id: row.user_id.map(|u| u.0),
            client_id,
            state: row.state.map(CeremonyState::new),
            created_at: row.created_at.get(),
            expires_at: row.expires_at.get(),
        })
    }
}

/// A new `mfa_challenges` row.
#[derive(Insertable)]
#[diesel(table_name = mfa_challenges)]
pub struct NewChallenge<'a> {
    id: &'a [u8],
    kind: &'static str,
    user_id: Option<Id>,
    client_id: Option<&'a str>,
    state: Option<&'a str>,
    created_at: Ts,
    expires_at: Ts,
}

impl<'a> From<&'a Challenge> for NewChallenge<'a> {
    fn from(c: &'a Challenge) -> Self {
        Self {
            id: c.id.as_bytes(),
            kind: c.kind.as_str(),
            user_id: c.user_id.map(Id),
            client_id: c.client_id.as_ref().map(ClientId::as_str),
            state: c.state.as_ref().map(CeremonyState::as_str),
            created_at: Ts::new(c.created_at),
            expires_at: Ts::new(c.expires_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;

    fn row(id: Vec<u8>, kind: &str, client_id: Option<&str>) -> ChallengeRow {
        let at = Ts::new(OffsetDateTime::UNIX_EPOCH);
        ChallengeRow {
            id,
            kind: kind.into(),
            user_id: None,
            client_id: client_id.map(str::to_owned),
            state: None,
            created_at: at,
            expires_at: at,
        }
    }

    #[test]
    fn challenge_rows_the_domain_cannot_hold_are_backend_errors() {
        let good = row(vec![7; 32], "mfa", Some("web"));
        assert_eq!(Challenge::try_from(good).expect("valid").kind, ChallengeKind::Mfa);
        for (bad, says) in [
            (row(vec![7; 32], "sms", None), "unknown kind \"sms\""),
            (row(vec![7; 31], "mfa", None), "id is 31 bytes"),
            (row(vec![7; 32], "mfa", Some("a b")), "invalid client_id"),
        ] {
            let err = Challenge::try_from(bad).expect_err("corrupt");
            assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
            let cause = std::error::Error::source(&err).expect("the row is named").to_string();
            assert!(cause.contains("mfa_challenges") && cause.contains(says), "{cause}");
        }
    }
}
