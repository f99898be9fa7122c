//! The ports: what the core needs from the outside world, as traits adapters implement.
//!
//! All ports are synchronous and may block; the caller decides where blocking is allowed.

use crate::domain::email::Email;
use crate::domain::password::{Password, PasswordHash};
use crate::domain::session::{RefreshHash, RevokeReason, Session};
use crate::domain::token::{Claims, TokenKind};
use crate::domain::user::User;
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

/// A password hasher failed for a reason no caller can fix.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(pub String);

/// Slow, salted password hashing (bcrypt in production).
pub trait PasswordHasher: Send + Sync {
    /// Hashes a password that passed the policy.
    fn hash(&self, password: &Password) -> Result<PasswordHash, HashError>;
    /// Checks a login attempt; any input is allowed and a mismatch is `Ok(false)`.
    fn verify(&self, attempt: &str, hash: &PasswordHash) -> Result<bool, HashError>;
    /// A valid hash at the production cost that no password matches, verified against for
    /// unknown emails so that they cost the same time as a wrong password.
    fn dummy_hash(&self) -> &PasswordHash;
}

/// Why a token was not accepted. The variants matter to clients only as far as SPEC §4 codes
/// go (`token_expired` versus `invalid_token`); the detail is for the server log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// `exp` passed (beyond the leeway).
    #[error("token expired")]
    Expired,
    /// Anything else: bad signature, unknown `kid`, wrong `alg`, `iss`, `aud` or type,
    /// `nbf` in the future, malformed, oversized.
    #[error("invalid token: {0}")]
    Invalid(String),
    /// Signing failed: a server fault, not the client's.
    #[error("token signing failed: {0}")]
    Signing(String),
}

/// Signs and verifies tokens (HS256 JWTs in production).
pub trait TokenIssuer: Send + Sync {
    /// Encodes and signs claims. Equal claims must give an equal token while the signing key
    /// stays the same: the reuse grace re-mints the current refresh token and compares hashes.
    fn sign(&self, claims: &Claims) -> Result<String, TokenError>;
    /// Checks signature, algorithm, issuer, audience, `exp` and `nbf` (with leeway, against
    /// `now`) and that the token is of the `expected` kind; returns its claims.
    fn verify(
        &self,
        token: &str,
        expected: TokenKind,
        now: OffsetDateTime,
    ) -> Result<Claims, TokenError>;
}

/// A storage adapter failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A user with this (normalised) email exists.
    #[error("email already registered")]
    EmailTaken,
    /// The database did not answer in time or refused connections: worth retrying later.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Any other database failure.
    #[error("storage failure: {0}")]
    Backend(String),
}

/// User accounts.
pub trait UserStore: Send + Sync {
    /// Inserts a new user; [`StoreError::EmailTaken`] if the email is registered already.
    fn create_user(&self, user: &User) -> Result<(), StoreError>;
    /// Looks a user up by id.
    fn find_user(&self, id: Uuid) -> Result<Option<User>, StoreError>;
    /// Looks a user up by normalised email.
    fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError>;
    /// Adds one failed login atomically in the database (so concurrent failures on any number
    /// of servers all count) and returns the new count; 0 when the user does not exist.
    fn record_login_failure(&self, id: Uuid, at: OffsetDateTime) -> Result<u32, StoreError>;
    /// Locks logins until `until` and restarts the failure count at zero.
    fn lock_user(
        &self,
        id: Uuid,
        until: OffsetDateTime,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Clears the failure count and any lock after a successful login.
    fn clear_login_failures(&self, id: Uuid, at: OffsetDateTime) -> Result<(), StoreError>;
    /// Disables (`Some(time)`) or enables (`None`) an account; false when no such user.
    fn set_disabled(
        &self,
        id: Uuid,
        disabled_at: Option<OffsetDateTime>,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;
}

/// A rotation for [`TokenStore::rotate`]: swap `expected_hash` at `expected_generation` for
/// `new_hash` at `expected_generation + 1`, only if that token is still current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The session to rotate.
    pub session_id: Uuid,
    /// Generation of the presented token.
    pub expected_generation: i64,
    /// Hash of the presented token.
    pub expected_hash: RefreshHash,
    /// Hash of the successor.
    pub new_hash: RefreshHash,
    /// Rotation time: becomes `rotated_at` and `last_used_at`.
    pub rotated_at: OffsetDateTime,
    /// New sliding expiry (the successor's `exp`).
    pub expires_at: OffsetDateTime,
}

/// Sessions and their refresh-token state.
pub trait TokenStore: Send + Sync {
    /// Inserts a new session (with its first refresh-token hash, generation 0).
    fn create_session(&self, session: &Session) -> Result<(), StoreError>;
    /// The session and its owner in one look-up: this is the per-request access check.
    fn find_session(&self, id: Uuid) -> Result<Option<(Session, User)>, StoreError>;
    /// Applies a rotation as one atomic compare-and-swap: only if the session is not revoked
    /// and still holds `expected_generation` and `expected_hash`. Returns the updated session,
    /// or `None` when the guard did not hold (nothing changed). Of any number of concurrent
    /// calls with the same guard, on any number of servers, at most one gets `Some`.
    fn rotate(&self, rotation: &Rotation) -> Result<Option<Session>, StoreError>;
    /// Revokes one session if it is not revoked yet; true if this call revoked it.
    fn revoke_session(
        &self,
        id: Uuid,
        reason: RevokeReason,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;
    /// Revokes every unrevoked session of a user except `except`; returns how many.
    fn revoke_user_sessions(
        &self,
        user_id: Uuid,
        except: Option<Uuid>,
        reason: RevokeReason,
        at: OffsetDateTime,
    ) -> Result<u64, StoreError>;
    /// The user's unrevoked sessions, in any order (expired ones included until purged).
    fn unrevoked_sessions(&self, user_id: Uuid) -> Result<Vec<Session>, StoreError>;
    /// Deletes sessions revoked at or before `revoked_before` and sessions whose sliding or
    /// absolute expiry is at or before `expired_before`; returns how many rows went.
    fn purge(
        &self,
        revoked_before: OffsetDateTime,
        expired_before: OffsetDateTime,
    ) -> Result<u64, StoreError>;
}
