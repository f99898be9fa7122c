//! Baton's passkeys (SPEC §13): [`baton_core::ports::Passkeys`] on webauthn-rs.
//!
//! The core sees JSON text and opaque strings only; this crate turns them into webauthn-rs's
//! types and back. Its own crate because webauthn-rs links OpenSSL, which no other adapter
//! needs.
//!
//! - [`WebauthnRs::new`] takes the relying party from config (`webauthn.rp_id`, `rp_name`,
//!   `origins`; [`settings::relying_party`] reads them from `[webauthn]`) and refuses an
//!   origin whose host is not the relying party's domain.
//! - Ceremony state is serialized (webauthn-rs's `danger-allow-state-serialisation`) and
//!   tagged with its kind (`state.rs`), so the use cases can keep it in the store between
//!   start and finish and a state can only finish the ceremony it started.
//! - Passwordless login uses webauthn-rs's discoverable-credential API (`conditional-ui`).

mod blob;
mod relying_party;
pub mod settings;
mod state;

pub use relying_party::{RelyingPartyError, WebauthnRs};
