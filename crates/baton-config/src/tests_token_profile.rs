//! The token profile's settings: the issuer URL (derived in development, explicit in `prod`),
//! previous issuers, the default client id, ES256 keys, and the weak settings `prod` refuses
//! unless acknowledged one by one.

#![allow(clippy::result_large_err)]

use super::tests::{PG_URL, SECRET, err, jail, prod_env, source};
use super::*;

const ISSUER: &str = "https://auth.example.com";

/// `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256` (a test key): only its
/// shape is checked here, `baton-jwt` parses it.
const EC_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgvrQQsWaMx8ynrf1T
wTA7TpzPmGgIQtTERTapJlagp/ahRANCAARS+oLGmdwmKfj8prWF+7e/1eULPdBb
rSmR9l8+yGshJix4/q3ty3dHWp+Rq7hLCDl5hZEwB+cMPa/u15h1eplo
-----END PRIVATE KEY-----
";
const EC_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEUvqCxpncJin4/Ka1hfu3v9XlCz3Q
W60pkfZfPshrISYseP6t7ct3R1qfkau4Swg5eYWRMAfnDD2v7teYdXqZaA==
-----END PUBLIC KEY-----
";

fn with_file(profile: &str, toml: &str) -> Result<Config, String> {
    std::fs::write(format!("config/{profile}.toml"), toml).unwrap();
    load(&source(profile)).map_err(|e| e.to_string())
}

#[test]
fn a_development_issuer_is_derived_from_the_listening_address() {
    jail(|jail| {
        jail.set_env("BATON_JWT__SECRET", SECRET);
        let c = load(&source("dev")).unwrap();
        assert_eq!((c.issuer(), c.jwt.issuer_is_explicit()), ("http://127.0.0.1:8080", false));
        assert_eq!(c.jwt.issuer, JwtSettings::default().issuer, "the code default agrees");
        for (host, port, expected) in [
            ("127.0.0.1", "9000", "http://127.0.0.1:9000"),
            ("0.0.0.0", "8080", "http://127.0.0.1:8080"),
            ("::", "8080", "http://[::1]:8080"),
            ("::1", "8443", "http://[::1]:8443"),
            ("LocalHost", "8080", "http://localhost:8080"),
        ] {
            jail.set_env("BATON_SERVER__HOST", host);
            jail.set_env("BATON_SERVER__PORT", port);
            let c = load(&source("dev")).map_err(|e| e.to_string());
            // Only the cookie rule minds a non-loopback host in dev; not this test's subject.
            let c = c.or_else(|_| with_file("dev", "[cookies]\nsecure = true")).unwrap();
            assert_eq!(c.issuer(), expected, "{host}:{port}");
        }
        // A reload derives it the same way.
        assert_eq!(reload_jwt(&source("dev")).unwrap().0.issuer, "http://localhost:8080");
        Ok(())
    });
}

#[test]
fn prod_requires_an_explicit_issuer() {
    jail(|jail| {
        jail.set_env("BATON_JWT__SECRET", SECRET);
        jail.set_env("DATABASE_URL", PG_URL);
        let e = err("prod");
        assert!(e.contains("needs jwt.issuer set explicitly") && e.contains(":8080"), "{e}");
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        let c = load(&source("prod")).unwrap();
        assert_eq!((c.issuer(), c.jwt.issuer_is_explicit()), (ISSUER, true));
        let c = with_file("prod", "[jwt]\naudience = \"orders\"").unwrap();
        assert_eq!(c.jwt.audience, "orders");
        Ok(())
    });
}

#[test]
fn the_issuer_is_a_url_written_as_it_compares() {
    jail(|jail| {
        prod_env(jail);
        for ok in [ISSUER, "https://example.com/auth", "http://127.0.0.1:8080", "https://a.b:8443"]
        {
            jail.set_env("BATON_JWT__ISSUER", ok);
            assert_eq!(load(&source("prod")).unwrap().issuer(), ok);
        }
        for (bad, expected) in [
            ("baton", "is not a URL"),
            ("https://auth.example.com/", "write \"https://auth.example.com\""),
            ("https://Auth.example.com", "write \"https://auth.example.com\""),
            ("https://auth.example.com:443", "write \"https://auth.example.com\""),
            ("https://auth.example.com/?x=1", "query or fragment"),
            ("https://auth.example.com#top", "query or fragment"),
            ("ftp://auth.example.com", "not an http(s) URL"),
            ("urn:baton", "not an http(s) URL"),
        ] {
            jail.set_env("BATON_JWT__ISSUER", bad);
            let e = err("prod");
            assert!(e.starts_with("jwt.issuer (env BATON_JWT__ISSUER)"), "{e}");
            assert!(e.contains(expected), "{bad}: {e}");
        }
        jail.set_env("BATON_JWT__ISSUER", "https://admin:hunter2@auth.example.com");
        let e = err("prod");
        assert!(e.contains("user info") && !e.contains("hunter2"), "{e}");
        Ok(())
    });
}

#[test]
fn the_audience_must_not_be_the_issuer() {
    jail(|jail| {
        prod_env(jail);
        jail.set_env("BATON_JWT__AUDIENCE", ISSUER);
        let e = err("prod");
        assert!(e.starts_with("jwt.audience (env BATON_JWT__AUDIENCE): must differ"), "{e}");
        Ok(())
    });
}

#[test]
fn previous_issuers_default_to_the_old_default_and_can_be_emptied() {
    jail(|jail| {
        prod_env(jail);
        let c = load(&source("prod")).unwrap();
        assert_eq!(c.jwt.previous_issuers, [OLD_DEFAULT_ISSUER]);
        assert_eq!(OLD_DEFAULT_ISSUER, "baton");
        let c = with_file("prod", "[jwt]\nprevious_issuers = []").unwrap();
        assert!(c.jwt.previous_issuers.is_empty());
        let c = with_file("prod", "[jwt]\nprevious_issuers = [\"baton\", \"auth-v1\"]").unwrap();
        assert_eq!(c.jwt.previous_issuers, ["baton", "auth-v1"]);
        let e = with_file("prod", "[jwt]\nprevious_issuers = [\" \"]").unwrap_err();
        assert!(e.contains("jwt.previous_issuers") && e.contains("empty"), "{e}");
        Ok(())
    });
}

#[test]
fn the_default_client_id_is_configurable_and_checked() {
    jail(|jail| {
        prod_env(jail);
        let c = load(&source("prod")).unwrap();
        assert_eq!(c.tokens.client_id, "default");
        assert_eq!(c.policy().default_client_id.as_str(), baton_core::DEFAULT_CLIENT_ID);
        jail.set_env("BATON_TOKENS__CLIENT_ID", "web-app");
        assert_eq!(load(&source("prod")).unwrap().policy().default_client_id.as_str(), "web-app");
        for bad in ["", "a b", "x\"y"] {
            jail.set_env("BATON_TOKENS__CLIENT_ID", bad);
            let e = err("prod");
            assert!(e.starts_with("tokens.client_id (env BATON_TOKENS__CLIENT_ID)"), "{e}");
        }
        Ok(())
    });
}

#[test]
fn es256_keys_come_from_files_or_inline_pem_and_are_checked() {
    jail(|jail| {
        prod_env(jail);
        jail.create_file("ec.pem", EC_PRIVATE)?;
        let set = |toml: &str| -> Result<Vec<JwtKey>, String> {
            let file = format!("[jwt]\nkeys = [{toml}]");
            with_file("prod", &file)?.jwt.key_set().map_err(|e| e.to_string())
        };
        // `prod_env`'s single secret and a key list would be two key sources.
        jail.clear_env();
        jail.set_env("DATABASE_URL", PG_URL);
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        let keys = set(&format!(
            "{{ kid = \"ec\", alg = \"ES256\", private_key_file = \"ec.pem\" }}, \
             {{ kid = \"next\", alg = \"ES256\", public_key = \"\"\"{EC_PUBLIC}\"\"\" }}"
        ))
        .unwrap();
        assert_eq!(keys[0].material, KeyMaterial::Es256PrivatePem(Secret::new(EC_PRIVATE)));
        assert_eq!((keys[0].alg, keys[0].alg.as_str()), (KeyAlg::ES256, "ES256"));
        assert_eq!(keys[1].material, KeyMaterial::Es256PublicPem(EC_PUBLIC.into()));
        let e = set(&format!("{{ kid = \"ec\", alg = \"ES256\", secret = \"{SECRET}\" }}"))
            .unwrap_err();
        assert!(
            e.contains("alg ES256 takes a PEM key, not a secret") && !e.contains(SECRET),
            "{e}"
        );
        let e = set("{ kid = \"ec\", alg = \"ES256\" }").unwrap_err();
        assert!(e.contains("alg ES256 needs exactly one of"), "{e}");
        jail.create_file("not.pem", "hello")?;
        let e =
            set("{ kid = \"ec\", alg = \"ES256\", private_key_file = \"not.pem\" }").unwrap_err();
        assert!(e.contains("baton keys generate --alg es256"), "{e}");
        let e =
            set("{ kid = \"ec\", alg = \"es256\", private_key_file = \"ec.pem\" }").unwrap_err();
        assert!(e.contains("jwt.keys"), "the JOSE spelling only: {e}");
        Ok(())
    });
}

/// One file per weakness: the key, a weak value, and the same key at its bound (not weak).
const WEAK: [(&str, &str, &str); 6] = [
    (
        "jwt.issuer",
        "[jwt]\nissuer = \"http://auth.example.com\"",
        "[jwt]\nissuer = \"http://localhost:8080\"",
    ),
    ("jwt.leeway", "[jwt]\nleeway = \"2d\"", "[jwt]\nleeway = \"5m\""),
    ("passwords.bcrypt_cost", "[passwords]\nbcrypt_cost = 9", "[passwords]\nbcrypt_cost = 10"),
    (
        "server.trusted_proxies",
        "[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"::/0\"]",
        "[server]\ntrusted_proxies = [\"0.0.0.0/1\"]",
    ),
    ("tokens.access_ttl", "[tokens]\naccess_ttl = \"3y\"", "[tokens]\naccess_ttl = \"1d\""),
    ("tokens.reuse_grace", "[tokens]\nreuse_grace = \"1d\"", "[tokens]\nreuse_grace = \"5m\""),
];

#[test]
fn prod_refuses_each_weak_setting_until_that_key_is_acknowledged() {
    jail(|jail| {
        // The issuer in a file below `prod.toml`, so that one test case can override it.
        jail.set_env("BATON_JWT__SECRET", SECRET);
        jail.set_env("DATABASE_URL", PG_URL);
        jail.create_file("config/default.toml", &format!("[jwt]\nissuer = {ISSUER:?}"))?;
        assert_eq!(WEAK.map(|w| w.0), WEAKENABLE_KEYS, "every weakenable key is tested");
        for (key, weak, bound) in WEAK {
            with_file("prod", bound).unwrap_or_else(|e| panic!("{key} at its bound: {e}"));
            let e = with_file("prod", weak).unwrap_err();
            assert!(
                e.starts_with(&format!("{key} (config/prod.toml line 2): weak setting")),
                "{e}"
            );
            assert!(e.contains(&format!("add \"{key}\" to security.allow_weak_settings")), "{e}");
            // Another key's acknowledgement does not cover it.
            let other = WEAKENABLE_KEYS.iter().find(|k| **k != key).unwrap();
            let acked = format!("{weak}\n[security]\nallow_weak_settings = [\"{other}\"]");
            assert!(with_file("prod", &acked).is_err(), "{key}");
            let acked = format!("{weak}\n[security]\nallow_weak_settings = [\"{key}\"]");
            let c = with_file("prod", &acked).unwrap_or_else(|e| panic!("{key}: {e}"));
            assert_eq!(weaknesses(&c).iter().map(|w| w.key).collect::<Vec<_>>(), [key]);
            // Other profiles accept it, and `baton config` shows it there too.
            with_file("dev", weak).unwrap_or_else(|e| panic!("{key} in dev: {e}"));
            let report = report(&source("dev"));
            assert_eq!(report.weak.iter().map(|w| w.key).collect::<Vec<_>>(), [key], "{key}");
            std::fs::remove_file("config/dev.toml").unwrap();
        }
        Ok(())
    });
}

#[test]
fn baton_config_lists_weak_settings_and_refuses_unknown_acknowledgements() {
    jail(|jail| {
        prod_env(jail);
        jail.set_env("BATON_TOKENS__ACCESS_TTL", "400d");
        jail.set_env("BATON_PASSWORDS__BCRYPT_COST", "4");
        let r = report(&source("prod"));
        assert_eq!(
            r.weak.iter().map(|w| w.key).collect::<Vec<_>>(),
            ["passwords.bcrypt_cost", "tokens.access_ttl"]
        );
        assert_eq!(r.problems.len(), 2, "{:?}", r.problems);
        assert!(r.weak[1].why.contains("at most 1day is not weak"), "{}", r.weak[1].why);
        jail.set_env(
            "BATON_SECURITY__ALLOW_WEAK_SETTINGS",
            "[tokens.access_ttl, passwords.bcrypt_cost]",
        );
        let r = report(&source("prod"));
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.weak.len(), 2, "acknowledged, still shown");
        let entry = r.entries.iter().find(|e| e.key == "security.allow_weak_settings").unwrap();
        assert!(entry.value.contains("tokens.access_ttl"), "{}", entry.value);

        jail.set_env("BATON_SECURITY__ALLOW_WEAK_SETTINGS", "[tokens.acess_ttl]");
        let e = load(&source("dev")).unwrap_err().to_string();
        assert!(e.contains("\"tokens.acess_ttl\" is not a setting that can be weak"), "{e}");
        Ok(())
    });
}
