//! `account_tokens` and `mail_outbox` rows, and their checked conversion to the domain.

use crate::rows::corrupt;
use crate::schema::{account_tokens, mail_outbox};
use crate::sql_types::{DbTime, DbUuid, Id, Ts};
use baton_core::{
    AccountToken, AccountTokenHash, ComposedMail, Email, OutboxEntry, OutgoingMail, QueuedMail,
    StoreError, TokenPurpose,
};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text};

/// An `account_tokens` row.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = account_tokens)]
pub struct TokenRow {
    token_hash: Vec<u8>,
    user_id: Id,
    purpose: String,
    email: String,
    created_at: Ts,
    expires_at: Ts,
}

impl TryFrom<TokenRow> for AccountToken {
    type Error = StoreError;

    fn try_from(row: TokenRow) -> Result<Self, StoreError> {
        let bad = |what: String| corrupt("account_tokens", row.user_id, what);
        let hash = AccountTokenHash::from_slice(&row.token_hash)
            .ok_or_else(|| bad(format!("token_hash is {} bytes", row.token_hash.len())))?;
        let purpose = TokenPurpose::parse(&row.purpose)
            .ok_or_else(|| bad(format!("unknown purpose {:?}", row.purpose)))?;
        Ok(AccountToken {
            hash,
            user_id: row.user_id.0,
            purpose,
            email: Email::from_trusted(row.email),
            created_at: row.created_at.get(),
            expires_at: row.expires_at.get(),
        })
    }
}

/// A new `account_tokens` row.
#[derive(Insertable)]
#[diesel(table_name = account_tokens)]
pub struct NewToken<'a> {
    token_hash: &'a [u8],
    user_id: Id,
    purpose: &'static str,
    email: &'a str,
    created_at: Ts,
    expires_at: Ts,
}

impl<'a> From<&'a AccountToken> for NewToken<'a> {
    fn from(t: &'a AccountToken) -> Self {
        Self {
            token_hash: &t.hash.0,
            user_id: Id(t.user_id),
            purpose: t.purpose.as_str(),
            email: t.email.as_str(),
            created_at: Ts::new(t.created_at),
            expires_at: Ts::new(t.expires_at),
        }
    }
}

/// A new `mail_outbox` row: due at once.
#[derive(Insertable)]
#[diesel(table_name = mail_outbox)]
pub struct NewMail<'a> {
    id: Id,
    kind: &'static str,
    recipient: &'a str,
    subject: &'a str,
    text_body: &'a str,
    html_body: &'a str,
    queued_at: Ts,
    expires_at: Option<Ts>,
    failures: i32,
    next_attempt_at: Ts,
}

impl<'a> From<&'a QueuedMail> for NewMail<'a> {
    fn from(q: &'a QueuedMail) -> Self {
        Self {
            id: Id(q.mail.id()),
            kind: q.kind,
            recipient: q.mail.to().as_str(),
            subject: q.mail.subject(),
            text_body: q.mail.text(),
            html_body: q.mail.html(),
            queued_at: Ts::new(q.queued_at),
            expires_at: q.expires_at.map(Ts::new),
            failures: 0,
            next_attempt_at: Ts::new(q.queued_at),
        }
    }
}

/// A claimed `mail_outbox` row, as the claiming statement returns it.
#[derive(Debug, QueryableByName)]
pub struct ClaimedRow {
    #[diesel(sql_type = DbUuid)]
    id: Id,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    recipient: String,
    #[diesel(sql_type = Text)]
    subject: String,
    #[diesel(sql_type = Text)]
    text_body: String,
    #[diesel(sql_type = Text)]
    html_body: String,
    #[diesel(sql_type = DbTime)]
    queued_at: Ts,
    #[diesel(sql_type = Nullable<DbTime>)]
    expires_at: Option<Ts>,
    #[diesel(sql_type = Integer)]
    failures: i32,
}

impl From<ClaimedRow> for OutboxEntry {
    fn from(row: ClaimedRow) -> Self {
        let composed =
            ComposedMail { subject: row.subject, text: row.text_body, html: row.html_body };
        OutboxEntry {
            mail: OutgoingMail::new(row.id.0, Email::from_trusted(row.recipient), composed),
            kind: row.kind,
            queued_at: row.queued_at.get(),
            expires_at: row.expires_at.map(Ts::get),
            failures: u32::try_from(row.failures).unwrap_or(0),
        }
    }
}
