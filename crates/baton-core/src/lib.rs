//! Baton's domain core: accounts, sessions (token families), the refresh-rotation rules and
//! the use cases that drive them.
//!
//! The crate is deliberately pure: it names its needs as ports (traits) and leaves HTTP,
//! SQL and JWT encoding to adapter crates, so every rule can be tested with a fake clock and
//! in-memory fakes. Everything here is synchronous; callers run use cases on a thread that
//! may block (the server does so with `web::block`), which keeps async out of the domain.

pub mod domain;
pub mod error;
pub mod ports;
pub mod rules;
pub mod service;

pub use domain::email::Email;
pub use domain::password::{Password, PasswordHash};
pub use domain::session::{ClientInfo, RefreshHash, RevokeReason, Session, SessionSummary};
pub use domain::token::{Claims, TokenKind};
pub use domain::user::{DisplayName, User};
pub use error::{AuthError, InputError};
pub use ports::{
    Clock, HashError, PasswordHasher, RandomSource, Rotation, StoreError, SystemClock,
    SystemRandom, TokenError, TokenIssuer, TokenStore, UserStore,
};
pub use rules::policy::Policy;
pub use service::{Auth, IssuedTokens, LogoutScope, Ports, Principal};
