//! Test support for Baton's adapters and for the core's own tests (feature `testing`).
//!
//! - [`contract`]: one suite per port, written once here and run by every adapter against
//!   itself (`baton-store` on PostgreSQL and SQLite, `baton-jwt` for each algorithm,
//!   `baton-password` for bcrypt) and by the fakes below, so the fakes the core's tests use
//!   behave as the real adapters do.
//! - [`MemTransport`], [`FakeComposer`]: the mail ports in memory (the transport passes the
//!   mail suite).
//! - [`MemStore`], [`FakeClock`], [`SeqRandom`], [`FakeHasher`], [`FakeIssuer`]: fast,
//!   deterministic ports for the core's unit and property tests.
//! - [`SeqBytes`], [`RefTotp`], [`FakeSealer`], [`FakePasskeys`] (with [`FakeAuthenticator`]
//!   for the browser's part): the second-factor ports (SPEC §13), with
//!   [`hotp`], an HOTP written from the RFCs that the TOTP suite checks engines against.

pub mod contract;
mod fakes;
pub mod hotp;
mod mail;
mod memory;
mod memory_accounts;
mod memory_factors;
mod passkeys;
mod second_factor;

pub use fakes::{FakeClock, FakeHasher, FakeIssuer, SeqRandom};
pub use hotp::hotp_code;
pub use mail::{FakeComposer, MemTransport};
pub use memory::MemStore;
pub use passkeys::{FakeAuthenticator, FakePasskeys};
pub use second_factor::{FakeSealer, RefTotp, SeqBytes};
