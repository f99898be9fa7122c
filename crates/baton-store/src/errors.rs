//! Translation of database failures into the core's [`StoreError`], which is all the core
//! and the server need to choose between 409, 503 and 500.

use baton_core::StoreError;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Both unique constraints on `users.email` (exact and lower-cased) carry "email" in their
/// names, and SQLite names the column or index in its message; either way the word is there.
const EMAIL_CONSTRAINT_HINT: &str = "email";

/// Maps a query failure.
///
/// - a unique violation on the email constraints → [`StoreError::EmailTaken`];
/// - a lost connection, or SQLite's "database is locked" after the busy timeout →
///   [`StoreError::Unavailable`] (worth retrying, answered with 503);
/// - anything else → [`StoreError::Backend`].
pub fn query(err: DieselError) -> StoreError {
    match &err {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            let on_email =
                info.constraint_name().is_some_and(|c| c.contains(EMAIL_CONSTRAINT_HINT))
                    || info.message().contains(EMAIL_CONSTRAINT_HINT);
            if on_email { StoreError::EmailTaken } else { StoreError::Backend(err.to_string()) }
        }
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
            StoreError::Unavailable(err.to_string())
        }
        DieselError::DatabaseError(_, info) if is_busy(info.message()) => {
            StoreError::Unavailable(err.to_string())
        }
        _ => StoreError::Backend(err.to_string()),
    }
}

/// Maps a failure to get a connection from the pool: the pool timed out, usually because
/// the server refused connections or every connection stayed busy.
pub fn pool(err: r2d2::Error) -> StoreError {
    StoreError::Unavailable(format!("no database connection: {err}"))
}

/// SQLite's SQLITE_BUSY / SQLITE_LOCKED messages.
fn is_busy(message: &str) -> bool {
    message.contains("database is locked")
        || message.contains("database is busy")
        || message.contains("database table is locked")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Info(&'static str, Option<&'static str>);

    impl diesel::result::DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            self.1
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn db(
        kind: DatabaseErrorKind,
        message: &'static str,
        constraint: Option<&'static str>,
    ) -> StoreError {
        query(DieselError::DatabaseError(kind, Box::new(Info(message, constraint))))
    }

    #[test]
    fn unique_violations_on_email_only_mean_email_taken() {
        use DatabaseErrorKind::UniqueViolation as U;
        let pg = db(U, "duplicate key value violates unique constraint", Some("users_email_key"));
        assert_eq!(pg, StoreError::EmailTaken);
        let lite = db(U, "UNIQUE constraint failed: index 'users_email_lower_key'", None);
        assert_eq!(lite, StoreError::EmailTaken);
        assert_eq!(db(U, "UNIQUE constraint failed: users.email", None), StoreError::EmailTaken);
        let pk = db(U, "UNIQUE constraint failed: users.id", None);
        assert!(matches!(pk, StoreError::Backend(_)), "{pk:?}");
    }

    #[test]
    fn busy_and_closed_mean_unavailable() {
        use DatabaseErrorKind::{ClosedConnection, Unknown};
        assert!(matches!(db(Unknown, "database is locked", None), StoreError::Unavailable(_)));
        assert!(matches!(db(ClosedConnection, "gone", None), StoreError::Unavailable(_)));
        assert!(matches!(db(Unknown, "syntax error", None), StoreError::Backend(_)));
        assert!(matches!(query(DieselError::NotFound), StoreError::Backend(_)));
    }
}
