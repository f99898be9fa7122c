//! The effective configuration as `baton config` prints it: one line per key, its value with
//! secrets redacted, and where the value came from (default, a file, an environment variable).
//!
//! Values come from the validated [`Config`] (so they are what the server would use, after
//! parsing), origins from figment's metadata of the same layers.

use super::Config;
use super::load::{Origin, Source, origin};

/// Shown in place of secrets.
pub const REDACTED: &str = "<redacted>";

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

/// Every key of `config` (loaded from `source`), in key order.
pub fn explain(source: &Source, config: &Config) -> Vec<Entry> {
    let figment = source.figment();
    // `Secret` serializes as "<redacted>"; everything else as the server reads it.
    let value = serde_json::to_value(config).unwrap_or(serde_json::Value::Null);
    let mut leaves = Vec::new();
    flatten(String::new(), &value, &mut leaves);
    leaves
        .into_iter()
        .map(|(key, value)| {
            let value = if key == "database.url" {
                value.as_str().map(redact_url).map(serde_json::Value::String).unwrap_or(value)
            } else {
                value
            };
            Entry { origin: origin(&figment, &key), value: render(&value), key }
        })
        .collect()
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

/// Collects the leaves of a JSON object as (dotted key, value); arrays are leaves.
fn flatten(prefix: String, value: &serde_json::Value, out: &mut Vec<(String, serde_json::Value)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(key, v, out);
            }
        }
        leaf => out.push((prefix, leaf.clone())),
    }
}

fn render(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "unset".to_owned(),
        other => other.to_string(),
    }
}

/// A database URL with its password (in the user info or a `password=` parameter) redacted.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let (head, rest) = url.split_at(scheme_end);
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:{REDACTED}@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let params: Vec<String> = query
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}={REDACTED}"),
                    _ => p.to_owned(),
                })
                .collect();
            format!("{path}?{}", params.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{head}{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://baton:s3cr3t@db:5432/baton?sslmode=require&password=x"),
            "postgres://baton:<redacted>@db:5432/baton?sslmode=require&password=<redacted>"
        );
        assert_eq!(redact_url("postgres://baton@db/baton"), "postgres://baton@db/baton");
        assert_eq!(redact_url("sqlite://data/baton.db"), "sqlite://data/baton.db");
        assert_eq!(redact_url("postgres://u:p@h"), "postgres://u:<redacted>@h");
    }

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
}
