//! Where a configuration value came from (a file, a variable, or the default), for
//! `baton config` and for messages that say which line to fix.

use super::env;
use figment::{Figment, Metadata};
use std::path::PathBuf;

/// Metadata name of the built-in defaults layer.
pub(crate) const DEFAULTS_NAME: &str = "built-in defaults";
/// Metadata name of the `BATON_*` layer.
pub(crate) const ENV_PREFIXED: &str = "BATON_* environment variables";
/// Metadata name of the `DATABASE_URL` layer.
pub(crate) const ENV_DATABASE_URL: &str = "environment variable DATABASE_URL";

/// Where a configuration value came from, for `baton config` and error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Nobody set it: the built-in default.
    Default,
    /// A TOML file.
    File(PathBuf),
    /// An environment variable, named.
    Env(String),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::Env(var) => write!(f, "env {var}"),
        }
    }
}

/// Where the value of `key` (dotted, e.g. `server.port`) in `figment` came from.
pub fn origin(figment: &Figment, key: &str) -> Origin {
    let Some(metadata) = figment.find_metadata(key) else {
        return Origin::Default; // an optional key nobody set
    };
    metadata_origin(metadata, key)
}

/// The origin a layer's metadata stands for, for the value at `key`.
pub(crate) fn metadata_origin(metadata: &Metadata, key: &str) -> Origin {
    match (&metadata.source, metadata.name.as_ref()) {
        (Some(figment::Source::File(path)), _) => Origin::File(path.clone()),
        (_, ENV_PREFIXED) => {
            let path: Vec<&str> = key.split('.').take(2).collect();
            Origin::Env(env::env_var_name(&path))
        }
        (_, ENV_DATABASE_URL) => Origin::Env("DATABASE_URL".into()),
        (_, name) if env::LITERAL_VARS.contains(&name) => Origin::Env(name.into()),
        _ => Origin::Default,
    }
}
