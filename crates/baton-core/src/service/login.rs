//! Login: count the attempt and find the account, check the password, then open a session or
//! not — in that order, in one use case. The password check awaits the hasher, which runs
//! bcrypt on its own bounded pool, so the steps need not be driven one by one any more.
//!
//! The attempt is counted as a failure *before* the password is checked, in one conditional
//! statement per counter, so a burst of concurrent wrong passwords on any number of servers
//! gets at most `max_failed_logins` password checks per (account, address) and the rest are
//! locked out. A success takes the attempt back.

use super::{Auth, IssuedTokens};
use crate::domain::email::Email;
use crate::domain::session::{Amr, ClientInfo};
use crate::domain::throttle::LoginKey;
use crate::domain::token::ClientId;
use crate::domain::user::User;
use crate::error::{Fault, LoginError};
use crate::rules::lockout;
use time::OffsetDateTime;

impl Auth {
    /// Checks credentials and opens a new session.
    ///
    /// `LockedOut` when a lock or the address ceiling stands (no password is checked);
    /// `InvalidCredentials` for an unknown email or a wrong password, alike in answer and in
    /// work (an unknown email is checked against the dummy hash); `AccountDisabled` only to
    /// the holder of the right password. A hasher that stays busy is a `Fault` and leaves the
    /// attempt counted: taking it back would clear the pair's count for whoever can overload
    /// the hasher.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        client: ClientInfo,
    ) -> Result<IssuedTokens, LoginError> {
        self.login_for(email, password, client, None).await
    }

    /// [`Self::login`] for the client that named itself `client_id` (the RFC 9068 `client_id`
    /// of both tokens, kept by every refresh of the session); `None` is the configured default.
    pub async fn login_for(
        &self,
        email: &str,
        password: &str,
        client: ClientInfo,
        client_id: Option<ClientId>,
    ) -> Result<IssuedTokens, LoginError> {
        let now = self.now();
        let key = LoginKey::new(email, client.client_addr.as_deref());
        let limits = lockout::limits(&self.policy, now);
        let reservation = self.ports.users.reserve_login_attempt(&key, now, &limits).await?;
        if let Some(retry_after) = lockout::retry_after(reservation, now) {
            tracing::info!(?reservation, "login refused: locked");
            return Err(LoginError::LockedOut { retry_after });
        }
        // A malformed email cannot be an account: same answer and work as an unknown one.
        let user = match Email::parse(email) {
            Ok(email) => self.ports.users.find_user_by_email(&email).await?,
            Err(_) => None,
        };
        let user = self.check_password(user, password).await?;
        self.ports.users.release_login_attempt(&key).await?;
        if user.is_disabled() {
            tracing::info!(user_id = %user.id, reason = "disabled", "login refused");
            return Err(LoginError::AccountDisabled);
        }
        if self.policy.require_verified_email && user.email_verified_at.is_none() {
            tracing::info!(user_id = %user.id, reason = "unverified", "login refused");
            return Err(LoginError::EmailNotVerified);
        }
        let client_id = self.client_or_default(client_id);
        let factors = self.ports.factors.factor_summary(user.id).await?;
        if factors.has_second_factor() {
            let pending = self.start_mfa(&user, factors, client_id).await?;
            tracing::info!(user_id = %user.id, "password right; second factor required");
            return Err(LoginError::MfaRequired(pending));
        }
        Ok(self.open_login_session(user, client, client_id, Amr::password(), self.now()).await?)
    }

    /// Counts an attempt of `user` from `client_addr` toward the lockout before a credential
    /// is checked, as login does: the key to release once the credential proved right, or how
    /// long the standing lock lasts. For every check of a logged-in user's password or second
    /// factor.
    pub(super) async fn reserve_attempt(
        &self,
        user: &User,
        client_addr: Option<&str>,
    ) -> Result<Result<LoginKey, std::time::Duration>, Fault> {
        let now = self.now();
        let key = LoginKey::new(user.email.as_str(), client_addr);
        let limits = lockout::limits(&self.policy, now);
        let reservation = self.ports.users.reserve_login_attempt(&key, now, &limits).await?;
        Ok(lockout::retry_after(reservation, now).map_or(Ok(key), Err))
    }

    /// The account if `password` is its password; `InvalidCredentials` otherwise, after one
    /// password check either way (against the dummy hash when there is no account).
    async fn check_password(&self, user: Option<User>, password: &str) -> Result<User, LoginError> {
        let hasher = &self.ports.hasher;
        let hash = user.as_ref().map_or(hasher.dummy_hash(), |u| &u.password_hash);
        let matches = hasher.verify(password, hash).await?;
        match user {
            Some(user) if matches => Ok(user),
            Some(user) => {
                tracing::info!(user_id = %user.id, reason = "wrong_password", "login refused");
                Err(LoginError::InvalidCredentials)
            }
            None => {
                tracing::info!(reason = "unknown_email", "login refused");
                Err(LoginError::InvalidCredentials)
            }
        }
    }

    /// Opens a session for `user`, whose login was proven with `amr`, and mints its pair.
    pub(super) async fn open_login_session(
        &self,
        user: User,
        client: ClientInfo,
        client_id: ClientId,
        amr: Amr,
        now: OffsetDateTime,
    ) -> Result<IssuedTokens, Fault> {
        let (session, refresh_token) =
            self.new_session(user.id, client, client_id.clone(), amr, now)?;
        self.ports.tokens.create_session(&session).await?;
        self.evict_excess_sessions(&session, now).await?;
        self.with_access_token(user, &session, &client_id, refresh_token, now)
    }
}
