//! `baton user create|disable|enable|delete|reset-mfa` and `baton mfa reseal`: account
//! administration from the command line.
//!
//! The use cases are the core's (`Auth::create_user`, `Auth::set_account_disabled`), so the
//! same rules hold as over HTTP: email and password checks, bcrypt at the configured cost,
//! and disabling revokes every session of the account at once.

use super::CommandError;
use crate::cli::{MfaCommand, UserCommand};
use crate::config::Config;
use crate::wiring;
use baton_core::{AdminError, Auth, MfaError, RegisterError};
use baton_store::{Store, StoreConfig};
use std::io::{BufRead, IsTerminal};

/// Runs one `baton user` subcommand and prints what it did on stdout.
pub fn user(config: &Config, command: &UserCommand) -> Result<(), CommandError> {
    // Read the password before touching the database: bad input fails fast and cheaply.
    let password = match command {
        UserCommand::Create { .. } => Some(read_password()?),
        _ => None,
    };
    super::one_shot(async {
        let store = Store::connect(&StoreConfig::for_command(config)).await?;
        let (auth, _) = wiring::auth(config, &store)?;
        Ok(administer(&auth, command, password).await)
    })?
}

async fn administer(
    auth: &Auth,
    command: &UserCommand,
    password: Option<String>,
) -> Result<(), CommandError> {
    match (command, password) {
        (UserCommand::Create { email, name }, Some(password)) => {
            let user =
                auth.create_user(email, password, name.as_deref()).await.map_err(|e| match e {
                    RegisterError::EmailTaken => {
                        CommandError::Failed(format!("a user with email {email:?} already exists"))
                    }
                    RegisterError::InvalidInput(e) => {
                        CommandError::Failed(format!("invalid input: {e}"))
                    }
                    RegisterError::Fault(f) => CommandError::Failed(baton_http::error::chain(&f)),
                })?;
            println!("created user {} <{}>", user.id, user.email);
        }
        (UserCommand::Disable { email }, _) => {
            let user = auth.set_account_disabled(email, true).await.map_err(admin(email))?;
            println!("disabled user {} <{}>; its sessions are revoked", user.id, user.email);
        }
        (UserCommand::Delete { email }, _) => {
            let user = auth.delete_user_by_email(email).await.map_err(admin(email))?;
            println!("deleted user {} <{}> and its sessions", user.id, user.email);
        }
        (UserCommand::ResetMfa { email }, _) => {
            let user = auth.reset_second_factors(email).await.map_err(admin(email))?;
            println!(
                "removed the second factors of user {} <{}>; its sessions are revoked",
                user.id, user.email
            );
        }
        (UserCommand::Enable { email }, _) => {
            let user = auth.set_account_disabled(email, false).await.map_err(admin(email))?;
            println!("enabled user {} <{}>", user.id, user.email);
        }
        (UserCommand::Create { .. }, None) => unreachable!("the password was read above"),
    }
    Ok(())
}

/// Runs one `baton mfa` subcommand and prints what it did on stdout.
pub fn mfa(config: &Config, command: &MfaCommand) -> Result<(), CommandError> {
    super::one_shot(async {
        let store = Store::connect(&StoreConfig::for_command(config)).await?;
        let (auth, _) = wiring::auth(config, &store)?;
        Ok(match command {
            MfaCommand::Reseal => reseal(&auth).await,
        })
    })?
}

async fn reseal(auth: &Auth) -> Result<(), CommandError> {
    let report = auth.reseal_totp_secrets().await.map_err(|e| match e {
        MfaError::Unavailable => {
            CommandError::Failed("mfa.encryption_key is not set: nothing can be sealed".into())
        }
        other => CommandError::Failed(baton_http::error::chain(&other)),
    })?;
    println!(
        "resealed {} TOTP secret(s); {} already under the current key; {} under a removed key",
        report.resealed, report.current, report.unknown_key
    );
    Ok(())
}

/// An administration failure, said for an operator.
fn admin(email: &str) -> impl Fn(AdminError) -> CommandError + '_ {
    move |e| match e {
        AdminError::UserNotFound => CommandError::Failed(format!("no user with email {email:?}")),
        AdminError::Fault(f) => CommandError::Failed(baton_http::error::chain(&f)),
    }
}

/// The password for `user create`: prompted twice without echo on a terminal, else the first
/// line of stdin (without its line ending). Never an argument, so never in `ps` or history.
fn read_password() -> Result<String, CommandError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let failed = |e: std::io::Error| CommandError::Failed(format!("cannot read password: {e}"));
        let first = rpassword::prompt_password("Password: ").map_err(failed)?;
        let again = rpassword::prompt_password("Repeat password: ").map_err(failed)?;
        if first != again {
            return Err(CommandError::Failed("the two passwords differ".into()));
        }
        return Ok(first);
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| CommandError::Failed(format!("cannot read password from stdin: {e}")))?;
    let password = line.strip_suffix('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    match password.unwrap_or(&line) {
        "" => Err(CommandError::Failed(
            "no password on stdin: pipe it as one line, e.g. printf '%s\\n' \"$PASSWORD\" | \
             baton user create --email ..."
                .into(),
        )),
        password => Ok(password.to_owned()),
    }
}
