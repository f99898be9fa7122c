//! [`MemStore`]: every store port in process memory, for the core's own tests. It runs the
//! same contract suite as the database adapters (`testing::contract`), so a rule that passes
//! on it passes for the reason it would on PostgreSQL and SQLite. Its port calls never wait:
//! each is one critical section under a mutex, never held across an `.await`.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use crate::domain::email::Email;
use crate::domain::session::{RevokeReason, Session};
use crate::domain::throttle::LoginKey;
use crate::domain::user::User;
use crate::ports::{
    CreateUserError, LoginLimits, Reservation, Rotation, StoreError, TokenStore, UserStore,
};
use time::OffsetDateTime;
use uuid::Uuid;

/// Failures per (account, address) and the lock, as the `login_attempts` table holds them.
#[derive(Debug, Clone, Copy)]
pub(super) struct PairCount {
    failures: u32,
    locked_until: Option<OffsetDateTime>,
    last_attempt: OffsetDateTime,
}

/// Failures per address in a window, as the `address_attempts` table holds them.
#[derive(Debug, Clone, Copy)]
struct AddressCount {
    failures: u32,
    window_ends: OffsetDateTime,
}

#[derive(Default)]
pub(super) struct Tables {
    pub(super) users: HashMap<Uuid, User>,
    pub(super) sessions: HashMap<Uuid, Session>,
    pub(super) pairs: HashMap<([u8; 32], String), PairCount>,
    addresses: HashMap<String, AddressCount>,
    pub(super) accounts: super::memory_accounts::AccountTables,
    pub(super) factors: super::memory_factors::FactorTables,
}

/// Users, sessions, login counters, account tokens and second factors behind one mutex: every
/// port call is one critical section, which makes each call atomic as the database's single
/// statements are.
#[derive(Default)]
pub struct MemStore {
    tables: Mutex<Tables>,
}

/// A constraint violation, reported as the databases report theirs.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Violation(&'static str);

impl MemStore {
    pub(super) fn lock(&self) -> MutexGuard<'_, Tables> {
        // A panicking test thread poisons the lock; the data is still consistent (every write
        // is a whole-value update), so later calls go on.
        self.tables.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The session `id` as stored, for tests that look under the port.
    pub fn session(&self, id: Uuid) -> Option<Session> {
        self.lock().sessions.get(&id).cloned()
    }

    /// Changes a stored session behind the ports' back, for tests of states the use cases
    /// cannot reach by themselves (a session whose absolute end moved). False if absent.
    pub fn edit_session(&self, id: Uuid, edit: impl FnOnce(&mut Session)) -> bool {
        self.lock().sessions.get_mut(&id).map(edit).is_some()
    }

    /// How many users are stored.
    pub fn user_count(&self) -> usize {
        self.lock().users.len()
    }
}

pub(super) fn same_email(a: &Email, b: &Email) -> bool {
    a.as_str().to_lowercase() == b.as_str().to_lowercase()
}

#[async_trait::async_trait]
impl UserStore for MemStore {
    async fn create_user(
        &self,
        user: &User,
        first_session: Option<&Session>,
    ) -> Result<(), CreateUserError> {
        let mut t = self.lock();
        if t.users.values().any(|u| same_email(&u.email, &user.email)) {
            return Err(CreateUserError::EmailTaken);
        }
        if t.users.contains_key(&user.id) {
            return Err(StoreError::backend(Violation("duplicate user id")).into());
        }
        if let Some(s) = first_session {
            if t.sessions.contains_key(&s.id) {
                return Err(StoreError::backend(Violation("duplicate session id")).into());
            }
            if s.user_id != user.id {
                return Err(StoreError::backend(Violation("session of another user")).into());
            }
            t.sessions.insert(s.id, s.clone());
        }
        t.users.insert(user.id, user.clone());
        Ok(())
    }

    async fn find_user(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        Ok(self.lock().users.get(&id).cloned())
    }

    async fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        Ok(self.lock().users.values().find(|u| &u.email == email).cloned())
    }

    async fn reserve_login_attempt(
        &self,
        key: &LoginKey,
        now: OffsetDateTime,
        limits: &LoginLimits,
    ) -> Result<Reservation, StoreError> {
        let mut t = self.lock();
        let address = key.address().to_owned();
        let before = t.addresses.get(&address).copied();
        if limits.address_max > 0 {
            let count = match before {
                Some(c) if c.window_ends > now => {
                    if c.failures >= limits.address_max {
                        return Ok(Reservation::AddressLocked { until: c.window_ends });
                    }
                    AddressCount { failures: c.failures + 1, ..c }
                }
                _ => AddressCount { failures: 1, window_ends: limits.lock_until },
            };
            t.addresses.insert(address.clone(), count);
        }
        if limits.account_max > 0 {
            let pair = (*key.account(), address.clone());
            let count = match t.pairs.get(&pair).copied() {
                Some(PairCount { locked_until: Some(until), .. }) if until > now => {
                    match before {
                        Some(c) => t.addresses.insert(address, c),
                        None => t.addresses.remove(&address),
                    };
                    return Ok(Reservation::AccountLocked { until });
                }
                Some(c) if c.locked_until.is_none() && c.last_attempt > limits.stale_before => {
                    c.failures + 1
                }
                _ => 1,
            };
            let locked_until = (count >= limits.account_max).then_some(limits.lock_until);
            t.pairs.insert(pair, PairCount { failures: count, locked_until, last_attempt: now });
        }
        Ok(Reservation::Granted)
    }

    async fn release_login_attempt(&self, key: &LoginKey) -> Result<(), StoreError> {
        let mut t = self.lock();
        t.pairs.remove(&(*key.account(), key.address().to_owned()));
        if let Some(c) = t.addresses.get_mut(key.address()) {
            c.failures = c.failures.saturating_sub(1);
        }
        Ok(())
    }

    async fn set_disabled(
        &self,
        id: Uuid,
        disabled_at: Option<OffsetDateTime>,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        Ok(self
            .lock()
            .users
            .get_mut(&id)
            .map(|u| {
                u.disabled_at = disabled_at;
                u.updated_at = at;
            })
            .is_some())
    }

    async fn purge_login_attempts(
        &self,
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let mut t = self.lock();
        let (pairs, addresses) = (t.pairs.len(), t.addresses.len());
        t.pairs.retain(|_, c| {
            c.locked_until.is_some_and(|until| until > now) || c.last_attempt > stale_before
        });
        t.addresses.retain(|_, c| c.window_ends > now);
        Ok((pairs - t.pairs.len() + addresses - t.addresses.len()) as u64)
    }
}

#[async_trait::async_trait]
impl TokenStore for MemStore {
    async fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        let mut t = self.lock();
        if !t.users.contains_key(&session.user_id) {
            return Err(StoreError::backend(Violation("session of an unknown user")));
        }
        if t.sessions.contains_key(&session.id) {
            return Err(StoreError::backend(Violation("duplicate session id")));
        }
        t.sessions.insert(session.id, session.clone());
        Ok(())
    }

    async fn find_session(&self, id: Uuid) -> Result<Option<(Session, User)>, StoreError> {
        let t = self.lock();
        let Some(s) = t.sessions.get(&id) else { return Ok(None) };
        Ok(t.users.get(&s.user_id).map(|u| (s.clone(), u.clone())))
    }

    async fn rotate(&self, r: &Rotation) -> Result<Option<(Session, User)>, StoreError> {
        let mut t = self.lock();
        let Some(user) = t.sessions.get(&r.session_id).and_then(|s| t.users.get(&s.user_id)) else {
            return Ok(None);
        };
        let user = user.clone();
        let Some(s) = t.sessions.get_mut(&r.session_id) else { return Ok(None) };
        let guard = s.user_id == r.user_id
            && s.generation == r.expected_generation
            && s.refresh_hash == r.expected_hash
            && s.absolute_expires_at == r.absolute_expires_at
            && s.revoked_at.is_none()
            && r.rotated_at < s.expires_at
            && r.rotated_at < s.absolute_expires_at
            && user.disabled_at.is_none();
        if !guard {
            return Ok(None);
        }
        s.refresh_hash = r.new_hash;
        s.generation += 1;
        s.rotated_at = r.rotated_at;
        s.last_used_at = r.rotated_at;
        s.expires_at = r.expires_at;
        Ok(Some((s.clone(), user)))
    }

    async fn revoke_session(
        &self,
        id: Uuid,
        reason: RevokeReason,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        match self.lock().sessions.get_mut(&id) {
            Some(s) if s.revoked_at.is_none() => {
                s.revoked_at = Some(at);
                s.revoke_reason = Some(reason);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn revoke_user_sessions(
        &self,
        user_id: Uuid,
        except: Option<Uuid>,
        reason: RevokeReason,
        at: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let mut n = 0;
        for s in self.lock().sessions.values_mut() {
            if s.user_id == user_id && Some(s.id) != except && s.revoked_at.is_none() {
                s.revoked_at = Some(at);
                s.revoke_reason = Some(reason);
                n += 1;
            }
        }
        Ok(n)
    }

    async fn unrevoked_sessions(&self, user_id: Uuid) -> Result<Vec<Session>, StoreError> {
        Ok(self
            .lock()
            .sessions
            .values()
            .filter(|s| s.user_id == user_id && s.revoked_at.is_none())
            .cloned()
            .collect())
    }

    async fn purge(
        &self,
        revoked_before: OffsetDateTime,
        expired_before: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let mut t = self.lock();
        let before = t.sessions.len();
        t.sessions.retain(|_, s| {
            !(s.revoked_at.is_some_and(|r| r <= revoked_before)
                || s.expires_at <= expired_before
                || s.absolute_expires_at <= expired_before)
        });
        Ok((before - t.sessions.len()) as u64)
    }
}
