//! Settings that quietly switch a protection off: every value parses and works, yet the
//! service is then much weaker than its defaults promise (access tokens living for years, a
//! leeway or reuse grace of days, every peer trusted as a proxy, a cheap bcrypt cost, a
//! plaintext issuer). The `prod` profile refuses each of them unless the operator names that
//! very key in `security.allow_weak_settings` ([`super::validate`]); every profile shows them
//! in `baton config` ([`super::Report::weak`]).

use super::Config;
use std::time::Duration;

/// The longest access-token lifetime that is not weak: an access token cannot be recalled
/// once an API checks it offline (SPEC §9), so its lifetime is the window of a stolen one.
pub const MAX_ACCESS_TTL: Duration = Duration::from_secs(24 * 3600);

/// The largest clock-skew leeway that is not weak: it extends every token past its `exp`.
pub const MAX_LEEWAY: Duration = Duration::from_secs(5 * 60);

/// The largest reuse grace that is not weak: inside it a stolen refresh token's replay is
/// answered instead of revoking the session (docs/RULES.md).
pub const MAX_REUSE_GRACE: Duration = Duration::from_secs(5 * 60);

/// The lowest bcrypt cost that is not weak (OWASP's floor is 10).
pub const MIN_BCRYPT_COST: u32 = 10;

/// Every key that can be weak, hence every key `security.allow_weak_settings` may name.
pub const WEAKENABLE_KEYS: [&str; 6] = [
    "jwt.issuer",
    "jwt.leeway",
    "passwords.bcrypt_cost",
    "server.trusted_proxies",
    "tokens.access_ttl",
    "tokens.reuse_grace",
];

/// One weak setting: which key, and what its value gives away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weakness {
    /// The dotted key, one of [`WEAKENABLE_KEYS`].
    pub key: &'static str,
    /// What the value switches off, with the bound it crosses; never a secret.
    pub why: String,
}

/// The weak settings of `config`, in key order.
pub fn weaknesses(config: &Config) -> Vec<Weakness> {
    let mut found = Vec::new();
    let mut weak = |key, why: String| found.push(Weakness { key, why });
    let human = |d: Duration| crate::duration::format(d);
    if let Some(host) = plaintext_remote_host(&config.jwt.issuer) {
        weak(
            "jwt.issuer",
            format!(
                "http:// on {host:?}: tokens and discovery name a plaintext issuer (RFC 8414 \
                 requires https; standard clients refuse it)"
            ),
        );
    }
    if config.jwt.leeway > MAX_LEEWAY {
        weak(
            "jwt.leeway",
            format!(
                "{} keeps every token valid that long past its exp (at most {} is not weak)",
                human(config.jwt.leeway),
                human(MAX_LEEWAY)
            ),
        );
    }
    // A cost below 4 is no bcrypt cost at all, refused as invalid by `validate`.
    if (4..MIN_BCRYPT_COST).contains(&config.passwords.bcrypt_cost) {
        weak(
            "passwords.bcrypt_cost",
            format!(
                "{} makes a leaked password hash cheap to crack (at least {MIN_BCRYPT_COST})",
                config.passwords.bcrypt_cost
            ),
        );
    }
    if let Some(all) = config.server.trusted_proxies.iter().find(|n| n.prefix_len() == 0) {
        weak(
            "server.trusted_proxies",
            format!(
                "{all} trusts X-Forwarded-For from every peer, so any client picks the address \
                 lockouts and rate limits count (list only your proxies)"
            ),
        );
    }
    if config.tokens.access_ttl > MAX_ACCESS_TTL {
        weak(
            "tokens.access_ttl",
            format!(
                "{}: an access token checked offline cannot be recalled for that long (at most \
                 {} is not weak)",
                human(config.tokens.access_ttl),
                human(MAX_ACCESS_TTL)
            ),
        );
    }
    if config.tokens.reuse_grace > MAX_REUSE_GRACE {
        weak(
            "tokens.reuse_grace",
            format!(
                "{}: a stolen refresh token replayed that long after a rotation is answered \
                 instead of revoking the session (at most {} is not weak)",
                human(config.tokens.reuse_grace),
                human(MAX_REUSE_GRACE)
            ),
        );
    }
    found
}

/// The host of an `http://` issuer that is not loopback (where plaintext crosses a network).
fn plaintext_remote_host(issuer: &str) -> Option<String> {
    let url = url::Url::parse(issuer).ok()?;
    if url.scheme() != "http" {
        return None;
    }
    let loopback = match url.host()? {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    (!loopback).then(|| url.host_str().unwrap_or_default().to_owned())
}
