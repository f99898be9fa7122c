//! The passkey adapter passes the core's passkey suite, with webauthn-authenticator-rs's
//! software passkey standing in for the browser: whole registration and authentication
//! ceremonies, as JSON, at `http://localhost:8080` (the dev origin).
//!
//! The software passkey holds no discoverable credentials (it refuses `requireResidentKey`
//! and answers no user handle), so for passwordless options this harness plays the
//! browser's part: it names the credential it created for the relying party and adds the
//! user handle it was created with. The server side under test is unchanged; the browser
//! test (Chromium's virtual authenticator) covers real discoverable credentials.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use baton_core::testing::contract::passkeys::{PasskeySubject, TestAuthenticator};
use baton_passkeys::WebauthnRs;
use serde_json::{Value, json};
use url::Url;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse};

const ORIGIN: &str = "http://localhost:8080";

/// A software passkey plus what a browser would remember of discoverable credentials.
struct Soft {
    device: SoftPasskey,
    /// (credential id, user handle) of each credential created, base64url.
    created: Vec<(String, String)>,
}

impl TestAuthenticator for Soft {
    fn create(&mut self, options_json: &str) -> String {
        let options: CreationChallengeResponse =
            serde_json::from_str(options_json).expect("options");
        let handle = URL_SAFE_NO_PAD.encode(&options.public_key.user.id);
        let origin = Url::parse(ORIGIN).expect("origin");
        let credential = self.device.do_registration(origin, options).expect("registration");
        let mut value = serde_json::to_value(&credential).expect("JSON");
        // As `toJSON()` names it.
        if let Some(map) = value.as_object_mut() {
            let outputs = map.remove("extensions").unwrap_or(Value::Null);
            map.insert("clientExtensionResults".into(), outputs);
        }
        self.created.push((credential.id.clone(), handle));
        value.to_string()
    }

    fn get(&mut self, options_json: &str) -> String {
        let mut options: Value = serde_json::from_str(options_json).expect("options");
        let passwordless =
            options["publicKey"]["allowCredentials"].as_array().is_none_or(Vec::is_empty);
        let (id, handle) = self.created.last().cloned().expect("a credential was created");
        if passwordless {
            options["publicKey"]["allowCredentials"] = json!([{ "type": "public-key", "id": id }]);
        }
        let options: RequestChallengeResponse = serde_json::from_value(options).expect("options");
        let origin = Url::parse(ORIGIN).expect("origin");
        let assertion = self.device.do_authentication(origin, options).expect("assertion");
        let mut value = serde_json::to_value(&assertion).expect("JSON");
        if passwordless {
            value["response"]["userHandle"] = Value::from(handle);
        }
        if let Some(map) = value.as_object_mut() {
            let outputs = map.remove("extensions").unwrap_or(Value::Null);
            map.insert("clientExtensionResults".into(), outputs);
        }
        value.to_string()
    }
}

fn subject() -> PasskeySubject {
    let origins = [ORIGIN.to_owned(), "https://app.localhost".to_owned()];
    let passkeys = WebauthnRs::new("localhost", "Baton Test", &origins).expect("relying party");
    PasskeySubject {
        passkeys: Arc::new(passkeys),
        // `true`: the software passkey claims user verification, as a PIN would give.
        authenticator: Box::new(|| {
            Box::new(Soft { device: SoftPasskey::new(true), created: Vec::new() })
        }),
    }
}

mod webauthn_rs_adapter {
    baton_core::passkeys_contract!(crate::subject());
}
