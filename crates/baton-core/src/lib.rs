//! Baton's domain core: accounts, sessions (token families), the refresh-rotation rules and
//! the use cases that drive them.
//!
//! The crate is deliberately pure: it names its needs as ports (traits) and leaves HTTP,
//! SQL, JWT encoding and password hashing to adapter crates, so every rule can be tested with
//! a fake clock. The use cases are `async fn`s that await their stores and hasher (an adapter
//! that must block moves that work to a pool of its own), while the rules stay plain
//! synchronous functions over plain data. The crate depends on no async runtime: its futures
//! run on whatever executor the caller has.
//!
//! Where to look: [`rules`] holds the rules as plain functions, [`service`] the use cases
//! ([`Auth`]), [`error`] what each use case can answer, [`ports`] what adapters must do, and
//! `testing` (feature `testing`) the contract suites every adapter runs against itself.

pub mod domain;
pub mod error;
pub mod outcome;
pub mod ports;
pub mod rules;
pub mod service;

#[cfg(feature = "testing")]
pub mod testing;

pub use domain::account_token::{AccountToken, AccountTokenHash, TokenPurpose};
pub use domain::email::Email;
pub use domain::link::{LinkError, LinkTemplate, TokenPlacement};
pub use domain::mail::{
    ComposedMail, FailureKind, Link, MailKind, OutboxEntry, OutboxStats, OutgoingMail, QueuedMail,
    Recipient,
};
pub use domain::password::{Password, PasswordHash};
pub use domain::session::{Amr, ClientInfo, RefreshHash, RevokeReason, Session, SessionSummary};
pub use domain::throttle::LoginKey;
pub use domain::token::{
    Claims, ClientId, DEFAULT_CLIENT_ID, InvalidClientId, MAX_CLIENT_ID_LEN, TokenKind,
};
pub use domain::user::{DisplayName, User};
pub use error::{
    AccessError, AccountError, AdminError, Fault, InputError, LoginError, MfaError, MfaPending,
    RefreshError, RegisterError, RevokeSessionError, error_chain,
};
pub use outcome::{FaultKind, Outcomes};
pub use ports::{
    AccountStore, BoxError, Clock, CreateUserError, EmailChange, FactorStore, HashError,
    LoginLimits, PasswordHasher, RandomSource, Reservation, Rotation, SignError, StoreError,
    SystemClock, SystemRandom, TokenError, TokenIssuer, TokenStore, UserStore,
};
pub use ports::{ComposeError, MailComposer, MailTransport, SendError};
pub use rules::mail_retry::{Attempts, GiveUpReason, NextStep, RetryPolicy};
pub use rules::policy::Policy;
pub use service::{
    ActiveToken, Auth, BATCH, CHALLENGE_TTL, CLAIM_FOR, Delivery, IssuedTokens, LogoutScope,
    MAIL_INTERVAL, MAX_PASSKEY_NAME, MailSetup, PasswordlessStart, Ports, Principal, Proof,
    SecondFactors,
};
