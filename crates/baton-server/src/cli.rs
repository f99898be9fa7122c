//! The command line: `baton [serve|migrate|purge|user ...|mfa ...|keys ...|config]`.
//!
//! Global options choose the configuration; each subcommand is one operator task, carried out
//! by [`crate::commands`]. Passwords are never arguments (they would land in shell history
//! and `ps`): `user create` reads them from a prompt or stdin.

use crate::config::{DEFAULT_PROFILE, Source};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Baton: a refresh-token authentication service.
#[derive(Debug, Parser)]
#[command(name = "baton", version)]
pub struct Cli {
    /// Configuration profile: `config/<profile>.toml` is read after `config/default.toml`.
    #[arg(long, global = true, env = "BATON_PROFILE", default_value = DEFAULT_PROFILE)]
    pub profile: String,

    /// Directory holding the configuration files [default: config, which may be absent; a
    /// directory given here or in BATON_CONFIG_DIR must exist].
    #[arg(long, global = true, env = "BATON_CONFIG_DIR")]
    pub config_dir: Option<PathBuf>,

    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Run the HTTP API (the default). Migrates the database first.
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Delete expired sessions and long-revoked ones, then exit.
    Purge,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Print the effective configuration (secrets redacted) and where each value came from.
    Config,
    /// Manage JWT signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Second factors: sealing keys of TOTP secrets.
    #[command(subcommand)]
    Mfa(MfaCommand),
}

/// `baton mfa ...`: operator tasks on second factors.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum MfaCommand {
    /// Seal every TOTP secret anew under the first `mfa.encryption_key`, so the other keys can
    /// be removed (docs/OPERATIONS.md, "TOTP secrets"). Safe while servers run.
    Reseal,
}

/// `baton keys ...`: signing keys, made without any other tool. Needs no configuration.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum KeysCommand {
    /// Write a new key pair (Ed25519 or P-256) and print the jwt.keys line that publishes it.
    ///
    /// Writes DIR/KID.private.pem (PKCS#8 PEM, mode 0600) and DIR/KID.public.pem (SPKI PEM),
    /// never overwriting a file, then prints the configuration to add: the key goes AFTER the
    /// current signing key first (published, not signing), and moves first only once every
    /// resource server has it (docs/OPERATIONS.md, "Rotating asymmetric keys").
    Generate {
        /// Key id written into tokens' `kid` header and used for the file names: letters,
        /// digits, `.`, `_` and `-`, at most 64, not starting with `.` (e.g. `2027-01`).
        #[arg(long)]
        kid: String,
        /// Directory for the two files; it must exist.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// The key's algorithm: `es256` (P-256, accepted by every JOSE library: the one to
        /// give APIs) or `eddsa` (Ed25519, which some libraries refuse).
        #[arg(long, value_enum, default_value_t = KeyKind::Eddsa)]
        alg: KeyKind,
    },
}

/// The asymmetric algorithms `baton keys generate` makes keys for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyKind {
    /// Ed25519 (`alg = "EdDSA"`).
    Eddsa,
    /// P-256 (`alg = "ES256"`).
    Es256,
}

/// `baton user ...`: account administration on the configured database.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum UserCommand {
    /// Create an account (password from a prompt or stdin, never an argument).
    ///
    /// The password is read from a prompt (twice, not echoed) when stdin is a terminal, else
    /// as one line from stdin: `printf '%s\n' "$PW" | baton user create --email ...`.
    Create {
        /// Login address of the new account.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
    },
    /// Disable an account and revoke all its sessions at once.
    ///
    /// Logins, refreshes and access tokens of the account are refused from now on.
    Disable {
        /// Login address of the account.
        email: String,
    },
    /// Delete an account with its sessions: every token stops at once; the email is free.
    Delete {
        /// Login address of the account.
        email: String,
    },
    /// Remove every second factor of an account (TOTP, recovery codes, passkeys) and end its
    /// sessions: for a user who lost the authenticator and the recovery codes. Make sure who
    /// is asking first: after this the password alone logs in.
    ResetMfa {
        /// Login address of the account.
        email: String,
    },
    /// Enable a disabled account again.
    ///
    /// Sessions revoked by `disable` stay revoked: the user logs in anew.
    Enable {
        /// Login address of the account.
        email: String,
    },
}

impl Cli {
    /// Where the configuration comes from.
    pub fn source(&self) -> Source {
        Source::new(self.config_dir.clone(), self.profile.clone())
    }

    /// The subcommand, `serve` by default.
    pub fn subcommand(&self) -> Command {
        self.command.clone().unwrap_or(Command::Serve)
    }
}
