//! Storage of accounts, login attempts and sessions (`baton-store`: PostgreSQL and SQLite).
//!
//! Every change that must hold across servers is stated here as one atomic step, so that an
//! adapter can implement it as one conditional statement and the database decides races.
//!
//! Every step MUST hold at any isolation level the database runs at (SPEC §8): at
//! `REPEATABLE READ` or `SERIALIZABLE` a statement may fail with a serialization failure
//! (SQLSTATE 40001, 40P01), which rolled it back whole; the adapter retries it a bounded
//! number of times itself and never hands it to the core as an error, nor applies a step
//! twice.

use super::BoxError;
use crate::domain::email::Email;
use crate::domain::session::{RefreshHash, RevokeReason, Session};
use crate::domain::throttle::LoginKey;
use crate::domain::user::User;
use time::OffsetDateTime;
use uuid::Uuid;

/// A storage adapter failed. The cause is kept for the log; clients only learn whether to
/// retry.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database did not answer in time or refused connections: worth retrying later.
    #[error("database unavailable")]
    Unavailable(#[source] BoxError),
    /// Any other database failure (including serialization failures that outlasted the
    /// adapter's retries).
    #[error("database failure")]
    Backend(#[source] BoxError),
}

impl StoreError {
    /// Wraps a cause as [`StoreError::Unavailable`].
    pub fn unavailable(cause: impl Into<BoxError>) -> Self {
        Self::Unavailable(cause.into())
    }

    /// Wraps a cause as [`StoreError::Backend`].
    pub fn backend(cause: impl Into<BoxError>) -> Self {
        Self::Backend(cause.into())
    }
}

/// Why [`UserStore::create_user`] stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    /// A user with this (normalised) email exists.
    #[error("email already registered")]
    EmailTaken,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The limits a login attempt is reserved under; the core computes them from its policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    /// Failed attempts per (account, address) that lock the pair (0 = no account lockout).
    pub account_max: u32,
    /// Failed attempts per address, over all accounts, within one window (0 = no ceiling).
    pub address_max: u32,
    /// When a lock set now ends, and when an address window opened now closes.
    pub lock_until: OffsetDateTime,
    /// A pair count whose last attempt is at or before this instant is stale: the failures
    /// were not consecutive enough to matter, and it restarts at one.
    pub stale_before: OffsetDateTime,
}

/// The answer of [`UserStore::reserve_login_attempt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// The attempt is counted as a failure in advance; the password may be checked.
    Granted,
    /// The (account, address) pair is locked until then; nothing was counted.
    AccountLocked {
        /// When the lock lifts.
        until: OffsetDateTime,
    },
    /// The address has used up its failures for the window ending then; nothing was counted.
    AddressLocked {
        /// When the window closes.
        until: OffsetDateTime,
    },
}

/// User accounts and the login-attempt counters.
#[async_trait::async_trait]
pub trait UserStore: Send + Sync {
    /// Inserts a new user and, when given, its first session, as one unit: MUST store both or
    /// neither, so that a failure leaves no account behind and a retry is not answered
    /// [`CreateUserError::EmailTaken`]. MUST answer `EmailTaken` when the email (compared
    /// case-insensitively) has an account.
    async fn create_user(
        &self,
        user: &User,
        first_session: Option<&Session>,
    ) -> Result<(), CreateUserError>;
    /// Looks a user up by id.
    async fn find_user(&self, id: Uuid) -> Result<Option<User>, StoreError>;
    /// Looks a user up by normalised email.
    async fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError>;
    /// Counts a login attempt as a failure *before* its password is checked, so that no burst,
    /// on any number of servers, gets more password checks than the limits allow.
    ///
    /// MUST, atomically per counter:
    /// - address (when `limits.address_max > 0`): if the address has `address_max` failures in
    ///   a window that has not closed, answer [`Reservation::AddressLocked`] with the window's
    ///   end and change nothing; otherwise count one more (a closed window restarts at one and
    ///   closes at `limits.lock_until`);
    /// - account (when `limits.account_max > 0`): if the pair is locked past `now`, undo the
    ///   address count and answer [`Reservation::AccountLocked`] with the lock's end;
    ///   otherwise count one more (an expired lock, or a last attempt at or before
    ///   `limits.stale_before`, restarts the count at one) and note `now` as the last attempt;
    ///   when the count reaches `account_max`, lock the pair until `limits.lock_until`: this
    ///   attempt is still granted, the next ones are not;
    /// - answer [`Reservation::Granted`].
    async fn reserve_login_attempt(
        &self,
        key: &LoginKey,
        now: OffsetDateTime,
        limits: &LoginLimits,
    ) -> Result<Reservation, StoreError>;
    /// A reserved attempt succeeded: MUST clear the pair's count and lock, and take the
    /// attempt back from the address's count (never below zero).
    async fn release_login_attempt(&self, key: &LoginKey) -> Result<(), StoreError>;
    /// Disables (`Some(time)`) or enables (`None`) an account; false when no such user.
    async fn set_disabled(
        &self,
        id: Uuid,
        disabled_at: Option<OffsetDateTime>,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;
    /// Deletes the login counters that no longer matter at `now`: address windows closed by
    /// then, and pair counts that are not locked past `now` and whose last attempt is at or
    /// before `stale_before` (they would restart anyway). Returns how many went.
    async fn purge_login_attempts(
        &self,
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
    ) -> Result<u64, StoreError>;
}

/// A rotation for [`TokenStore::rotate`]: swap `expected_hash` at `expected_generation` for
/// `new_hash` at `expected_generation + 1`, only if that token may be exchanged now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The session to rotate.
    pub session_id: Uuid,
    /// Its owner, as the presented token says.
    pub user_id: Uuid,
    /// Generation of the presented token.
    pub expected_generation: i64,
    /// Hash of the presented token.
    pub expected_hash: RefreshHash,
    /// The session's absolute end, as the presented token says; the successor's `exp` was
    /// computed from it, so it must be the row's.
    pub absolute_expires_at: OffsetDateTime,
    /// Hash of the successor.
    pub new_hash: RefreshHash,
    /// Rotation time ("now"): becomes `rotated_at` and `last_used_at`.
    pub rotated_at: OffsetDateTime,
    /// New sliding expiry (the successor's `exp`).
    pub expires_at: OffsetDateTime,
}

/// Sessions and their refresh-token state.
#[async_trait::async_trait]
pub trait TokenStore: Send + Sync {
    /// Inserts a new session (with its first refresh-token hash, generation 0).
    async fn create_session(&self, session: &Session) -> Result<(), StoreError>;
    /// The session and its owner in one look-up: this is the per-request access check. A read:
    /// an adapter MAY retry it once on a fresh connection when the first one turns out dead.
    async fn find_session(&self, id: Uuid) -> Result<Option<(Session, User)>, StoreError>;
    /// Applies a rotation as one atomic compare-and-swap, guarded by exactly what makes the
    /// core's rule say "rotate" (`rules::rotation::judge` → `Verdict::Rotate`). MUST change
    /// the row only if, at that instant: the session has id `session_id` and owner `user_id`,
    /// holds `expected_generation` and `expected_hash`, has `absolute_expires_at`, is not
    /// revoked, `rotated_at` is before both its sliding and absolute expiry, and its owner is
    /// not disabled. Returns the updated session with its owner, or `None` when the guard did
    /// not hold (nothing changed). Of any number of concurrent calls with the same guard, on
    /// any number of servers, at most one gets `Some`.
    async fn rotate(&self, rotation: &Rotation) -> Result<Option<(Session, User)>, StoreError>;
    /// Revokes one session if it is not revoked yet; true if this call revoked it (so that of
    /// concurrent revocations exactly one answers true).
    async fn revoke_session(
        &self,
        id: Uuid,
        reason: RevokeReason,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;
    /// Revokes every unrevoked session of a user except `except`; returns how many.
    async fn revoke_user_sessions(
        &self,
        user_id: Uuid,
        except: Option<Uuid>,
        reason: RevokeReason,
        at: OffsetDateTime,
    ) -> Result<u64, StoreError>;
    /// The user's unrevoked sessions, in any order (expired ones included until purged). A
    /// read, retried like [`TokenStore::find_session`].
    async fn unrevoked_sessions(&self, user_id: Uuid) -> Result<Vec<Session>, StoreError>;
    /// Deletes sessions revoked at or before `revoked_before` and sessions whose sliding or
    /// absolute expiry is at or before `expired_before`; returns how many rows went.
    async fn purge(
        &self,
        revoked_before: OffsetDateTime,
        expired_before: OffsetDateTime,
    ) -> Result<u64, StoreError>;
}
