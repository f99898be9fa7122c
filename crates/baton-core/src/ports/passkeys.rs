//! Passkeys (WebAuthn Level 2+): the ceremonies of registration and authentication, with
//! JSON text in and out so the core knows no WebAuthn type. `baton-passkeys` adapts
//! webauthn-rs to it, configured with the relying party (`webauthn.rp_id`, `rp_name`,
//! `origins`).
//!
//! Every ceremony is two calls: a start answers options for the browser and a state the use
//! case stores server-side; the finish takes that state and the browser's
//! `PublicKeyCredential.toJSON()`. Pure computation: nothing here blocks.

use super::BoxError;
use crate::domain::passkey::{
    Ceremony, CeremonyState, ClaimedPasskey, CredentialId, NewPasskey, PasskeyUse, PasskeyUser,
    StoredPasskey,
};

/// Why a ceremony failed.
#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// The browser's JSON is not a credential of the expected kind. The client's doing (400).
    #[error("not a WebAuthn credential: {0}")]
    Malformed(#[source] BoxError),
    /// The credential does not verify: wrong challenge, origin or relying party, a bad
    /// signature, no user verification, a credential the state or the passkeys given do not
    /// hold, a user handle that is not the passkey's owner. Counts as a wrong second factor.
    #[error("the passkey was refused")]
    Refused(#[source] BoxError),
    /// The signature verified but the sign counter did not move forward: the credential may
    /// have been cloned (WebAuthn §7.2 step 21). Refused like [`PasskeyError::Refused`]; worth
    /// a warning in the log naming the credential.
    #[error("the passkey's sign counter went back: it may be cloned")]
    Cloned(CredentialId),
    /// An authentication was started with no passkey to offer.
    #[error("no passkey to authenticate with")]
    NoPasskeys,
    /// The ceremony state is not one this adapter made for this step (a damaged row, a
    /// registration state given to an authentication). Baton's fault, not the client's.
    #[error("the ceremony state is not usable here")]
    BadState(#[source] BoxError),
    /// The WebAuthn library failed for a reason of its own (configuration, a credential blob
    /// it cannot read).
    #[error("passkey ceremony failed")]
    Backend(#[source] BoxError),
}

/// The relying party's side of WebAuthn.
pub trait Passkeys: Send + Sync {
    /// Starts registering a passkey for `user`. The options MUST carry the user handle
    /// (`user.id`, base64url of the UUID's bytes), require user verification, prefer a
    /// discoverable credential, and list `exclude` as `excludeCredentials` (so the same
    /// authenticator is not registered twice).
    fn start_registration(
        &self,
        user: &PasskeyUser,
        exclude: &[CredentialId],
    ) -> Result<Ceremony, PasskeyError>;

    /// Verifies the browser's answer to a registration started with `state`; the new
    /// passkey to store. MUST refuse a credential for another challenge or origin.
    fn finish_registration(
        &self,
        state: &CeremonyState,
        credential_json: &str,
    ) -> Result<NewPasskey, PasskeyError>;

    /// Starts an authentication with one of `passkeys` (a second factor after the password).
    /// User verification required. [`PasskeyError::NoPasskeys`] when `passkeys` is empty.
    fn start_authentication(&self, passkeys: &[StoredPasskey]) -> Result<Ceremony, PasskeyError>;

    /// Starts a passwordless authentication: no user is known, the browser offers the
    /// discoverable passkeys it holds for this relying party (`allowCredentials` empty).
    /// The page chooses modal or conditional (autofill) mediation.
    fn start_passwordless(&self) -> Result<Ceremony, PasskeyError>;

    /// Reads who a passwordless assertion claims to be, so that the use case can load that
    /// user's passkeys for [`Passkeys::finish_authentication`]. Verifies nothing.
    /// [`PasskeyError::Malformed`] without a user handle that is a UUID.
    fn identify(&self, assertion_json: &str) -> Result<ClaimedPasskey, PasskeyError>;

    /// Verifies an assertion against the `state` of either kind of authentication and the
    /// CURRENT `passkeys` of the user (as stored now: a passkey deleted since the start
    /// MUST be refused). For a passwordless state the assertion's user handle MUST be the
    /// owner of the passkey used. Answers which passkey signed, with its updated blob.
    fn finish_authentication(
        &self,
        state: &CeremonyState,
        assertion_json: &str,
        passkeys: &[StoredPasskey],
    ) -> Result<PasskeyUse, PasskeyError>;
}
