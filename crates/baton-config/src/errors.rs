//! Error messages about configuration values: which key, where it was set (file and line, or
//! variable), what is wrong and how to fix it, and never the value of a secret.
//!
//! figment's own messages quote the offending value ("invalid type: found string \"...\"");
//! for secrets that would print the secret, so errors are rendered here from their parts.

use super::env::suggest;
use super::files::line_of;
use super::origin::{Origin, metadata_origin, origin};
use super::problem::ConfigError;
use figment::Figment;
use figment::error::{Actual, Kind};

/// Looks up where values came from, for messages; without layers everything is a default.
pub struct Origins<'a>(Option<&'a Figment>);

impl<'a> Origins<'a> {
    /// Origins of the values in `figment`.
    pub fn of(figment: &'a Figment) -> Self {
        Self(Some(figment))
    }

    /// No layers known (a configuration built in code): no origins in messages.
    pub fn none() -> Self {
        Self(None)
    }

    /// Where `key` was set.
    pub fn origin(&self, key: &str) -> Origin {
        self.0.map_or(Origin::Default, |f| origin(f, key))
    }

    /// `key (where)`: the key followed by its origin, with the line for a file.
    pub fn describe(&self, key: &str) -> String {
        format!("{key}{}", where_suffix(&self.origin(key), key))
    }
}

/// ` (config/prod.toml line 3)`, ` (env BATON_X)` or nothing for a default.
pub fn where_suffix(origin: &Origin, key: &str) -> String {
    match origin {
        Origin::Default => String::new(),
        Origin::File(path) => match line_of(path, key) {
            Some(line) => format!(" ({} line {line})", path.display()),
            None => format!(" ({})", path.display()),
        },
        Origin::Env(var) => format!(" (env {var})"),
    }
}

/// Keys whose values must never appear in a message: secrets, key lists, client lists and
/// the database URL (it may hold a password).
pub fn is_sensitive(path: &[&str]) -> bool {
    matches!(
        path,
        ["jwt", "secret" | "keys", ..]
            | ["introspection", ..]
            | ["database", "url", ..]
            | ["mfa", "encryption_key", ..]
            | ["mail", "smtp_url", ..]
    ) || path.iter().any(|p| matches!(*p, "secret" | "private_key"))
}

/// One line for a figment extraction error, safe for secrets.
pub fn render(e: &figment::Error) -> ConfigError {
    let path: Vec<&str> = e.path.iter().map(String::as_str).collect();
    let key = path.join(".");
    let origin = e.metadata.as_ref().map_or(Origin::Default, |m| metadata_origin(m, &key));
    let sensitive = is_sensitive(&path);
    if let Kind::UnknownField(field, expected) = &e.kind {
        // figment's path ends with the unknown field itself.
        let table = match path.split_last() {
            Some((last, table)) if last == field => table.join("."),
            _ => key.clone(),
        };
        return unknown_field(&table, field, expected, &origin);
    }
    let at = if key.is_empty() { "the configuration".to_owned() } else { key.clone() };
    let place = where_suffix(&origin, &key);
    let what = match &e.kind {
        Kind::InvalidType(actual, expected) => {
            format!("found {}, expected {expected}", shown(actual, sensitive))
        }
        Kind::InvalidValue(actual, expected) => {
            format!("invalid value {}, expected {expected}", shown(actual, sensitive))
        }
        Kind::InvalidLength(len, expected) => format!("{len} elements, expected {expected}"),
        Kind::UnknownVariant(v, expected) => {
            let v = if sensitive { "a value".to_owned() } else { format!("{v:?}") };
            format!("{v} is not one of {}", quoted(expected))
        }
        Kind::MissingField(field) => format!("missing {field} (add it)"),
        Kind::DuplicateField(field) => format!("{field} is set twice (keep one)"),
        // The message may quote the value.
        Kind::Message(_) if sensitive => "invalid value (not shown: it may be secret)".to_owned(),
        Kind::Message(m) => m.clone(),
        other if sensitive => format!("invalid value ({})", kind_name(other)),
        other => other.to_string(),
    };
    ConfigError::Read(format!("invalid {at}{place}: {what}"))
}

fn unknown_field(table: &str, field: &str, expected: &[&str], origin: &Origin) -> ConfigError {
    let key = if table.is_empty() { field.to_owned() } else { format!("{table}.{field}") };
    let candidates: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    let hint = match suggest(field, &candidates) {
        Some(close) if table.is_empty() => format!(" (did you mean [{close}]?)"),
        Some(close) => format!(" (did you mean {table}.{close}?)"),
        None => format!("; known here: {}", expected.join(", ")),
    };
    let what = if table.is_empty() { "section" } else { "setting" };
    let place = match origin {
        Origin::Env(var) => format!(" (env {var})"),
        Origin::File(path) => match line_of(path, &key) {
            Some(line) => format!(" in {} line {line}", path.display()),
            None => format!(" in {}", path.display()),
        },
        Origin::Default => String::new(),
    };
    ConfigError::Unknown(format!("unknown {what} {key}{place}{hint}"))
}

/// What was found, without the value when it may be secret.
fn shown(actual: &Actual, sensitive: bool) -> String {
    if !sensitive {
        return actual.to_string();
    }
    match actual {
        Actual::Bool(_) => "a boolean",
        Actual::Unsigned(_) | Actual::Signed(_) => "an integer",
        Actual::Float(_) => "a float",
        Actual::Char(_) | Actual::Str(_) => "a string",
        Actual::Bytes(_) => "bytes",
        Actual::Seq => "a list",
        Actual::Map => "a table",
        _ => "another kind of value",
    }
    .to_owned()
}

fn kind_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::ISizeOutOfRange(_) | Kind::USizeOutOfRange(_) => "number out of range",
        Kind::Unsupported(_) | Kind::UnsupportedKey(..) => "unsupported kind of value",
        _ => "wrong value",
    }
}

fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
}
