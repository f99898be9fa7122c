//! Register and login across the two thread pools: the core offers each in steps (input →
//! bcrypt → database), and these functions only move the step values from one pool to the
//! next. The order of the steps, and every rule, stays in the core.
//!
//! Each returns the use case's own result inside the pool's: the outer error means the work
//! never ran (no thread in time), the inner one is the core's answer, which the handler
//! counts in `/metrics` before answering it.

use crate::blocking::Pools;
use crate::error::HttpError;
use baton_core::{Auth, ClientInfo, IssuedTokens, LoginError, RegisterError};

/// Unwraps a step's result, or returns the use case's failure as the flow's answer.
macro_rules! step {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(e) => return Ok(Err(e.into())),
        }
    };
}

/// Registration: input checks here (cheap), bcrypt on the hashing pool, the account and its
/// first session on the database pool.
pub async fn register(
    auth: &Auth,
    pools: &Pools,
    email: String,
    password: String,
    name: Option<String>,
    client: ClientInfo,
) -> Result<Result<IssuedTokens, RegisterError>, HttpError> {
    let account = step!(auth.check_account(&email, password, name.as_deref()));
    let hasher = auth.clone();
    let hashed = step!(pools.hash.run(move || hasher.hash_account(account)).await?);
    let auth = auth.clone();
    pools.db.run(move || auth.open_account(hashed, client)).await
}

/// Login: the attempt is counted and the account read on the database pool, the password
/// checked on the hashing pool, the session opened (or not) on the database pool.
pub async fn login(
    auth: &Auth,
    pools: &Pools,
    email: String,
    password: String,
    client: ClientInfo,
) -> Result<Result<IssuedTokens, LoginError>, HttpError> {
    let a = auth.clone();
    let attempt = step!(pools.db.run(move || a.start_login(&email, client)).await?);
    let a = auth.clone();
    let checked = step!(pools.hash.run(move || a.check_password(attempt, &password)).await?);
    let a = auth.clone();
    pools.db.run(move || a.finish_login(checked)).await
}
