//! Where configuration comes from (SPEC §6), lowest to highest precedence:
//! built-in defaults < `config/default.toml` < `config/<profile>.toml` < `DATABASE_URL` <
//! `BATON_*` environment variables (`__` between levels, e.g. `BATON_SERVER__PORT`).
//!
//! Nothing is silent: an unknown profile, a missing explicit directory, a `BATON_*` variable
//! that is no setting and an unknown key in a file are errors, and every error says how to
//! fix it without quoting a secret ([`super::errors`]).

use super::errors::{Origins, render};
use super::files::TomlFile;
use super::origin::{DEFAULTS_NAME, ENV_DATABASE_URL, ENV_PREFIXED, Origin, origin};
use super::problem::ConfigError;
use super::{Config, env};
use figment::providers::{Env, Serialized};
use figment::{Figment, Metadata, Profile, Provider};
use std::path::{Path, PathBuf};

/// Profile used when `BATON_PROFILE` is unset: production rules apply unless asked otherwise.
pub const DEFAULT_PROFILE: &str = "prod";

/// Profiles that exist without a file: `dev` (`just run`) and `prod` (the default).
pub const BUILTIN_PROFILES: [&str; 2] = ["dev", "prod"];

/// Which configuration to load: the directory of the TOML files and the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Directory holding `default.toml` and `<profile>.toml`.
    pub dir: PathBuf,
    /// Profile name, e.g. `dev` or `prod`.
    pub profile: String,
    /// Whether `dir` was given (`--config-dir`, `BATON_CONFIG_DIR`): then it must exist. The
    /// implicit default [`default_dir`] may be absent (every key has a default).
    pub explicit_dir: bool,
}

impl Source {
    /// A source reading `dir` (or, when `None`, the implicit [`default_dir`]) for `profile`.
    pub fn new(dir: Option<PathBuf>, profile: impl Into<String>) -> Self {
        let explicit_dir = dir.is_some();
        let dir = dir.unwrap_or_else(|| default_dir().to_owned());
        Self { dir, profile: profile.into(), explicit_dir }
    }

    /// The TOML files this source reads, in precedence order; missing files are skipped.
    pub fn files(&self) -> [PathBuf; 2] {
        [self.dir.join("default.toml"), self.dir.join(format!("{}.toml", self.profile))]
    }

    /// The files of [`Source::files`] that exist, for the start-up log.
    pub fn existing_files(&self) -> Vec<PathBuf> {
        self.files().into_iter().filter(|p| p.is_file()).collect()
    }

    /// Every layer that could be read, merged but not extracted, and the problems met on the
    /// way (bad profile or directory, unreadable files, unknown variables). Each layer's
    /// metadata names it (see [`Origin`]).
    pub fn layers(&self) -> Layers {
        let mut problems = self.check_profile_and_dir();
        let defaults = Serialized::defaults(Config::default());
        let mut figment = Figment::from(Named::new(defaults, Metadata::named(DEFAULTS_NAME)));
        if problems.is_empty() {
            for file in self.existing_files() {
                match TomlFile::read(&file) {
                    Ok(layer) => figment = figment.merge(layer),
                    Err(e) => problems.push(e),
                }
            }
        }
        let vars = std::env::vars_os().map(|(k, _)| k.to_string_lossy().into_owned());
        problems.extend(env::unknown_vars(vars));
        let database_url = Env::raw().only(&["DATABASE_URL"]).map(|_| "database.url".into());
        // Only settings: anything else was reported above, once.
        let settings = env::setting_vars();
        let prefixed = Env::prefixed(env::PREFIX)
            .filter(move |key| {
                let var = format!("{}{}", env::PREFIX, key.as_str()).to_ascii_uppercase();
                settings.contains(&var) && !env::LITERAL_VARS.contains(&var.as_str())
            })
            .split("__");
        figment = figment
            .merge(Named::new(database_url, Metadata::named(ENV_DATABASE_URL)))
            .merge(Named::new(prefixed, Metadata::named(ENV_PREFIXED)));
        // Names compare case-insensitively, as figment's (and the unknown-variable check's).
        for (name, value) in std::env::vars_os() {
            let name = name.to_string_lossy().to_ascii_uppercase();
            if let Some(var) = env::LITERAL_VARS.iter().find(|v| **v == name) {
                let key = var[env::PREFIX.len()..].to_ascii_lowercase().replace("__", ".");
                let value = Serialized::default(&key, value.to_string_lossy().into_owned());
                figment = figment.merge(Named::new(value, Metadata::named(*var)));
            }
        }
        Layers { figment, problems }
    }

    /// The merged layers (see [`Source::layers`]), problems aside.
    pub fn figment(&self) -> Figment {
        self.layers().figment
    }

    fn check_profile_and_dir(&self) -> Vec<ConfigError> {
        let dir = self.dir.display();
        if self.explicit_dir && !self.dir.is_dir() {
            return vec![ConfigError::Invalid(format!(
                "configuration directory {dir} does not exist (given by --config-dir or \
                 BATON_CONFIG_DIR): create it or point BATON_CONFIG_DIR at the directory \
                 holding default.toml"
            ))];
        }
        let p = &self.profile;
        let well_formed = !p.is_empty()
            && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-".contains(c));
        if !well_formed {
            return vec![ConfigError::Invalid(format!(
                "invalid profile {p:?}: use lower-case letters, digits, '-' or '_'"
            ))];
        }
        if BUILTIN_PROFILES.contains(&p.as_str()) || self.files()[1].is_file() {
            return Vec::new();
        }
        let mut known: Vec<String> = BUILTIN_PROFILES.iter().map(|s| s.to_string()).collect();
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let stem = name.strip_suffix(".toml").filter(|s| *s != "default");
                if let Some(stem) = stem.filter(|s| !known.iter().any(|k| k == s)) {
                    known.push(stem.to_owned());
                }
            }
        }
        known.sort();
        vec![ConfigError::Invalid(format!(
            "unknown profile {p:?}: it is not built in and {dir}/{p}.toml does not exist; known \
             profiles: {}. Set BATON_PROFILE (or --profile) to one of them, or create the file",
            known.join(", ")
        ))]
    }
}

/// Merged configuration layers and what went wrong while reading them.
pub struct Layers {
    /// Every readable layer, lowest precedence first.
    pub figment: Figment,
    /// Problems met, in order; any of them stops start-up.
    pub problems: Vec<ConfigError>,
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

/// The pool size of a SQLite database nobody sized. SQLite runs one writer at a time, and
/// pooled connections that race for its lock sleep in its busy handler while the lock sits
/// free: with 16 connections refresh ran at about 5,000/s with a p99 of 650 ms, with 2 at
/// 7,200–8,300/s and 15 ms (docs/BENCHMARKS.md). PostgreSQL keeps the general default.
pub const SQLITE_POOL_SIZE: u32 = 2;

/// Loads, extracts and validates the configuration of `source`; the first problem stops it.
pub fn load(source: &Source) -> Result<Config, ConfigError> {
    let Layers { figment, problems } = source.layers();
    ConfigError::first_of(problems)?;
    let config = extract(&figment)?;
    ConfigError::first_of(config.check(&source.profile, &Origins::of(&figment)))?;
    Ok(config)
}

/// The typed configuration of merged layers, with what only the layers know filled in.
pub(super) fn extract(figment: &Figment) -> Result<Config, ConfigError> {
    let mut config: Config = figment.extract().map_err(|e| render(&e))?;
    config.database.url_explicit = origin(figment, "database.url") != Origin::Default;
    let pool_unset = origin(figment, "database.pool_size") == Origin::Default;
    if pool_unset && config.database.url.starts_with("sqlite://") {
        config.database.pool_size = SQLITE_POOL_SIZE;
    }
    Ok(config)
}

/// Default configuration directory, relative to the working directory.
pub fn default_dir() -> &'static Path {
    Path::new("config")
}
