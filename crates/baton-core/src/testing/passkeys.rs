//! A stand-in for the passkey port and for the browser: [`FakePasskeys`] runs ceremonies in
//! the WebAuthn JSON shapes with a keyed SHA-256 in place of signatures, and
//! [`FakeAuthenticator`] answers them. Together they pass the passkey contract suite, so core
//! tests of the passkey use cases need neither OpenSSL nor a browser.

use std::sync::atomic::{AtomicU64, Ordering};

use super::hotp::base64url;
use crate::domain::passkey::{
    Ceremony, CeremonyState, ClaimedPasskey, CredentialId, NewPasskey, PasskeyBlob, PasskeyUse,
    PasskeyUser, StoredPasskey,
};
use crate::ports::{PasskeyError, Passkeys};
use crate::testing::contract::passkeys::TestAuthenticator;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The fake's "signature": a keyed hash of what a real authenticator signs.
fn sign(key: &str, challenge: &str, credential: &str, counter: u64) -> String {
    let digest = Sha256::new()
        .chain_update(key)
        .chain_update(challenge)
        .chain_update(credential)
        .chain_update(counter.to_be_bytes())
        .finalize();
    hex(&digest)
}

/// A member of `value` as text, or `Malformed`.
fn text<'a>(value: &'a Value, path: &[&str]) -> Result<&'a str, PasskeyError> {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_str)
        .ok_or_else(|| PasskeyError::Malformed(format!("no {}", path.join(".")).into()))
}

fn parse(json: &str) -> Result<Value, PasskeyError> {
    serde_json::from_str(json).map_err(|e| PasskeyError::Malformed(Box::new(e)))
}

fn refused(why: &'static str) -> PasskeyError {
    PasskeyError::Refused(why.into())
}

/// [`Passkeys`] for tests: the relying party `localhost`, challenges from a counter.
#[derive(Debug, Default)]
pub struct FakePasskeys {
    challenges: AtomicU64,
}

impl FakePasskeys {
    fn ceremony(&self, kind: &str, public_key: Value, allowed: Vec<String>) -> Ceremony {
        let n = self.challenges.fetch_add(1, Ordering::SeqCst);
        let challenge = base64url(&Sha256::digest(format!("challenge {n}")));
        let mut public_key = public_key;
        public_key["challenge"] = Value::from(challenge.clone());
        let state = json!({ "kind": kind, "challenge": challenge, "allowed": allowed });
        Ceremony {
            options_json: json!({ "publicKey": public_key }).to_string(),
            state: CeremonyState::new(state.to_string()),
        }
    }

    /// The state's kind and challenge, or `BadState`.
    fn state(state: &CeremonyState) -> Result<(String, String, Value), PasskeyError> {
        let bad = |why: &str| PasskeyError::BadState(why.to_owned().into());
        let value: Value = serde_json::from_str(state.as_str()).map_err(|_| bad("not JSON"))?;
        let kind = value["kind"].as_str().ok_or_else(|| bad("no kind"))?.to_owned();
        let challenge = value["challenge"].as_str().ok_or_else(|| bad("no challenge"))?.to_owned();
        Ok((kind, challenge, value["allowed"].clone()))
    }
}

impl Passkeys for FakePasskeys {
    fn start_registration(
        &self,
        user: &PasskeyUser,
        exclude: &[CredentialId],
    ) -> Result<Ceremony, PasskeyError> {
        let exclude: Vec<Value> =
            exclude.iter().map(|c| json!({ "type": "public-key", "id": c.as_str() })).collect();
        let public_key = json!({
            "rp": { "id": "localhost", "name": "Fake" },
            "user": { "id": base64url(user.id.as_bytes()), "name": user.name, "displayName": user.display_name },
            "pubKeyCredParams": [{ "type": "public-key", "alg": -7 }],
            "excludeCredentials": exclude,
            "authenticatorSelection": { "residentKey": "preferred", "userVerification": "required" },
        });
        Ok(self.ceremony("registration", public_key, Vec::new()))
    }

    fn finish_registration(
        &self,
        state: &CeremonyState,
        credential_json: &str,
    ) -> Result<NewPasskey, PasskeyError> {
        let credential = parse(credential_json)?;
        let (id, key) = (text(&credential, &["id"])?, text(&credential, &["response", "fakeKey"])?);
        let challenge = text(&credential, &["response", "challenge"])?;
        let (kind, expected, _) = Self::state(state)?;
        if kind != "registration" {
            return Err(PasskeyError::BadState("not a registration".into()));
        }
        if challenge != expected {
            return Err(refused("another challenge"));
        }
        let blob = PasskeyBlob::new(json!({ "key": key, "counter": 0 }).to_string());
        Ok(NewPasskey {
            credential_id: CredentialId::new(id.to_owned()),
            blob,
            discoverable: Some(true),
            backup_eligible: false,
            backed_up: false,
            user_verified: true,
        })
    }

    fn start_authentication(&self, passkeys: &[StoredPasskey]) -> Result<Ceremony, PasskeyError> {
        if passkeys.is_empty() {
            return Err(PasskeyError::NoPasskeys);
        }
        let ids: Vec<String> =
            passkeys.iter().map(|p| p.credential_id.as_str().to_owned()).collect();
        let allow: Vec<Value> =
            ids.iter().map(|id| json!({ "type": "public-key", "id": id })).collect();
        let public_key = json!({ "rpId": "localhost", "allowCredentials": allow, "userVerification": "required" });
        Ok(self.ceremony("second_factor", public_key, ids))
    }

    fn start_passwordless(&self) -> Result<Ceremony, PasskeyError> {
        let public_key =
            json!({ "rpId": "localhost", "allowCredentials": [], "userVerification": "required" });
        Ok(self.ceremony("passwordless", public_key, Vec::new()))
    }

    fn identify(&self, assertion_json: &str) -> Result<ClaimedPasskey, PasskeyError> {
        let assertion = parse(assertion_json)?;
        let id = text(&assertion, &["id"])?;
        let handle = text(&assertion, &["response", "userHandle"])?;
        let user_id = (0..16)
            .map(|i| handle_byte(handle, i))
            .collect::<Option<Vec<u8>>>()
            .and_then(|b| Uuid::from_slice(&b).ok())
            .filter(|u| base64url(u.as_bytes()) == handle)
            .ok_or_else(|| PasskeyError::Malformed("the user handle is not a UUID".into()))?;
        Ok(ClaimedPasskey { user_id, credential_id: CredentialId::new(id.to_owned()) })
    }

    fn finish_authentication(
        &self,
        state: &CeremonyState,
        assertion_json: &str,
        passkeys: &[StoredPasskey],
    ) -> Result<PasskeyUse, PasskeyError> {
        let (kind, challenge, allowed) = Self::state(state)?;
        if kind != "second_factor" && kind != "passwordless" {
            return Err(PasskeyError::BadState("not an authentication".into()));
        }
        let assertion = parse(assertion_json)?;
        let id = text(&assertion, &["id"])?;
        let signature = text(&assertion, &["response", "signature"])?;
        let counter = assertion["response"]["counter"].as_u64().unwrap_or(0);
        let stored = passkeys.iter().find(|p| p.credential_id.as_str() == id);
        let stored = stored.ok_or_else(|| refused("not among the user's passkeys"))?;
        match kind.as_str() {
            "second_factor" if !allowed.as_array().is_some_and(|a| a.iter().any(|v| v == id)) => {
                return Err(refused("not offered by this ceremony"));
            }
            "second_factor" => {}
            _ => {
                let claimed = self.identify(assertion_json).map(|c| c.user_id).ok();
                if claimed != Some(stored.user_id) {
                    return Err(refused("the user handle is not the owner"));
                }
            }
        }
        let blob: Value = serde_json::from_str(stored.blob.as_str())
            .map_err(|e| PasskeyError::Backend(Box::new(e)))?;
        let key = blob["key"].as_str().ok_or_else(|| PasskeyError::Backend("no key".into()))?;
        if sign(key, &challenge, id, counter) != signature {
            return Err(refused("bad signature or another challenge"));
        }
        let stored_counter = blob["counter"].as_u64().unwrap_or(0);
        if (counter > 0 || stored_counter > 0) && counter <= stored_counter {
            return Err(PasskeyError::Cloned(stored.credential_id.clone()));
        }
        let updated = (counter > stored_counter)
            .then(|| PasskeyBlob::new(json!({ "key": key, "counter": counter }).to_string()));
        Ok(PasskeyUse {
            user_id: stored.user_id,
            credential_id: stored.credential_id.clone(),
            updated,
            user_verified: true,
            backup_eligible: false,
        })
    }
}

/// Byte `i` of a base64url text, by re-encoding candidates (the core has no decoder).
fn handle_byte(handle: &str, i: usize) -> Option<u8> {
    let bits: Vec<u8> = handle
        .bytes()
        .map(|c| match c {
            b'A'..=b'Z' => Some(c - b'A'),
            b'a'..=b'z' => Some(c - b'a' + 26),
            b'0'..=b'9' => Some(c - b'0' + 52),
            b'-' => Some(62),
            b'_' => Some(63),
            _ => None,
        })
        .collect::<Option<Vec<u8>>>()?;
    let bit = i * 8;
    let value = (0..8).try_fold(0u8, |acc, k| {
        let (c, b) = ((bit + k) / 6, (bit + k) % 6);
        Some(acc << 1 | (bits.get(c)? >> (5 - b) & 1))
    })?;
    Some(value)
}

/// A browser with an authenticator for [`FakePasskeys`]: keeps its credentials (as
/// discoverable ones, with their user handles) and a sign counter.
#[derive(Debug)]
pub struct FakeAuthenticator {
    key: String,
    counter: u64,
    credentials: Vec<(String, String)>,
}

impl FakeAuthenticator {
    /// A device whose key derives from `seed` (distinct seeds, distinct devices).
    pub fn new(seed: u64) -> Self {
        Self {
            key: hex(&Sha256::digest(format!("device {seed}"))),
            counter: 0,
            credentials: Vec::new(),
        }
    }
}

impl TestAuthenticator for FakeAuthenticator {
    fn create(&mut self, options_json: &str) -> String {
        let options: Value = serde_json::from_str(options_json).expect("options JSON");
        let challenge = options["publicKey"]["challenge"].as_str().expect("a challenge");
        let handle = options["publicKey"]["user"]["id"].as_str().expect("a user handle");
        let n = self.credentials.len();
        let id = base64url(&Sha256::digest(format!("{} {n}", self.key))[..16]);
        self.credentials.push((id.clone(), handle.to_owned()));
        json!({
            "id": id, "rawId": id, "type": "public-key",
            "response": { "challenge": challenge, "fakeKey": self.key },
            "clientExtensionResults": { "credProps": { "rk": true } },
        })
        .to_string()
    }

    fn get(&mut self, options_json: &str) -> String {
        let options: Value = serde_json::from_str(options_json).expect("options JSON");
        let challenge = options["publicKey"]["challenge"].as_str().expect("a challenge");
        let allowed =
            options["publicKey"]["allowCredentials"].as_array().cloned().unwrap_or_default();
        let (id, handle) = self
            .credentials
            .iter()
            .find(|(id, _)| allowed.is_empty() || allowed.iter().any(|a| a["id"] == id.as_str()))
            .cloned()
            .expect("a credential for these options");
        self.counter += 1;
        let signature = sign(&self.key, challenge, &id, self.counter);
        let mut response = json!({ "signature": signature, "counter": self.counter });
        if allowed.is_empty() {
            response["userHandle"] = Value::from(handle);
        }
        json!({ "id": id, "rawId": id, "type": "public-key", "response": response }).to_string()
    }
}
