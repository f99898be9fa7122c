//! [`Passkeys`] on webauthn-rs, for one relying party.

use crate::blob::{credential_id, facts, from_blob, raw_id, to_blob};
use crate::state::State;
use baton_core::domain::passkey::{
    Ceremony, CeremonyState, ClaimedPasskey, CredentialId, NewPasskey, PasskeyUse, PasskeyUser,
    StoredPasskey,
};
use baton_core::ports::{PasskeyError, Passkeys};
use serde_json::Value;
use url::Url;
use uuid::Uuid;
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential, WebauthnError};
use webauthn_rs::{Webauthn, WebauthnBuilder};

/// The relying party from config cannot be used; the message names the value to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelyingPartyError {
    /// No origin: no page could use passkeys.
    #[error("webauthn.origins is empty: list the page origins, e.g. https://app.example.com")]
    NoOrigins,
    /// An origin that is not a URL with a host name.
    #[error(
        "webauthn.origins: {0:?} is not an origin with a host name (IP addresses cannot use passkeys)"
    )]
    BadOrigin(String),
    /// An origin whose host is not the relying party id or below it: browsers would refuse it.
    #[error("webauthn.origins: the host of {origin:?} is not {rp_id:?} or a subdomain of it")]
    ForeignOrigin {
        /// The origin.
        origin: String,
        /// The relying party id.
        rp_id: String,
    },
    /// webauthn-rs refused the configuration.
    #[error("webauthn-rs refused the relying party {0:?}")]
    Refused(String),
}

/// Passkeys for one relying party: its id (a domain), its name, the page origins allowed.
pub struct WebauthnRs {
    webauthn: Webauthn,
}

impl std::fmt::Debug for WebauthnRs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebauthnRs").field("origins", &self.webauthn.get_allowed_origins()).finish()
    }
}

impl WebauthnRs {
    /// The relying party `rp_id` (a host name such as `localhost` or `example.com`) named
    /// `rp_name`, for pages at `origins` (each's host is `rp_id` or a subdomain of it).
    pub fn new(rp_id: &str, rp_name: &str, origins: &[String]) -> Result<Self, RelyingPartyError> {
        let parsed = origins
            .iter()
            .map(|o| {
                let url = Url::parse(o).map_err(|_| RelyingPartyError::BadOrigin(o.clone()))?;
                let host = url.domain().ok_or_else(|| RelyingPartyError::BadOrigin(o.clone()))?;
                if host != rp_id && !host.ends_with(&format!(".{rp_id}")) {
                    let (origin, rp_id) = (o.clone(), rp_id.to_owned());
                    return Err(RelyingPartyError::ForeignOrigin { origin, rp_id });
                }
                Ok(url)
            })
            .collect::<Result<Vec<Url>, _>>()?;
        let (first, rest) = parsed.split_first().ok_or(RelyingPartyError::NoOrigins)?;
        let refused = |_| RelyingPartyError::Refused(rp_id.to_owned());
        let mut builder = WebauthnBuilder::new(rp_id, first).map_err(refused)?.rp_name(rp_name);
        for origin in rest {
            builder = builder.append_allowed_origin(origin);
        }
        Ok(Self { webauthn: builder.build().map_err(refused)? })
    }

    /// The options document `{"publicKey": {...}}` of a challenge response.
    fn options(challenge: &impl serde::Serialize) -> Result<Value, PasskeyError> {
        serde_json::to_value(challenge).map_err(|e| PasskeyError::Backend(Box::new(e)))
    }
}

/// Sorts webauthn-rs's refusals: a cloned credential, Baton's own configuration, and the
/// rest (anything about the client's answer) as refused.
fn refusal(e: WebauthnError, used: &CredentialId) -> PasskeyError {
    match e {
        WebauthnError::CredentialPossibleCompromise => PasskeyError::Cloned(used.clone()),
        WebauthnError::Configuration => PasskeyError::Backend(Box::new(e)),
        other => PasskeyError::Refused(Box::new(other)),
    }
}

fn parse<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, PasskeyError> {
    serde_json::from_str(json).map_err(|e| PasskeyError::Malformed(Box::new(e)))
}

fn text(value: &Value) -> Result<String, PasskeyError> {
    serde_json::to_string(value).map_err(|e| PasskeyError::Backend(Box::new(e)))
}

impl Passkeys for WebauthnRs {
    fn start_registration(
        &self,
        user: &PasskeyUser,
        exclude: &[CredentialId],
    ) -> Result<Ceremony, PasskeyError> {
        let exclude: Vec<_> = exclude.iter().filter_map(raw_id).collect();
        let exclude = (!exclude.is_empty()).then_some(exclude);
        let (challenge, registration) = self
            .webauthn
            .start_passkey_registration(user.id, &user.name, &user.display_name, exclude)
            .map_err(|e| PasskeyError::Backend(Box::new(e)))?;
        let mut options = Self::options(&challenge)?;
        // webauthn-rs asks for a non-discoverable credential ("discouraged"), so as not to
        // fill security keys' few slots. Baton's passkeys also log in alone (SPEC §13), so
        // it asks for "preferred" as WebAuthn Level 3 does for passkeys: the finish checks
        // nothing about residency, and `credProps` reports what the authenticator did.
        if let Some(selection) = options["publicKey"].get_mut("authenticatorSelection") {
            selection["residentKey"] = Value::from("preferred");
        }
        let state = State::Registration(registration).store()?;
        Ok(Ceremony { options_json: text(&options)?, state })
    }

    fn finish_registration(
        &self,
        state: &CeremonyState,
        credential_json: &str,
    ) -> Result<NewPasskey, PasskeyError> {
        let State::Registration(registration) = State::load(state)? else {
            return Err(PasskeyError::BadState("not a registration".into()));
        };
        let credential: RegisterPublicKeyCredential = parse(credential_json)?;
        let claimed = credential_id(&credential.raw_id);
        let passkey = self
            .webauthn
            .finish_passkey_registration(&credential, &registration)
            .map_err(|e| refusal(e, &claimed))?;
        let facts = facts(&passkey);
        Ok(NewPasskey {
            credential_id: credential_id(passkey.cred_id()),
            blob: to_blob(&passkey)?,
            discoverable: facts.discoverable,
            backup_eligible: facts.backup_eligible,
            backed_up: facts.backed_up,
            user_verified: facts.user_verified,
        })
    }

    fn start_authentication(&self, passkeys: &[StoredPasskey]) -> Result<Ceremony, PasskeyError> {
        if passkeys.is_empty() {
            return Err(PasskeyError::NoPasskeys);
        }
        let keys = passkeys.iter().map(|p| from_blob(&p.blob)).collect::<Result<Vec<_>, _>>()?;
        let (challenge, authentication) = self
            .webauthn
            .start_passkey_authentication(&keys)
            .map_err(|e| PasskeyError::Backend(Box::new(e)))?;
        let options = Self::options(&challenge)?;
        let state = State::SecondFactor(authentication).store()?;
        Ok(Ceremony { options_json: text(&options)?, state })
    }

    fn start_passwordless(&self) -> Result<Ceremony, PasskeyError> {
        let (challenge, authentication) = self
            .webauthn
            .start_discoverable_authentication()
            .map_err(|e| PasskeyError::Backend(Box::new(e)))?;
        // webauthn-rs sets `mediation: conditional` (autofill); the page chooses between a
        // button (modal) and autofill, so only `publicKey` goes out.
        let mut options = Self::options(&challenge)?;
        if let Some(map) = options.as_object_mut() {
            map.remove("mediation");
        }
        let state = State::Passwordless(authentication).store()?;
        Ok(Ceremony { options_json: text(&options)?, state })
    }

    fn identify(&self, assertion_json: &str) -> Result<ClaimedPasskey, PasskeyError> {
        let assertion: PublicKeyCredential = parse(assertion_json)?;
        let (user_id, raw) = self
            .webauthn
            .identify_discoverable_authentication(&assertion)
            .map_err(|e| PasskeyError::Malformed(Box::new(e)))?;
        Ok(ClaimedPasskey { user_id, credential_id: credential_id(raw) })
    }

    fn finish_authentication(
        &self,
        state: &CeremonyState,
        assertion_json: &str,
        passkeys: &[StoredPasskey],
    ) -> Result<PasskeyUse, PasskeyError> {
        let state = State::load(state)?;
        let assertion: PublicKeyCredential = parse(assertion_json)?;
        let used = credential_id(assertion.get_credential_id());
        let stored = passkeys.iter().find(|p| p.credential_id == used).ok_or_else(|| {
            PasskeyError::Refused("the credential is not among the user's passkeys".into())
        })?;
        let mut passkey = from_blob(&stored.blob)?;
        let result = match state {
            State::Registration(_) => {
                return Err(PasskeyError::BadState("a registration state".into()));
            }
            State::SecondFactor(authentication) => {
                self.webauthn.finish_passkey_authentication(&assertion, &authentication)
            }
            State::Passwordless(authentication) => {
                let handle = assertion.get_user_unique_id().and_then(|b| Uuid::from_slice(b).ok());
                if handle != Some(stored.user_id) {
                    return Err(PasskeyError::Refused("the user handle is not the owner".into()));
                }
                self.webauthn.finish_discoverable_authentication_v2(
                    &assertion,
                    authentication,
                    &passkey,
                )
            }
        }
        .map_err(|e| refusal(e, &used))?;
        // The second-factor state holds the passkeys as they were at its start; compare the
        // counter with the one stored now as well (WebAuthn §7.2 step 21).
        let stored_counter = facts(&passkey).counter;
        let counter = u64::from(result.counter());
        if (counter > 0 || stored_counter > 0) && counter <= stored_counter {
            return Err(PasskeyError::Cloned(used));
        }
        let updated = match passkey.update_credential(&result) {
            Some(true) => Some(to_blob(&passkey)?),
            _ => None,
        };
        Ok(PasskeyUse {
            user_id: stored.user_id,
            credential_id: used,
            updated,
            user_verified: result.user_verified(),
            backup_eligible: result.backup_eligible(),
        })
    }
}
