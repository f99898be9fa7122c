//! Registration, in three steps: check the input (cheap), hash the password (bcrypt, on the
//! hashing pool), store the account with its first session (database). [`Auth::register`]
//! runs all three; the server runs them on the pool each needs.

use super::{Auth, IssuedTokens};
use crate::domain::email::Email;
use crate::domain::password::{Password, PasswordHash};
use crate::domain::session::ClientInfo;
use crate::domain::token::ClientId;
use crate::domain::user::{DisplayName, User};
use crate::error::{Fault, InputError, RegisterError};

/// Account details that passed the input rules; the password is not hashed yet.
#[derive(Debug)]
pub struct NewAccount {
    email: Email,
    password: Password,
    name: Option<DisplayName>,
}

/// An account ready to store: its password hashed.
#[derive(Debug)]
pub struct HashedAccount {
    email: Email,
    password_hash: PasswordHash,
    name: Option<DisplayName>,
}

impl Auth {
    /// Step 1: applies the input rules (email, password 8 to 72 bytes, name). No I/O.
    pub fn check_account(
        &self,
        email: &str,
        password: String,
        name: Option<&str>,
    ) -> Result<NewAccount, InputError> {
        Ok(NewAccount {
            email: Email::parse(email)?,
            password: Password::new(password)?,
            name: name.map(DisplayName::parse).transpose()?.flatten(),
        })
    }

    /// Step 2: hashes the password (bcrypt: CPU-bound, run it on the hashing pool).
    pub fn hash_account(&self, account: NewAccount) -> Result<HashedAccount, Fault> {
        let password_hash = self.ports.hasher.hash(&account.password)?;
        Ok(HashedAccount { email: account.email, password_hash, name: account.name })
    }

    /// Step 3: stores the account and its first session (for the default client) as one
    /// unit, and issues the pair.
    pub fn open_account(
        &self,
        account: HashedAccount,
        client: ClientInfo,
    ) -> Result<IssuedTokens, RegisterError> {
        self.open_account_for(account, client, None)
    }

    /// Step 3 for the client that named itself `client_id`; `None` is the configured default.
    pub fn open_account_for(
        &self,
        account: HashedAccount,
        client: ClientInfo,
        client_id: Option<ClientId>,
    ) -> Result<IssuedTokens, RegisterError> {
        let now = self.now();
        let user = self.user_of(account, now);
        let client_id = self.client_or_default(client_id);
        let (session, refresh_token) = self.new_session(user.id, client, client_id.clone(), now)?;
        self.ports.users.create_user(&user, Some(&session))?;
        Ok(self.with_access_token(user, &session, &client_id, refresh_token, now)?)
    }

    /// Creates an account and logs it in (a new session): the three steps above in a row.
    pub fn register(
        &self,
        email: &str,
        password: String,
        name: Option<&str>,
        client: ClientInfo,
    ) -> Result<IssuedTokens, RegisterError> {
        let account = self.check_account(email, password, name)?;
        let account = self.hash_account(account)?;
        self.open_account(account, client)
    }

    /// Creates an account without logging it in (`baton user create`).
    pub fn create_user(
        &self,
        email: &str,
        password: String,
        name: Option<&str>,
    ) -> Result<User, RegisterError> {
        let account = self.hash_account(self.check_account(email, password, name)?)?;
        let user = self.user_of(account, self.now());
        self.ports.users.create_user(&user, None)?;
        Ok(user)
    }

    fn user_of(&self, account: HashedAccount, now: time::OffsetDateTime) -> User {
        User {
            id: self.ports.random.uuid(),
            email: account.email,
            name: account.name,
            password_hash: account.password_hash,
            disabled_at: None,
            created_at: now,
            updated_at: now,
        }
    }
}
