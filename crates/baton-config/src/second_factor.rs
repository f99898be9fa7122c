//! `[mfa]` and `[webauthn]`: the second factors of SPEC §13.
//!
//! - `mfa.encryption_key` seals TOTP secrets at rest: one key (32 random bytes in base64,
//!   `openssl rand -base64 32`) or a list for rotation, the first sealing and all opening
//!   (docs/OPERATIONS.md). Without a key TOTP is unavailable (enrolment answers 503
//!   `mfa_unavailable`) and [`Config::second_factor_warnings`] says so for the start-up log;
//!   passkeys need no key.
//! - `[webauthn]` is the relying party of passkeys: its id (a host name), its name, and the
//!   page origins allowed to use it.

use super::Config;
use super::errors::Origins;
use super::problem::ConfigError;
use super::secret::{DEV_PROFILE, DEV_SECRET_MARKER, MIN_DISTINCT_BYTES, Secret};
use super::validate::check_origin;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Bytes of an `mfa.encryption_key` once decoded (AES-256).
pub const MFA_KEY_BYTES: usize = 32;

/// `[mfa]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MfaConfig {
    /// Keys sealing TOTP secrets, written as one string or a list; the first seals, all open.
    /// Empty: TOTP is unavailable.
    #[serde(deserialize_with = "one_or_many")]
    pub encryption_key: Vec<Secret>,
    /// The issuer authenticator apps show above the code (and in the `otpauth://` label).
    pub totp_issuer: String,
}

impl Default for MfaConfig {
    fn default() -> Self {
        Self { encryption_key: Vec::new(), totp_issuer: "Baton".into() }
    }
}

impl MfaConfig {
    /// Whether TOTP can be offered: a key is configured.
    pub fn totp_available(&self) -> bool {
        !self.encryption_key.is_empty()
    }

    /// The keys as base64 text, in order (the first seals), for `baton_mfa::AesGcmSealer`.
    pub fn encryption_keys(&self) -> Vec<&str> {
        self.encryption_key.iter().map(|k| k.expose().trim()).collect()
    }
}

/// One secret or a list of them.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Secret>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Secret),
        Many(Vec<Secret>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(key) => vec![key],
        OneOrMany::Many(keys) => keys,
    })
}

/// `[webauthn]`: the relying party of passkeys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebauthnConfig {
    /// The relying party id: a host name such as `example.com`, the domain the passkeys are
    /// bound to. Never an IP address (browsers refuse them).
    pub rp_id: String,
    /// The name authenticators show when creating a passkey.
    pub rp_name: String,
    /// The page origins (`scheme://host[:port]`) allowed to use the passkeys; each host is
    /// `rp_id` or a subdomain of it, over HTTPS except on `localhost`.
    pub origins: Vec<String>,
}

impl Default for WebauthnConfig {
    /// Works under `just run` with the page at `http://localhost:8080` (not `127.0.0.1`: an
    /// IP address cannot be a relying party).
    fn default() -> Self {
        Self {
            rp_id: "localhost".into(),
            rp_name: "Baton".into(),
            origins: vec!["http://localhost:8080".into()],
        }
    }
}

impl Config {
    /// What start-up should log as warnings about second factors: TOTP unavailable without a
    /// key, passkeys bound to `localhost` outside the dev profile.
    pub fn second_factor_warnings(&self, profile: &str) -> Vec<String> {
        let mut warnings = Vec::new();
        if !self.mfa.totp_available() {
            warnings.push(
                "mfa.encryption_key is not set: TOTP is unavailable (enrolment answers 503 \
                 mfa_unavailable); set BATON_MFA__ENCRYPTION_KEY to `openssl rand -base64 32`"
                    .to_owned(),
            );
        }
        if profile != DEV_PROFILE && self.webauthn.rp_id == "localhost" {
            warnings.push(
                "webauthn.rp_id is \"localhost\": passkeys work only for pages on localhost; \
                 set webauthn.rp_id and webauthn.origins to the site's domain"
                    .to_owned(),
            );
        }
        warnings
    }
}

/// Every problem of `[mfa]` and `[webauthn]`, one message per problem, never showing a key.
pub(super) fn check(config: &Config, profile: &str, origins: &Origins) -> Vec<ConfigError> {
    let mut problems = Vec::new();
    let mut add = |key: &str, message: String| {
        problems.push(ConfigError::Invalid(format!("{}: {message}", origins.describe(key))));
    };
    let mut seen = HashSet::new();
    for (i, key) in config.mfa.encryption_key.iter().enumerate() {
        let which = format!("key #{}", i + 1);
        match STANDARD.decode(key.expose().trim()) {
            Ok(bytes) if bytes.len() == MFA_KEY_BYTES => {
                let distinct = bytes.iter().collect::<HashSet<_>>().len();
                let dev = bytes
                    .windows(DEV_SECRET_MARKER.len())
                    .any(|w| w == DEV_SECRET_MARKER.as_bytes());
                if distinct < MIN_DISTINCT_BYTES {
                    add(
                        "mfa.encryption_key",
                        format!(
                            "{which} has only {distinct} distinct bytes: it is not random; make one with `openssl rand -base64 32`"
                        ),
                    );
                } else if dev && profile != DEV_PROFILE {
                    add(
                        "mfa.encryption_key",
                        format!(
                            "{which} is the development key, refused by profile {profile:?}: make one with `openssl rand -base64 32`"
                        ),
                    );
                } else if !seen.insert(bytes) {
                    add(
                        "mfa.encryption_key",
                        format!("{which} repeats an earlier key: list each key once"),
                    );
                }
            }
            Ok(bytes) => add(
                "mfa.encryption_key",
                format!(
                    "{which} is {} bytes after base64; 32 are required: make one with `openssl rand -base64 32`",
                    bytes.len()
                ),
            ),
            Err(_) => add(
                "mfa.encryption_key",
                format!("{which} is not base64: make one with `openssl rand -base64 32`"),
            ),
        }
    }
    let issuer = &config.mfa.totp_issuer;
    if issuer.trim().is_empty() || issuer.contains(':') {
        add(
            "mfa.totp_issuer",
            format!(
                "{issuer:?} must be non-empty and without ':' (it is the label's prefix in otpauth:// URIs)"
            ),
        );
    }
    let w = &config.webauthn;
    let host_ok = url::Url::parse(&format!("https://{}", w.rp_id))
        .ok()
        .and_then(|u| u.domain().map(|d| d == w.rp_id))
        .unwrap_or(false);
    if !host_ok {
        add(
            "webauthn.rp_id",
            format!(
                "{:?} is not a host name: write e.g. example.com or localhost (no scheme, port or IP address)",
                w.rp_id
            ),
        );
    }
    if w.rp_name.trim().is_empty() {
        add("webauthn.rp_name", "must not be empty".into());
    }
    if w.origins.is_empty() {
        add(
            "webauthn.origins",
            "list at least one page origin, e.g. https://app.example.com".into(),
        );
    }
    for origin in &w.origins {
        if let Err(m) = check_origin(origin) {
            add("webauthn.origins", m);
            continue;
        }
        let Ok(url) = url::Url::parse(origin) else { continue };
        let host = url.host_str().unwrap_or_default();
        if host_ok && host != w.rp_id && !host.ends_with(&format!(".{}", w.rp_id)) {
            add(
                "webauthn.origins",
                format!(
                    "{origin:?} is not on {:?} or a subdomain of it: browsers refuse passkeys there",
                    w.rp_id
                ),
            );
        } else if url.scheme() != "https" && host != "localhost" {
            add(
                "webauthn.origins",
                format!("{origin:?} must be https (only localhost may use http)"),
            );
        }
    }
    problems
}
