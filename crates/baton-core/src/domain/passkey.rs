//! Passkeys (WebAuthn) as plain data: what the core and the store handle of a ceremony or a
//! credential, without knowing any WebAuthn type. JSON travels as text between the browser
//! and the [`crate::ports::Passkeys`] adapter; the credential itself is an opaque blob the
//! adapter serialized and the store keeps.

use std::fmt;

use uuid::Uuid;

/// The account a passkey is registered for (WebAuthn's user entity). The user handle is the
/// Baton user id: a random UUID that says nothing about the person, which is what the
/// specification asks of a user handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyUser {
    /// The user id, stored by the authenticator as the user handle and given back by
    /// discoverable (passwordless) assertions.
    pub id: Uuid,
    /// The account name the authenticator shows (the email).
    pub name: String,
    /// A friendly name the authenticator shows (the display name, or the email).
    pub display_name: String,
}

/// A credential id as the browser writes it (base64url without padding). Unique per relying
/// party: the store's key for a passkey.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CredentialId(String);

impl CredentialId {
    /// Wraps the base64url text of a credential id.
    pub fn new(base64url: String) -> Self {
        Self(base64url)
    }

    /// The base64url text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The adapter's serialized credential (public key, sign counter, backup flags, ...): opaque
/// to the core, stored as text, handed back to the adapter at every authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyBlob(String);

impl PasskeyBlob {
    /// Wraps the text the adapter made or the store read back.
    pub fn new(text: String) -> Self {
        Self(text)
    }

    /// The text to store.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The server's side of one ceremony between its start and its finish (challenge, allowed
/// credentials, user verification policy), serialized by the adapter. It MUST stay on the
/// server (in the store, under a `challenge_id` or `mfa_token`) and be used at most once: a
/// state the client could keep or replay would let it reuse an assertion.
#[derive(Clone, PartialEq, Eq)]
pub struct CeremonyState(String);

impl CeremonyState {
    /// Wraps the text the adapter made or the store read back.
    pub fn new(text: String) -> Self {
        Self(text)
    }

    /// The text to store.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CeremonyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CeremonyState({} bytes)", self.0.len())
    }
}

/// A started ceremony: the options for the browser and the state to keep.
#[derive(Debug, Clone)]
pub struct Ceremony {
    /// `{"publicKey": {...}}` in the WebAuthn JSON form (base64url fields), as
    /// `PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON`
    /// take the `publicKey` member.
    pub options_json: String,
    /// What the finish needs; stored server-side, used once.
    pub state: CeremonyState,
}

/// A credential registered by a finished registration ceremony, to store for its user.
#[derive(Debug, Clone)]
pub struct NewPasskey {
    /// The credential's id (unique per relying party).
    pub credential_id: CredentialId,
    /// The serialized credential.
    pub blob: PasskeyBlob,
    /// Whether the authenticator made it discoverable (usable for passwordless login), as the
    /// browser reported through `credProps`; `None` when it did not say. A hint for display:
    /// the browser's report is not signed.
    pub discoverable: Option<bool>,
    /// Backup eligible (BE): a synced passkey (a password manager, a platform account)
    /// rather than one bound to a single device.
    pub backup_eligible: bool,
    /// Backed up (BS) at registration.
    pub backed_up: bool,
    /// The authenticator verified the user (PIN, biometrics) when creating it.
    pub user_verified: bool,
}

/// A passkey as the store hands it to an authentication: whose it is and its blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPasskey {
    /// The owner.
    pub user_id: Uuid,
    /// The credential's id.
    pub credential_id: CredentialId,
    /// The serialized credential, as last stored.
    pub blob: PasskeyBlob,
}

/// Who a passwordless assertion claims to come from, read before it is verified so the use
/// case can load that user's passkeys. Nothing is proven until the finish succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedPasskey {
    /// The user handle the authenticator returned.
    pub user_id: Uuid,
    /// The credential it says it used.
    pub credential_id: CredentialId,
}

/// A verified assertion: which passkey was used, by whom, and how.
#[derive(Debug, Clone)]
pub struct PasskeyUse {
    /// The owner of the passkey that signed.
    pub user_id: Uuid,
    /// The passkey that signed.
    pub credential_id: CredentialId,
    /// The credential with its new sign counter and backup flags, when they changed: store
    /// it in place of the old blob.
    pub updated: Option<PasskeyBlob>,
    /// The authenticator verified the user (PIN, biometrics): the passkey is then two
    /// factors on its own (RFC 8176 `mfa`).
    pub user_verified: bool,
    /// A synced passkey (backup eligible): a software-held key for RFC 8176 (`swk`); a
    /// device-bound one counts as hardware (`hwk`).
    pub backup_eligible: bool,
}
