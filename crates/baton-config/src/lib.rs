//! Baton's configuration (SPEC §6): the keys, their defaults, the rules a configuration must
//! follow before anything starts, and how it becomes the settings of the adapters and the
//! core's [`Policy`]. Its own crate so that the binary only *reads* configuration, and the
//! configuration's rules (weak secrets, typos, `prod` without a database URL, ...) are tested
//! on their own.
//!
//! - [`load()`] reads a [`Source`] (directory + profile) and returns a validated [`Config`],
//!   or one [`ConfigError`] line that names the key, where it was set and how to fix it.
//! - [`report()`] is `baton config`: every value it could resolve, with its origin, and every
//!   problem.
//! - [`JwtSettings::key_set`] gives the JWT keys in signing order with their material;
//!   [`reload_jwt`] re-reads them (for SIGHUP).
//! - [`Config::issuer`] is Baton's public base URL (`jwt.issuer`, derived from the listening
//!   address when unset, required by `prod`): every token's `iss`, the OAuth metadata's
//!   `issuer`. [`Config::policy`] carries `tokens.client_id` as the default `client_id`.
//! - [`weaknesses`] lists the settings that switch a protection off; `prod` refuses those not
//!   named in `security.allow_weak_settings`, and [`Report::weak`] shows them all.
//!
//! Layering lives in `load`, the environment's rules in `env`, the rules in
//! `validate`, and secrets in [`Secret`]. Every key has a built-in default except the JWT
//! secret, which must come from a file or the environment.

pub mod duration;
mod env;
mod errors;
mod explain;
mod files;
mod jwt;
mod key_instructions;
mod load;
mod mail;
mod mail_rules;
mod origin;
mod print;
mod problem;
mod redact;
mod second_factor;
mod secret;
mod sections;
mod validate;
mod weak;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_env;
#[cfg(test)]
mod tests_mail;
#[cfg(test)]
mod tests_rules;
#[cfg(test)]
mod tests_second_factor;
#[cfg(test)]
mod tests_secrets;
#[cfg(test)]
mod tests_token_profile;

use baton_core::{ClientId, Policy};
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub use env::{
    LITERAL_VARS, NON_SETTING_VARS, env_var_name, setting_keys, setting_vars, unknown_vars,
};
pub use errors::{Origins, is_sensitive};
pub use explain::{Entry, Report, explain, render_entries, report};
pub use jwt::{
    DEFAULT_KID, JwtKey, JwtSettings, KeyAlg, KeyConfig, KeyMaterial, OLD_DEFAULT_ISSUER,
};
pub use key_instructions::staged_key_instructions;
pub use load::{BUILTIN_PROFILES, DEFAULT_PROFILE, Layers, Source, default_dir, load};
pub use mail::{
    AccountsConfig, DEFAULT_FROM, MailConfig, MailSubjects, MailTransportKind, SecretUrl,
};
pub use origin::{Origin, origin};
pub use print::print_report;
pub use problem::ConfigError;
pub use redact::redact_url;
pub use second_factor::{MFA_KEY_BYTES, MfaConfig, WebauthnConfig};
pub use secret::{
    DEV_PROFILE, DEV_SECRET_MARKER, MIN_DISTINCT_BYTES, MIN_SECRET_BYTES, REDACTED, Secret,
};
pub use sections::{
    CookiesConfig, DEFAULT_DATABASE_URL, DatabaseConfig, IntrospectionClient, IntrospectionConfig,
    JwksConfig, LogConfig, LogFormat, LoginConfig, PasswordsConfig, PurgeConfig, RateLimitConfig,
    SameSite, SecurityConfig, ServerConfig, TokensConfig,
};
pub use weak::{
    MAX_ACCESS_TTL, MAX_LEEWAY, MAX_REUSE_GRACE, MIN_BCRYPT_COST, WEAKENABLE_KEYS, Weakness,
    weaknesses,
};

/// The whole configuration, one section per table of `config/*.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Listening socket, workers, shutdown, trusted proxies.
    pub server: ServerConfig,
    /// Where the data lives.
    pub database: DatabaseConfig,
    /// Token signing keys and claims.
    pub jwt: JwtSettings,
    /// Token and session lifetimes.
    pub tokens: TokensConfig,
    /// Password hashing.
    pub passwords: PasswordsConfig,
    /// Login lockouts.
    pub login: LoginConfig,
    /// Per-address rate limit of register and login.
    pub rate_limit: RateLimitConfig,
    /// The published key set.
    pub jwks: JwksConfig,
    /// Clients of token introspection.
    pub introspection: IntrospectionConfig,
    /// Refresh tokens in cookies for browser clients.
    pub cookies: CookiesConfig,
    /// Log output.
    pub log: LogConfig,
    /// Clean-up of dead sessions.
    pub purge: PurgeConfig,
    /// Weak settings the operator accepts under `prod`.
    pub security: SecurityConfig,
    /// Sending mail (SPEC §12).
    pub mail: MailConfig,
    /// The account lifecycle: reset and verification links, their lifetimes.
    pub accounts: AccountsConfig,
    /// Second factors: the key sealing TOTP secrets, the TOTP issuer.
    pub mfa: MfaConfig,
    /// The passkeys' relying party.
    pub webauthn: WebauthnConfig,
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
            max_failures_per_address: self.login.max_failures_per_address,
            lockout: to_time(self.login.lockout),
            revoked_retention: to_time(self.purge.revoked_retention),
            // Checked by `validate`; a configuration built in code falls back to the default.
            default_client_id: ClientId::parse(&self.tokens.client_id)
                .unwrap_or_else(|_| Policy::default().default_client_id),
            require_verified_email: self.accounts.require_verified_email,
        }
    }

    /// Baton's public base URL: the `iss` of every token, the `aud` of refresh tokens, the
    /// OAuth metadata's `issuer` and the base of its endpoint URLs (`jwt.issuer`, derived
    /// from the listening address when unset).
    pub fn issuer(&self) -> &str {
        &self.jwt.issuer
    }
}

/// The `[jwt]` section and its key set read afresh from `source`, for a reload on SIGHUP:
/// the whole configuration is loaded and validated again (so a reload accepts exactly what a
/// start would), and only the JWT part is returned. On error keep the old keys.
pub fn reload_jwt(source: &Source) -> Result<(JwtSettings, Vec<JwtKey>), ConfigError> {
    let config = load(source)?;
    let keys = config.jwt.key_set()?;
    Ok((config.jwt, keys))
}

/// Config durations are capped at 100 years (see [`crate::duration::MAX`]), so this never
/// saturates in practice; saturating keeps it total.
fn to_time(d: Duration) -> time::Duration {
    time::Duration::try_from(d).unwrap_or(time::Duration::MAX)
}
