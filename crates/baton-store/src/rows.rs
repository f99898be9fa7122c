//! Rows as the database holds them, and their checked conversion to and from the domain.
//!
//! Reading back never panics: a value the domain cannot hold (a hash that is not 32 bytes,
//! an unknown id length) becomes a [`StoreError::Backend`] naming the row.

use crate::schema::{sessions, users};
use crate::sql_types::{Id, Ts};
use baton_core::{
    Amr, DisplayName, Email, PasswordHash, RefreshHash, RevokeReason, Session, StoreError, User,
};
use diesel::prelude::*;

/// A `users` row.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    id: Id,
    email: String,
    password_hash: String,
    name: Option<String>,
    disabled_at: Option<Ts>,
    created_at: Ts,
    updated_at: Ts,
    email_verified_at: Option<Ts>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: row.id.0,
            email: Email::from_trusted(row.email),
            name: row.name.map(DisplayName::from_trusted),
            password_hash: PasswordHash::new(row.password_hash),
            disabled_at: row.disabled_at.map(Ts::get),
            email_verified_at: row.email_verified_at.map(Ts::get),
            created_at: row.created_at.get(),
            updated_at: row.updated_at.get(),
        }
    }
}

/// A new `users` row.
#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    id: Id,
    email: &'a str,
    password_hash: &'a str,
    name: Option<&'a str>,
    disabled_at: Option<Ts>,
    created_at: Ts,
    updated_at: Ts,
    email_verified_at: Option<Ts>,
}

impl<'a> From<&'a User> for NewUser<'a> {
    fn from(user: &'a User) -> Self {
        Self {
            id: Id(user.id),
            email: user.email.as_str(),
            password_hash: user.password_hash.as_str(),
            name: user.name.as_ref().map(DisplayName::as_str),
            disabled_at: user.disabled_at.map(Ts::new),
            created_at: Ts::new(user.created_at),
            updated_at: Ts::new(user.updated_at),
            email_verified_at: user.email_verified_at.map(Ts::new),
        }
    }
}

/// A `sessions` row.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    id: Id,
    user_id: Id,
    refresh_hash: Vec<u8>,
    generation: i64,
    rotated_at: Ts,
    created_at: Ts,
    last_used_at: Ts,
    expires_at: Ts,
    absolute_expires_at: Ts,
    revoked_at: Option<Ts>,
    revoke_reason: Option<String>,
    user_agent: Option<String>,
    client_addr: Option<String>,
    amr: String,
}

impl TryFrom<SessionRow> for Session {
    type Error = StoreError;

    fn try_from(row: SessionRow) -> Result<Self, StoreError> {
        let refresh_hash = RefreshHash::from_slice(&row.refresh_hash).ok_or_else(|| {
            corrupt("sessions", row.id, format!("refresh_hash is {} bytes", row.refresh_hash.len()))
        })?;
        Ok(Session {
            id: row.id.0,
            user_id: row.user_id.0,
            refresh_hash,
            generation: row.generation,
            rotated_at: row.rotated_at.get(),
            created_at: row.created_at.get(),
            last_used_at: row.last_used_at.get(),
            expires_at: row.expires_at.get(),
            absolute_expires_at: row.absolute_expires_at.get(),
            revoked_at: row.revoked_at.map(Ts::get),
            // A reason written by a newer version reads as unknown, not as an error.
            revoke_reason: row.revoke_reason.as_deref().and_then(RevokeReason::parse),
            user_agent: row.user_agent,
            client_addr: row.client_addr,
            amr: Amr::from_text(&row.amr),
        })
    }
}

/// A new `sessions` row.
#[derive(Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    id: Id,
    user_id: Id,
    refresh_hash: &'a [u8],
    generation: i64,
    rotated_at: Ts,
    created_at: Ts,
    last_used_at: Ts,
    expires_at: Ts,
    absolute_expires_at: Ts,
    revoked_at: Option<Ts>,
    revoke_reason: Option<&'static str>,
    user_agent: Option<&'a str>,
    client_addr: Option<&'a str>,
    amr: String,
}

impl<'a> From<&'a Session> for NewSession<'a> {
    fn from(s: &'a Session) -> Self {
        Self {
            id: Id(s.id),
            user_id: Id(s.user_id),
            refresh_hash: s.refresh_hash.as_bytes(),
            generation: s.generation,
            rotated_at: Ts::new(s.rotated_at),
            created_at: Ts::new(s.created_at),
            last_used_at: Ts::new(s.last_used_at),
            expires_at: Ts::new(s.expires_at),
            absolute_expires_at: Ts::new(s.absolute_expires_at),
            revoked_at: s.revoked_at.map(Ts::new),
            revoke_reason: s.revoke_reason.map(RevokeReason::as_str),
            user_agent: s.user_agent.as_deref(),
            client_addr: s.client_addr.as_deref(),
            amr: s.amr.to_text(),
        }
    }
}

/// What the rotation statement returns: the rotated session and its owner, the owner's
/// columns prefixed `u_` (see `sql::rotate`).
#[derive(Debug, QueryableByName)]
pub struct RotatedRow {
    #[diesel(sql_type = crate::sql_types::DbUuid)]
    id: Id,
    #[diesel(sql_type = crate::sql_types::DbUuid)]
    user_id: Id,
    #[diesel(sql_type = diesel::sql_types::Binary)]
    refresh_hash: Vec<u8>,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    generation: i64,
    #[diesel(sql_type = crate::sql_types::DbTime)]
    rotated_at: Ts,
    #[diesel(sql_type = crate::sql_types::DbTime)]
    created_at: Ts,
    #[diesel(sql_type = crate::sql_types::DbTime)]
    last_used_at: Ts,
    #[diesel(sql_type = crate::sql_types::DbTime)]
    expires_at: Ts,
    #[diesel(sql_type = crate::sql_types::DbTime)]
    absolute_expires_at: Ts,
    #[diesel(sql_type = diesel::sql_types::Nullable<crate::sql_types::DbTime>)]
    revoked_at: Option<Ts>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    revoke_reason: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    user_agent: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    client_addr: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Text)]
    amr: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    u_email: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    u_password_hash: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    u_name: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<crate::sql_types::DbTime>)]
    u_disabled_at: Option<Ts>,
    #[diesel(sql_type = crate::sql_types::DbTime)]
    u_created_at: Ts,
    #[diesel(sql_type = crate::sql_types::DbTime)]
    u_updated_at: Ts,
    #[diesel(sql_type = diesel::sql_types::Nullable<crate::sql_types::DbTime>)]
    u_email_verified_at: Option<Ts>,
}

impl TryFrom<RotatedRow> for (Session, User) {
    type Error = StoreError;

    fn try_from(r: RotatedRow) -> Result<Self, StoreError> {
        let user = UserRow {
            id: r.user_id,
            email: r.u_email,
            password_hash: r.u_password_hash,
            name: r.u_name,
            disabled_at: r.u_disabled_at,
            created_at: r.u_created_at,
            updated_at: r.u_updated_at,
            email_verified_at: r.u_email_verified_at,
        };
        let session = SessionRow {
            id: r.id,
            user_id: r.user_id,
            refresh_hash: r.refresh_hash,
            generation: r.generation,
            rotated_at: r.rotated_at,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            expires_at: r.expires_at,
            absolute_expires_at: r.absolute_expires_at,
            revoked_at: r.revoked_at,
            revoke_reason: r.revoke_reason,
            user_agent: r.user_agent,
            client_addr: r.client_addr,
            amr: r.amr,
        };
        Ok((Session::try_from(session)?, User::from(user)))
    }
}

/// A row the domain cannot hold.
#[derive(Debug, thiserror::Error)]
#[error("corrupt {table} row {id}: {what}")]
pub struct Corrupt {
    table: &'static str,
    id: uuid::Uuid,
    what: String,
}

pub(crate) fn corrupt(table: &'static str, id: Id, what: String) -> StoreError {
    StoreError::backend(Corrupt { table, id: id.0, what })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;
    use uuid::Uuid;

    fn ts() -> Ts {
        Ts::new(OffsetDateTime::UNIX_EPOCH)
    }

    fn session_row(refresh_hash: Vec<u8>, revoke_reason: Option<&str>) -> SessionRow {
        SessionRow {
            id: Id(Uuid::nil()),
            user_id: Id(Uuid::nil()),
            refresh_hash,
            generation: 0,
            rotated_at: ts(),
            created_at: ts(),
            last_used_at: ts(),
            expires_at: ts(),
            absolute_expires_at: ts(),
            revoked_at: Some(ts()),
            revoke_reason: revoke_reason.map(str::to_owned),
            user_agent: None,
            client_addr: None,
            amr: "pwd otp mfa".into(),
        }
    }

    #[test]
    fn a_hash_of_the_wrong_length_is_an_error_not_a_panic() {
        for len in [0, 31, 33] {
            let err = Session::try_from(session_row(vec![0; len], None)).unwrap_err();
            assert!(
                matches!(&err, StoreError::Backend(e) if e.to_string().contains("refresh_hash"))
            );
        }
        assert!(Session::try_from(session_row(vec![0; 32], None)).is_ok());
    }

    #[test]
    fn an_unknown_revoke_reason_reads_as_none() {
        let s = Session::try_from(session_row(vec![0; 32], Some("from_the_future"))).unwrap();
        assert_eq!(s.revoke_reason, None);
        let s = Session::try_from(session_row(vec![0; 32], Some("reuse"))).unwrap();
        assert_eq!(s.revoke_reason, Some(RevokeReason::Reuse));
    }
}
