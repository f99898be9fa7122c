//! Nothing silent (SPEC §6): typos in variables and files, unknown profiles, missing
//! directories and bad values each stop loading with one line saying how to fix it.

#![allow(clippy::result_large_err)]

use super::tests::{ISSUER, PG_URL, SECRET, err, jail, prod_env, source};
use super::*;

#[test]
fn unknown_baton_variables_stop_loading_and_name_the_probable_setting() {
    jail(|jail| {
        prod_env(jail);
        jail.set_env("BATON_TOKEN__REUSE_GRACE", "30");
        assert_eq!(
            err("prod"),
            "unknown setting BATON_TOKEN__REUSE_GRACE (did you mean BATON_TOKENS__REUSE_GRACE?)"
        );
        Ok(())
    });
    jail(|jail| {
        prod_env(jail);
        jail.set_env("BATON_LOGIN_MAX_FAILED_LOGINS", "3");
        assert!(err("prod").contains("did you mean BATON_LOGIN__MAX_FAILED_LOGINS?"));
        jail.set_env("BATON_COOKIE__SECURE", "false");
        let e = err("prod");
        assert!(e.contains("(and 1 more: `baton config` lists them all)"), "{e}");
        Ok(())
    });
    jail(|jail| {
        prod_env(jail);
        // Empty segments, which figment would drop silently, are typos too.
        jail.set_env("BATON_SERVER____PORT", "1");
        assert!(err("prod").contains("unknown setting BATON_SERVER____PORT"));
        Ok(())
    });
}

#[test]
fn unknown_keys_in_files_stop_loading_and_name_file_line_and_probable_key() {
    jail(|jail| {
        prod_env(jail);
        jail.create_file("config/default.toml", "[server]\nport = 1\nprot = 80\n")?;
        assert_eq!(
            err("prod"),
            "unknown setting server.prot in config/default.toml line 3 (did you mean server.port?)"
        );
        jail.create_file("config/default.toml", "[databse]\nurl = \"sqlite://x.db\"")?;
        let e = err("prod");
        assert!(e.contains("unknown section databse") && e.contains("[database]"), "{e}");
        jail.create_file("config/default.toml", "[jwt]\nkeys = [{ kid = \"a\", secert = \"x\" }]")?;
        let e = err("prod");
        assert!(
            e.contains("jwt.keys") && e.contains("did you mean") && e.contains("secret"),
            "{e}"
        );
        jail.create_file("config/default.toml", "[login]\nzzz_qqq = 1")?;
        let e = err("prod");
        assert!(e.contains("login.zzz_qqq") && e.contains("known here: max_failed_logins"), "{e}");
        Ok(())
    });
}

#[test]
fn an_unknown_profile_stops_loading_and_lists_the_known_ones() {
    jail(|jail| {
        prod_env(jail);
        jail.create_file("config/staging.toml", "")?;
        let e = err("stagin");
        assert!(e.starts_with("unknown profile \"stagin\""), "{e}");
        assert!(e.contains("known profiles: dev, prod, staging"), "{e}");
        assert!(load(&source("staging")).is_ok());
        assert!(load(&source("dev")).is_ok(), "built in: no file needed");
        assert!(err("../etc").contains("invalid profile"));
        Ok(())
    });
}

#[test]
fn an_explicit_config_directory_must_exist_the_implicit_one_not() {
    jail(|jail| {
        prod_env(jail);
        let missing = Source::new(Some("no-such-dir".into()), "prod");
        let e = load(&missing).unwrap_err().to_string();
        assert!(e.contains("no-such-dir does not exist") && e.contains("BATON_CONFIG_DIR"), "{e}");
        std::fs::remove_dir("config").unwrap();
        assert!(load(&source("prod")).is_ok(), "the implicit default may be absent");
        jail.create_file("a-file", "")?;
        assert!(load(&Source::new(Some("a-file".into()), "prod")).is_err());
        Ok(())
    });
}

#[test]
fn bad_values_are_one_line_errors_that_name_the_key() {
    let cases: &[(&str, &str, &str)] = &[
        ("BATON_DATABASE__URL", "mysql://root@db/baton", "unsupported scheme"),
        ("BATON_TOKENS__ACCESS_TTL", "5 parsecs", "invalid duration \"5 parsecs\""),
        ("BATON_TOKENS__ACCESS_TTL", "0", "at least 1s"),
        ("BATON_TOKENS__ACCESS_TTL", "1500ms", "whole seconds"),
        ("BATON_SERVER__PORT", "eighty", "server.port (env BATON_SERVER__PORT)"),
        ("BATON_SERVER__PROT", "80", "did you mean BATON_SERVER__PORT"),
        ("BATON_PASSWORDS__BCRYPT_COST", "3", "bcrypt_cost"),
        ("BATON_PASSWORDS__THREADS", "0", "passwords.threads"),
        ("BATON_DATABASE__POOL_SIZE", "0", "pool_size"),
        ("BATON_LOG__FORMAT", "xml", "\"xml\" is not one of \"pretty\", \"json\""),
        ("BATON_LOG__LEVEL", "info,[", "log.level"),
        ("BATON_TOKENS__MAX_SESSIONS_PER_USER", "0", "max_sessions_per_user"),
        ("BATON_SERVER__TRUSTED_PROXIES", "[10.0.0.0/33]", "is not a CIDR"),
        ("BATON_SERVER__TRUSTED_PROXIES", "[10.0.0.1/8]", "write 10.0.0.0/8"),
        ("BATON_RATE_LIMIT__INTERVAL", "0", "rate_limit.interval"),
        ("BATON_COOKIES__SAME_SITE", "sometimes", "same_site"),
        ("BATON_JWKS__MAX_AGE", "forever", "jwks.max_age"),
        ("BATON_SERVER__PORT", "", "server.port"),
    ];
    for (key, value, expected) in cases {
        jail(|jail| {
            prod_env(jail);
            jail.set_env(key, value);
            let e = err("prod");
            assert!(e.contains(expected), "{key}={value}: {e}");
            Ok(())
        });
    }
}

#[test]
fn prod_requires_an_explicit_database_and_sqlite_paths_need_their_directory() {
    jail(|jail| {
        jail.set_env("BATON_JWT__SECRET", SECRET);
        let e = err("prod");
        assert!(
            e.contains("needs database.url set explicitly") && e.contains("DATABASE_URL"),
            "{e}"
        );
        assert!(load(&source("dev")).is_ok(), "dev may use the embedded default");
        jail.set_env("DATABASE_URL", "sqlite://db/baton.db");
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        let e = err("prod");
        assert!(e.contains("directory db of the SQLite database does not exist"), "{e}");
        assert!(e.contains("(env DATABASE_URL)") && e.contains("mkdir -p db"), "{e}");
        jail.create_dir("db")?;
        let c = load(&source("prod")).unwrap();
        assert!(!c.database.is_builtin_default(), "explicit: the store creates no directory");
        jail.set_env("DATABASE_URL", PG_URL);
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        assert!(load(&source("prod")).is_ok());
        jail.set_env("DATABASE_URL", DEFAULT_DATABASE_URL);
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        assert!(err("prod").contains("directory data"), "explicit: data/ is not created");
        jail.create_dir("data")?;
        let c = load(&source("prod")).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.database.url_is_explicit() && !c.database.is_builtin_default());
        Ok(())
    });
}
