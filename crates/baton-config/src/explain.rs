//! The effective configuration as `baton config` prints it: one line per key, its value with
//! secrets redacted, and where the value came from (default, a file, an environment variable).
//!
//! Values come from the typed sections (so they are what the server would use, after
//! parsing); a section that does not parse is shown as written, redacted, next to its error.
//! Origins come from figment's metadata of the same layers.

use super::errors::{is_sensitive, render};
use super::load::{Source, extract};
use super::mail::SecretUrl;
use super::origin::{Origin, origin};
use super::problem::ConfigError;
use super::redact::redact_url;
use super::secret::REDACTED;
use super::weak::{Weakness, weaknesses};
use super::{Config, env};
use figment::Figment;
use serde_json::Value;

/// One configuration key as `baton config` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Dotted key, e.g. `server.port`.
    pub key: String,
    /// The value in TOML-like notation, secrets redacted; `unset` for an absent option.
    pub value: String,
    /// Where the value came from.
    pub origin: Origin,
}

/// What `baton config` reports: every value it could resolve, then every problem.
#[derive(Debug, Clone)]
pub struct Report {
    /// Every setting, in key order.
    pub entries: Vec<Entry>,
    /// Everything that would stop start-up; empty when the configuration is usable.
    pub problems: Vec<ConfigError>,
    /// Every weak setting ([`crate::weaknesses`]), under any profile and whether acknowledged
    /// or not (under `prod` an unacknowledged one is also among `problems`).
    pub weak: Vec<Weakness>,
    /// What is allowed but worth attention ([`Config::warnings`]), e.g. `prod` without mail.
    pub warnings: Vec<String>,
}

/// Every key of a valid `config` (loaded from `source`), in key order.
pub fn explain(source: &Source, config: &Config) -> Vec<Entry> {
    let figment = source.figment();
    let value = serde_json::to_value(config).unwrap_or(Value::Null);
    entries(&figment, |section| value.get(section).cloned().ok_or(()))
}

/// Resolves what it can of `source` and collects every problem instead of stopping at the
/// first, so an operator sees the whole picture.
pub fn report(source: &Source) -> Report {
    let layers = source.layers();
    let figment = layers.figment;
    let mut problems = layers.problems;
    match extract(&figment) {
        Ok(config) => {
            let origins = super::Origins::of(&figment);
            problems.extend(config.check(&source.profile, &origins));
            let value = serde_json::to_value(&config).unwrap_or(Value::Null);
            let entries = entries(&figment, |section| value.get(section).cloned().ok_or(()));
            let warnings = config.warnings(&source.profile);
            Report { entries, problems, weak: weaknesses(&config), warnings }
        }
        Err(first) => {
            // Typed where a section parses, as written (redacted) where it does not.
            let raw = figment.extract::<Value>().unwrap_or(Value::Null);
            let typed = serde_json::to_value(Config::default()).unwrap_or(Value::Null);
            let sections: Vec<String> =
                typed.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
            for section in &sections {
                if let Err(mut e) = section_value(&figment, section) {
                    // extract_inner puts the section last in the path; put it first.
                    if e.path.last() == Some(section) && e.path.first() != Some(section) {
                        e.path.pop();
                        e.path.insert(0, section.clone());
                    }
                    let e = render(&e);
                    if !problems.contains(&e) {
                        problems.push(e);
                    }
                }
            }
            if !problems.contains(&first) {
                problems.insert(0, first);
            }
            let entries = entries(&figment, |section| {
                section_value(&figment, section)
                    .or_else(|_| raw.get(section).cloned().ok_or(()))
                    .map_err(|_| ())
            });
            Report { entries, problems, weak: Vec::new(), warnings: Vec::new() }
        }
    }
}

/// A section typed and serialized back (durations normalized, secrets redacted).
fn section_value(figment: &Figment, section: &str) -> Result<Value, Box<figment::Error>> {
    use super::*;
    fn typed<T: serde::de::DeserializeOwned + serde::Serialize>(
        figment: &Figment,
        section: &str,
    ) -> Result<Value, Box<figment::Error>> {
        let v: T = figment.extract_inner(section)?;
        Ok(serde_json::to_value(v).unwrap_or(Value::Null))
    }
    match section {
        "server" => typed::<ServerConfig>(figment, section),
        "database" => typed::<DatabaseConfig>(figment, section),
        "jwt" => typed::<JwtSettings>(figment, section),
        "tokens" => typed::<TokensConfig>(figment, section),
        "passwords" => typed::<PasswordsConfig>(figment, section),
        "login" => typed::<LoginConfig>(figment, section),
        "rate_limit" => typed::<RateLimitConfig>(figment, section),
        "jwks" => typed::<JwksConfig>(figment, section),
        "introspection" => typed::<IntrospectionConfig>(figment, section),
        "cookies" => typed::<CookiesConfig>(figment, section),
        "log" => typed::<LogConfig>(figment, section),
        "purge" => typed::<PurgeConfig>(figment, section),
        "mail" => typed::<MailConfig>(figment, section),
        "accounts" => typed::<AccountsConfig>(figment, section),
        "mfa" => typed::<MfaConfig>(figment, section),
        "webauthn" => typed::<WebauthnConfig>(figment, section),
        _ => Ok(figment.extract_inner(section)?),
    }
}

/// One entry per setting, its value taken from `section_of(section)` and redacted.
fn entries(figment: &Figment, section_of: impl Fn(&str) -> Result<Value, ()>) -> Vec<Entry> {
    env::setting_keys()
        .into_iter()
        .map(|key| {
            let (section, rest) = key.split_once('.').unwrap_or((key.as_str(), ""));
            // Nested tables (`mail.subjects.password_reset`) are walked key by key.
            let value = section_of(section)
                .ok()
                .and_then(|v| rest.split('.').try_fold(v, |v, k| v.get(k).cloned()));
            let value = redact(&key, value.unwrap_or(Value::Null));
            Entry { origin: origin(figment, &key), value: render_value(&value), key }
        })
        .collect()
}

/// Hides what must not be shown: the database password, secrets and private keys (also when
/// a section is shown as written).
fn redact(key: &str, value: Value) -> Value {
    if key == "mail.smtp_url" {
        return match value {
            Value::String(url) => Value::String(SecretUrl::new(url).redacted()),
            Value::Null => Value::Null,
            _ => Value::String(REDACTED.into()),
        };
    }
    if key == "database.url" {
        return match value {
            Value::String(url) => Value::String(redact_url(&url)),
            Value::Null => Value::Null,
            _ => Value::String(REDACTED.into()),
        };
    }
    let path: Vec<&str> = key.split('.').collect();
    match value {
        Value::Null => Value::Null,
        Value::Array(items) if is_sensitive(&path) => {
            Value::Array(items.into_iter().map(redact_fields).collect())
        }
        _ if is_sensitive(&path) => Value::String(REDACTED.into()),
        other => other,
    }
}

/// In a list of keys or clients: every field but the names and public material redacted.
fn redact_fields(item: Value) -> Value {
    const SHOWN: [&str; 5] = ["kid", "alg", "id", "private_key_file", "public_key_file"];
    match item {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let keep = SHOWN.contains(&k.as_str()) || k == "public_key" || v.is_null();
                    (k, if keep { v } else { Value::String(REDACTED.into()) })
                })
                .collect(),
        ),
        _ => Value::String(REDACTED.into()),
    }
}

/// Renders the entries as aligned `key = value  # origin` lines.
pub fn render_entries(entries: &[Entry]) -> String {
    let width = entries.iter().map(|e| e.key.len() + 3 + e.value.len()).max().unwrap_or(0).min(64);
    let mut out = String::new();
    for e in entries {
        let line = format!("{} = {}", e.key, e.value);
        out.push_str(&format!("{line:<width$}  # {}\n", e.origin));
    }
    out
}

fn render_value(value: &Value) -> String {
    match value {
        Value::Null => "unset".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_render_as_aligned_lines() {
        let entries = vec![
            Entry { key: "a.b".into(), value: "1".into(), origin: Origin::Default },
            Entry {
                key: "a.long".into(),
                value: "\"x\"".into(),
                origin: Origin::Env("BATON_A__LONG".into()),
            },
        ];
        assert_eq!(
            render_entries(&entries),
            "a.b = 1       # default\na.long = \"x\"  # env BATON_A__LONG\n"
        );
    }

    #[test]
    fn raw_sections_are_redacted_too() {
        let keys = serde_json::json!([{ "kid": "a", "secret": "s3cr3t", "alg": "HS256" }, "junk"]);
        let shown = redact("jwt.keys", keys).to_string();
        assert!(!shown.contains("s3cr3t") && !shown.contains("junk"), "{shown}");
        assert!(shown.contains("\"kid\":\"a\""), "{shown}");
        assert_eq!(redact("jwt.secret", Value::from(123)), Value::from(REDACTED));
        assert_eq!(redact("database.url", Value::from(5)), Value::from(REDACTED));
        assert_eq!(redact("server.port", Value::from(5)), Value::from(5));
    }
}
