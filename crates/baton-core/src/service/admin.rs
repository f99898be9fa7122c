//! Operator use cases behind the command line (`baton user ...`).

use super::Auth;
use crate::domain::email::Email;
use crate::domain::session::RevokeReason;
use crate::domain::user::User;
use crate::error::AuthError;

impl Auth {
    /// Creates an account without logging it in (for `baton user create`).
    pub fn create_user(
        &self,
        email: &str,
        password: String,
        name: Option<&str>,
    ) -> Result<User, AuthError> {
        self.new_user(email, password, name)
    }

    /// Disables or enables an account by email. Disabling also revokes every session at once;
    /// the disabled flag alone already refuses them, the revocation makes it last after an
    /// enable. Returns the account as it is now.
    pub fn set_account_disabled(&self, email: &str, disabled: bool) -> Result<User, AuthError> {
        let email = Email::parse(email)?;
        let now = self.now();
        let mut user =
            self.ports.users.find_user_by_email(&email)?.ok_or(AuthError::UserNotFound)?;
        let disabled_at = disabled.then_some(now);
        if !self.ports.users.set_disabled(user.id, disabled_at, now)? {
            return Err(AuthError::UserNotFound);
        }
        if disabled {
            self.ports.tokens.revoke_user_sessions(
                user.id,
                None,
                RevokeReason::AccountDisabled,
                now,
            )?;
        }
        user.disabled_at = disabled_at;
        user.updated_at = now;
        Ok(user)
    }
}
