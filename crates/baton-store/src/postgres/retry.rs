//! When a PostgreSQL statement runs again, as a plain function of what went wrong:
//!
//! - a **serialization failure** (40001, 40P01: only at `REPEATABLE READ` or `SERIALIZABLE`,
//!   or a deadlock) rolled the statement's transaction back whole, so it runs again, reads
//!   and writes alike, up to [`MAX_SERIALIZATION_RETRIES`] times after a short random pause
//!   (the racers that lost spread out instead of colliding again at once);
//! - a **lost connection** (a database restart) runs a *read* once more on a live
//!   connection; a *write* never, since nobody knows whether it committed;
//! - anything else is final.

use std::time::Duration;

use crate::errors;

/// How many times a statement that lost a serialization race runs again. Each round lets at
/// least one of the racers on a row commit; with the pauses below, 32 requests on one row
/// (the contract suite's races) settle within a handful of rounds at `SERIALIZABLE`.
pub(crate) const MAX_SERIALIZATION_RETRIES: u32 = 10;

/// The longest pause before a serialization retry.
const MAX_PAUSE: Duration = Duration::from_millis(64);

/// Whether a statement only reads (and may run again after a lost connection) or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Reads: safe to repeat.
    Read,
    /// Changes data: repeated only when the database rolled it back for certain.
    Write,
}

/// What to do after a failed try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Run the statement again after this pause.
    Again(Duration),
    /// Give the error to the caller.
    Stop,
}

/// The tries of one statement so far.
#[derive(Debug)]
pub(crate) struct Attempts {
    kind: Kind,
    serialization_retries: u32,
    reconnected: bool,
}

impl Attempts {
    /// No try yet.
    pub(crate) fn new(kind: Kind) -> Self {
        Self { kind, serialization_retries: 0, reconnected: false }
    }

    /// Decides after a try that failed with `err`.
    pub(crate) fn after(&mut self, err: &diesel::result::Error) -> Next {
        if errors::is_serialization_failure(err) {
            if self.serialization_retries >= MAX_SERIALIZATION_RETRIES {
                return Next::Stop;
            }
            self.serialization_retries += 1;
            return Next::Again(pause(self.serialization_retries));
        }
        if errors::is_lost(err) && self.kind == Kind::Read && !self.reconnected {
            self.reconnected = true;
            return Next::Again(Duration::ZERO);
        }
        Next::Stop
    }
}

/// A random pause up to 1 ms, 2 ms, 4 ms, … for the n-th retry, never above [`MAX_PAUSE`]
/// ("full jitter": racers that collided pick different moments to try again).
fn pause(retry: u32) -> Duration {
    let ceiling = Duration::from_millis(1u64 << retry.min(10).saturating_sub(1)).min(MAX_PAUSE);
    let fraction = (uuid::Uuid::new_v4().as_u128() % 1024) as u32;
    ceiling * fraction / 1024
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error};

    fn db(kind: DatabaseErrorKind, message: &str) -> Error {
        Error::DatabaseError(kind, Box::new(message.to_owned()))
    }

    #[test]
    fn serialization_failures_run_again_a_bounded_number_of_times_for_reads_and_writes() {
        for kind in [Kind::Read, Kind::Write] {
            let mut attempts = Attempts::new(kind);
            let failure = db(DatabaseErrorKind::SerializationFailure, "could not serialize");
            for n in 1..=MAX_SERIALIZATION_RETRIES {
                let Next::Again(pause) = attempts.after(&failure) else { panic!("retry {n}") };
                assert!(pause <= MAX_PAUSE);
            }
            assert_eq!(attempts.after(&failure), Next::Stop);
        }
        let deadlock = db(DatabaseErrorKind::Unknown, "deadlock detected");
        assert!(matches!(Attempts::new(Kind::Write).after(&deadlock), Next::Again(_)));
    }

    #[test]
    fn a_lost_connection_repeats_a_read_once_and_never_a_write() {
        let lost = db(DatabaseErrorKind::UnableToSendCommand, "connection closed");
        let mut read = Attempts::new(Kind::Read);
        assert_eq!(read.after(&lost), Next::Again(Duration::ZERO));
        assert_eq!(read.after(&lost), Next::Stop);
        assert_eq!(Attempts::new(Kind::Write).after(&lost), Next::Stop);
    }

    #[test]
    fn other_errors_are_final() {
        let mut attempts = Attempts::new(Kind::Read);
        assert_eq!(attempts.after(&db(DatabaseErrorKind::UniqueViolation, "dup")), Next::Stop);
        assert_eq!(attempts.after(&Error::NotFound), Next::Stop);
    }

    #[test]
    fn pauses_grow_and_stay_under_the_ceiling() {
        assert!(pause(1) <= Duration::from_millis(1));
        for n in 1..=40 {
            assert!(pause(n) <= MAX_PAUSE, "{n}");
        }
    }
}
