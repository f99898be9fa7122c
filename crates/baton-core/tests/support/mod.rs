//! A core wired to the in-memory fakes of `baton_core::testing` (which pass the same
//! contract suites as the real adapters), with handles for the tests to poke.
#![allow(dead_code)]

use std::sync::Arc;

use baton_core::testing::{FakeClock, FakeHasher, FakeIssuer, MemStore, SeqRandom};
use baton_core::{Auth, ClientInfo, Clock, Policy, Ports, Session};
use time::OffsetDateTime;
use uuid::Uuid;

/// The use cases and their fakes.
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
    let start = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("in range");
    let clock = Arc::new(FakeClock::at(start));
    let store = Arc::new(MemStore::default());
    let issuer = Arc::new(FakeIssuer::new("k1"));
    let hasher = Arc::new(FakeHasher::default());
    let ports = Ports {
        users: store.clone(),
        tokens: store.clone(),
        accounts: store.clone(),
        factors: store.clone(),
        issuer: issuer.clone(),
        hasher: hasher.clone(),
        clock: clock.clone(),
        random: Arc::new(SeqRandom::default()),
    };
    World { auth: Auth::new(ports, policy), clock, store, issuer, hasher }
}

/// Runs a future to completion on a fresh current-thread runtime, for tests that drive the
/// use cases from synchronous code (proptest's cases).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

pub fn client() -> ClientInfo {
    client_from("127.0.0.1")
}

pub fn client_from(addr: &str) -> ClientInfo {
    ClientInfo { user_agent: Some("test-agent".into()), client_addr: Some(addr.into()) }
}

impl World {
    /// Registers `email` with [`PASSWORD`] and returns the first token pair.
    pub async fn register(&self, email: &str) -> baton_core::IssuedTokens {
        self.auth.register(email, PASSWORD.into(), Some("Ada"), client()).await.expect("register")
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    pub fn session(&self, id: Uuid) -> Session {
        self.store.session(id).expect("session exists")
    }
}
