//! [`MemStore`]'s [`AccountStore`]: account tokens and the outbox in memory, each call one
//! critical section like the database's transactions.

use super::memory::{MemStore, same_email};
use crate::domain::account_token::{AccountToken, AccountTokenHash, TokenPurpose};
use crate::domain::email::Email;
use crate::domain::mail::{OutboxEntry, OutboxStats, OutgoingMail, QueuedMail};
use crate::domain::password::PasswordHash;
use crate::ports::{AccountStore, EmailChange, StoreError};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// A `mail_outbox` row.
#[derive(Debug, Clone)]
struct OutboxRow {
    mail: OutgoingMail,
    kind: String,
    queued_at: OffsetDateTime,
    expires_at: Option<OffsetDateTime>,
    failures: u32,
    next_attempt_at: OffsetDateTime,
    claimed_until: Option<OffsetDateTime>,
    sent_at: Option<OffsetDateTime>,
    failed_at: Option<OffsetDateTime>,
}

impl OutboxRow {
    fn waiting(&self) -> bool {
        self.sent_at.is_none() && self.failed_at.is_none()
    }
}

/// The account tables.
#[derive(Debug, Default)]
pub(super) struct AccountTables {
    tokens: HashMap<[u8; 32], AccountToken>,
    outbox: HashMap<Uuid, OutboxRow>,
}

impl AccountTables {
    fn queue(&mut self, m: &QueuedMail) {
        let row = OutboxRow {
            mail: m.mail.clone(),
            kind: m.kind.to_owned(),
            queued_at: m.queued_at,
            expires_at: m.expires_at,
            failures: 0,
            next_attempt_at: m.queued_at,
            claimed_until: None,
            sent_at: None,
            failed_at: None,
        };
        self.outbox.insert(m.mail.id(), row);
    }
}

#[async_trait::async_trait]
impl AccountStore for MemStore {
    async fn issue_token(&self, token: &AccountToken, mail: &QueuedMail) -> Result<(), StoreError> {
        let mut t = self.lock();
        let a = &mut t.accounts;
        a.tokens.retain(|_, old| !(old.user_id == token.user_id && old.purpose == token.purpose));
        a.tokens.insert(token.hash.0, token.clone());
        a.queue(mail);
        Ok(())
    }

    async fn last_token_at(
        &self,
        user_id: Uuid,
        purpose: TokenPurpose,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        let t = self.lock();
        let mine =
            t.accounts.tokens.values().filter(|k| k.user_id == user_id && k.purpose == purpose);
        Ok(mine.map(|k| k.created_at).max())
    }

    async fn take_token(
        &self,
        hash: &AccountTokenHash,
    ) -> Result<Option<AccountToken>, StoreError> {
        Ok(self.lock().accounts.tokens.remove(&hash.0))
    }

    async fn queue_mail(&self, mail: &QueuedMail) -> Result<(), StoreError> {
        self.lock().accounts.queue(mail);
        Ok(())
    }

    async fn set_password(
        &self,
        user_id: Uuid,
        hash: &PasswordHash,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut t = self.lock();
        let Some(user) = t.users.get_mut(&user_id) else { return Ok(false) };
        user.password_hash = hash.clone();
        user.updated_at = at;
        Ok(true)
    }

    async fn mark_email_verified(
        &self,
        user_id: Uuid,
        email: &Email,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut t = self.lock();
        match t.users.get_mut(&user_id) {
            Some(user) if user.email == *email => {
                user.email_verified_at = Some(at);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn change_email(
        &self,
        user_id: Uuid,
        email: &Email,
        at: OffsetDateTime,
    ) -> Result<EmailChange, StoreError> {
        let mut t = self.lock();
        if t.users.values().any(|u| u.id != user_id && same_email(&u.email, email)) {
            return Ok(EmailChange::Taken);
        }
        let Some(user) = t.users.get_mut(&user_id) else { return Ok(EmailChange::NoAccount) };
        user.email = email.clone();
        user.email_verified_at = Some(at);
        user.updated_at = at;
        Ok(EmailChange::Changed)
    }

    async fn clear_login_attempts(&self, account: &[u8; 32]) -> Result<(), StoreError> {
        self.lock().pairs.retain(|(a, _), _| a != account);
        Ok(())
    }

    async fn delete_user(
        &self,
        user_id: Uuid,
        farewell: Option<&QueuedMail>,
    ) -> Result<bool, StoreError> {
        let mut t = self.lock();
        if t.users.remove(&user_id).is_none() {
            return Ok(false);
        }
        t.sessions.retain(|_, s| s.user_id != user_id);
        t.accounts.tokens.retain(|_, k| k.user_id != user_id);
        t.factors.forget_user(user_id);
        if let Some(mail) = farewell {
            t.accounts.queue(mail);
        }
        Ok(true)
    }

    async fn claim_mail(
        &self,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Option<OutboxEntry>, StoreError> {
        let mut t = self.lock();
        let due = t
            .accounts
            .outbox
            .values_mut()
            .filter(|r| r.waiting() && r.next_attempt_at <= now)
            .filter(|r| r.claimed_until.is_none_or(|c| c <= now))
            .min_by_key(|r| (r.next_attempt_at, r.queued_at));
        Ok(due.map(|row| {
            row.claimed_until = Some(until);
            OutboxEntry {
                mail: row.mail.clone(),
                kind: row.kind.clone(),
                queued_at: row.queued_at,
                expires_at: row.expires_at,
                failures: row.failures,
            }
        }))
    }

    async fn mail_sent(&self, id: Uuid, at: OffsetDateTime) -> Result<(), StoreError> {
        if let Some(row) = self.lock().accounts.outbox.get_mut(&id) {
            row.sent_at = Some(at);
            row.claimed_until = None;
        }
        Ok(())
    }

    async fn mail_retry(
        &self,
        id: Uuid,
        failures: u32,
        next: OffsetDateTime,
        _error: &str,
    ) -> Result<(), StoreError> {
        if let Some(row) = self.lock().accounts.outbox.get_mut(&id) {
            (row.failures, row.next_attempt_at, row.claimed_until) = (failures, next, None);
        }
        Ok(())
    }

    async fn mail_failed(
        &self,
        id: Uuid,
        at: OffsetDateTime,
        _error: &str,
    ) -> Result<(), StoreError> {
        if let Some(row) = self.lock().accounts.outbox.get_mut(&id) {
            (row.failed_at, row.claimed_until) = (Some(at), None);
        }
        Ok(())
    }

    async fn outbox_stats(&self) -> Result<OutboxStats, StoreError> {
        let t = self.lock();
        let rows = t.accounts.outbox.values();
        let waiting: Vec<_> = rows.clone().filter(|r| r.waiting()).collect();
        Ok(OutboxStats {
            waiting: waiting.len() as u64,
            oldest_waiting_since: waiting.iter().map(|r| r.queued_at).min(),
            sent: rows.clone().filter(|r| r.sent_at.is_some()).count() as u64,
            failed: rows.filter(|r| r.failed_at.is_some()).count() as u64,
        })
    }
}
