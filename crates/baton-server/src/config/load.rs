//! Where configuration comes from (SPEC §6), lowest to highest precedence:
//! built-in defaults < `config/default.toml` < `config/<profile>.toml` < `DATABASE_URL` <
//! `BATON_*` environment variables (`__` between levels, e.g. `BATON_SERVER__PORT`).

use super::Config;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::{Figment, Metadata, Profile, Provider};
use std::path::{Path, PathBuf};

/// Profile used when `BATON_PROFILE` is unset: production rules apply unless asked otherwise.
pub const DEFAULT_PROFILE: &str = "prod";

/// Environment variables read as raw strings rather than parsed as figment values, so that a
/// secret made only of digits or starting with `[` is taken literally.
const RAW_SECRET_VAR: &str = "BATON_JWT__SECRET";

/// The sections of [`Config`]; `BATON_*` variables outside them (such as `BATON_PROFILE`)
/// belong to the command line and are not configuration keys.
const SECTIONS: [&str; 8] =
    ["server", "database", "jwt", "tokens", "passwords", "login", "log", "purge"];

/// Which configuration to load: the directory of the TOML files and the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Directory holding `default.toml` and `<profile>.toml`.
    pub dir: PathBuf,
    /// Profile name, e.g. `dev` or `prod`.
    pub profile: String,
}

impl Source {
    /// The TOML files this source reads, in precedence order; missing files are skipped.
    pub fn files(&self) -> [PathBuf; 2] {
        [self.dir.join("default.toml"), self.dir.join(format!("{}.toml", self.profile))]
    }

    /// The files of [`Source::files`] that exist, for the start-up log.
    pub fn existing_files(&self) -> Vec<PathBuf> {
        self.files().into_iter().filter(|p| p.is_file()).collect()
    }

    /// Every layer merged, not yet extracted or validated. Each layer's metadata names it
    /// (see [`Origin`]), so errors and `baton config` can say where a value came from.
    pub fn figment(&self) -> Figment {
        let defaults = Serialized::defaults(Config::default());
        let mut figment = Figment::from(Named::new(defaults, Metadata::named(DEFAULTS_NAME)));
        // A missing file is no error (every key has a default); one that exists but cannot
        // be read or parsed is.
        for file in self.existing_files() {
            figment = figment.merge(Toml::file_exact(file));
        }
        let database_url = Env::raw().only(&["DATABASE_URL"]).map(|_| "database.url".into());
        let prefixed = Env::prefixed("BATON_")
            .filter(|key| !key.as_str().eq_ignore_ascii_case(&RAW_SECRET_VAR["BATON_".len()..]))
            .filter(|key| {
                let key = key.as_str().to_ascii_lowercase();
                SECTIONS.iter().any(|s| key.starts_with(&format!("{s}__")))
            })
            .split("__");
        // Errors name the key and, for `BATON_*`, the variable that set it.
        let prefixed_metadata = Metadata::named(ENV_PREFIXED).interpolater(|_: &Profile, path| {
            format!("{} ({})", path.join("."), env_var_name(path))
        });
        figment = figment
            .merge(Named::new(database_url, Metadata::named(ENV_DATABASE_URL)))
            .merge(Named::new(prefixed, prefixed_metadata));
        if let Some(secret) = std::env::var(RAW_SECRET_VAR).ok().filter(|s| !s.is_empty()) {
            let secret = Serialized::default("jwt.secret", secret);
            figment = figment.merge(Named::new(secret, Metadata::named(ENV_SECRET)));
        }
        figment
    }
}

/// Metadata name of the built-in defaults layer.
const DEFAULTS_NAME: &str = "built-in defaults";
/// Metadata name of the `BATON_*` layer.
const ENV_PREFIXED: &str = "BATON_* environment variables";
/// Metadata name of the `DATABASE_URL` layer.
const ENV_DATABASE_URL: &str = "environment variable DATABASE_URL";
/// Metadata name of the raw `BATON_JWT__SECRET` layer.
const ENV_SECRET: &str = "environment variable BATON_JWT__SECRET";

/// The `BATON_...` variable that sets the key at `path`, e.g. `BATON_SERVER__PORT`.
pub fn env_var_name(path: &[&str]) -> String {
    format!("BATON_{}", path.join("__").to_ascii_uppercase())
}

/// A provider with its metadata replaced, to name layers figment would describe vaguely
/// (a Rust type name for the defaults, `SERVER.PORT` for `BATON_SERVER__PORT`).
struct Named<P> {
    inner: P,
    metadata: Metadata,
}

impl<P: Provider> Named<P> {
    fn new(inner: P, metadata: Metadata) -> Self {
        Self { inner, metadata }
    }
}

impl<P: Provider> Provider for Named<P> {
    fn metadata(&self) -> Metadata {
        self.metadata.clone()
    }

    fn data(&self) -> Result<figment::value::Map<Profile, figment::value::Dict>, figment::Error> {
        self.inner.data()
    }
}

/// Where a configuration value came from, for `baton config`.
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
    match (&metadata.source, metadata.name.as_ref()) {
        (Some(figment::Source::File(path)), _) => Origin::File(path.clone()),
        (_, ENV_PREFIXED) => Origin::Env(env_var_name(&key.split('.').collect::<Vec<_>>())),
        (_, ENV_DATABASE_URL) => Origin::Env("DATABASE_URL".into()),
        (_, ENV_SECRET) => Origin::Env(RAW_SECRET_VAR.into()),
        _ => Origin::Default,
    }
}

/// Configuration that cannot be used; the message is one line, fit for stderr.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A file could not be read or parsed, or a value has the wrong type.
    #[error("{0}")]
    Read(String),
    /// Values that parse but break a rule (short secret, unknown database scheme, ...).
    #[error("{0}")]
    Invalid(String),
}

impl From<figment::Error> for ConfigError {
    fn from(e: figment::Error) -> Self {
        let touches_secret = e.path.iter().any(|p| p == "secret" || p == "keys");
        let message = if touches_secret {
            // The value itself may be (part of) a secret: name the key, never the value.
            format!("invalid value for key {:?}", e.path.join("."))
        } else {
            e.to_string()
        };
        ConfigError::Read(message.lines().collect::<Vec<_>>().join("; "))
    }
}

/// Loads, extracts and validates the configuration of `source`.
pub fn load(source: &Source) -> Result<Config, ConfigError> {
    check_profile_name(&source.profile)?;
    let config: Config = source.figment().extract()?;
    config.validate(&source.profile)?;
    Ok(config)
}

/// Profiles name files; refusing odd names keeps `../x` out of paths and typos visible.
fn check_profile_name(profile: &str) -> Result<(), ConfigError> {
    let ok = !profile.is_empty()
        && profile
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ConfigError::Invalid(format!(
            "invalid profile {profile:?}: use lower-case letters, digits, '-' or '_'"
        )))
    }
}

/// Default configuration directory, relative to the working directory.
pub fn default_dir() -> &'static Path {
    Path::new("config")
}
