//! The rules of the sections added for proxies, rate limits, introspection and cookies.

#![allow(clippy::result_large_err)]

use super::tests::{SECRET, err, jail, prod_env, source};
use super::*;

fn with_file(profile: &str, toml: &str) -> Result<Config, String> {
    std::fs::write(format!("config/{profile}.toml"), toml).unwrap();
    load(&source(profile)).map_err(|e| e.to_string())
}

#[test]
fn cookie_origins_must_be_bare_origins() {
    jail(|jail| {
        prod_env(jail);
        let ok =
            "[cookies]\nallowed_origins = [\"https://app.example.com\", \"http://localhost:3000\"]";
        assert!(with_file("prod", ok).is_ok());
        for (origin, expected) in [
            ("https://app.example.com/", "write \"https://app.example.com\""),
            ("https://App.example.com", "write \"https://app.example.com\""),
            ("https://app.example.com:443", "write \"https://app.example.com\""),
            ("https://app.example.com/path", "no path"),
            ("app.example.com", "is not an origin"),
            ("ftp://files.example.com", "not an http(s) origin"),
            ("https://user@app.example.com", "is not an origin as browsers send it"),
        ] {
            let e = with_file("prod", &format!("[cookies]\nallowed_origins = [{origin:?}]"))
                .unwrap_err();
            assert!(e.starts_with("cookies.allowed_origins (config/prod.toml line 2)"), "{e}");
            assert!(e.contains(expected), "{origin}: {e}");
        }
        Ok(())
    });
}

#[test]
fn same_site_none_needs_origins_and_secure() {
    jail(|jail| {
        prod_env(jail);
        let e = with_file("prod", "[cookies]\nsame_site = \"none\"").unwrap_err();
        assert!(e.contains("cookies.same_site") && e.contains("allowed_origins"), "{e}");
        let ok = "[cookies]\nsame_site = \"none\"\nallowed_origins = [\"https://a.example\"]";
        assert_eq!(with_file("prod", ok).unwrap().cookies.same_site, SameSite::None);
        Ok(())
    });
}

#[test]
fn insecure_cookies_only_for_a_dev_server_on_loopback() {
    jail(|jail| {
        prod_env(jail);
        jail.set_env("BATON_COOKIES__SECURE", "false");
        let e = err("prod");
        assert!(e.starts_with("cookies.secure (env BATON_COOKIES__SECURE)"), "{e}");
        assert!(load(&source("dev")).is_ok(), "dev on 127.0.0.1");
        for host in ["localhost", "::1", "127.0.0.2"] {
            jail.set_env("BATON_SERVER__HOST", host);
            assert!(load(&source("dev")).is_ok(), "{host}");
        }
        jail.set_env("BATON_SERVER__HOST", "0.0.0.0");
        assert!(load(&source("dev")).unwrap_err().to_string().contains("loopback"));
        let e = with_file(
            "dev",
            "[cookies]\nsame_site = \"none\"\nallowed_origins = [\"https://a.example\"]",
        )
        .unwrap_err();
        assert!(e.contains("needs cookies.secure = true"), "{e}");
        Ok(())
    });
}

#[test]
fn introspection_clients_need_unique_ids_and_strong_secrets() {
    jail(|jail| {
        prod_env(jail);
        let one = format!("{{ id = \"api\", secret = \"{SECRET}\" }}");
        let c = with_file("prod", &format!("[introspection]\nclients = [{one}]")).unwrap();
        assert_eq!(c.introspection.clients[0].id, "api");
        assert_eq!(c.introspection.clients[0].secret.expose(), SECRET);
        let e =
            with_file("prod", &format!("[introspection]\nclients = [{one}, {one}]")).unwrap_err();
        assert!(e.contains("client id \"api\" appears twice"), "{e}");
        let e = with_file(
            "prod",
            &format!("[introspection]\nclients = [{{ id = \"\", secret = \"{SECRET}\" }}]"),
        )
        .unwrap_err();
        assert!(e.contains("must be non-empty"), "{e}");
        let e = with_file(
            "prod",
            &format!("[introspection]\nclients = [{{ id = \"a:b\", secret = \"{SECRET}\" }}]"),
        )
        .unwrap_err();
        assert!(e.contains("without ':'"), "{e}");
        let e = with_file("prod", "[introspection]\nclients = [{ id = \"api\" }]").unwrap_err();
        assert!(e.contains("missing secret"), "{e}");
        Ok(())
    });
}

#[test]
fn rate_limit_threads_and_proxies_are_checked() {
    jail(|jail| {
        prod_env(jail);
        let c = with_file("prod", "[rate_limit]\nburst = 0\ninterval = 0").unwrap();
        assert_eq!(c.rate_limit.burst, 0, "off: the interval does not matter");
        let e = with_file("prod", "[rate_limit]\nburst = 5\ninterval = 0").unwrap_err();
        assert!(e.contains("rate_limit.interval (config/prod.toml line 3)"), "{e}");
        let e = with_file("prod", "[passwords]\nthreads = 0").unwrap_err();
        assert!(e.contains("passwords.threads"), "{e}");
        assert_eq!(with_file("prod", "[passwords]\nthreads = 2").unwrap().passwords.threads(), 2);
        let c =
            with_file("prod", "[server]\ntrusted_proxies = [\"fd00::/8\", \"10.1.2.3\"]").unwrap();
        assert_eq!(c.server.trusted_proxies.len(), 2);
        let e = with_file("prod", "[server]\ntrusted_proxies = [\"proxy.internal\"]").unwrap_err();
        assert!(e.contains("\"proxy.internal\" is not a CIDR"), "{e}");
        Ok(())
    });
}
