//! Register and log in.

use super::{Auth, IssuedTokens};
use crate::domain::email::Email;
use crate::domain::password::Password;
use crate::domain::session::ClientInfo;
use crate::domain::user::{DisplayName, User};
use crate::error::AuthError;
use crate::rules::lockout;
use std::time::Duration as StdDuration;

impl Auth {
    /// Creates an account and logs it in (a new session). Fails with `InvalidInput` for a bad
    /// email, password or name and `EmailTaken` when the email has an account.
    pub fn register(
        &self,
        email: &str,
        password: String,
        name: Option<&str>,
        client: ClientInfo,
    ) -> Result<IssuedTokens, AuthError> {
        let user = self.new_user(email, password, name)?;
        let now = self.now();
        self.open_session(user, client, now)
    }

    /// Validates, hashes and stores a new account without opening a session.
    pub(super) fn new_user(
        &self,
        email: &str,
        password: String,
        name: Option<&str>,
    ) -> Result<User, AuthError> {
        let email = Email::parse(email)?;
        let password = Password::new(password)?;
        let name = name.map(DisplayName::parse).transpose()?.flatten();
        let password_hash = self.ports.hasher.hash(&password)?;
        let now = self.now();
        let user = User {
            id: self.ports.random.uuid(),
            email,
            name,
            password_hash,
            disabled_at: None,
            failed_logins: 0,
            locked_until: None,
            created_at: now,
            updated_at: now,
        };
        self.ports.users.create_user(&user)?;
        Ok(user)
    }

    /// Checks credentials and opens a new session.
    ///
    /// Unknown email and wrong password give the same error after the same amount of bcrypt
    /// work. A locked account answers `LockedOut` without checking the password; a disabled
    /// one answers `AccountDisabled` only to someone who knows the password.
    pub fn login(
        &self,
        email: &str,
        password: &str,
        client: ClientInfo,
    ) -> Result<IssuedTokens, AuthError> {
        let hasher = &self.ports.hasher;
        let user = match Email::parse(email) {
            Ok(email) => self.ports.users.find_user_by_email(&email)?,
            Err(_) => None,
        };
        let Some(user) = user else {
            hasher.verify(password, hasher.dummy_hash())?;
            tracing::info!(reason = "unknown_email", "login refused");
            return Err(AuthError::InvalidCredentials);
        };
        let now = self.now();
        if let Some(left) = lockout::remaining_lock(&user, now) {
            tracing::info!(user_id = %user.id, reason = "locked", "login refused");
            let secs = left.whole_seconds().max(1) as u64;
            return Err(AuthError::LockedOut { retry_after: StdDuration::from_secs(secs) });
        }
        if !hasher.verify(password, &user.password_hash)? {
            let failures = self.ports.users.record_login_failure(user.id, now)?;
            if lockout::should_lock(failures, &self.policy) {
                let until = now + self.policy.lockout;
                self.ports.users.lock_user(user.id, until, now)?;
                tracing::warn!(user_id = %user.id, failures, "account locked after failed logins");
            }
            tracing::info!(user_id = %user.id, reason = "wrong_password", "login refused");
            return Err(AuthError::InvalidCredentials);
        }
        if user.is_disabled() {
            tracing::info!(user_id = %user.id, reason = "disabled", "login refused");
            return Err(AuthError::AccountDisabled);
        }
        if lockout::needs_reset(&user) {
            self.ports.users.clear_login_failures(user.id, now)?;
        }
        let mut user = user;
        user.failed_logins = 0;
        user.locked_until = None;
        self.open_session(user, client, now)
    }
}
