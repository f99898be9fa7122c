//! `[mfa]` and `[webauthn]`: keys as one string or a list, checked and never shown; the
//! relying party's rules; the dev profile working as shipped; the start-up warnings.

#![allow(clippy::result_large_err)]

use super::tests::{err, jail, prod_env, source};
use super::*;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Two strong keys, as `openssl rand -base64 32` prints them.
const KEY_A: &str = "q0Jl7oYk7p8wC3hJrVxQm1i2tYb8dZs9LfA4uGeNHcI=";
const KEY_B: &str = "KCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/QEFCQ0RFRkc=";

#[test]
fn one_key_or_a_list_from_files_and_the_environment() {
    jail(|jail| {
        prod_env(jail);
        jail.set_env("BATON_MFA__ENCRYPTION_KEY", KEY_A);
        let c = load(&source("prod")).unwrap();
        assert_eq!(c.mfa.encryption_keys(), [KEY_A]);
        assert!(c.mfa.totp_available());
        jail.set_env("BATON_MFA__ENCRYPTION_KEY", format!("[\"{KEY_B}\", \"{KEY_A}\"]"));
        assert_eq!(load(&source("prod")).unwrap().mfa.encryption_keys(), [KEY_B, KEY_A]);
        jail.set_env("BATON_MFA__ENCRYPTION_KEY", "");
        jail.create_file(
            "config/prod.toml",
            &format!("[mfa]\nencryption_key = [\"{KEY_A}\"]\ntotp_issuer = \"Acme Auth\"\n"),
        )?;
        jail.clear_env();
        prod_env(jail);
        let c = load(&source("prod")).unwrap();
        assert_eq!(
            (c.mfa.encryption_keys(), c.mfa.totp_issuer.as_str()),
            (vec![KEY_A], "Acme Auth")
        );
        Ok(())
    });
}

#[test]
fn bad_keys_are_refused_by_position_and_never_shown() {
    let short = STANDARD.encode([7u8; 31]);
    let zeros = STANDARD.encode([0u8; 32]);
    let cases = [
        (format!("[\"{KEY_A}\", \"{short}\"]"), "key #2 is 31 bytes after base64"),
        (format!("[\"{KEY_A}\", \"not base64 at all\"]"), "key #2 is not base64"),
        (format!("[\"{KEY_A}\", \"{KEY_A}\"]"), "key #2 repeats an earlier key"),
        (zeros.clone(), "key #1 has only 1 distinct bytes"),
    ];
    for (value, expected) in cases {
        jail(|jail| {
            prod_env(jail);
            jail.set_env("BATON_MFA__ENCRYPTION_KEY", &value);
            let e = err("prod");
            assert!(e.contains("mfa.encryption_key (env BATON_MFA__ENCRYPTION_KEY)"), "{e}");
            assert!(e.contains(expected), "{e}");
            for shown in [KEY_A, short.as_str(), zeros.as_str()] {
                assert!(!e.contains(shown), "a key leaked: {e}");
            }
            Ok(())
        });
    }
}

#[test]
fn keys_are_redacted_in_the_report_and_in_debug() {
    jail(|jail| {
        prod_env(jail);
        jail.set_env("BATON_MFA__ENCRYPTION_KEY", format!("[\"{KEY_A}\", \"{KEY_B}\"]"));
        let r = report(&source("prod"));
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let shown = render_entries(&r.entries);
        assert!(!shown.contains(KEY_A) && !shown.contains(KEY_B), "{shown}");
        assert!(shown.contains("mfa.encryption_key = [\"<redacted>\",\"<redacted>\"]"), "{shown}");
        let c = load(&source("prod")).unwrap();
        assert!(!format!("{c:?}").contains(KEY_A));
        // A key in a broken section is not shown either.
        jail.set_env("BATON_MFA__ENCRYPTION_KEY", format!("[1, \"{KEY_A}\"]"));
        let r = report(&source("prod"));
        let all = format!("{}{:?}", render_entries(&r.entries), r.problems);
        assert!(!all.contains(KEY_A), "{all}");
        Ok(())
    });
}

#[test]
fn the_dev_profile_has_totp_and_passkeys_on_localhost_and_prod_refuses_its_key() {
    jail(|jail| {
        let shipped =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/dev.toml"))
                .expect("config/dev.toml");
        jail.create_file("config/dev.toml", &shipped)?;
        let dev = load(&source("dev")).unwrap();
        assert!(dev.mfa.totp_available());
        assert!(
            dev.second_factor_warnings("dev").is_empty(),
            "{:?}",
            dev.second_factor_warnings("dev")
        );
        assert_eq!(dev.webauthn, WebauthnConfig::default());
        assert_eq!(dev.webauthn.origins, ["http://localhost:8080"]);
        // The dev key in another profile.
        prod_env(jail);
        let dev_key = dev.mfa.encryption_keys()[0].to_owned();
        jail.set_env("BATON_MFA__ENCRYPTION_KEY", &dev_key);
        let e = err("prod");
        assert!(e.contains("key #1 is the development key, refused by profile \"prod\""), "{e}");
        Ok(())
    });
}

#[test]
fn without_a_key_totp_is_unavailable_and_start_up_says_so() {
    jail(|jail| {
        prod_env(jail);
        let c = load(&source("prod")).unwrap();
        assert!(!c.mfa.totp_available());
        let warnings = c.second_factor_warnings("prod");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("TOTP is unavailable"), "{warnings:?}");
        assert!(warnings[1].contains("webauthn.rp_id is \"localhost\""), "{warnings:?}");
        jail.set_env("BATON_MFA__ENCRYPTION_KEY", KEY_A);
        jail.set_env("BATON_WEBAUTHN__RP_ID", "example.com");
        jail.set_env("BATON_WEBAUTHN__ORIGINS", "[\"https://example.com\"]");
        assert!(load(&source("prod")).unwrap().second_factor_warnings("prod").is_empty());
        Ok(())
    });
}

#[test]
fn the_relying_party_and_its_origins_follow_the_browsers_rules() {
    let cases: [(&str, &str, &str); 7] = [
        ("BATON_WEBAUTHN__RP_ID", "https://example.com", "is not a host name"),
        ("BATON_WEBAUTHN__RP_ID", "127.0.0.1", "is not a host name"),
        ("BATON_WEBAUTHN__ORIGINS", "[]", "list at least one page origin"),
        (
            "BATON_WEBAUTHN__ORIGINS",
            "[\"http://localhost:8080/login\"]",
            "is not an origin as browsers send it",
        ),
        ("BATON_WEBAUTHN__ORIGINS", "[\"https://evil.example\"]", "is not on \"localhost\""),
        (
            "BATON_WEBAUTHN__RP_NAME",
            " ",
            "webauthn.rp_name (env BATON_WEBAUTHN__RP_NAME): must not be empty",
        ),
        ("BATON_MFA__TOTP_ISSUER", "Acme:Auth", "must be non-empty and without ':'"),
    ];
    for (var, value, expected) in cases {
        jail(|jail| {
            prod_env(jail);
            jail.set_env(var, value);
            let e = err("prod");
            assert!(e.contains(expected), "{var}={value}: {e}");
            Ok(())
        });
    }
    jail(|jail| {
        prod_env(jail);
        jail.set_env("BATON_WEBAUTHN__RP_ID", "example.com");
        jail.set_env("BATON_WEBAUTHN__ORIGINS", "[\"http://app.example.com\"]");
        assert!(err("prod").contains("must be https (only localhost may use http)"));
        jail.set_env(
            "BATON_WEBAUTHN__ORIGINS",
            "[\"https://example.com\", \"https://app.example.com\"]",
        );
        assert!(load(&source("prod")).is_ok());
        Ok(())
    });
}

#[test]
fn unknown_keys_are_refused_in_the_new_sections() {
    jail(|jail| {
        prod_env(jail);
        jail.create_file("config/prod.toml", "[webauthn]\nrp_ids = \"example.com\"\n")?;
        let e = err("prod");
        assert!(
            e.contains("unknown setting webauthn.rp_ids")
                && e.contains("did you mean webauthn.rp_id?"),
            "{e}"
        );
        jail.create_file("config/prod.toml", "[mfa]\nencryption_keys = []\n")?;
        assert!(err("prod").contains("did you mean mfa.encryption_key?"));
        jail.set_env("BATON_MFA__ENCRYPTON_KEY", KEY_A);
        Ok(())
    });
    let vars = setting_vars();
    for var in [
        "BATON_MFA__ENCRYPTION_KEY",
        "BATON_MFA__TOTP_ISSUER",
        "BATON_WEBAUTHN__RP_ID",
        "BATON_WEBAUTHN__RP_NAME",
        "BATON_WEBAUTHN__ORIGINS",
    ] {
        assert!(vars.contains(var), "{var}");
    }
}
