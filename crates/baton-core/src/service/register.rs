//! Registration: check the input (cheap, before any hashing), hash the password (the hasher
//! runs bcrypt on its own bounded pool), store the account with its first session.

use super::{Auth, IssuedTokens};
use crate::domain::email::Email;
use crate::domain::password::{Password, PasswordHash};
use crate::domain::session::{Amr, ClientInfo};
use crate::domain::token::ClientId;
use crate::domain::user::{DisplayName, User};
use crate::error::{InputError, RegisterError};

/// Account details that passed the input rules; the password is not hashed yet.
#[derive(Debug)]
struct NewAccount {
    email: Email,
    password: Password,
    name: Option<DisplayName>,
}

impl Auth {
    /// Creates an account and logs it in (a new session). Bad input is refused before any
    /// hashing; the account and its first session are stored as one unit.
    pub async fn register(
        &self,
        email: &str,
        password: String,
        name: Option<&str>,
        client: ClientInfo,
    ) -> Result<IssuedTokens, RegisterError> {
        self.register_for(email, password, name, client, None).await
    }

    /// [`Self::register`] for the client that named itself `client_id`; `None` is the
    /// configured default.
    pub async fn register_for(
        &self,
        email: &str,
        password: String,
        name: Option<&str>,
        client: ClientInfo,
        client_id: Option<ClientId>,
    ) -> Result<IssuedTokens, RegisterError> {
        let account = check_account(email, password, name)?;
        let password_hash = self.ports.hasher.hash(&account.password).await?;
        let now = self.now();
        let user = self.user_of(account, password_hash, now);
        let client_id = self.client_or_default(client_id);
        let (session, refresh_token) =
            self.new_session(user.id, client, client_id.clone(), Amr::password(), now)?;
        self.ports.users.create_user(&user, Some(&session)).await?;
        Ok(self.with_access_token(user, &session, &client_id, refresh_token, now)?)
    }

    /// Creates an account without logging it in (`baton user create`).
    pub async fn create_user(
        &self,
        email: &str,
        password: String,
        name: Option<&str>,
    ) -> Result<User, RegisterError> {
        let account = check_account(email, password, name)?;
        let password_hash = self.ports.hasher.hash(&account.password).await?;
        let user = self.user_of(account, password_hash, self.now());
        self.ports.users.create_user(&user, None).await?;
        Ok(user)
    }

    fn user_of(
        &self,
        account: NewAccount,
        password_hash: PasswordHash,
        now: time::OffsetDateTime,
    ) -> User {
        User {
            id: self.ports.random.uuid(),
            email: account.email,
            name: account.name,
            password_hash,
            disabled_at: None,
            email_verified_at: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Applies the input rules (email, password of 8 characters to 72 bytes, name). No I/O.
fn check_account(
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
