//! Ceremony state as the store keeps it: webauthn-rs's state, tagged with its kind.
//!
//! webauthn-rs refuses nothing when a registration state is fed to an authentication (they
//! are different types only in Rust); the tag makes the mix-up a [`PasskeyError::BadState`].

use baton_core::domain::passkey::CeremonyState;
use baton_core::ports::PasskeyError;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, PasskeyAuthentication, PasskeyRegistration,
};

/// One ceremony's server-side state.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", content = "state", rename_all = "snake_case")]
pub(crate) enum State {
    /// A passkey being registered.
    Registration(PasskeyRegistration),
    /// A passkey as second factor: the user's passkeys are in the state.
    SecondFactor(PasskeyAuthentication),
    /// A passwordless login: no user yet.
    Passwordless(DiscoverableAuthentication),
}

impl State {
    /// The text to store.
    pub(crate) fn store(&self) -> Result<CeremonyState, PasskeyError> {
        serde_json::to_string(self)
            .map(CeremonyState::new)
            .map_err(|e| PasskeyError::Backend(Box::new(e)))
    }

    /// Reads a stored state back; a text this crate did not write is [`PasskeyError::BadState`].
    pub(crate) fn load(state: &CeremonyState) -> Result<Self, PasskeyError> {
        serde_json::from_str(state.as_str()).map_err(|e| PasskeyError::BadState(Box::new(e)))
    }
}
