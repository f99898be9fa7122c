//! The account lifecycle's storage (SPEC §12): account tokens, the changes they allow, and
//! the mail outbox. One port, since a token and the mail that carries it are written in one
//! transaction.

use super::store::StoreError;
use crate::domain::account_token::{AccountToken, AccountTokenHash, TokenPurpose};
use crate::domain::email::Email;
use crate::domain::mail::{OutboxEntry, OutboxStats, QueuedMail};
use crate::domain::password::PasswordHash;
use time::OffsetDateTime;
use uuid::Uuid;

/// What [`AccountStore::change_email`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailChange {
    /// The account's email is now the new one, verified.
    Changed,
    /// Another account has that email; nothing changed.
    Taken,
    /// No such account.
    NoAccount,
}

/// Account tokens, account changes and the outbox. Every method is one atomic step.
#[async_trait::async_trait]
pub trait AccountStore: Send + Sync {
    /// Stores `token` and queues `mail` in one transaction, after deleting the user's other
    /// tokens of the same purpose (a newer link retires the older ones). MUST store both or
    /// neither.
    async fn issue_token(&self, token: &AccountToken, mail: &QueuedMail) -> Result<(), StoreError>;

    /// The newest `created_at` of the user's tokens of `purpose`, for the one-mail-a-minute
    /// limit.
    async fn last_token_at(
        &self,
        user_id: Uuid,
        purpose: TokenPurpose,
    ) -> Result<Option<OffsetDateTime>, StoreError>;

    /// Deletes and returns the token with `hash`, of any purpose: a token is used once, even
    /// when two requests bring it at the same instant (exactly one gets it). Expired tokens
    /// are returned too (and deleted); the caller judges.
    async fn take_token(&self, hash: &AccountTokenHash)
    -> Result<Option<AccountToken>, StoreError>;

    /// Queues a mail that carries no token (notices).
    async fn queue_mail(&self, mail: &QueuedMail) -> Result<(), StoreError>;

    /// Sets the account's password hash (and `updated_at`); false when there is no account.
    async fn set_password(
        &self,
        user_id: Uuid,
        hash: &PasswordHash,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Marks the account's email verified at `at`, if it is still `email`; false otherwise.
    async fn mark_email_verified(
        &self,
        user_id: Uuid,
        email: &Email,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Makes `email` the account's email, verified at `at`, unless another account has it.
    async fn change_email(
        &self,
        user_id: Uuid,
        email: &Email,
        at: OffsetDateTime,
    ) -> Result<EmailChange, StoreError>;

    /// Forgets every failed-login count of `account` (the SHA-256 of an email, as
    /// [`crate::LoginKey`] keys them), from every address: a password reset lifts the lock.
    async fn clear_login_attempts(&self, account: &[u8; 32]) -> Result<(), StoreError>;

    /// Deletes the account with its sessions and tokens, queueing `farewell` (if any) in the
    /// same transaction; false (and nothing queued) when there is no account.
    async fn delete_user(
        &self,
        user_id: Uuid,
        farewell: Option<&QueuedMail>,
    ) -> Result<bool, StoreError>;

    /// Claims the oldest mail due at `now` (not sent, not failed, not claimed by another
    /// sender past `now`) until `until`, so that no other sender takes it meanwhile. With many
    /// senders at once, each mail goes to one of them.
    async fn claim_mail(
        &self,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Option<OutboxEntry>, StoreError>;

    /// The mail was handed over: it is never sent again; its bodies are dropped.
    async fn mail_sent(&self, id: Uuid, at: OffsetDateTime) -> Result<(), StoreError>;

    /// An attempt failed; the next one is due at `next` (claim released).
    async fn mail_retry(
        &self,
        id: Uuid,
        failures: u32,
        next: OffsetDateTime,
        error: &str,
    ) -> Result<(), StoreError>;

    /// The mail is given up for good; its bodies are dropped.
    async fn mail_failed(
        &self,
        id: Uuid,
        at: OffsetDateTime,
        error: &str,
    ) -> Result<(), StoreError>;

    /// How the outbox stands, for the metrics.
    async fn outbox_stats(&self) -> Result<OutboxStats, StoreError>;
}
