//! The ports: what the core needs from the outside world, as traits adapters implement.
//!
//! The ports that wait on the outside world are `async` (the stores and the password hasher):
//! a use case awaits them, so an adapter that can talk to its database without blocking
//! (PostgreSQL) does so on the request's own task, and one that cannot (SQLite, bcrypt) moves
//! its blocking work to a bounded pool of its own. Their futures are `Send`, and the traits
//! stay dyn-compatible through `async_trait` (the core holds every port as `Arc<dyn Port>`).
//! The CPU-quick ports (signing, the clock, randomness) stay synchronous.
//!
//! Each port's doc comment states its contract with MUST, naming the error variant an adapter
//! answers with; `baton_core::testing::contract` (feature `testing`) holds the test suites that
//! every adapter of a port runs against itself.

mod accounts;
mod clock;
mod entropy;
mod factors;
mod hasher;
mod issuer;
mod mail;
mod passkeys;
mod sealing;
mod store;
mod totp;

pub use accounts::{AccountStore, EmailChange};
pub use clock::{Clock, RandomSource, SystemClock, SystemRandom};
pub use entropy::RandomBytes;
pub use factors::FactorStore;
pub use hasher::{HashError, PasswordHasher};
pub use issuer::{SignError, TokenError, TokenIssuer};
pub use mail::{ComposeError, MailComposer, MailTransport, SendError};
pub use passkeys::{PasskeyError, Passkeys};
pub use sealing::{SealError, SecretSealer};
pub use store::{
    CreateUserError, LoginLimits, Reservation, Rotation, StoreError, TokenStore, UserStore,
};
pub use totp::{TotpEngine, TotpError};

/// A failure of an adapter, kept whole so that its cause chain reaches the log. Adapters box
/// their own error types (diesel's, jsonwebtoken's, bcrypt's) into it.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;
