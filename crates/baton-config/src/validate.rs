//! Start-up checks: a configuration that would run insecurely or fail later is refused now,
//! with one line per problem that names the key, where it was set, and how to fix it.

use super::errors::Origins;
use super::jwt::{KeyConfig, resolve};
use super::problem::ConfigError;
use super::secret::{DEV_PROFILE, SECRET_HINT, Secret};
use super::weak::{WEAKENABLE_KEYS, weaknesses};
use super::{Config, SameSite};
/// bcrypt's cost range (the `bcrypt` crate refuses others; `baton-password` checks it again
/// when it builds the hasher).
const MIN_COST: u32 = 4;
/// See [`MIN_COST`].
const MAX_COST: u32 = 31;
use std::collections::HashSet;
use std::time::Duration;

/// Database URL schemes Baton has an adapter for.
const SCHEMES: [&str; 3] = ["sqlite://", "postgres://", "postgresql://"];

/// The profile that requires an explicit `database.url` (it never falls back to SQLite).
const PROD_PROFILE: &str = "prod";

impl Config {
    /// Checks every rule a running server relies on, for `profile`; the first problem.
    pub fn validate(&self, profile: &str) -> Result<(), ConfigError> {
        ConfigError::first_of(self.check(profile, &Origins::none()))
    }

    /// Every problem of this configuration for `profile`, in key order; `origins` says where
    /// values came from, for the messages.
    pub fn check(&self, profile: &str, origins: &Origins) -> Vec<ConfigError> {
        let mut p = Problems { list: Vec::new(), origins };
        self.check_server(&mut p);
        self.check_database(profile, &mut p);
        self.check_jwt(profile, &mut p);
        self.check_limits(&mut p);
        self.check_introspection(profile, &mut p);
        self.check_cookies(profile, &mut p);
        self.check_weak(profile, &mut p);
        self.check_mail(&mut p);
        p.list.extend(super::second_factor::check(self, profile, origins));
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log.level) {
            p.add(
                "log.level",
                format!(
                    "{:?} is not a tracing filter ({e}); use e.g. info or info,baton_core=debug",
                    self.log.level
                ),
            );
        }
        p.list
    }

    fn check_server(&self, p: &mut Problems) {
        if self.server.workers == Some(0) {
            p.add("server.workers", "must be at least 1 (or unset: one per core)");
        }
        for net in &self.server.trusted_proxies {
            if net.trunc() != *net {
                p.add(
                    "server.trusted_proxies",
                    format!(
                        "{net} has host bits set: write {} (or the address alone)",
                        net.trunc()
                    ),
                );
            }
        }
    }

    fn check_database(&self, profile: &str, p: &mut Problems) {
        let db = &self.database;
        if !SCHEMES.iter().any(|s| db.url.starts_with(s)) {
            let scheme = db.url.split_once(':').map_or("none", |(s, _)| s);
            p.add(
                "database.url",
                format!("unsupported scheme {scheme:?}: use sqlite://<path> or postgres://..."),
            );
        } else if profile == PROD_PROFILE && !db.url_is_explicit() {
            p.list.push(ConfigError::Invalid(format!(
                "profile {PROD_PROFILE:?} needs database.url set explicitly (it never falls back to \
                 the embedded {}): set DATABASE_URL=postgres://... (or BATON_DATABASE__URL, or \
                 database.url in a config file); an explicit sqlite:///path is allowed",
                db.url
            )));
        } else if let Some(path) = db.url.strip_prefix("sqlite://") {
            let dir = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty());
            if let Some(dir) = dir.filter(|d| !d.is_dir() && !db.is_builtin_default()) {
                p.add(
                    "database.url",
                    format!(
                        "the directory {} of the SQLite database does not exist: create it \
                     (mkdir -p {}) or fix the path",
                        dir.display(),
                        dir.display()
                    ),
                );
            }
        }
        if db.pool_size == 0 {
            p.add("database.pool_size", "must be at least 1");
        }
        p.at_least_1s("database.connect_timeout", db.connect_timeout);
    }

    fn check_jwt(&self, profile: &str, p: &mut Problems) {
        let jwt = &self.jwt;
        if jwt.secret.is_some() && !jwt.keys.is_empty() {
            p.list.push(ConfigError::Invalid(format!(
                "set either jwt.secret or jwt.keys, not both: {} and {}; keep jwt.keys and give \
                 the old secret kid = \"default\" there (docs/OPERATIONS.md, moving to jwt.keys)",
                p.origins.describe("jwt.secret"),
                p.origins.describe("jwt.keys"),
            )));
            return;
        }
        let keys = jwt.key_configs();
        if keys.is_empty() {
            p.list.push(ConfigError::Invalid(format!(
                "no JWT secret configured for profile {profile:?}: set BATON_JWT__SECRET (at \
                 least 32 random bytes: `openssl rand -base64 32`) or jwt.keys"
            )));
        }
        let key = if jwt.keys.is_empty() { "jwt.secret" } else { "jwt.keys" };
        let mut kids = HashSet::new();
        for k in &keys {
            let kid = &k.kid;
            if kid.trim().is_empty() {
                p.add(key, "every key needs a non-empty kid");
            } else if !kids.insert(kid.as_str()) {
                p.add(key, format!("kid {kid:?} appears twice: every kid must be unique"));
            }
            if let Err(m) = k.check() {
                p.add(key, format!("kid {kid:?}: {m}"));
                continue;
            }
            if let Some(secret) = &k.secret {
                p.secret(key, &format!("secret of kid {kid:?}"), secret, profile);
            }
            if let (true, Err(m)) = (k.alg.is_asymmetric(), resolve(k)) {
                p.add(key, m);
            }
        }
        if keys.first().is_some_and(|k| !KeyConfig::can_sign(k)) {
            p.add(key, "the first key signs, but it has only a public key: put a key with a private key or secret first");
        }
        if let Err(m) = check_issuer(&jwt.issuer) {
            p.add("jwt.issuer", m);
        } else if profile == PROD_PROFILE && !jwt.issuer_is_explicit() {
            p.list.push(ConfigError::Invalid(format!(
                "profile {PROD_PROFILE:?} needs jwt.issuer set explicitly: Baton's public base \
                 URL, as clients and APIs reach it (e.g. https://auth.example.com); it is the \
                 iss of every token and the OAuth metadata's issuer, so it is never guessed \
                 from the listening address ({} here)",
                jwt.issuer
            )));
        }
        if jwt.audience.trim().is_empty() {
            p.add("jwt.audience", "must not be empty");
        } else if jwt.audience == jwt.issuer {
            p.add(
                "jwt.audience",
                "must differ from jwt.issuer: refresh tokens are addressed to the issuer, so \
                 APIs checking this audience would accept them as access tokens",
            );
        }
        if jwt.previous_issuers.iter().any(|i| i.trim().is_empty()) {
            p.add("jwt.previous_issuers", "must not hold an empty issuer");
        }
        p.whole_seconds("jwt.leeway", jwt.leeway);
    }

    fn check_limits(&self, p: &mut Problems) {
        let t = &self.tokens;
        for (key, d) in [
            ("tokens.access_ttl", t.access_ttl),
            ("tokens.refresh_ttl", t.refresh_ttl),
            ("tokens.session_max_age", t.session_max_age),
        ] {
            p.at_least_1s(key, d);
            p.whole_seconds(key, d);
        }
        p.whole_seconds("tokens.reuse_grace", t.reuse_grace);
        p.whole_seconds("login.lockout", self.login.lockout);
        if t.max_sessions_per_user == 0 {
            p.add("tokens.max_sessions_per_user", "must be at least 1");
        }
        if let Err(e) = baton_core::ClientId::parse(&t.client_id) {
            p.add("tokens.client_id", format!("{:?}: {e}", t.client_id));
        }
        let cost = self.passwords.bcrypt_cost;
        if !(MIN_COST..=MAX_COST).contains(&cost) {
            p.add(
                "passwords.bcrypt_cost",
                format!("{cost} is outside {MIN_COST}..={MAX_COST} (12 is the default)"),
            );
        }
        if self.passwords.threads == Some(0) {
            p.add("passwords.threads", "must be at least 1 (or unset: one per core)");
        }
        if self.rate_limit.burst > 0 && self.rate_limit.interval.is_zero() {
            p.add("rate_limit.interval", "must be more than 0 while rate_limit.burst is on (set burst = 0 to turn the limit off)");
        }
    }

    fn check_introspection(&self, profile: &str, p: &mut Problems) {
        let key = "introspection.clients";
        let mut ids = HashSet::new();
        for client in &self.introspection.clients {
            let id = &client.id;
            if id.trim().is_empty() || id.contains(':') {
                p.add(
                    key,
                    format!("client id {id:?} must be non-empty and without ':' (HTTP Basic)"),
                );
            } else if !ids.insert(id.as_str()) {
                p.add(key, format!("client id {id:?} appears twice: ids must be unique"));
            }
            p.secret(key, &format!("secret of client {id:?}"), &client.secret, profile);
        }
    }

    /// Under `prod`, every weak setting not named in `security.allow_weak_settings`; under every
    /// profile, a name there that is no weakenable key (a typo would silently allow nothing).
    fn check_weak(&self, profile: &str, p: &mut Problems) {
        let allowed = &self.security.allow_weak_settings;
        for name in allowed {
            if !WEAKENABLE_KEYS.contains(&name.as_str()) {
                p.add(
                    "security.allow_weak_settings",
                    format!(
                        "{name:?} is not a setting that can be weak; those are {}",
                        WEAKENABLE_KEYS.join(", ")
                    ),
                );
            }
        }
        if profile != PROD_PROFILE {
            return;
        }
        for w in weaknesses(self) {
            if !allowed.iter().any(|a| a == w.key) {
                p.add(
                    w.key,
                    format!(
                        "weak setting refused by profile {PROD_PROFILE:?}: {}; if you mean it, \
                         add {:?} to security.allow_weak_settings",
                        w.why, w.key
                    ),
                );
            }
        }
    }

    fn check_cookies(&self, profile: &str, p: &mut Problems) {
        let c = &self.cookies;
        for origin in &c.allowed_origins {
            if let Err(m) = check_origin(origin) {
                p.add("cookies.allowed_origins", m);
            }
        }
        if c.same_site == SameSite::None {
            if c.allowed_origins.is_empty() {
                p.add("cookies.same_site", "\"none\" sends the cookie cross-site: list the sites in cookies.allowed_origins first (or use \"strict\")");
            }
            if !c.secure {
                p.add(
                    "cookies.same_site",
                    "\"none\" needs cookies.secure = true (browsers drop such cookies otherwise)",
                );
            }
        }
        if !c.secure {
            let host = self.server.host.as_str();
            let loopback = host == "localhost"
                || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
            if profile != DEV_PROFILE || !loopback {
                p.add("cookies.secure", format!(
                    "false is only allowed with profile \"dev\" on a loopback server.host (here: \
                     profile {profile:?}, host {host:?}): remove it, or serve HTTPS"
                ));
            }
        }
    }
}

/// Refuses anything but an issuer identifier as RFC 8414 §2 and discovery clients want it:
/// an absolute `http(s)` URL with a host, no user info, query or fragment, written as the URL
/// parser writes it back (lower-case host, no default port) and without a trailing slash, so
/// that the one string compares equal wherever it is checked.
fn check_issuer(issuer: &str) -> Result<(), String> {
    let example = "write e.g. https://auth.example.com";
    let url = url::Url::parse(issuer).map_err(|e| {
        format!("{issuer:?} is not a URL ({e}): Baton's public base URL; {example}")
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!("{issuer:?} is not an http(s) URL with a host: {example}"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Not quoted: the user info may be a password.
        return Err(format!(
            "the URL holds user info (user:password@), which an issuer may not have: {example}"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{issuer:?} has a query or fragment, which an issuer may not have"));
    }
    let canonical = url.as_str().trim_end_matches('/');
    if canonical != issuer {
        return Err(format!(
            "{issuer:?} is not written as it compares: write {canonical:?} (lower-case host, no \
             default port, no trailing slash)"
        ));
    }
    Ok(())
}

/// Refuses anything but a bare origin as browsers send it in `Origin`: `scheme://host[:port]`
/// with a lower-case host, no default port, path, query or user info.
pub(super) fn check_origin(origin: &str) -> Result<(), String> {
    let url = url::Url::parse(origin).map_err(|e| {
        format!("{origin:?} is not an origin ({e}): write e.g. https://app.example.com")
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!(
            "{origin:?} is not an http(s) origin: write e.g. https://app.example.com"
        ));
    }
    let canonical = url.origin().ascii_serialization();
    if canonical != origin {
        return Err(format!(
            "{origin:?} is not an origin as browsers send it: write {canonical:?} (no path, no default port, lower case)"
        ));
    }
    Ok(())
}

/// Problems found so far and where values came from.
pub(super) struct Problems<'a, 'f> {
    list: Vec<ConfigError>,
    origins: &'a Origins<'f>,
}

impl Problems<'_, '_> {
    pub(super) fn add(&mut self, key: &str, message: impl Into<String>) {
        let message = message.into();
        self.list.push(ConfigError::Invalid(format!("{}: {message}", self.origins.describe(key))));
    }

    fn secret(&mut self, key: &str, what: &str, secret: &Secret, profile: &str) {
        if let Some(weakness) = secret.weakness() {
            self.add(key, format!("{what} {weakness}; {SECRET_HINT}"));
        } else if profile != DEV_PROFILE && secret.is_dev_secret() {
            self.add(
                key,
                format!(
                    "{what} is the development secret, refused by profile {profile:?}: set a real \
                 one ({SECRET_HINT})"
                ),
            );
        }
    }

    pub(super) fn at_least_1s(&mut self, key: &str, d: Duration) {
        if d < Duration::from_secs(1) {
            self.add(key, "must be at least 1s");
        }
    }

    pub(super) fn whole_seconds(&mut self, key: &str, d: Duration) {
        if d.subsec_nanos() != 0 {
            self.add(
                key,
                format!(
                    "{} has a fraction of a second: tokens count whole seconds",
                    crate::duration::format(d)
                ),
            );
        }
    }
}
