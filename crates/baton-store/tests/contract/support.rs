//! Fixtures for the contract suite: a fresh store per test, domain values to store, and the
//! simplest deterministic stand-ins for the ports this crate does not implement.

use std::sync::{Arc, Barrier};

use baton_core::{
    Auth, ClientInfo, Clock, Email, HashError, Password, PasswordHash, PasswordHasher, Policy,
    Ports, RefreshHash, Session, SystemRandom, User,
};
use baton_store::testing::{self, TempDirGuard};
use baton_store::{Backend, Store};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How many threads the race tests start at once.
pub const RACERS: usize = 32;

/// A store on its own fresh database; the SQLite file goes away with it.
pub struct Db {
    pub store: Store,
    _dir: Option<TempDirGuard>,
}

impl Db {
    /// A fresh SQLite file in a temporary directory.
    pub fn sqlite() -> Self {
        let (url, dir) = testing::sqlite_url();
        let store = Store::connect(&testing::config(url)).expect("connect to SQLite");
        assert_eq!(store.backend(), Backend::Sqlite);
        Self { store, _dir: Some(dir) }
    }

    /// A fresh database on the test PostgreSQL server.
    pub fn postgres() -> Self {
        let store = Store::connect(&testing::config(testing::postgres_url()))
            .expect("connect to PostgreSQL");
        assert_eq!(store.backend(), Backend::Postgres);
        Self { store, _dir: None }
    }
}

/// A fixed, whole-second "now" near the real time, so tokens minted by the fake issuer are
/// valid and rows compare exactly after a round trip.
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap()
}

/// A user as the core would create it.
pub fn user(email: &str, at: OffsetDateTime) -> User {
    User {
        id: Uuid::new_v4(),
        email: Email::parse(email).unwrap(),
        name: None,
        password_hash: PasswordHash::new(
            "$2b$04$notarealhashnotarealhashnotarealhashnotarealhash".into(),
        ),
        disabled_at: None,
        failed_logins: 0,
        locked_until: None,
        created_at: at,
        updated_at: at,
    }
}

/// A fresh session (generation 0) of `user_id` opened at `at`, holding `token`'s hash.
pub fn session(user_id: Uuid, token: &str, at: OffsetDateTime) -> Session {
    Session {
        id: Uuid::new_v4(),
        user_id,
        refresh_hash: RefreshHash::of(token),
        generation: 0,
        rotated_at: at,
        created_at: at,
        last_used_at: at,
        expires_at: at + Duration::days(7),
        absolute_expires_at: at + Duration::days(30),
        revoked_at: None,
        revoke_reason: None,
        user_agent: Some("test-agent/1.0".into()),
        client_addr: Some("127.0.0.1".into()),
    }
}

/// Stores a user and returns it.
pub fn stored_user(store: &Store, email: &str) -> User {
    use baton_core::UserStore;
    let user = user(email, now());
    store.create_user(&user).unwrap();
    user
}

/// Stores a fresh session for `user` and returns it.
pub fn stored_session(store: &Store, user: &User, token: &str) -> Session {
    use baton_core::TokenStore;
    let session = session(user.id, token, now());
    store.create_session(&session).unwrap();
    session
}

/// Runs `work` on [`RACERS`] threads released at the same instant; returns their results.
pub fn race<T: Send>(work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let start = Barrier::new(RACERS);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..RACERS)
            .map(|i| {
                let (start, work) = (&start, &work);
                scope.spawn(move || {
                    start.wait();
                    work(i)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// The real use cases on the real store, with a fixed clock and deterministic fakes for
/// signing and hashing (the JWT and bcrypt adapters are tested in their own crates).
pub fn auth(store: &Store, policy: Policy) -> Auth {
    let store = Arc::new(store.clone());
    Auth::new(
        Ports {
            users: store.clone(),
            tokens: store,
            issuer: Arc::new(real_issuer()),
            hasher: Arc::new(Sha256Hasher),
            clock: Arc::new(FixedClock(now())),
            random: Arc::new(SystemRandom),
        },
        policy,
    )
}

/// Registers an account through the core and returns its first token pair.
pub fn register(auth: &Auth, email: &str, password: &str) -> baton_core::IssuedTokens {
    auth.register(email, password.into(), Some("Ada"), ClientInfo::default()).unwrap()
}

/// A clock that never moves.
pub struct FixedClock(pub OffsetDateTime);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

/// "Hashes" with unsalted SHA-256: fast, deterministic, and no plaintext in the output.
pub struct Sha256Hasher;

impl Sha256Hasher {
    fn digest(password: &str) -> String {
        let hex: String =
            RefreshHash::of(password).as_bytes().iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256${hex}")
    }
}

impl PasswordHasher for Sha256Hasher {
    fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        Ok(PasswordHash::new(Self::digest(password.expose())))
    }
    fn verify(&self, attempt: &str, hash: &PasswordHash) -> Result<bool, HashError> {
        Ok(hash.as_str() == Self::digest(attempt))
    }
    fn dummy_hash(&self) -> &PasswordHash {
        static DUMMY: std::sync::OnceLock<PasswordHash> = std::sync::OnceLock::new();
        DUMMY.get_or_init(|| PasswordHash::new("sha256$dummy".into()))
    }
}

/// The production HS256 issuer: the Auth-level races run on the real token format.
fn real_issuer() -> baton_jwt::HmacIssuer {
    let key =
        baton_jwt::SigningKey::new("contract", b"contract-suite-secret-of-32-bytes!!".to_vec());
    baton_jwt::HmacIssuer::new(baton_jwt::JwtConfig::new("baton", "baton-api", vec![key]))
        .expect("valid test key set")
}
