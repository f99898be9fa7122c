//! `baton keys generate`: a new Ed25519 signing key in the files `jwt.keys` reads
//! (`baton_jwt::keyfile`), and the configuration that stages it (published first, signing
//! later; `baton_config::staged_key_instructions`).

use super::CommandError;
use crate::cli::KeysCommand;

/// Runs one `baton keys` subcommand and prints what it did, and what to do next, on stdout.
pub fn keys(command: &KeysCommand) -> Result<(), CommandError> {
    match command {
        KeysCommand::Generate { kid, dir } => {
            let written = baton_jwt::keyfile::write_key_pair(kid, dir)
                .map_err(|e| CommandError::Failed(e.to_string()))?;
            let next =
                crate::config::staged_key_instructions(kid, &written.private, &written.public);
            print!("{next}");
            Ok(())
        }
    }
}
