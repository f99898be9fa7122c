//! The stored credential: webauthn-rs's `Passkey`, serialized as JSON, and the few facts
//! Baton reads from it (flags, sign counter, credProps) without webauthn-rs's
//! `danger-credential-internals`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use baton_core::domain::passkey::{CredentialId, PasskeyBlob};
use baton_core::ports::PasskeyError;
use serde_json::Value;
use webauthn_rs::prelude::Passkey;

/// The blob of `passkey`.
pub(crate) fn to_blob(passkey: &Passkey) -> Result<PasskeyBlob, PasskeyError> {
    serde_json::to_string(passkey)
        .map(PasskeyBlob::new)
        .map_err(|e| PasskeyError::Backend(Box::new(e)))
}

/// The passkey of a stored blob; one that does not read is Baton's fault (a damaged row).
pub(crate) fn from_blob(blob: &PasskeyBlob) -> Result<Passkey, PasskeyError> {
    serde_json::from_str(blob.as_str()).map_err(|e| PasskeyError::Backend(Box::new(e)))
}

/// The credential id in the browser's form (base64url, no padding).
pub(crate) fn credential_id(raw: &[u8]) -> CredentialId {
    CredentialId::new(URL_SAFE_NO_PAD.encode(raw))
}

/// The raw bytes of a credential id; `None` when it is not base64url.
pub(crate) fn raw_id(id: &CredentialId) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(id.as_str()).ok()
}

/// What Baton reads of a credential.
pub(crate) struct Facts {
    pub(crate) counter: u64,
    pub(crate) backup_eligible: bool,
    pub(crate) backed_up: bool,
    pub(crate) user_verified: bool,
    /// `credProps.rk` as the browser reported it at registration.
    pub(crate) discoverable: Option<bool>,
}

/// The facts of `passkey`, from its serialized form (`{"cred": {...}}`).
pub(crate) fn facts(passkey: &Passkey) -> Facts {
    let value = serde_json::to_value(passkey).unwrap_or(Value::Null);
    let cred = &value["cred"];
    let flag = |name: &str| cred[name].as_bool().unwrap_or(false);
    // `cred_props` is an ExtnState: {"Unsigned": {"rk": true}}, "Ignored", "NotRequested".
    let discoverable = match &cred["extensions"]["cred_props"] {
        Value::Object(state) => state.values().find_map(|props| props["rk"].as_bool()),
        _ => None,
    };
    Facts {
        counter: cred["counter"].as_u64().unwrap_or(0),
        backup_eligible: flag("backup_eligible"),
        backed_up: flag("backup_state"),
        user_verified: flag("user_verified"),
        discoverable,
    }
}
