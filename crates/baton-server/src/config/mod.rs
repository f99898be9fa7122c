//! Baton's configuration (SPEC §6): the keys, their defaults, and how they become the
//! settings of the adapters and the core's [`Policy`].
//!
//! Layering lives in [`load`], the start-up checks in [`Config::validate`]. Every key has a
//! built-in default except the JWT secret, which must come from a file or the environment.

mod explain;
mod load;
mod validate;

#[cfg(test)]
mod tests;

use crate::duration;
use baton_core::Policy;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

pub use explain::{Entry, REDACTED, explain, redact_url, render_entries};
pub use load::{
    ConfigError, DEFAULT_PROFILE, Origin, Source, default_dir, env_var_name, load, origin,
};
pub use validate::{DEV_PROFILE, DEV_SECRET_MARKER, MIN_SECRET_BYTES};

/// A secret string (JWT key material). `Debug` and `Serialize` never show it, so printing or
/// logging a configuration cannot leak it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret, e.g. in tests.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for the signing adapter only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("<redacted>")
    }
}

/// The whole configuration, one section per table of `config/*.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Listening socket and worker threads.
    pub server: ServerConfig,
    /// Where the data lives.
    pub database: DatabaseConfig,
    /// Token signing keys and claims.
    pub jwt: JwtSettings,
    /// Token and session lifetimes.
    pub tokens: TokensConfig,
    /// Password hashing.
    pub passwords: PasswordsConfig,
    /// Login lockout.
    pub login: LoginConfig,
    /// Log output.
    pub log: LogConfig,
    /// Clean-up of dead sessions.
    pub purge: PurgeConfig,
}

/// `[server]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Interface to bind; loopback by default so a dev server is not exposed by accident.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Worker threads; actix's default (one per core) when unset.
    pub workers: Option<usize>,
    /// How long a stopping server waits for in-flight requests.
    #[serde(with = "duration")]
    pub shutdown_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8080,
            workers: None,
            shutdown_timeout: Duration::from_secs(30),
        }
    }
}

/// `[database]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://path` (embedded default) or `postgres://...`.
    pub url: String,
    /// Connections in the pool; also caps the threads that run use cases (one connection each).
    pub pool_size: u32,
    /// How long to wait for a connection before answering 503.
    #[serde(with = "duration")]
    pub connect_timeout: Duration,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://data/baton.db".into(),
            pool_size: 16,
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// `[jwt]`: either one `secret` (key id `default`) or a `keys` list for rotation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JwtSettings {
    /// The single signing secret, at least 32 bytes.
    pub secret: Option<Secret>,
    /// Several keys for rotation: the first signs, all verify.
    pub keys: Vec<KeyConfig>,
    /// `iss` claim.
    pub issuer: String,
    /// `aud` claim.
    pub audience: String,
    /// Clock skew tolerated on `exp` and `nbf`.
    #[serde(with = "duration")]
    pub leeway: Duration,
}

impl Default for JwtSettings {
    fn default() -> Self {
        Self {
            secret: None,
            keys: Vec::new(),
            issuer: "baton".into(),
            audience: "baton-api".into(),
            leeway: Duration::from_secs(60),
        }
    }
}

/// Key id used when a single `jwt.secret` is configured.
pub const DEFAULT_KID: &str = "default";

impl JwtSettings {
    /// The keys in signing order: the `keys` list, or the single secret as kid `default`.
    pub fn signing_keys(&self) -> Vec<KeyConfig> {
        match (&self.secret, self.keys.is_empty()) {
            (Some(secret), true) => {
                vec![KeyConfig { kid: DEFAULT_KID.into(), secret: secret.clone() }]
            }
            _ => self.keys.clone(),
        }
    }
}

/// One entry of `jwt.keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    /// The `kid` header of tokens it signs.
    pub kid: String,
    /// Its secret, at least 32 bytes.
    pub secret: Secret,
}

/// `[tokens]`: lifetimes and limits of SPEC §3–§4.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokensConfig {
    /// Access-token lifetime.
    #[serde(with = "duration")]
    pub access_ttl: Duration,
    /// Refresh-token lifetime (sliding).
    #[serde(with = "duration")]
    pub refresh_ttl: Duration,
    /// Absolute session lifetime.
    #[serde(with = "duration")]
    pub session_max_age: Duration,
    /// Grace window for the previous refresh token (0 = strict).
    #[serde(with = "duration")]
    pub reuse_grace: Duration,
    /// Sessions per user before the least recently used is evicted.
    pub max_sessions_per_user: usize,
}

impl Default for TokensConfig {
    fn default() -> Self {
        let p = Policy::default();
        Self {
            access_ttl: to_std(p.access_ttl),
            refresh_ttl: to_std(p.refresh_ttl),
            session_max_age: to_std(p.session_max_age),
            reuse_grace: to_std(p.reuse_grace),
            max_sessions_per_user: p.max_sessions_per_user,
        }
    }
}

/// `[passwords]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordsConfig {
    /// bcrypt cost factor (4 to 31).
    pub bcrypt_cost: u32,
}

impl Default for PasswordsConfig {
    fn default() -> Self {
        Self { bcrypt_cost: 12 }
    }
}

/// `[login]`: the lockout of SPEC §5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginConfig {
    /// Consecutive failures that lock an account (0 disables the lockout).
    pub max_failed_logins: u32,
    /// How long a lock lasts.
    #[serde(with = "duration")]
    pub lockout: Duration,
}

impl Default for LoginConfig {
    fn default() -> Self {
        let p = Policy::default();
        Self { max_failed_logins: p.max_failed_logins, lockout: to_std(p.lockout) }
    }
}

/// Log line format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// `[log]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `pretty` or `json`.
    pub format: LogFormat,
    /// A tracing filter such as `info` or `info,baton_server=debug`; `RUST_LOG` overrides it.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self { format: LogFormat::Pretty, level: "info".into() }
    }
}

/// `[purge]`: deleting expired and long-revoked sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PurgeConfig {
    /// How often `baton serve` purges (0 disables the periodic task).
    #[serde(with = "duration")]
    pub interval: Duration,
    /// How long revoked sessions are kept for audit before they are purged.
    #[serde(with = "duration")]
    pub revoked_retention: Duration,
}

impl Default for PurgeConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(3_600),
            revoked_retention: to_std(Policy::default().revoked_retention),
        }
    }
}

impl Config {
    /// The core's policy from the `tokens`, `login` and `purge` sections.
    pub fn policy(&self) -> Policy {
        Policy {
            access_ttl: to_time(self.tokens.access_ttl),
            refresh_ttl: to_time(self.tokens.refresh_ttl),
            session_max_age: to_time(self.tokens.session_max_age),
            reuse_grace: to_time(self.tokens.reuse_grace),
            max_sessions_per_user: self.tokens.max_sessions_per_user,
            max_failed_logins: self.login.max_failed_logins,
            lockout: to_time(self.login.lockout),
            revoked_retention: to_time(self.purge.revoked_retention),
        }
    }
}

/// Config durations are capped at 100 years (see [`duration::MAX`]), so this never saturates
/// in practice; saturating keeps it total.
fn to_time(d: Duration) -> time::Duration {
    time::Duration::try_from(d).unwrap_or(time::Duration::MAX)
}

fn to_std(d: time::Duration) -> Duration {
    Duration::try_from(d).unwrap_or(Duration::ZERO)
}
