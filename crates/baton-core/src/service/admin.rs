//! Operator use cases behind the command line (`baton user ...`).

use super::Auth;
use crate::domain::email::Email;
use crate::domain::session::RevokeReason;
use crate::domain::user::User;
use crate::error::AdminError;

impl Auth {
    /// Disables or enables an account by email. Disabling also revokes every session at once;
    /// the disabled flag alone already refuses them, the revocation makes it last after an
    /// enable. Returns the account as it is now. An address that cannot be an email is simply
    /// not a user.
    pub async fn set_account_disabled(
        &self,
        email: &str,
        disabled: bool,
    ) -> Result<User, AdminError> {
        let email = Email::parse(email).map_err(|_| AdminError::UserNotFound)?;
        let now = self.now();
        let mut user =
            self.ports.users.find_user_by_email(&email).await?.ok_or(AdminError::UserNotFound)?;
        let disabled_at = disabled.then_some(now);
        if !self.ports.users.set_disabled(user.id, disabled_at, now).await? {
            return Err(AdminError::UserNotFound);
        }
        if disabled {
            self.ports
                .tokens
                .revoke_user_sessions(user.id, None, RevokeReason::AccountDisabled, now)
                .await?;
        }
        user.disabled_at = disabled_at;
        user.updated_at = now;
        Ok(user)
    }
}
