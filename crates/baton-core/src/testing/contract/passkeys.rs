//! The [`Passkeys`] suite, run by `baton-passkeys` with a software authenticator standing in
//! for the browser. Whole ceremonies: registration, a passkey as second factor, passwordless
//! login, and the refusals (another challenge, a deleted passkey, another user's passkeys, a
//! cloned credential, malformed JSON).

use std::sync::Arc;

use crate::domain::passkey::{CeremonyState, CredentialId, NewPasskey, PasskeyUser, StoredPasskey};
use crate::ports::{PasskeyError, Passkeys};
use crate::testing::hotp::base64url;
use uuid::Uuid;

/// A browser with an authenticator, as far as a test can have one: it answers options JSON
/// with the JSON of `PublicKeyCredential.toJSON()`, at the subject's origin.
pub trait TestAuthenticator {
    /// Creates a credential for `{"publicKey": ...}` creation options (user verification
    /// performed), remembering it with its user handle as a discoverable credential.
    fn create(&mut self, options_json: &str) -> String;
    /// Signs an assertion for `{"publicKey": ...}` request options. With credentials in
    /// `allowCredentials`, one of those; with none (passwordless), the credential it holds
    /// for the relying party, with its user handle.
    fn get(&mut self, options_json: &str) -> String;
}

/// The adapter under test and a way to get fresh authenticators.
pub struct PasskeySubject {
    /// The relying party's side, configured with the origin the authenticators use.
    pub passkeys: Arc<dyn Passkeys>,
    /// A new authenticator holding no credential (a second device).
    pub authenticator: Box<dyn Fn() -> Box<dyn TestAuthenticator> + Send + Sync>,
}

fn user(name: &str) -> PasskeyUser {
    PasskeyUser {
        id: Uuid::new_v4(),
        name: format!("{name}@example.com"),
        display_name: name.into(),
    }
}

fn stored(user: &PasskeyUser, new: &NewPasskey) -> StoredPasskey {
    StoredPasskey {
        user_id: user.id,
        credential_id: new.credential_id.clone(),
        blob: new.blob.clone(),
    }
}

/// Registers a passkey for `user` on `device`.
fn register(
    s: &PasskeySubject,
    user: &PasskeyUser,
    device: &mut dyn TestAuthenticator,
) -> NewPasskey {
    let ceremony = s.passkeys.start_registration(user, &[]).expect("start registration");
    let credential = device.create(&ceremony.options_json);
    s.passkeys.finish_registration(&ceremony.state, &credential).expect("finish registration")
}

/// Registration options carry the user handle, the exclusions and required user
/// verification in the JSON form; the registered passkey reports its flags.
pub fn registration_options_carry_user_and_exclusions(s: &PasskeySubject) {
    let ada = user("ada");
    let excluded = CredentialId::new(base64url(b"an old credential id"));
    let ceremony =
        s.passkeys.start_registration(&ada, std::slice::from_ref(&excluded)).expect("start");
    let json = ceremony.options_json.replace(' ', "");
    assert!(json.starts_with("{\"publicKey\":{"), "{json}");
    assert!(
        json.contains(&format!("\"id\":\"{}\"", base64url(ada.id.as_bytes()))),
        "user handle: {json}"
    );
    assert!(json.contains(&format!("\"id\":\"{}\"", excluded.as_str())), "exclusion: {json}");
    assert!(json.contains("\"userVerification\":\"required\""), "{json}");
    assert!(
        json.contains("\"residentKey\":\"preferred\"")
            || json.contains("\"residentKey\":\"required\""),
        "{json}"
    );
    assert!(json.contains("ada@example.com"), "{json}");
    let other = s.passkeys.start_registration(&ada, &[]).expect("start");
    assert_ne!(other.options_json, ceremony.options_json, "a fresh challenge every time");
    let new = register(s, &ada, (s.authenticator)().as_mut());
    assert!(new.user_verified);
    assert!(!new.credential_id.as_str().is_empty());
}

/// A registered passkey signs in as second factor: the answer names it, its owner and user
/// verification; an updated blob, when given, authenticates the next time.
pub fn a_passkey_serves_as_second_factor(s: &PasskeySubject) {
    let (ada, mut device) = (user("ada"), (s.authenticator)());
    let new = register(s, &ada, device.as_mut());
    let mut current = stored(&ada, &new);
    for round in 0..2 {
        let ceremony =
            s.passkeys.start_authentication(std::slice::from_ref(&current)).expect("start");
        assert!(ceremony.options_json.contains(new.credential_id.as_str()), "allowCredentials");
        let assertion = device.get(&ceremony.options_json);
        let used = s
            .passkeys
            .finish_authentication(&ceremony.state, &assertion, std::slice::from_ref(&current))
            .unwrap_or_else(|e| panic!("round {round}: {e:?}"));
        assert_eq!((used.user_id, &used.credential_id), (ada.id, &new.credential_id));
        assert!(used.user_verified);
        if let Some(blob) = used.updated {
            current.blob = blob;
        }
    }
}

/// An assertion answers only the ceremony it was made for.
pub fn an_assertion_for_another_ceremony_is_refused(s: &PasskeySubject) {
    let (ada, mut device) = (user("ada"), (s.authenticator)());
    let key = stored(&ada, &register(s, &ada, device.as_mut()));
    let keys = std::slice::from_ref(&key);
    let first = s.passkeys.start_authentication(keys).expect("start");
    let second = s.passkeys.start_authentication(keys).expect("start");
    let assertion = device.get(&first.options_json);
    let result = s.passkeys.finish_authentication(&second.state, &assertion, keys);
    assert!(matches!(result, Err(PasskeyError::Refused(_))), "{result:?}");
}

/// A passkey deleted between start and finish (absent from the passkeys given to the
/// finish) is refused, even though the ceremony offered it.
pub fn a_deleted_passkey_is_refused(s: &PasskeySubject) {
    let ada = user("ada");
    let (mut phone, mut laptop) = ((s.authenticator)(), (s.authenticator)());
    let on_phone = stored(&ada, &register(s, &ada, phone.as_mut()));
    let on_laptop = stored(&ada, &register(s, &ada, laptop.as_mut()));
    let both = [on_phone.clone(), on_laptop.clone()];
    let ceremony = s.passkeys.start_authentication(&both).expect("start");
    let assertion = phone.get(&ceremony.options_json);
    let result = s.passkeys.finish_authentication(&ceremony.state, &assertion, &[on_laptop]);
    assert!(matches!(result, Err(PasskeyError::Refused(_))), "{result:?}");
}

/// No passkeys, no second-factor ceremony.
pub fn no_passkeys_no_ceremony(s: &PasskeySubject) {
    assert!(matches!(s.passkeys.start_authentication(&[]), Err(PasskeyError::NoPasskeys)));
}

/// Passwordless: the options allow any credential, the assertion names its user, and the
/// finish with that user's passkeys logs them in.
pub fn a_discoverable_passkey_logs_in_alone(s: &PasskeySubject) {
    let (ada, mut device) = (user("ada"), (s.authenticator)());
    let key = stored(&ada, &register(s, &ada, device.as_mut()));
    let ceremony = s.passkeys.start_passwordless().expect("start");
    let json = ceremony.options_json.replace(' ', "");
    assert!(json.starts_with("{\"publicKey\":{"), "{json}");
    assert!(!json.contains(key.credential_id.as_str()), "no credential named: {json}");
    let assertion = device.get(&ceremony.options_json);
    let claimed = s.passkeys.identify(&assertion).expect("identify");
    assert_eq!((claimed.user_id, &claimed.credential_id), (ada.id, &key.credential_id));
    let used = s
        .passkeys
        .finish_authentication(&ceremony.state, &assertion, std::slice::from_ref(&key))
        .expect("finish");
    assert_eq!((used.user_id, used.credential_id), (ada.id, key.credential_id));
    assert!(used.user_verified);
}

/// Passwordless with the passkeys of someone else than the assertion's user is refused.
pub fn a_passwordless_assertion_needs_its_owners_passkeys(s: &PasskeySubject) {
    let (ada, bob) = (user("ada"), user("bob"));
    let (mut ada_device, mut bob_device) = ((s.authenticator)(), (s.authenticator)());
    let _ada_key = stored(&ada, &register(s, &ada, ada_device.as_mut()));
    let bob_key = stored(&bob, &register(s, &bob, bob_device.as_mut()));
    let ceremony = s.passkeys.start_passwordless().expect("start");
    let assertion = ada_device.get(&ceremony.options_json);
    let result = s.passkeys.finish_authentication(&ceremony.state, &assertion, &[bob_key]);
    assert!(matches!(result, Err(PasskeyError::Refused(_))), "{result:?}");
}

/// A sign counter that does not move past the stored one is [`PasskeyError::Cloned`].
pub fn a_counter_going_back_is_a_clone(s: &PasskeySubject) {
    let (ada, mut device) = (user("ada"), (s.authenticator)());
    let mut key = stored(&ada, &register(s, &ada, device.as_mut()));
    let early = s.passkeys.start_passwordless().expect("start");
    let late = s.passkeys.start_passwordless().expect("start");
    let early_assertion = device.get(&early.options_json);
    let late_assertion = device.get(&late.options_json);
    let used = s
        .passkeys
        .finish_authentication(&late.state, &late_assertion, std::slice::from_ref(&key))
        .expect("the later assertion");
    let Some(blob) = used.updated else {
        return; // an authenticator without a counter: nothing to compare
    };
    key.blob = blob;
    let result = s.passkeys.finish_authentication(&early.state, &early_assertion, &[key]);
    assert!(matches!(result, Err(PasskeyError::Cloned(_))), "{result:?}");
}

/// JSON that is no credential is [`PasskeyError::Malformed`]; a state of another kind is
/// [`PasskeyError::BadState`].
pub fn malformed_input_and_wrong_states(s: &PasskeySubject) {
    let ada = user("ada");
    let registration = s.passkeys.start_registration(&ada, &[]).expect("start");
    for junk in ["", "{}", "[]", "{\"id\":1}", "null"] {
        let r = s.passkeys.finish_registration(&registration.state, junk);
        assert!(matches!(r, Err(PasskeyError::Malformed(_))), "{junk:?}: {r:?}");
        assert!(matches!(s.passkeys.identify(junk), Err(PasskeyError::Malformed(_))), "{junk:?}");
    }
    let mut device = (s.authenticator)();
    let key = stored(&ada, &register(s, &ada, device.as_mut()));
    let keys = std::slice::from_ref(&key);
    let login = s.passkeys.start_authentication(keys).expect("start");
    let assertion = device.get(&login.options_json);
    let r = s.passkeys.finish_authentication(&registration.state, &assertion, keys);
    assert!(matches!(r, Err(PasskeyError::BadState(_))), "{r:?}");
    let r = s.passkeys.finish_registration(&login.state, &assertion);
    assert!(matches!(r, Err(PasskeyError::BadState(_) | PasskeyError::Malformed(_))), "{r:?}");
    let damaged = CeremonyState::new("{\"not\":\"a state\"}".into());
    let r = s.passkeys.finish_authentication(&damaged, &assertion, keys);
    assert!(matches!(r, Err(PasskeyError::BadState(_))), "{r:?}");
}

/// Instantiates every function of the passkey suite as a `#[test]` on `$subject`.
#[macro_export]
macro_rules! passkeys_contract {
    ($subject:expr) => {
        $crate::__contract_tests!($subject;
            passkeys {
                registration_options_carry_user_and_exclusions,
                a_passkey_serves_as_second_factor,
                an_assertion_for_another_ceremony_is_refused,
                a_deleted_passkey_is_refused,
                no_passkeys_no_ceremony,
                a_discoverable_passkey_logs_in_alone,
                a_passwordless_assertion_needs_its_owners_passkeys,
                a_counter_going_back_is_a_clone,
                malformed_input_and_wrong_states,
            }
        );
    };
}
