//! Start-up checks: a configuration that would run insecurely or fail later is refused now,
//! with one line that names the key.

use super::{Config, ConfigError};
use baton_password::{MAX_COST, MIN_COST};
use std::collections::HashSet;
use std::time::Duration;

/// Secrets shorter than this are refused (SPEC §3): HS256 wants at least 256 bits of key.
pub const MIN_SECRET_BYTES: usize = 32;

/// Marker carried by the development secret in `config/dev.toml`; any secret containing it is
/// refused outside the `dev` profile so the published dev secret never signs real tokens.
pub const DEV_SECRET_MARKER: &str = "dev-only-insecure";

/// The only profile that accepts a secret carrying [`DEV_SECRET_MARKER`].
pub const DEV_PROFILE: &str = "dev";

/// Database URL schemes Baton has an adapter for.
const SCHEMES: [&str; 3] = ["sqlite://", "postgres://", "postgresql://"];

fn invalid(message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid(message.into())
}

impl Config {
    /// Checks every rule a running server relies on, for `profile`.
    pub fn validate(&self, profile: &str) -> Result<(), ConfigError> {
        self.validate_jwt(profile)?;
        self.validate_database()?;
        self.validate_limits()?;
        tracing_subscriber::EnvFilter::try_new(&self.log.level)
            .map_err(|e| invalid(format!("log.level {:?} is not a filter: {e}", self.log.level)))?;
        Ok(())
    }

    fn validate_jwt(&self, profile: &str) -> Result<(), ConfigError> {
        let jwt = &self.jwt;
        if jwt.secret.is_some() && !jwt.keys.is_empty() {
            return Err(invalid("set either jwt.secret or jwt.keys, not both"));
        }
        let keys = jwt.signing_keys();
        if keys.is_empty() {
            return Err(invalid(format!(
                "no JWT secret configured for profile {profile:?}: set BATON_JWT__SECRET \
                 (at least {MIN_SECRET_BYTES} random bytes) or jwt.keys"
            )));
        }
        let mut kids = HashSet::new();
        for key in &keys {
            if key.kid.trim().is_empty() {
                return Err(invalid("jwt.keys: every key needs a non-empty kid"));
            }
            if !kids.insert(key.kid.as_str()) {
                return Err(invalid(format!("jwt.keys: kid {:?} appears twice", key.kid)));
            }
            let len = key.secret.expose().len();
            if len < MIN_SECRET_BYTES {
                return Err(invalid(format!(
                    "JWT secret of kid {:?} is {len} bytes; at least {MIN_SECRET_BYTES} required",
                    key.kid
                )));
            }
            if profile != DEV_PROFILE && key.secret.expose().contains(DEV_SECRET_MARKER) {
                return Err(invalid(format!(
                    "the development JWT secret (kid {:?}) is refused by profile {profile:?}: \
                     set BATON_JWT__SECRET to a real secret",
                    key.kid
                )));
            }
        }
        if jwt.issuer.trim().is_empty() || jwt.audience.trim().is_empty() {
            return Err(invalid("jwt.issuer and jwt.audience must not be empty"));
        }
        Ok(())
    }

    fn validate_database(&self) -> Result<(), ConfigError> {
        let url = &self.database.url;
        if !SCHEMES.iter().any(|s| url.starts_with(s)) {
            let scheme = url.split_once(':').map_or("none", |(s, _)| s);
            return Err(invalid(format!(
                "database.url has unsupported scheme {scheme:?}: use sqlite://<path> or \
                 postgres://..."
            )));
        }
        if self.database.pool_size == 0 {
            return Err(invalid("database.pool_size must be at least 1"));
        }
        at_least_1s("database.connect_timeout", self.database.connect_timeout)
    }

    fn validate_limits(&self) -> Result<(), ConfigError> {
        if self.server.workers == Some(0) {
            return Err(invalid("server.workers must be at least 1"));
        }
        at_least_1s("tokens.access_ttl", self.tokens.access_ttl)?;
        at_least_1s("tokens.refresh_ttl", self.tokens.refresh_ttl)?;
        at_least_1s("tokens.session_max_age", self.tokens.session_max_age)?;
        if self.tokens.max_sessions_per_user == 0 {
            return Err(invalid("tokens.max_sessions_per_user must be at least 1"));
        }
        let cost = self.passwords.bcrypt_cost;
        if !(MIN_COST..=MAX_COST).contains(&cost) {
            return Err(invalid(format!(
                "passwords.bcrypt_cost {cost} is outside {MIN_COST}..={MAX_COST}"
            )));
        }
        Ok(())
    }
}

fn at_least_1s(key: &str, d: Duration) -> Result<(), ConfigError> {
    if d < Duration::from_secs(1) {
        return Err(invalid(format!("{key} must be at least 1s")));
    }
    Ok(())
}
