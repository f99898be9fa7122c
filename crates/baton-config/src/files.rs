//! The TOML file layers. Files are parsed here first, so that a syntax error is reported by
//! file, line and key but never with the offending line: the TOML crate's own message quotes
//! it, and a broken `jwt.keys = [...]` line holds secrets.

use super::problem::ConfigError;
use figment::providers::{Format, Toml};
use figment::value::{Dict, Map};
use figment::{Error, Metadata, Profile, Provider};
use std::path::{Path, PathBuf};

/// One parsed TOML file, as a figment provider whose metadata names the file (so errors and
/// `baton config` can point at it).
pub struct TomlFile {
    path: PathBuf,
    text: String,
}

impl TomlFile {
    /// Reads and parses `path`; the error names the file, the line and the key, not values.
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::Read(format!(
                "cannot read configuration file {}: {e}; check that it exists and baton may \
                 read it",
                path.display()
            ))
        })?;
        if let Err(e) = toml::from_str::<toml::Table>(&text) {
            let offset = e.span().map_or(0, |s| s.start).min(text.len());
            let line = text[..offset].matches('\n').count() + 1;
            let key = key_at_line(&text, line).map(|k| format!(" (key {k})")).unwrap_or_default();
            return Err(ConfigError::Read(format!(
                "TOML syntax error in {} line {line}{key}: {}; fix the syntax (values are not \
                 shown: they may be secret)",
                path.display(),
                scrub(e.message())
            )));
        }
        Ok(Self { path: path.to_owned(), text })
    }
}

impl Provider for TomlFile {
    fn metadata(&self) -> Metadata {
        Metadata::from(self.path.display().to_string(), figment::Source::File(self.path.clone()))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, Error> {
        // Parsed once already: this cannot fail on syntax.
        Toml::string(&self.text).data()
    }
}

/// The TOML crate's message on one line, defensively without anything that could be a
/// secret. Its messages (`invalid array`, ``expected `]` ``, ``duplicate key `kid` ``) name
/// tokens and keys, not values, but nothing guarantees that, so any word longer than 30
/// characters (every usable secret is at least 32) is dropped.
fn scrub(message: &str) -> String {
    message
        .split_whitespace()
        .map(|w| if w.chars().count() > 30 { "…" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The dotted key defined at `line` (1-based) of a TOML text, or the table being opened
/// there: the line's own key after the last `[table]` header. Best effort, for messages.
pub fn key_at_line(text: &str, line: usize) -> Option<String> {
    let mut table = String::new();
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim();
        if let Some(header) = header(l) {
            table = header;
            if i + 1 == line {
                return Some(table);
            }
            continue;
        }
        if i + 1 == line {
            let key = l.split_once('=')?.0.trim().trim_matches('"');
            if key.is_empty() || key.contains(char::is_whitespace) {
                return None;
            }
            return Some(if table.is_empty() { key.into() } else { format!("{table}.{key}") });
        }
    }
    None
}

/// The line (1-based) of `path` that sets `key` (dotted) or, for a key inside a list or
/// table such as `jwt.keys.0.secret`, the line that sets its outermost known part.
pub fn line_of(path: &Path, key: &str) -> Option<usize> {
    let text = std::fs::read_to_string(path).ok()?;
    let lines = text.lines().count();
    let mut best = None;
    for line in 1..=lines {
        if let Some(k) = key_at_line(&text, line) {
            let prefix_of_key = key == k || key.starts_with(&format!("{k}."));
            if prefix_of_key && best.is_none_or(|(_, len): (usize, usize)| k.len() > len) {
                best = Some((line, k.len()));
            }
        }
    }
    best.map(|(line, _)| line)
}

fn header(line: &str) -> Option<String> {
    let inner = line.strip_prefix('[')?;
    let inner = inner.strip_prefix('[').unwrap_or(inner);
    let end = inner.find(']')?;
    Some(inner[..end].trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[server]\nport = 1\n\n[jwt]\nkeys = [{ kid = \"a\" }]\n[[x.y]]\nz = 2\n";

    #[test]
    fn keys_are_found_by_line_and_lines_by_key() {
        assert_eq!(key_at_line(TEXT, 1).as_deref(), Some("server"));
        assert_eq!(key_at_line(TEXT, 2).as_deref(), Some("server.port"));
        assert_eq!(key_at_line(TEXT, 3), None);
        assert_eq!(key_at_line(TEXT, 5).as_deref(), Some("jwt.keys"));
        assert_eq!(key_at_line(TEXT, 7).as_deref(), Some("x.y.z"));
        let dir = std::env::temp_dir().join(format!("baton-files-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("f.toml");
        std::fs::write(&file, TEXT).unwrap();
        assert_eq!(line_of(&file, "jwt.keys.0.secret"), Some(5));
        assert_eq!(line_of(&file, "server.port"), Some(2));
        assert_eq!(line_of(&file, "server.host"), Some(1), "the table header at least");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn scrubbing_drops_long_words() {
        assert_eq!(scrub("invalid array\nexpected `]`"), "invalid array expected `]`");
        assert_eq!(scrub("found `s3cr3t-value-here-0123456789abcdef`"), "found …");
        assert_eq!(scrub("duplicate key `kid`"), "duplicate key `kid`");
    }
}
