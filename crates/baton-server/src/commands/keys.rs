//! `baton keys generate`: a new Ed25519 or P-256 signing key in the files `jwt.keys` reads
//! (`baton_jwt::keyfile`), and the configuration that stages it (published first, signing
//! later; `baton_config::staged_key_instructions`).

use super::CommandError;
use crate::cli::{KeyKind, KeysCommand};
use baton_jwt::keyfile::{KeyType, write_key_pair};

/// Runs one `baton keys` subcommand and prints what it did, and what to do next, on stdout.
pub fn keys(command: &KeysCommand) -> Result<(), CommandError> {
    match command {
        KeysCommand::Generate { kid, dir, alg } => {
            let key = match alg {
                KeyKind::Eddsa => KeyType::Ed25519,
                KeyKind::Es256 => KeyType::P256,
            };
            let written =
                write_key_pair(kid, dir, key).map_err(|e| CommandError::Failed(e.to_string()))?;
            let (alg, curve) = (key.jwt_alg(), key.curve());
            let paths = (written.private.as_path(), written.public.as_path());
            print!("{}", crate::config::staged_key_instructions(kid, alg, curve, paths));
            Ok(())
        }
    }
}
