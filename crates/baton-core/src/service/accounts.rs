//! The account lifecycle (SPEC §12): change and reset passwords, verify and change emails,
//! close accounts. Links travel by mail: each token is issued together with the mail that
//! carries it ([`crate::ports::AccountStore::issue_token`]), and [`super::outbox`] sends it.

use super::{Auth, Principal};
use crate::domain::account_token::{AccountToken, AccountTokenHash, TokenPurpose};
use crate::domain::email::Email;
use crate::domain::link::LinkTemplate;
use crate::domain::mail::{MailKind, OutgoingMail, QueuedMail, Recipient};
use crate::domain::password::Password;
use crate::domain::session::RevokeReason;
use crate::domain::throttle::LoginKey;
use crate::domain::user::User;
use crate::error::{AccountError, AdminError, Fault};
use crate::ports::{EmailChange, MailComposer, MailTransport};
use crate::rules::mail_retry::RetryPolicy;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// At most one link mail per account and purpose in this time: more would only let someone
/// flood the owner's inbox (SPEC §12).
pub const MAIL_INTERVAL: Duration = Duration::minutes(1);

/// What the account lifecycle needs to write and send mail, from configuration.
#[derive(Clone)]
pub struct MailSetup {
    /// Writes each kind of mail from the operator's templates.
    pub composer: Arc<dyn MailComposer>,
    /// Sends queued mail (the outbox's sender).
    pub transport: Arc<dyn MailTransport>,
    /// `accounts.reset_url`: without it no reset link can be made.
    pub reset_link: Option<LinkTemplate>,
    /// `accounts.verify_url`: without it no verification link can be made.
    pub verify_link: Option<LinkTemplate>,
    /// How long a reset link works.
    pub reset_ttl: Duration,
    /// How long a verification (or email-change) link works.
    pub verify_ttl: Duration,
    /// When to retry a mail that could not be sent.
    pub retry: RetryPolicy,
}

impl Auth {
    /// These use cases with mail: without it (no transport configured) every use case that
    /// must send a link answers [`AccountError::MailUnavailable`], and notices are skipped.
    pub fn with_mail(mut self, mail: MailSetup) -> Self {
        self.mail = Some(Arc::new(mail));
        self
    }

    /// Whether mail is on (a transport is configured), links or not: notices are sent.
    pub fn sends_mail(&self) -> bool {
        self.mail.is_some()
    }

    /// Whether links of `purpose` can be sent now (a transport and the link's URL are
    /// configured); the HTTP layer asks before it accepts a request it answers early.
    pub fn can_send(&self, purpose: TokenPurpose) -> Result<(), AccountError> {
        self.link_for(purpose).map(|_| ())
    }

    /// `POST /auth/password`: checks the current password (a wrong one counts toward the
    /// lockout, per account and address), sets the new one, revokes every other session of
    /// the user and tells the owner by mail.
    pub async fn change_password(
        &self,
        principal: &Principal,
        current: &str,
        new: String,
        client_addr: Option<&str>,
    ) -> Result<(), AccountError> {
        let new = Password::new(new)?;
        let user = &principal.user;
        self.check_own_password(user, current, client_addr).await?;
        let now = self.now();
        let hash = self.ports.hasher.hash(&new).await?;
        self.ports.accounts.set_password(user.id, &hash, now).await?;
        let keep = Some(principal.session.id);
        self.ports.tokens.revoke_user_sessions(user.id, keep, RevokeReason::Logout, now).await?;
        tracing::info!(user_id = %user.id, "password changed; other sessions revoked");
        self.notify(user, MailKind::PasswordChanged).await
    }

    /// `POST /auth/password/forgot`: mails a reset link when `email` has an enabled account,
    /// and does nothing otherwise; the caller answers the same either way.
    pub async fn forgot_password(&self, email: &str) -> Result<(), AccountError> {
        let (link, ttl) = self.link_for(TokenPurpose::Reset)?;
        let Ok(email) = Email::parse(email) else { return Ok(()) };
        let Some(user) = self.ports.users.find_user_by_email(&email).await? else {
            tracing::info!(reason = "unknown_email", "password reset not sent");
            return Ok(());
        };
        if user.is_disabled() {
            tracing::info!(user_id = %user.id, reason = "disabled", "password reset not sent");
            return Ok(());
        }
        let kind = |link, expires_in| MailKind::PasswordReset { link, expires_in };
        self.issue_link(&user, TokenPurpose::Reset, user.email.clone(), &link, ttl, kind).await
    }

    /// `POST /auth/password/reset`: a live reset token (used once) sets a new password,
    /// revokes every session of the user and lifts the login lockout.
    pub async fn reset_password(&self, token: &str, new: String) -> Result<(), AccountError> {
        let new = Password::new(new)?;
        let now = self.now();
        let taken = self.ports.accounts.take_token(&AccountTokenHash::of(token)).await?;
        let Some(t) = taken.filter(|t| t.purpose == TokenPurpose::Reset && t.is_live(now)) else {
            return Err(AccountError::InvalidResetToken);
        };
        let user = self.ports.users.find_user(t.user_id).await?;
        let Some(user) = user.filter(|u| u.email == t.email && !u.is_disabled()) else {
            return Err(AccountError::InvalidResetToken);
        };
        let hash = self.ports.hasher.hash(&new).await?;
        self.ports.accounts.set_password(user.id, &hash, now).await?;
        self.ports.tokens.revoke_user_sessions(user.id, None, RevokeReason::Logout, now).await?;
        let key = LoginKey::new(user.email.as_str(), None);
        self.ports.accounts.clear_login_attempts(key.account()).await?;
        tracing::info!(user_id = %user.id, "password reset; every session revoked");
        self.notify(&user, MailKind::PasswordChanged).await
    }

    /// After registration: mails a verification link, when mail is configured (a
    /// registration without mail still succeeds: the user can ask again later).
    pub async fn send_verification(&self, user: &User) -> Result<(), AccountError> {
        let (link, ttl) = self.link_for(TokenPurpose::Verify)?;
        let kind = |link, expires_in| MailKind::VerifyEmail { link, expires_in };
        self.issue_link(user, TokenPurpose::Verify, user.email.clone(), &link, ttl, kind).await
    }

    /// `POST /auth/email/verify/resend`: a new verification link (retiring the old one),
    /// unless the email is verified already.
    pub async fn resend_verification(&self, principal: &Principal) -> Result<(), AccountError> {
        self.can_send(TokenPurpose::Verify)?;
        match principal.user.email_verified_at {
            Some(_) => Ok(()),
            None => self.send_verification(&principal.user).await,
        }
    }

    /// `POST /auth/email/verify`: a live verification token marks the account's email
    /// verified; an email-change token makes its new address the account's email (verified).
    pub async fn verify_email(&self, token: &str) -> Result<(), AccountError> {
        let now = self.now();
        let taken = self.ports.accounts.take_token(&AccountTokenHash::of(token)).await?;
        let Some(t) = taken.filter(|t| t.purpose != TokenPurpose::Reset && t.is_live(now)) else {
            return Err(AccountError::InvalidVerificationToken);
        };
        let accounts = &self.ports.accounts;
        if t.purpose == TokenPurpose::Verify {
            return match accounts.mark_email_verified(t.user_id, &t.email, now).await? {
                true => Ok(()),
                false => Err(AccountError::InvalidVerificationToken),
            };
        }
        match accounts.change_email(t.user_id, &t.email, now).await? {
            EmailChange::Changed => {
                tracing::info!(user_id = %t.user_id, "email changed");
                Ok(())
            }
            EmailChange::Taken => Err(AccountError::EmailTaken),
            EmailChange::NoAccount => Err(AccountError::InvalidVerificationToken),
        }
    }

    /// `POST /auth/email`: checks the password, then mails a confirmation link to the new
    /// address and a notice to the current one; the email changes when the link is used. An
    /// address taken by another account is not revealed here (its link then answers
    /// `email_taken`).
    pub async fn change_email(
        &self,
        principal: &Principal,
        new_email: &str,
        password: &str,
        client_addr: Option<&str>,
    ) -> Result<(), AccountError> {
        let (link, ttl) = self.link_for(TokenPurpose::EmailChange)?;
        let new_email = Email::parse(new_email).map_err(AccountError::InvalidInput)?;
        let user = &principal.user;
        self.check_own_password(user, password, client_addr).await?;
        if new_email == user.email {
            return Ok(());
        }
        let kind = |link, expires_in| MailKind::ConfirmEmailChange { link, expires_in };
        let to = new_email.clone();
        self.issue_link(user, TokenPurpose::EmailChange, to, &link, ttl, kind).await?;
        self.notify(user, MailKind::EmailChangeRequested { new_email }).await
    }

    /// `DELETE /auth/me`: checks the password, then deletes the account with every session
    /// and token (so every token stops at once) and says goodbye to the address.
    pub async fn delete_account(
        &self,
        principal: &Principal,
        password: &str,
        client_addr: Option<&str>,
    ) -> Result<(), AccountError> {
        self.check_own_password(&principal.user, password, client_addr).await?;
        self.close(&principal.user).await?;
        Ok(())
    }

    /// `baton user delete EMAIL`: the operator's account deletion.
    pub async fn delete_user_by_email(&self, email: &str) -> Result<User, AdminError> {
        let email = Email::parse(email).map_err(|_| AdminError::UserNotFound)?;
        let user = self.ports.users.find_user_by_email(&email).await?;
        let user = user.ok_or(AdminError::UserNotFound)?;
        match self.close(&user).await {
            Ok(true) => Ok(user),
            Ok(false) => Err(AdminError::UserNotFound),
            Err(AccountError::Fault(f)) => Err(AdminError::Fault(f)),
            Err(_) => Err(AdminError::UserNotFound),
        }
    }

    /// Deletes `user`, queueing the farewell notice in the same transaction when mail is on.
    async fn close(&self, user: &User) -> Result<bool, AccountError> {
        let farewell = match self.mail.is_some() {
            true => Some(self.compose(user, &user.email, MailKind::AccountClosed, None)?),
            false => None,
        };
        let deleted = self.ports.accounts.delete_user(user.id, farewell.as_ref()).await?;
        tracing::info!(user_id = %user.id, deleted, "account closed");
        Ok(deleted)
    }

    /// The caller's own password, checked like a login's (counted before the check, so a
    /// stolen access token cannot be used to guess it fast).
    async fn check_own_password(
        &self,
        user: &User,
        password: &str,
        client_addr: Option<&str>,
    ) -> Result<(), AccountError> {
        let reserved = self.reserve_attempt(user, client_addr).await?;
        let key = reserved.map_err(|retry_after| AccountError::LockedOut { retry_after })?;
        if !self.ports.hasher.verify(password, &user.password_hash).await? {
            tracing::info!(user_id = %user.id, reason = "wrong_password", "password check failed");
            return Err(AccountError::InvalidCredentials);
        }
        self.ports.users.release_login_attempt(&key).await?;
        Ok(())
    }

    /// The link template and lifetime for `purpose`, or why there is none.
    fn link_for(&self, purpose: TokenPurpose) -> Result<(LinkTemplate, Duration), AccountError> {
        let mail = self.mail.as_ref().ok_or(AccountError::MailUnavailable)?;
        let found = match purpose {
            TokenPurpose::Reset => mail.reset_link.clone().map(|l| (l, mail.reset_ttl)),
            _ => mail.verify_link.clone().map(|l| (l, mail.verify_ttl)),
        };
        found.ok_or(AccountError::MailUnavailable)
    }

    /// Issues a token of `purpose` proving `email` and queues its mail (built by `kind` from
    /// the link and lifetime) to `email`; at most one per account and purpose a minute.
    async fn issue_link(
        &self,
        user: &User,
        purpose: TokenPurpose,
        email: Email,
        link: &LinkTemplate,
        ttl: Duration,
        kind: impl FnOnce(crate::domain::mail::Link, Duration) -> MailKind,
    ) -> Result<(), AccountError> {
        let now = self.now();
        let last = self.ports.accounts.last_token_at(user.id, purpose).await?;
        if last.is_some_and(|at| now < at + MAIL_INTERVAL) {
            tracing::info!(user_id = %user.id, purpose = purpose.as_str(), "link mail skipped: sent within the last minute");
            return Ok(());
        }
        let secret =
            format!("{}{}", self.ports.random.uuid().simple(), self.ports.random.uuid().simple());
        let expires_at = now + ttl;
        let mail = self.compose(user, &email, kind(link.link(&secret), ttl), Some(expires_at))?;
        let token = AccountToken {
            hash: AccountTokenHash::of(&secret),
            user_id: user.id,
            purpose,
            email,
            created_at: now,
            expires_at,
        };
        self.ports.accounts.issue_token(&token, &mail).await?;
        tracing::info!(user_id = %user.id, purpose = purpose.as_str(), "link mail queued");
        Ok(())
    }

    /// Queues a notice to the account's address, when mail is on.
    async fn notify(&self, user: &User, kind: MailKind) -> Result<(), AccountError> {
        if self.mail.is_none() {
            return Ok(());
        }
        let mail = self.compose(user, &user.email, kind, None)?;
        self.ports.accounts.queue_mail(&mail).await?;
        Ok(())
    }

    /// A mail of `kind` to `to`, greeting `user` by name, ready for the outbox.
    fn compose(
        &self,
        user: &User,
        to: &Email,
        kind: MailKind,
        expires_at: Option<OffsetDateTime>,
    ) -> Result<QueuedMail, AccountError> {
        let mail = self.mail.as_ref().ok_or(AccountError::MailUnavailable)?;
        let recipient = Recipient {
            email: to.clone(),
            name: user.name.as_ref().map(|n| n.as_str().to_owned()),
        };
        let composed = mail.composer.compose(&recipient, &kind).map_err(Fault::from)?;
        Ok(QueuedMail {
            mail: OutgoingMail::new(self.ports.random.uuid(), to.clone(), composed),
            kind: kind.name(),
            queued_at: self.now(),
            expires_at,
        })
    }
}
