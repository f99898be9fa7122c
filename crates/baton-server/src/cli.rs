//! The command line: `baton [serve|migrate|purge]`.
//!
//! Global options choose the configuration; each subcommand is one operator task. New
//! subcommands (`user ...`, `config`) slot into [`Command`] and [`crate::commands`].

use crate::config::{DEFAULT_PROFILE, Source};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Baton: a refresh-token authentication service.
#[derive(Debug, Parser)]
#[command(name = "baton", version)]
pub struct Cli {
    /// Configuration profile: `config/<profile>.toml` is read after `config/default.toml`.
    #[arg(long, global = true, env = "BATON_PROFILE", default_value = DEFAULT_PROFILE)]
    pub profile: String,

    /// Directory holding the configuration files.
    #[arg(long, global = true, env = "BATON_CONFIG_DIR", default_value = "config")]
    pub config_dir: PathBuf,

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
}

impl Cli {
    /// Where the configuration comes from.
    pub fn source(&self) -> Source {
        Source { dir: self.config_dir.clone(), profile: self.profile.clone() }
    }

    /// The subcommand, `serve` by default.
    pub fn subcommand(&self) -> Command {
        self.command.clone().unwrap_or(Command::Serve)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_is_the_default() {
        let cli = Cli::try_parse_from(["baton"]).unwrap();
        assert_eq!(cli.subcommand(), Command::Serve);
        let cli = Cli::try_parse_from(["baton", "purge", "--profile", "dev"]).unwrap();
        assert_eq!(cli.subcommand(), Command::Purge);
        assert_eq!(cli.profile, "dev");
    }
}
