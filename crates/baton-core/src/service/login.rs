//! Login, in three steps: count the attempt and find the account (database), check the
//! password (bcrypt, on the hashing pool), then open a session or not (database).
//! [`Auth::login`] runs all three; the server runs them on the pool each needs.
//!
//! The attempt is counted as a failure *before* the password is checked, in one conditional
//! statement per counter, so a burst of concurrent wrong passwords on any number of servers
//! gets at most `max_failed_logins` password checks per (account, address) and the rest are
//! locked out. A success takes the attempt back.

use super::{Auth, IssuedTokens};
use crate::domain::email::Email;
use crate::domain::session::ClientInfo;
use crate::domain::throttle::LoginKey;
use crate::domain::token::ClientId;
use crate::domain::user::User;
use crate::error::LoginError;
use crate::rules::lockout;
use time::OffsetDateTime;

/// A login after its first database step: the attempt is counted, the account (if any) read.
/// The password is not checked yet.
#[derive(Debug)]
pub struct LoginAttempt {
    key: LoginKey,
    user: Option<User>,
    client: ClientInfo,
}

/// A login whose password has been checked, waiting for its last database step.
#[derive(Debug)]
pub struct CheckedLogin {
    attempt: LoginAttempt,
    password_ok: bool,
}

impl Auth {
    /// Step 1: counts the attempt against (account, address) and the address, then reads the
    /// account. `LockedOut` when a lock or the address ceiling stands: no password is checked.
    pub fn start_login(&self, email: &str, client: ClientInfo) -> Result<LoginAttempt, LoginError> {
        let now = self.now();
        let key = LoginKey::new(email, client.client_addr.as_deref());
        let reservation = self.ports.users.reserve_login_attempt(
            &key,
            now,
            &lockout::limits(&self.policy, now),
        )?;
        if let Some(retry_after) = lockout::retry_after(reservation, now) {
            tracing::info!(?reservation, "login refused: locked");
            return Err(LoginError::LockedOut { retry_after });
        }
        // A malformed email cannot be an account: same answer and work as an unknown one.
        let user = match Email::parse(email) {
            Ok(email) => self.ports.users.find_user_by_email(&email)?,
            Err(_) => None,
        };
        Ok(LoginAttempt { key, user, client })
    }

    /// Step 2: checks the password (bcrypt: CPU-bound, run it on the hashing pool). An unknown
    /// email is checked against the dummy hash, so it costs the same as a wrong password.
    pub fn check_password(
        &self,
        attempt: LoginAttempt,
        password: &str,
    ) -> Result<CheckedLogin, LoginError> {
        let hasher = &self.ports.hasher;
        let hash = attempt.user.as_ref().map_or(hasher.dummy_hash(), |u| &u.password_hash);
        let password_ok = hasher.verify(password, hash)? && attempt.user.is_some();
        Ok(CheckedLogin { attempt, password_ok })
    }

    /// Step 3: a wrong password stays counted (`InvalidCredentials`); a right one takes the
    /// attempt back, and then a disabled account is `AccountDisabled`, an enabled one gets a
    /// new session (evicting the least recently used beyond `max_sessions_per_user`) for the
    /// default client ([`Self::finish_login_for`] names one).
    pub fn finish_login(&self, checked: CheckedLogin) -> Result<IssuedTokens, LoginError> {
        self.finish_login_for(checked, None)
    }

    /// Step 3 for the client that named itself `client_id` (RFC 9068 `client_id` of both
    /// tokens, kept by every refresh of the session); `None` is the configured default.
    pub fn finish_login_for(
        &self,
        checked: CheckedLogin,
        client_id: Option<ClientId>,
    ) -> Result<IssuedTokens, LoginError> {
        let CheckedLogin { attempt, password_ok } = checked;
        let LoginAttempt { key, user, client } = attempt;
        let user = match user {
            Some(user) if password_ok => user,
            Some(user) => {
                tracing::info!(user_id = %user.id, reason = "wrong_password", "login refused");
                return Err(LoginError::InvalidCredentials);
            }
            None => {
                tracing::info!(reason = "unknown_email", "login refused");
                return Err(LoginError::InvalidCredentials);
            }
        };
        self.ports.users.release_login_attempt(&key)?;
        if user.is_disabled() {
            tracing::info!(user_id = %user.id, reason = "disabled", "login refused");
            return Err(LoginError::AccountDisabled);
        }
        let now = self.now();
        Ok(self.open_login_session(user, client, self.client_or_default(client_id), now)?)
    }

    /// Checks credentials and opens a new session: the three steps above in a row.
    pub fn login(
        &self,
        email: &str,
        password: &str,
        client: ClientInfo,
    ) -> Result<IssuedTokens, LoginError> {
        let attempt = self.start_login(email, client)?;
        let checked = self.check_password(attempt, password)?;
        self.finish_login(checked)
    }

    fn open_login_session(
        &self,
        user: User,
        client: ClientInfo,
        client_id: ClientId,
        now: OffsetDateTime,
    ) -> Result<IssuedTokens, crate::error::Fault> {
        let (session, refresh_token) = self.new_session(user.id, client, client_id.clone(), now)?;
        self.ports.tokens.create_session(&session)?;
        self.evict_excess_sessions(&session, now)?;
        self.with_access_token(user, &session, &client_id, refresh_token, now)
    }
}
