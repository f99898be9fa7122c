//! The sections of [`super::Config`] other than `[jwt]` ([`super::jwt`]): one struct per TOML
//! table, each with its built-in defaults. Rules that span keys live in [`super::validate`].

use super::secret::Secret;
use crate::duration;
use baton_core::Policy;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The embedded default database: the only SQLite path whose directory Baton creates.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/baton.db";

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
    /// How long a stopping server waits for in-flight requests before cutting them.
    #[serde(with = "duration")]
    pub shutdown_timeout: Duration,
    /// Peers whose `X-Forwarded-For` is believed (CIDRs; a bare address is one host). Empty:
    /// the client address is always the TCP peer, since any client can forge the header.
    #[serde(with = "cidr_list")]
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8080,
            workers: None,
            shutdown_timeout: Duration::from_secs(30),
            trusted_proxies: Vec::new(),
        }
    }
}

impl ServerConfig {
    /// The issuer URL of a server nobody gave one: `http://` and the listening address, so a
    /// development server's tokens name where it runs (`http://127.0.0.1:8080` under
    /// `just run`). An unspecified address (`0.0.0.0`, `::`) becomes its loopback, the one
    /// address that surely reaches it. Only `prod` refuses it (it requires `jwt.issuer`).
    pub fn derived_issuer(&self) -> String {
        let host = match self.host.parse::<std::net::IpAddr>() {
            Ok(ip) if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_owned(),
            Ok(ip) if ip.is_unspecified() => "[::1]".to_owned(),
            Ok(std::net::IpAddr::V6(ip)) => format!("[{ip}]"),
            Ok(ip) => ip.to_string(),
            Err(_) => self.host.to_ascii_lowercase(),
        };
        format!("http://{host}:{}", self.port)
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
    /// PostgreSQL only: give each HTTP worker a pool of its own (`pool_size` shared out among
    /// them), so a request's statements never wake another thread; `false` shares one pool
    /// among the workers (docs/BENCHMARKS.md compares the two).
    pub pool_per_worker: bool,
    /// Whether `url` was set by a file or the environment (filled in by [`super::load()`]);
    /// the `prod` profile requires it, and only the built-in default gets its directory made.
    #[serde(skip)]
    pub(super) url_explicit: bool,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: DEFAULT_DATABASE_URL.into(),
            pool_size: 16,
            connect_timeout: Duration::from_secs(5),
            pool_per_worker: true,
            url_explicit: false,
        }
    }
}

impl DatabaseConfig {
    /// True when nobody chose the database and the built-in SQLite file is used: only then
    /// may Baton create the file's directory. An explicit path under a missing directory is
    /// an error (a typo must not grow a fresh, empty database somewhere).
    pub fn is_builtin_default(&self) -> bool {
        !self.url_explicit && self.url == DEFAULT_DATABASE_URL
    }

    /// Whether `url` was set explicitly (file, `DATABASE_URL` or `BATON_DATABASE__URL`).
    pub fn url_is_explicit(&self) -> bool {
        self.url_explicit
    }
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
    /// The `client_id` (RFC 9068) of sessions whose client does not name itself.
    pub client_id: String,
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
            client_id: p.default_client_id.as_str().to_owned(),
        }
    }
}

/// `[security]`: the operator's explicit acceptance of settings that weaken a protection
/// ([`crate::weaknesses`]), which the `prod` profile otherwise refuses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    /// Keys (e.g. `"tokens.access_ttl"`) whose weak value is accepted as set, each named on
    /// its own so that a later weakening of another key is still refused.
    pub allow_weak_settings: Vec<String>,
}

/// `[passwords]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordsConfig {
    /// bcrypt cost factor (4 to 31).
    pub bcrypt_cost: u32,
    /// Threads hashing and verifying passwords; unset means one per CPU core. bcrypt is CPU
    /// work: more threads than cores only queue inside the OS.
    pub threads: Option<usize>,
}

impl Default for PasswordsConfig {
    fn default() -> Self {
        Self { bcrypt_cost: 12, threads: None }
    }
}

impl PasswordsConfig {
    /// The size of the bcrypt thread pool: `threads`, or the number of CPU cores.
    pub fn threads(&self) -> usize {
        self.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

/// `[login]`: the lockouts of SPEC §5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginConfig {
    /// Consecutive failures that lock an account (0 disables the lockout).
    pub max_failed_logins: u32,
    /// How long a lock lasts; also the window of `max_failures_per_address`.
    #[serde(with = "duration")]
    pub lockout: Duration,
    /// Failed logins from one client address within `lockout`, over any accounts, before
    /// that address gets 429 (0 = off): stops password spraying across many accounts.
    pub max_failures_per_address: u32,
}

impl Default for LoginConfig {
    fn default() -> Self {
        let p = Policy::default();
        Self {
            max_failed_logins: p.max_failed_logins,
            lockout: to_std(p.lockout),
            max_failures_per_address: 100,
        }
    }
}

/// `[rate_limit]`: a token bucket per client address for register and login, so one client
/// cannot pin the CPU with bcrypt (SPEC §5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Requests a client may make at once (the bucket size); 0 turns the limit off.
    pub burst: u32,
    /// One request is regained per interval.
    #[serde(with = "duration")]
    pub interval: Duration,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self { burst: 10, interval: Duration::from_secs(2) }
    }
}

/// `[jwks]`: the published public keys (SPEC §9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JwksConfig {
    /// `Cache-Control: max-age` of the JWKS document: how long an API may keep a key set,
    /// hence how early a new key must be published before it signs.
    #[serde(with = "duration")]
    pub max_age: Duration,
}

impl Default for JwksConfig {
    fn default() -> Self {
        Self { max_age: Duration::from_secs(300) }
    }
}

/// `[introspection]`: the API servers allowed to call RFC 7662 introspection (SPEC §9).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IntrospectionConfig {
    /// Clients authenticated with HTTP Basic; empty means introspection answers 401 to all.
    pub clients: Vec<IntrospectionClient>,
}

/// One introspection client: HTTP Basic user id and password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntrospectionClient {
    /// The Basic user id; unique, non-empty.
    pub id: String,
    /// The Basic password, checked like a JWT secret (at least 32 bytes, not weak).
    pub secret: Secret,
}

/// `SameSite` attribute of the refresh-token cookie (SPEC §10).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SameSite {
    /// Never sent on cross-site requests: the safe default.
    #[default]
    Strict,
    /// Sent on top-level cross-site navigations.
    Lax,
    /// Sent cross-site; needs `secure` and an explicit list of allowed origins.
    None,
}

/// `[cookies]`: refresh tokens carried in a cookie for browser clients (SPEC §10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CookiesConfig {
    /// Origins (`scheme://host[:port]`, no path) whose cookie-authenticated requests are
    /// accepted and answered with CORS credentials; everything else is `csrf_rejected`.
    pub allowed_origins: Vec<String>,
    /// `SameSite` of the cookie.
    pub same_site: SameSite,
    /// `Secure` attribute; only a dev server on loopback may turn it off.
    pub secure: bool,
}

impl Default for CookiesConfig {
    fn default() -> Self {
        Self { allowed_origins: Vec::new(), same_site: SameSite::Strict, secure: true }
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

pub(super) fn to_std(d: time::Duration) -> Duration {
    Duration::try_from(d).unwrap_or(Duration::ZERO)
}

/// A list of CIDRs as strings; a bare address means that one host (`/32`, `/128`).
mod cidr_list {
    use ipnet::IpNet;
    use serde::{Deserialize, Deserializer, Serializer};
    use std::net::IpAddr;

    pub fn serialize<S: Serializer>(nets: &[IpNet], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(nets.iter().map(ToString::to_string))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<IpNet>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|text| {
                let t = text.trim();
                t.parse::<IpNet>().or_else(|_| t.parse::<IpAddr>().map(IpNet::from)).map_err(|_| {
                    serde::de::Error::custom(format!(
                        "{text:?} is not a CIDR: write e.g. 10.0.0.0/8, 192.168.1.7 or fd00::/8"
                    ))
                })
            })
            .collect()
    }
}
