//! Deterministic stand-ins for the clock, randomness, the password hasher and the token
//! issuer. The hasher and the issuer pass the same contract suites as the real adapters
//! (`testing::contract::{hasher, issuer}`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use crate::domain::password::{Password, PasswordHash};
use crate::domain::token::{Claims, ClientId, TokenKind};
use crate::ports::{
    Clock, HashError, PasswordHasher, RandomSource, SignError, TokenError, TokenIssuer,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// A clock the test moves by hand.
#[derive(Debug)]
pub struct FakeClock(Mutex<OffsetDateTime>);

impl FakeClock {
    /// A clock standing at `at`.
    pub fn at(at: OffsetDateTime) -> Self {
        Self(Mutex::new(at))
    }

    /// Moves the clock forward (or back, for a negative duration).
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Sequential UUIDs: deterministic and distinct within one source. `seed` keeps several
/// sources (several worlds on one store) apart.
#[derive(Debug, Default)]
pub struct SeqRandom {
    seed: u64,
    next: AtomicU64,
}

impl SeqRandom {
    /// A source whose UUIDs differ from those of every other seed.
    pub fn seeded(seed: u64) -> Self {
        Self { seed, next: AtomicU64::new(0) }
    }
}

impl RandomSource for SeqRandom {
    fn uuid(&self) -> Uuid {
        let n = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        Uuid::from_u128(u128::from(self.seed) << 96 | u128::from(n) << 32 | 0xbee)
    }
}

/// Why the fake hasher refused a stored hash.
#[derive(Debug, thiserror::Error)]
#[error("not a fake hash")]
struct NotAFakeHash;

fn digest(salt: &str, password: &str) -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::new().chain_update(salt).chain_update([0]).chain_update(password).finalize();
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// The dummy hash's body: it has no password part, so nothing matches it.
const DUMMY: &str = "dummy";

/// "Hashes" as `fake$<salt>$<hex SHA-256 of salt and password>`: salted, never truncating and
/// not reversible, like bcrypt, but instant. Counts verifications so tests can see how many
/// password checks ran, and can play a hasher whose pool is full.
#[derive(Debug, Default)]
pub struct FakeHasher {
    salts: AtomicU64,
    verifications: AtomicUsize,
    busy: AtomicBool,
}

impl FakeHasher {
    /// Password checks run so far (real or against the dummy hash).
    pub fn verifications(&self) -> usize {
        self.verifications.load(Ordering::SeqCst)
    }

    /// While `busy`, every call answers [`HashError::Busy`] and checks nothing, as a real
    /// hasher does when its pool stays full.
    pub fn set_busy(&self, busy: bool) {
        self.busy.store(busy, Ordering::SeqCst);
    }

    fn refuse_when_busy(&self) -> Result<(), HashError> {
        if self.busy.load(Ordering::SeqCst) { Err(HashError::Busy) } else { Ok(()) }
    }
}

#[async_trait::async_trait]
impl PasswordHasher for FakeHasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        self.refuse_when_busy()?;
        let salt = self.salts.fetch_add(1, Ordering::SeqCst).to_string();
        Ok(PasswordHash::new(format!("fake${salt}${}", digest(&salt, password.expose()))))
    }

    async fn verify(&self, attempt: &str, hash: &PasswordHash) -> Result<bool, HashError> {
        self.refuse_when_busy()?;
        self.verifications.fetch_add(1, Ordering::SeqCst);
        let rest =
            hash.as_str().strip_prefix("fake$").ok_or_else(|| HashError::failed(NotAFakeHash))?;
        if rest == DUMMY {
            return Ok(false);
        }
        let (salt, digested) =
            rest.split_once('$').ok_or_else(|| HashError::failed(NotAFakeHash))?;
        Ok(digested == digest(salt, attempt))
    }

    fn dummy_hash(&self) -> &PasswordHash {
        static HASH: std::sync::OnceLock<PasswordHash> = std::sync::OnceLock::new();
        HASH.get_or_init(|| PasswordHash::new(format!("fake${DUMMY}")))
    }
}

/// A transparent token format with a keyed checksum: `<claims>|<kid>|<mac>`. Enough to test
/// the core's rules without a JWT library; the key set works like the real one (the first key
/// signs, all verify), so key changes can be tested too. Like the real one it refuses a token
/// issued in the future (`iat` after `now`); it has no leeway.
#[derive(Debug)]
pub struct FakeIssuer {
    keys: Mutex<Vec<String>>,
}

impl FakeIssuer {
    /// An issuer signing with `key`.
    pub fn new(key: &str) -> Self {
        Self { keys: Mutex::new(vec![key.to_owned()]) }
    }

    /// Makes `key` the signing key; the others keep verifying (a key rotation).
    pub fn sign_with(&self, key: &str) {
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        keys.retain(|k| k != key);
        keys.insert(0, key.to_owned());
    }

    /// Forgets `key`: tokens it signed no longer verify nor can be re-minted.
    pub fn forget(&self, key: &str) {
        self.keys.lock().unwrap_or_else(|e| e.into_inner()).retain(|k| k != key);
    }

    fn keys(&self) -> Vec<String> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn mac(key: &str, body: &str) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in key.bytes().chain([0]).chain(body.bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }

    fn sign_as(key: &str, c: &Claims) -> String {
        let body = format!(
            "{}|{}|{}|{}|{}|{}|{}|{}|{}",
            c.kind.as_str(),
            c.user_id,
            c.client_id.as_ref().map_or("", ClientId::as_str),
            c.session_id,
            c.jti,
            c.issued_at.unix_timestamp(),
            c.not_before.unix_timestamp(),
            c.expires_at.unix_timestamp(),
            c.session_expires_at.map_or(String::new(), |t| t.unix_timestamp().to_string()),
        );
        format!("{body}|{key}|{}", Self::mac(key, &body))
    }
}

/// The fake's refusal to sign an access token without a client (RFC 9068 needs one).
#[derive(Debug, thiserror::Error)]
#[error("an access token needs a client_id")]
struct AnonymousAccessToken;

impl TokenIssuer for FakeIssuer {
    fn sign(&self, claims: &Claims) -> Result<String, SignError> {
        if claims.kind == TokenKind::Access && claims.client_id.is_none() {
            return Err(SignError(Box::new(AnonymousAccessToken)));
        }
        Ok(Self::sign_as(&self.keys()[0], claims))
    }

    fn verify(
        &self,
        token: &str,
        expected: TokenKind,
        now: OffsetDateTime,
    ) -> Result<Claims, TokenError> {
        let bad = |m: &str| TokenError::Invalid(m.to_string());
        let (rest, mac) = token.rsplit_once('|').ok_or_else(|| bad("shape"))?;
        let (body, kid) = rest.rsplit_once('|').ok_or_else(|| bad("shape"))?;
        if !self.keys().iter().any(|k| k == kid) {
            return Err(bad("unknown key"));
        }
        if Self::mac(kid, body) != mac {
            return Err(bad("signature"));
        }
        let p: Vec<&str> = body.split('|').collect();
        let [kind, sub, client, sid, jti, iat, nbf, exp, sxp] = p[..] else {
            return Err(bad("shape"));
        };
        let ts = |s: &str| {
            s.parse::<i64>()
                .ok()
                .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
                .ok_or_else(|| bad("time"))
        };
        let claims = Claims {
            kind: TokenKind::parse(kind).ok_or_else(|| bad("kind"))?,
            user_id: sub.parse().map_err(|_| bad("sub"))?,
            client_id: match client {
                "" => None,
                c => Some(ClientId::parse(c).map_err(|_| bad("client_id"))?),
            },
            session_id: sid.parse().map_err(|_| bad("sid"))?,
            jti: jti.to_string(),
            issued_at: ts(iat)?,
            not_before: ts(nbf)?,
            expires_at: ts(exp)?,
            session_expires_at: if sxp.is_empty() { None } else { Some(ts(sxp)?) },
            email_verified: None,
            amr: None,
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
        if now < claims.issued_at {
            return Err(bad("issued in the future"));
        }
        Ok(claims)
    }

    fn sign_with_each_key(&self, claims: &Claims) -> Result<Vec<String>, SignError> {
        self.sign(claims)?;
        Ok(self.keys().iter().map(|k| Self::sign_as(k, claims)).collect())
    }
}
