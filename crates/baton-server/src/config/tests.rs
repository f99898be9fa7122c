//! Configuration tests: layering, environment names, durations and the start-up refusals.
//! Each runs in a `figment::Jail` (own directory, environment restored afterwards).

// figment::Jail closures must return figment::Result, whose error is large by design.
#![allow(clippy::result_large_err)]

use super::*;
use figment::Jail;
use std::path::PathBuf;

const SECRET: &str = "0123456789abcdef0123456789abcdef-test";

fn source(profile: &str) -> Source {
    Source { dir: PathBuf::from("config"), profile: profile.into() }
}

/// Runs `f` in a jail with an empty environment.
fn jail(f: impl FnOnce(&mut Jail) -> figment::Result<()>) {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_dir("config")?;
        f(jail)
    });
}

fn err(profile: &str) -> String {
    load(&source(profile)).unwrap_err().to_string()
}

#[test]
fn defaults_follow_the_spec() {
    jail(|jail| {
        jail.set_env("BATON_JWT__SECRET", SECRET);
        let c = load(&source("prod")).unwrap();
        assert_eq!((c.server.host.as_str(), c.server.port), ("127.0.0.1", 8080));
        assert_eq!(c.database.url, "sqlite://data/baton.db");
        assert_eq!(c.database.connect_timeout, Duration::from_secs(5));
        assert_eq!((c.jwt.issuer.as_str(), c.jwt.audience.as_str()), ("baton", "baton-api"));
        assert_eq!(c.jwt.leeway, Duration::from_secs(60));
        assert_eq!(c.policy(), Policy::default());
        assert_eq!(c.passwords.bcrypt_cost, 12);
        assert_eq!(c.log, LogConfig { format: LogFormat::Pretty, level: "info".into() });
        let keys = c.jwt.signing_keys();
        assert_eq!(keys.len(), 1);
        assert_eq!((keys[0].kid.as_str(), keys[0].secret.expose()), (DEFAULT_KID, SECRET));
        Ok(())
    });
}

#[test]
fn layers_override_in_order() {
    jail(|jail| {
        jail.create_file("config/default.toml", "[server]\nport = 9000\nhost = \"0.0.0.0\"")?;
        jail.create_file("config/staging.toml", "[server]\nport = 9001")?;
        jail.set_env("BATON_JWT__SECRET", SECRET);
        let c = load(&source("staging")).unwrap();
        assert_eq!((c.server.host.as_str(), c.server.port), ("0.0.0.0", 9001));
        assert_eq!(load(&source("prod")).unwrap().server.port, 9000, "no prod.toml: skipped");
        jail.set_env("BATON_SERVER__PORT", "9002");
        assert_eq!(load(&source("staging")).unwrap().server.port, 9002);
        Ok(())
    });
}

#[test]
fn environment_names_use_double_underscores() {
    jail(|jail| {
        jail.set_env("BATON_JWT__SECRET", SECRET);
        jail.set_env("BATON_TOKENS__ACCESS_TTL", "30s");
        jail.set_env("BATON_TOKENS__REFRESH_TTL", "2h");
        jail.set_env("BATON_TOKENS__SESSION_MAX_AGE", "10d");
        jail.set_env("BATON_TOKENS__REUSE_GRACE", "10");
        jail.set_env("BATON_PASSWORDS__BCRYPT_COST", "4");
        jail.set_env("BATON_LOGIN__MAX_FAILED_LOGINS", "3");
        jail.set_env("BATON_LOGIN__LOCKOUT", "1m");
        jail.set_env("BATON_LOG__FORMAT", "json");
        jail.set_env("BATON_SERVER__WORKERS", "3");
        // Not configuration keys: must not trip the unknown-key check.
        jail.set_env("BATON_PROFILE", "prod");
        jail.set_env("BATON_CONFIG_DIR", "config");
        let c = load(&source("prod")).unwrap();
        let p = c.policy();
        assert_eq!(p.access_ttl, time::Duration::seconds(30));
        assert_eq!(p.refresh_ttl, time::Duration::hours(2));
        assert_eq!(p.session_max_age, time::Duration::days(10));
        assert_eq!(p.reuse_grace, time::Duration::seconds(10));
        assert_eq!((p.max_failed_logins, p.lockout), (3, time::Duration::minutes(1)));
        assert_eq!(c.passwords.bcrypt_cost, 4);
        assert_eq!(c.log.format, LogFormat::Json);
        assert_eq!(c.server.workers, Some(3));
        Ok(())
    });
}

#[test]
fn database_url_is_honoured_and_baton_name_wins() {
    jail(|jail| {
        jail.set_env("BATON_JWT__SECRET", SECRET);
        jail.create_file("config/default.toml", "[database]\nurl = \"sqlite://file.db\"")?;
        jail.set_env("DATABASE_URL", "postgres://u@localhost/a");
        assert_eq!(load(&source("prod")).unwrap().database.url, "postgres://u@localhost/a");
        jail.set_env("BATON_DATABASE__URL", "postgres://u@localhost/b");
        assert_eq!(load(&source("prod")).unwrap().database.url, "postgres://u@localhost/b");
        Ok(())
    });
}

#[test]
fn secrets_from_the_environment_are_taken_literally() {
    jail(|jail| {
        let digits = "1234567890".repeat(4);
        jail.set_env("BATON_JWT__SECRET", &digits);
        let keys = load(&source("prod")).unwrap().jwt.signing_keys();
        assert_eq!(keys[0].secret.expose(), digits);
        let bracket = "[not-an-array-but-a-secret-of-32-bytes";
        jail.set_env("BATON_JWT__SECRET", bracket);
        assert_eq!(load(&source("prod")).unwrap().jwt.signing_keys()[0].secret.expose(), bracket);
        Ok(())
    });
}

#[test]
fn key_lists_rotate_and_are_checked() {
    jail(|jail| {
        let keys = format!(
            "[jwt]\nkeys = [{{ kid = \"new\", secret = \"{SECRET}\" }}, \
             {{ kid = \"old\", secret = \"{SECRET}-old\" }}]"
        );
        jail.create_file("config/prod.toml", &keys)?;
        let c = load(&source("prod")).unwrap();
        let kids: Vec<_> = c.jwt.signing_keys().into_iter().map(|k| k.kid).collect();
        assert_eq!(kids, ["new", "old"]);
        jail.set_env("BATON_JWT__SECRET", SECRET);
        assert!(err("prod").contains("not both"));
        Ok(())
    });
    jail(|jail| {
        let keys = format!(
            "[jwt]\nkeys = [{{ kid = \"k\", secret = \"{SECRET}\" }}, \
             {{ kid = \"k\", secret = \"{SECRET}\" }}]"
        );
        jail.create_file("config/prod.toml", &keys)?;
        assert!(err("prod").contains("appears twice"));
        Ok(())
    });
}

#[test]
fn prod_refuses_a_missing_short_or_dev_secret() {
    jail(|jail| {
        assert!(err("prod").contains("no JWT secret"), "{}", err("prod"));
        jail.set_env("BATON_JWT__SECRET", "too-short");
        let e = err("prod");
        assert!(e.contains("at least 32"), "{e}");
        assert!(!e.contains("too-short"), "the secret must not be echoed: {e}");
        jail.set_env("BATON_JWT__SECRET", format!("{DEV_SECRET_MARKER}-but-long-enough-1234567"));
        assert!(err("prod").contains("development JWT secret"));
        assert!(err("staging").contains("development JWT secret"));
        assert!(load(&source(DEV_PROFILE)).is_ok(), "dev accepts its own secret");
        Ok(())
    });
}

#[test]
fn the_shipped_files_load_for_dev_and_refuse_prod_without_a_secret() {
    let repo_config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config");
    jail(|jail| {
        let dev = Source { dir: repo_config.clone(), profile: "dev".into() };
        let c = load(&dev).unwrap();
        assert!(c.jwt.signing_keys()[0].secret.expose().contains(DEV_SECRET_MARKER));
        assert!(c.jwt.signing_keys()[0].secret.expose().len() >= MIN_SECRET_BYTES);
        assert_eq!(c.database.url, "sqlite://data/baton.db");
        let prod = Source { dir: repo_config.clone(), profile: "prod".into() };
        assert!(load(&prod).unwrap_err().to_string().contains("no JWT secret"));
        let dev_secret = c.jwt.signing_keys()[0].secret.expose().to_owned();
        jail.set_env("BATON_JWT__SECRET", dev_secret);
        assert!(load(&prod).unwrap_err().to_string().contains("development JWT secret"));
        jail.set_env("BATON_JWT__SECRET", SECRET);
        assert_eq!(load(&prod).unwrap().policy(), Policy::default());
        Ok(())
    });
}

#[test]
fn bad_values_are_one_line_errors() {
    let cases: &[(&str, &str, &str)] = &[
        ("BATON_DATABASE__URL", "mysql://root@db/baton", "unsupported scheme"),
        ("BATON_TOKENS__ACCESS_TTL", "5 parsecs", "invalid duration"),
        ("BATON_TOKENS__ACCESS_TTL", "0", "at least 1s"),
        ("BATON_SERVER__PORT", "eighty", "server.port"),
        ("BATON_SERVER__PROT", "80", "prot"),
        ("BATON_PASSWORDS__BCRYPT_COST", "3", "bcrypt_cost"),
        ("BATON_DATABASE__POOL_SIZE", "0", "pool_size"),
        ("BATON_LOG__FORMAT", "xml", "format"),
        ("BATON_LOG__LEVEL", "info,[", "log.level"),
        ("BATON_TOKENS__MAX_SESSIONS_PER_USER", "0", "max_sessions_per_user"),
    ];
    for (key, value, expected) in cases {
        jail(|jail| {
            jail.set_env("BATON_JWT__SECRET", SECRET);
            jail.set_env(key, value);
            let e = err("prod");
            assert!(e.to_lowercase().contains(expected), "{key}={value}: {e}");
            assert!(!e.contains('\n'), "{key}={value}: {e}");
            Ok(())
        });
    }
}

#[test]
fn broken_files_and_unknown_keys_are_refused() {
    jail(|jail| {
        jail.set_env("BATON_JWT__SECRET", SECRET);
        jail.create_file("config/default.toml", "[server\nport = 1")?;
        let e = err("prod");
        assert!(e.contains("default.toml") && !e.contains('\n'), "{e}");
        jail.create_file("config/default.toml", "[databse]\nurl = \"sqlite://x.db\"")?;
        assert!(err("prod").contains("databse"), "{}", err("prod"));
        jail.create_file("config/default.toml", "[tokens]\nrefresh_ttl = \"1 fortnight\"")?;
        assert!(err("prod").contains("refresh_ttl"), "{}", err("prod"));
        assert!(err("../etc").contains("invalid profile"));
        Ok(())
    });
}

#[test]
fn secrets_never_show_in_debug_or_serialized_config() {
    jail(|jail| {
        jail.set_env("BATON_JWT__SECRET", SECRET);
        let c = load(&source("prod")).unwrap();
        assert!(!format!("{c:?}").contains(SECRET));
        assert!(!serde_json::to_string(&c).unwrap().contains(SECRET));
        Ok(())
    });
}

#[test]
fn baton_config_names_the_origin_of_every_value_and_redacts_secrets() {
    jail(|jail| {
        jail.create_file("config/default.toml", "[server]\nport = 9000")?;
        jail.create_file("config/prod.toml", "[tokens]\naccess_ttl = \"5m\"")?;
        jail.set_env("BATON_JWT__SECRET", SECRET);
        jail.set_env("BATON_LOGIN__MAX_FAILED_LOGINS", "3");
        jail.set_env("DATABASE_URL", "postgres://baton:pg-password@db/baton");
        let source = source("prod");
        let entries = explain(&source, &load(&source).unwrap());
        let find = |key: &str| entries.iter().find(|e| e.key == key).unwrap().clone();
        assert_eq!(find("server.port").value, "9000");
        assert_eq!(find("server.port").origin, Origin::File("config/default.toml".into()));
        assert_eq!(find("tokens.access_ttl").value, "\"5m\"");
        assert_eq!(find("tokens.access_ttl").origin, Origin::File("config/prod.toml".into()));
        assert_eq!(find("server.host").origin, Origin::Default);
        assert_eq!(find("server.workers").value, "unset");
        let secret = find("jwt.secret");
        assert_eq!(
            (secret.value.as_str(), secret.origin),
            ("\"<redacted>\"", env("BATON_JWT__SECRET"))
        );
        assert_eq!(find("login.max_failed_logins").origin, env("BATON_LOGIN__MAX_FAILED_LOGINS"));
        let url = find("database.url");
        assert_eq!(url.value, "\"postgres://baton:<redacted>@db/baton\"");
        assert_eq!(url.origin, env("DATABASE_URL"));
        let text = render_entries(&entries);
        assert!(!text.contains(SECRET) && !text.contains("pg-password"), "{text}");
        Ok(())
    });
}

fn env(var: &str) -> Origin {
    Origin::Env(var.to_owned())
}
