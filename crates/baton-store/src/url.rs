//! Which backend a database URL names, decided by its scheme alone.

use std::path::PathBuf;

/// A database URL Baton cannot use. Messages name the accepted forms and never echo the URL,
/// which may hold a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// `sqlite://` with no path.
    #[error("sqlite:// URL names no database file")]
    NoFile,
    /// An in-memory or URI-style SQLite database: each pooled connection would get its own.
    #[error(
        "in-memory and URI-style SQLite databases are not supported; \
         use sqlite://relative/path or sqlite:///absolute/path"
    )]
    InMemory,
    /// Neither PostgreSQL nor SQLite.
    #[error(
        "unsupported database URL scheme {0:?}: use postgres://, postgresql://, \
         sqlite://relative/path or sqlite:///absolute/path"
    )]
    Scheme(String),
}

/// A database URL, parsed far enough to open connections of the right kind.
#[derive(Clone, PartialEq, Eq)]
pub enum Target {
    /// `postgres://` or `postgresql://`: the URL is handed to libpq unchanged.
    Postgres(String),
    /// `sqlite://relative/path` or `sqlite:///absolute/path`: a database file.
    Sqlite(PathBuf),
}

// The URL may carry a password; never print it.
impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Postgres(_) => f.write_str("Postgres(<url>)"),
            Target::Sqlite(path) => write!(f, "Sqlite({})", path.display()),
        }
    }
}

impl Target {
    /// Parses a URL; anything but the three schemes above is refused with a message that
    /// names the accepted forms (and never echoes the URL, which may hold a password).
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Target::Postgres(url.to_owned()));
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() || path == "/" {
                return Err(UrlError::NoFile);
            }
            if path.starts_with(':') || path.starts_with("file:") {
                return Err(UrlError::InMemory);
            }
            return Ok(Target::Sqlite(PathBuf::from(path)));
        }
        let scheme = url.split_once("://").map_or("(none)", |(s, _)| s);
        Err(UrlError::Scheme(scheme.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_pick_the_backend() {
        let pg = "postgres://u:secret@localhost:5432/baton";
        assert_eq!(Target::parse(pg).unwrap(), Target::Postgres(pg.into()));
        let pg = "postgresql://localhost/baton?sslmode=disable";
        assert_eq!(Target::parse(pg).unwrap(), Target::Postgres(pg.into()));
        assert_eq!(
            Target::parse("sqlite://data/baton.db").unwrap(),
            Target::Sqlite("data/baton.db".into())
        );
        assert_eq!(
            Target::parse("sqlite:///var/lib/baton/baton.db").unwrap(),
            Target::Sqlite("/var/lib/baton/baton.db".into())
        );
    }

    #[test]
    fn other_urls_are_refused_without_echoing_them() {
        for url in [
            "mysql://root:hunter2@db/baton",
            "data/baton.db",
            "",
            "sqlite://",
            "sqlite:///",
            "sqlite://:memory:",
            "sqlite://file:x.db?mode=memory",
        ] {
            let err = Target::parse(url).unwrap_err().to_string();
            assert!(!err.contains("hunter2"), "{err}");
            assert!(Target::parse(url).is_err(), "{url}");
        }
        let err = Target::parse("mysql://root:hunter2@db/baton").unwrap_err().to_string();
        assert!(err.contains("\"mysql\"") && err.contains("postgres://"), "{err}");
    }

    #[test]
    fn debug_hides_the_postgres_url() {
        let t = Target::parse("postgres://u:secret@localhost/baton").unwrap();
        assert!(!format!("{t:?}").contains("secret"));
    }
}
