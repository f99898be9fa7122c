//! In-memory fakes of the ports, for the core's own tests only. The real adapters are proved
//! against real databases by the contract suite in `baton-store`.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use baton_core::{
    Auth, Claims, ClientInfo, Clock, Email, HashError, Password, PasswordHash, PasswordHasher,
    Policy, Ports, RandomSource, RevokeReason, Rotation, Session, StoreError, TokenError,
    TokenIssuer, TokenKind, TokenStore, User, UserStore,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// A clock the test moves by hand.
pub struct FakeClock(Mutex<OffsetDateTime>);

impl FakeClock {
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

/// Sequential UUIDs: deterministic and distinct.
#[derive(Default)]
pub struct SeqRandom(AtomicU64);

impl RandomSource for SeqRandom {
    fn uuid(&self) -> Uuid {
        Uuid::from_u128(u128::from(self.0.fetch_add(1, Ordering::SeqCst) + 1) << 64 | 0xbee)
    }
}

/// "Hashes" by prefixing; counts verifications so tests can see the dummy hash is used.
#[derive(Default)]
pub struct FakeHasher {
    pub verifications: AtomicUsize,
    dummy: Mutex<Option<PasswordHash>>,
}

impl PasswordHasher for FakeHasher {
    fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        Ok(PasswordHash::new(format!("fake${}", password.expose())))
    }
    fn verify(&self, attempt: &str, hash: &PasswordHash) -> Result<bool, HashError> {
        self.verifications.fetch_add(1, Ordering::SeqCst);
        Ok(hash.as_str() == format!("fake${attempt}"))
    }
    fn dummy_hash(&self) -> &PasswordHash {
        static DUMMY: std::sync::OnceLock<PasswordHash> = std::sync::OnceLock::new();
        let _ = &self.dummy;
        DUMMY.get_or_init(|| PasswordHash::new("!dummy".into()))
    }
}

/// A transparent "token" format with a keyed checksum: enough to test the core's rules.
pub struct FakeIssuer {
    /// Signs new tokens.
    pub key: Mutex<String>,
    /// Retired keys that still verify, as after a key rotation.
    pub old_keys: Mutex<Vec<String>>,
}

impl FakeIssuer {
    fn mac(key: &str, body: &str) -> String {
        let mut h: u64 = 1469598103934665603;
        for b in key.bytes().chain(body.bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(1099511628211);
        }
        format!("{h:016x}")
    }
}

impl TokenIssuer for FakeIssuer {
    fn sign(&self, c: &Claims) -> Result<String, TokenError> {
        let body = format!(
            "{}|{}|{}|{}|{}|{}|{}",
            c.kind.as_str(),
            c.user_id,
            c.session_id,
            c.jti,
            c.issued_at.unix_timestamp(),
            c.not_before.unix_timestamp(),
            c.expires_at.unix_timestamp()
        );
        let mac = Self::mac(&self.key.lock().unwrap(), &body);
        Ok(format!("{body}|{mac}"))
    }

    fn verify(
        &self,
        token: &str,
        expected: TokenKind,
        now: OffsetDateTime,
    ) -> Result<Claims, TokenError> {
        let bad = |m: &str| TokenError::Invalid(m.to_string());
        let (body, mac) = token.rsplit_once('|').ok_or_else(|| bad("shape"))?;
        let mut keys = self.old_keys.lock().unwrap().clone();
        keys.push(self.key.lock().unwrap().clone());
        if !keys.iter().any(|k| Self::mac(k, body) == mac) {
            return Err(bad("signature"));
        }
        let p: Vec<&str> = body.split('|').collect();
        let [kind, sub, sid, jti, iat, nbf, exp] = p[..] else { return Err(bad("shape")) };
        let ts = |s: &str| {
            s.parse::<i64>()
                .ok()
                .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
                .ok_or_else(|| bad("time"))
        };
        let claims = Claims {
            kind: TokenKind::parse(kind).ok_or_else(|| bad("kind"))?,
            user_id: sub.parse().map_err(|_| bad("sub"))?,
            session_id: sid.parse().map_err(|_| bad("sid"))?,
            jti: jti.to_string(),
            issued_at: ts(iat)?,
            not_before: ts(nbf)?,
            expires_at: ts(exp)?,
        };
        if claims.kind != expected {
            return Err(bad("wrong type"));
        }
        if now >= claims.expires_at {
            return Err(TokenError::Expired);
        }
        if now < claims.not_before {
            return Err(bad("not yet valid"));
        }
        Ok(claims)
    }
}

/// Both stores in one mutex-guarded map; `rotate` is a compare-and-swap under the lock.
#[derive(Default)]
pub struct MemStore {
    pub users: Mutex<HashMap<Uuid, User>>,
    pub sessions: Mutex<HashMap<Uuid, Session>>,
}

impl UserStore for MemStore {
    fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let mut users = self.users.lock().unwrap();
        if users.values().any(|u| u.email == user.email) {
            return Err(StoreError::EmailTaken);
        }
        users.insert(user.id, user.clone());
        Ok(())
    }
    fn find_user(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        Ok(self.users.lock().unwrap().get(&id).cloned())
    }
    fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        Ok(self.users.lock().unwrap().values().find(|u| &u.email == email).cloned())
    }
    fn record_login_failure(&self, id: Uuid, _at: OffsetDateTime) -> Result<u32, StoreError> {
        Ok(self.users.lock().unwrap().get_mut(&id).map_or(0, |u| {
            u.failed_logins += 1;
            u.failed_logins
        }))
    }
    fn lock_user(
        &self,
        id: Uuid,
        until: OffsetDateTime,
        _at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        if let Some(u) = self.users.lock().unwrap().get_mut(&id) {
            u.locked_until = Some(until);
            u.failed_logins = 0;
        }
        Ok(())
    }
    fn clear_login_failures(&self, id: Uuid, _at: OffsetDateTime) -> Result<(), StoreError> {
        if let Some(u) = self.users.lock().unwrap().get_mut(&id) {
            u.locked_until = None;
            u.failed_logins = 0;
        }
        Ok(())
    }
    fn set_disabled(
        &self,
        id: Uuid,
        disabled_at: Option<OffsetDateTime>,
        _at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        Ok(self.users.lock().unwrap().get_mut(&id).map(|u| u.disabled_at = disabled_at).is_some())
    }
}

impl TokenStore for MemStore {
    fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        self.sessions.lock().unwrap().insert(session.id, session.clone());
        Ok(())
    }
    fn find_session(&self, id: Uuid) -> Result<Option<(Session, User)>, StoreError> {
        let Some(s) = self.sessions.lock().unwrap().get(&id).cloned() else { return Ok(None) };
        Ok(self.users.lock().unwrap().get(&s.user_id).cloned().map(|u| (s, u)))
    }
    fn rotate(&self, r: &Rotation) -> Result<Option<Session>, StoreError> {
        let mut sessions = self.sessions.lock().unwrap();
        let Some(s) = sessions.get_mut(&r.session_id) else { return Ok(None) };
        if s.revoked_at.is_some()
            || s.generation != r.expected_generation
            || s.refresh_hash != r.expected_hash
        {
            return Ok(None);
        }
        s.refresh_hash = r.new_hash;
        s.generation += 1;
        s.rotated_at = r.rotated_at;
        s.last_used_at = r.rotated_at;
        s.expires_at = r.expires_at;
        Ok(Some(s.clone()))
    }
    fn revoke_session(
        &self,
        id: Uuid,
        reason: RevokeReason,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut sessions = self.sessions.lock().unwrap();
        match sessions.get_mut(&id) {
            Some(s) if s.revoked_at.is_none() => {
                s.revoked_at = Some(at);
                s.revoke_reason = Some(reason);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
    fn revoke_user_sessions(
        &self,
        user_id: Uuid,
        except: Option<Uuid>,
        reason: RevokeReason,
        at: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let mut n = 0;
        for s in self.sessions.lock().unwrap().values_mut() {
            if s.user_id == user_id && Some(s.id) != except && s.revoked_at.is_none() {
                s.revoked_at = Some(at);
                s.revoke_reason = Some(reason);
                n += 1;
            }
        }
        Ok(n)
    }
    fn unrevoked_sessions(&self, user_id: Uuid) -> Result<Vec<Session>, StoreError> {
        Ok(self
            .sessions
            .lock()
            .unwrap()
            .values()
            .filter(|s| s.user_id == user_id && s.revoked_at.is_none())
            .cloned()
            .collect())
    }
    fn purge(
        &self,
        revoked_before: OffsetDateTime,
        expired_before: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let mut sessions = self.sessions.lock().unwrap();
        let before = sessions.len();
        sessions.retain(|_, s| {
            !(s.revoked_at.is_some_and(|r| r <= revoked_before)
                || s.expires_at <= expired_before
                || s.absolute_expires_at <= expired_before)
        });
        Ok((before - sessions.len()) as u64)
    }
}

/// A core wired to fakes, with handles on each fake for the test to poke.
pub struct World {
    pub auth: Auth,
    pub clock: Arc<FakeClock>,
    pub store: Arc<MemStore>,
    pub issuer: Arc<FakeIssuer>,
    pub hasher: Arc<FakeHasher>,
}

pub const PASSWORD: &str = "correct horse battery";

pub fn world() -> World {
    world_with(Policy::default())
}

pub fn world_with(policy: Policy) -> World {
    let start = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
    let clock = Arc::new(FakeClock(Mutex::new(start)));
    let store = Arc::new(MemStore::default());
    let issuer = Arc::new(FakeIssuer { key: Mutex::new("k1".into()), old_keys: Mutex::default() });
    let hasher = Arc::new(FakeHasher::default());
    let ports = Ports {
        users: store.clone(),
        tokens: store.clone(),
        issuer: issuer.clone(),
        hasher: hasher.clone(),
        clock: clock.clone(),
        random: Arc::new(SeqRandom::default()),
    };
    World { auth: Auth::new(ports, policy), clock, store, issuer, hasher }
}

pub fn client() -> ClientInfo {
    ClientInfo { user_agent: Some("test-agent".into()), client_addr: Some("127.0.0.1".into()) }
}

impl World {
    /// Registers `email` with [`PASSWORD`] and returns the first token pair.
    pub fn register(&self, email: &str) -> baton_core::IssuedTokens {
        self.auth.register(email, PASSWORD.into(), Some("Ada"), client()).expect("register")
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Starts signing with a new key while the old one still verifies.
    pub fn rotate_key(&self, new: &str) {
        let old = std::mem::replace(&mut *self.issuer.key.lock().unwrap(), new.into());
        self.issuer.old_keys.lock().unwrap().push(old);
    }

    pub fn session(&self, id: Uuid) -> Session {
        self.store.sessions.lock().unwrap()[&id].clone()
    }
}
