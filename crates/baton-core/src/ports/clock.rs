//! Time and randomness, as ports so that rules can be tested with a clock the test moves.

use time::OffsetDateTime;
use uuid::Uuid;

/// Tells the time, so rules can be tested with a clock that the test moves.
pub trait Clock: Send + Sync {
    /// The current instant in UTC.
    fn now(&self) -> OffsetDateTime;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// Source of unguessable identifiers (users, sessions, access-token `jti`s).
pub trait RandomSource: Send + Sync {
    /// A fresh random UUID.
    fn uuid(&self) -> Uuid;
}

/// Random v4 UUIDs from the operating system's generator.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemRandom;

impl RandomSource for SystemRandom {
    fn uuid(&self) -> Uuid {
        Uuid::new_v4()
    }
}
