//! Secrets never appear in a message (SPEC §6), whatever is malformed and wherever it came
//! from; weak secrets are refused; the key set comes out in signing order with its material.

#![allow(clippy::result_large_err)]

use super::tests::{ISSUER, PG_URL, SECRET, err, jail, prod_env};
use super::*;

/// Recognisable secrets: long, strong, and searched for in every message.
const ALPHA: &str = "ALPHA-secret-7f3a9c2e1b8d4f6a0c5e9b7d3a1f";
const BRAVO: &str = "BRAVO-secret-2e8b6d4f0a9c7e5b3d1f8a6c4e2b";

fn assert_no_secret(e: &str) {
    for s in [ALPHA, BRAVO, "ALPHA-secret", "BRAVO-secret", "7f3a9c2e", "2e8b6d4f"] {
        assert!(!e.contains(s), "a secret leaked: {e}");
    }
}

#[test]
fn a_broken_keys_line_names_file_line_and_key_but_no_secret() {
    jail(|jail| {
        jail.set_env("DATABASE_URL", PG_URL);
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        // The missing comma between the two tables.
        let broken = format!(
            "# keys\n[jwt]\nkeys = [{{ kid = \"a\", secret = \"{ALPHA}\" }} {{ kid = \"b\", \
             secret = \"{BRAVO}\" }}]\n"
        );
        jail.create_file("config/prod.toml", &broken)?;
        let e = err("prod");
        assert!(e.contains("TOML syntax error in config/prod.toml line 3 (key jwt.keys)"), "{e}");
        assert_no_secret(&e);
        let unterminated = format!("[jwt]\nsecret = \"{ALPHA}\nissuer = \"x\"\n");
        jail.create_file("config/prod.toml", &unterminated)?;
        let e = err("prod");
        assert!(e.contains("line 2 (key jwt.secret)"), "{e}");
        assert_no_secret(&e);
        let report = report(&super::tests::source("prod"));
        let all: String = report.problems.iter().map(|p| p.to_string()).collect();
        assert_no_secret(&all);
        assert_no_secret(&render_entries(&report.entries));
        Ok(())
    });
}

#[test]
fn values_of_the_wrong_type_are_not_quoted_for_secret_keys() {
    let files = [
        format!("[jwt]\nkeys = \"{ALPHA}\""),
        format!("[jwt]\nkeys = [\"{ALPHA}\"]"),
        format!("[jwt]\nkeys = [{{ kid = \"a\", secret = [\"{ALPHA}\"] }}]"),
        format!("[jwt]\nkeys = [{{ kid = \"a\", alg = \"{ALPHA}\", secret = \"{BRAVO}\" }}]"),
        format!("[jwt]\nsecret = [\"{ALPHA}\"]"),
        format!("[introspection]\nclients = \"{ALPHA}\""),
        format!("[introspection]\nclients = [{{ id = 1, secret = \"{ALPHA}\" }}]"),
        format!("[introspection]\nclients = [{{ id = \"x\", secret = \"{ALPHA}\", extra = 1 }}]"),
    ];
    for file in files {
        jail(|jail| {
            jail.set_env("DATABASE_URL", PG_URL);
            jail.set_env("BATON_JWT__ISSUER", ISSUER);
            jail.create_file("config/prod.toml", &file)?;
            let e = err("prod");
            assert!(e.contains("config/prod.toml"), "{file}: {e}");
            assert_no_secret(&e);
            Ok(())
        });
    }
}

#[test]
fn malformed_secrets_in_the_environment_never_show() {
    let vars = [
        ("BATON_JWT__KEYS", format!("[{{kid=\"a\", secret=\"{ALPHA}\"")),
        (
            "BATON_JWT__KEYS",
            format!("[{{kid=\"a\", secret=\"{ALPHA}\"}} {{kid=\"b\", secret=\"{BRAVO}\"}}]"),
        ),
        ("BATON_JWT__KEYS", ALPHA.to_string()),
        ("BATON_JWT__KEYS", format!("[{{kid=\"a\", secret=\"{ALPHA}\", alg=\"{BRAVO}\"}}]")),
        ("BATON_INTROSPECTION__CLIENTS", format!("[{{id=\"a\", secret=\"{ALPHA}\"")),
        ("BATON_INTROSPECTION__CLIENTS", format!("[{{id=\"a\", secret=[\"{ALPHA}\"]}}]")),
        ("BATON_INTROSPECTION__CLIENTS", format!("[{{id=\"a\", secret=\"{ALPHA}\", x=1}}]")),
        ("BATON_JWT__SECRET", " ".repeat(40)),
        ("BATON_JWT__SECRET", "ALPHA-secret".into()),
        ("BATON_JWT__SECRET", ALPHA.replace(|c: char| c != 'A', "A")),
    ];
    for (var, value) in vars {
        jail(|jail| {
            jail.set_env("DATABASE_URL", PG_URL);
            jail.set_env("BATON_JWT__ISSUER", ISSUER);
            jail.set_env(var, &value);
            let e = err("prod");
            assert!(
                e.contains(var) || e.contains("jwt.secret") || e.contains("introspection"),
                "{var}: {e}"
            );
            assert_no_secret(&e);
            assert!(!e.contains(&value), "{e}");
            Ok(())
        });
    }
}

#[test]
fn secrets_from_the_environment_are_taken_literally_whatever_the_case_of_the_name() {
    jail(|jail| {
        jail.set_env("DATABASE_URL", PG_URL);
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        let digits = "1234567890".repeat(4);
        jail.set_env("BATON_JWT__SECRET", &digits);
        let c = load(&super::tests::source("prod")).unwrap();
        assert_eq!(c.jwt.secret.unwrap().expose(), digits);
        let bracket = "[not-an-array-but-a-secret-of-32-bytes";
        jail.set_env("BATON_JWT__SECRET", bracket);
        let c = load(&super::tests::source("prod")).unwrap();
        assert_eq!(c.jwt.secret.unwrap().expose(), bracket);
        Ok(())
    });
    jail(|jail| {
        jail.set_env("DATABASE_URL", PG_URL);
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        jail.set_env("baton_jwt__secret", SECRET);
        let c = load(&super::tests::source("prod")).unwrap();
        assert_eq!(c.jwt.secret.unwrap().expose(), SECRET, "not silently dropped");
        Ok(())
    });
}

#[test]
fn weak_secrets_are_refused_everywhere() {
    let weak = [" ".repeat(32), "a".repeat(32), "abcdefgh".repeat(5), "too-short".into()];
    for secret in &weak {
        jail(|jail| {
            prod_env(jail);
            jail.set_env("BATON_JWT__SECRET", secret);
            let e = err("prod");
            assert!(
                e.starts_with("jwt.secret (env BATON_JWT__SECRET): secret of kid \"default\""),
                "{e}"
            );
            assert!(e.contains("openssl rand -base64 32"), "{e}");
            let clients =
                format!("[introspection]\nclients = [{{ id = \"api\", secret = \"{secret}\" }}]");
            jail.create_file("config/prod.toml", &clients)?;
            jail.set_env("BATON_JWT__SECRET", SECRET);
            let e = err("prod");
            assert!(
                e.starts_with(
                    "introspection.clients (config/prod.toml line 2): secret of client \"api\""
                ),
                "{e}"
            );
            Ok(())
        });
    }
    jail(|jail| {
        prod_env(jail);
        jail.set_env("BATON_JWT__SECRET", format!("{DEV_SECRET_MARKER}-{SECRET}"));
        assert!(err("prod").contains("development secret"));
        assert!(load(&super::tests::source("dev")).is_ok(), "dev accepts its own secret");
        Ok(())
    });
}

#[test]
fn secret_and_keys_together_are_refused_naming_where_each_came_from() {
    jail(|jail| {
        prod_env(jail);
        let keys = format!("[jwt]\nkeys = [{{ kid = \"default\", secret = \"{SECRET}\" }}]");
        jail.create_file("config/prod.toml", &keys)?;
        let e = err("prod");
        assert!(
            e.contains("jwt.secret (env BATON_JWT__SECRET) and jwt.keys (config/prod.toml line 2)"),
            "{e}"
        );
        Ok(())
    });
}

#[test]
fn key_lists_rotate_and_are_checked() {
    jail(|jail| {
        jail.set_env("DATABASE_URL", PG_URL);
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        let keys = format!(
            "[jwt]\nkeys = [{{ kid = \"new\", secret = \"{ALPHA}\" }}, \
             {{ kid = \"old\", alg = \"HS256\", secret = \"{BRAVO}\" }}]"
        );
        jail.create_file("config/prod.toml", &keys)?;
        let set = load(&super::tests::source("prod")).unwrap().jwt.key_set().unwrap();
        let kids: Vec<_> = set.iter().map(|k| k.kid.as_str()).collect();
        assert_eq!(kids, ["new", "old"], "signing order");
        assert_eq!(set[1].material, KeyMaterial::HmacSecret(Secret::new(BRAVO)));
        let dup = format!(
            "[jwt]\nkeys = [{{ kid = \"k\", secret = \"{ALPHA}\" }}, {{ kid = \"k\", secret = \"{BRAVO}\" }}]"
        );
        jail.create_file("config/prod.toml", &dup)?;
        assert!(err("prod").contains("kid \"k\" appears twice"));
        Ok(())
    });
}

const PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPRIVATEPRIVATEPRIVATEPRIVATEPRIVATE0\n-----END PRIVATE KEY-----\n";
const PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAPUBLICPUBLICPUBLICPUBLICPUBLICPUBLIC=\n-----END PUBLIC KEY-----\n";

#[test]
fn eddsa_keys_come_from_files_or_inline_pem_and_are_checked() {
    jail(|jail| {
        jail.set_env("DATABASE_URL", PG_URL);
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        jail.create_file("ed.pem", PRIVATE_PEM)?;
        let set = |toml: &str| -> Result<Vec<JwtKey>, String> {
            std::fs::write("config/prod.toml", format!("[jwt]\nkeys = [{toml}]")).unwrap();
            load(&super::tests::source("prod"))
                .map_err(|e| e.to_string())?
                .jwt
                .key_set()
                .map_err(|e| e.to_string())
        };
        let keys = set(&format!(
            "{{ kid = \"ed\", alg = \"EdDSA\", private_key_file = \"ed.pem\" }}, \
             {{ kid = \"pub\", alg = \"EdDSA\", public_key = \"\"\"{PUBLIC_PEM}\"\"\" }}, \
             {{ kid = \"hs\", secret = \"{ALPHA}\" }}"
        ))
        .unwrap();
        assert_eq!(keys[0].material, KeyMaterial::Ed25519PrivatePem(Secret::new(PRIVATE_PEM)));
        assert_eq!(keys[1].material, KeyMaterial::Ed25519PublicPem(PUBLIC_PEM.into()));
        assert_eq!((keys[2].alg, keys[2].alg.as_str()), (KeyAlg::HS256, "HS256"));
        assert!(!format!("{keys:?}").contains("PRIVATEPRIVATE"), "private keys are redacted");

        let e = set("{ kid = \"ed\", alg = \"EdDSA\", private_key_file = \"missing.pem\" }")
            .unwrap_err();
        assert!(e.contains("kid \"ed\": cannot read private key file missing.pem"), "{e}");
        jail.create_file("secret.txt", ALPHA)?;
        let e = set("{ kid = \"ed\", alg = \"EdDSA\", private_key_file = \"secret.txt\" }")
            .unwrap_err();
        assert!(e.contains("not a PEM private key") && !e.contains(ALPHA), "{e}");
        let e =
            set(&format!("{{ kid = \"ed\", alg = \"EdDSA\", secret = \"{ALPHA}\" }}")).unwrap_err();
        assert!(e.contains("alg EdDSA takes a PEM key, not a secret"), "{e}");
        let e = set("{ kid = \"ed\", alg = \"EdDSA\", private_key_file = \"ed.pem\", public_key_file = \"ed.pem\" }").unwrap_err();
        assert!(e.contains("exactly one of"), "{e}");
        let e = set("{ kid = \"hs\", private_key_file = \"ed.pem\" }").unwrap_err();
        assert!(e.contains("alg HS256 takes a secret, not private_key_file"), "{e}");
        let e = set(&format!(
            "{{ kid = \"pub\", alg = \"EdDSA\", public_key = \"\"\"{PUBLIC_PEM}\"\"\" }}"
        ))
        .unwrap_err();
        assert!(e.contains("the first key signs, but it has only a public key"), "{e}");

        let c = Config {
            jwt: JwtSettings {
                keys: vec![KeyConfig {
                    private_key: Some(Secret::new(PRIVATE_PEM)),
                    ..KeyConfig::hs256("x", ALPHA)
                }],
                ..JwtSettings::default()
            },
            ..Config::default()
        };
        for shown in [format!("{c:?}"), serde_json::to_string(&c).unwrap()] {
            assert!(!shown.contains("PRIVATEPRIVATE") && !shown.contains(ALPHA), "{shown}");
        }
        Ok(())
    });
}

#[test]
fn reload_returns_the_new_key_set_or_an_error() {
    jail(|jail| {
        jail.set_env("DATABASE_URL", PG_URL);
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        let write = |first: &str| {
            let keys = format!("[jwt]\nkeys = [{{ kid = \"{first}\", secret = \"{ALPHA}\" }}]");
            std::fs::write("config/prod.toml", keys).unwrap();
        };
        write("one");
        let src = super::tests::source("prod");
        assert_eq!(reload_jwt(&src).unwrap().1[0].kid, "one");
        write("two");
        assert_eq!(reload_jwt(&src).unwrap().1[0].kid, "two");
        std::fs::write("config/prod.toml", "[jwt]\nkeys = [").unwrap();
        assert!(reload_jwt(&src).is_err());
        Ok(())
    });
}
