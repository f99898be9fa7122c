//! Translation of database failures into the core's error types, keeping the database's own
//! error as the source so that the log shows the whole chain.

use baton_core::{CreateUserError, StoreError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Both unique constraints on `users.email` (exact and lower-cased) carry "email" in their
/// names, and SQLite names the column or index in its message; either way the word is there.
const EMAIL_CONSTRAINT_HINT: &str = "email";

/// Maps a query failure: a lost connection, SQLite's "database is locked" after the busy
/// timeout, or a serialization failure that outlasted the adapter's retries, is
/// [`StoreError::Unavailable`] (worth retrying, answered with 503); anything else is
/// [`StoreError::Backend`].
pub fn query(err: DieselError) -> StoreError {
    if is_unavailable(&err) { StoreError::unavailable(err) } else { StoreError::backend(err) }
}

/// Maps a failure of `create_user`: a unique violation on the email constraints is
/// [`CreateUserError::EmailTaken`], anything else as [`query`].
pub fn create_user(err: DieselError) -> CreateUserError {
    if let DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = &err {
        let on_email = info.constraint_name().is_some_and(|c| c.contains(EMAIL_CONSTRAINT_HINT))
            || info.message().contains(EMAIL_CONSTRAINT_HINT);
        if on_email {
            return CreateUserError::EmailTaken;
        }
    }
    CreateUserError::Store(query(err))
}

/// Whether a query failed because the connection is gone, the database is busy or the
/// transaction lost a race it may retry, rather than because of the query.
pub fn is_unavailable(err: &DieselError) -> bool {
    match err {
        DieselError::DatabaseError(_, info) => {
            is_busy(info.message()) || is_lost(err) || is_serialization_failure(err)
        }
        _ => false,
    }
}

/// Whether a query failed because its connection died (a database restart, a network cut):
/// a read may then be retried once on a connection known to be alive. On the async
/// PostgreSQL connection, a failure without SQLSTATE (`UnableToSendCommand`: an I/O error, a
/// closed socket) is one; with libpq and SQLSTATE-carrying errors, their messages tell.
pub fn is_lost(err: &DieselError) -> bool {
    match err {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        ) => true,
        DieselError::DatabaseError(_, info) => is_connection_lost(info.message()),
        _ => false,
    }
}

/// Whether a statement failed because its transaction could not be serialized with a
/// concurrent one (SQLSTATE 40001, which diesel reports as `SerializationFailure`) or was
/// chosen as a deadlock victim (40P01, known here by PostgreSQL's message, which the async
/// driver does not map). Either way the database rolled the transaction back whole, so
/// running it again is safe and cannot count anything twice.
pub fn is_serialization_failure(err: &DieselError) -> bool {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        DieselError::DatabaseError(_, info) => info.message().starts_with(DEADLOCK),
        _ => false,
    }
}

/// PostgreSQL's message for SQLSTATE 40P01.
const DEADLOCK: &str = "deadlock detected";

/// Maps a failure to get a SQLite connection from r2d2 within the timeout.
pub fn pool(err: r2d2::Error) -> StoreError {
    StoreError::unavailable(err)
}

/// SQLite's SQLITE_BUSY / SQLITE_LOCKED messages.
fn is_busy(message: &str) -> bool {
    message.contains("database is locked")
        || message.contains("database is busy")
        || message.contains("database table is locked")
}

/// PostgreSQL's and libpq's words for a connection that died under a query (a server shutting
/// down or restarting: SQLSTATE 57P01 to 57P03; a network cut).
fn is_connection_lost(message: &str) -> bool {
    message.contains("server closed the connection")
        || message.contains("terminating connection")
        || message.contains("the database system is")
        || message.contains("no connection to the server")
        || message.contains("connection to server")
        || message.contains("SSL SYSCALL error")
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
    ) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(Info(message, constraint)))
    }

    #[test]
    fn unique_violations_on_email_only_mean_email_taken() {
        use DatabaseErrorKind::UniqueViolation as U;
        let taken = |e| matches!(create_user(e), CreateUserError::EmailTaken);
        assert!(taken(db(
            U,
            "duplicate key value violates unique constraint",
            Some("users_email_key")
        )));
        assert!(taken(db(U, "UNIQUE constraint failed: index 'users_email_lower_key'", None)));
        assert!(taken(db(U, "UNIQUE constraint failed: users.email", None)));
        let pk = create_user(db(U, "UNIQUE constraint failed: users.id", None));
        assert!(matches!(pk, CreateUserError::Store(StoreError::Backend(_))), "{pk:?}");
    }

    #[test]
    fn busy_and_lost_connections_mean_unavailable_and_keep_their_cause() {
        use DatabaseErrorKind::{ClosedConnection, Unknown};
        assert!(matches!(
            query(db(Unknown, "database is locked", None)),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(query(db(ClosedConnection, "gone", None)), StoreError::Unavailable(_)));
        let lost = "server closed the connection unexpectedly";
        assert!(matches!(query(db(Unknown, lost, None)), StoreError::Unavailable(_)));
        assert!(matches!(query(db(Unknown, "syntax error", None)), StoreError::Backend(_)));
        let unsent = db(DatabaseErrorKind::UnableToSendCommand, "connection closed", None);
        assert!(is_lost(&unsent) && matches!(query(unsent), StoreError::Unavailable(_)));
        assert!(matches!(query(DieselError::NotFound), StoreError::Backend(_)));
        let e = query(db(Unknown, "syntax error at or near", None));
        let cause = std::error::Error::source(&e).expect("the diesel error is kept");
        assert!(cause.to_string().contains("syntax error"), "{cause}");
    }

    #[test]
    fn serialization_failures_and_deadlocks_are_retryable_and_nothing_else_is() {
        use DatabaseErrorKind::{SerializationFailure, Unknown};
        let serialization = db(SerializationFailure, "could not serialize access", None);
        assert!(is_serialization_failure(&serialization));
        assert!(matches!(query(serialization), StoreError::Unavailable(_)));
        let deadlock = db(Unknown, "deadlock detected", None);
        assert!(is_serialization_failure(&deadlock) && !is_lost(&deadlock));
        assert!(!is_serialization_failure(&db(Unknown, "syntax error", None)));
        assert!(!is_serialization_failure(&DieselError::NotFound));
    }
}
