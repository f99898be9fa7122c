//! Configuration tests: layering, environment names, origins, the shipped files and the
//! `baton config` report. Each runs in a `figment::Jail` (own directory, environment restored
//! afterwards). More in `tests_env.rs` (typos, profiles), `tests_rules.rs` (the new
//! sections' rules) and `tests_secrets.rs` (secrets never in messages, key sets).

// figment::Jail closures must return figment::Result, whose error is large by design.
#![allow(clippy::result_large_err)]

use super::*;
use figment::Jail;
use std::path::PathBuf;

/// A strong test secret.
pub(super) const SECRET: &str = "0123456789abcdef0123456789abcdef-test";
/// An explicit database for the `prod` profile.
pub(super) const PG_URL: &str = "postgres://baton@localhost/baton";

/// The implicit `config` directory of the jail, for `profile`.
pub(super) fn source(profile: &str) -> Source {
    Source::new(None, profile)
}

/// Runs `f` in a jail with an empty environment and an empty `config` directory.
pub(super) fn jail(f: impl FnOnce(&mut Jail) -> figment::Result<()>) {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_dir("config")?;
        f(jail)
    });
}

/// The public base URL tests give the `prod` profile.
pub(super) const ISSUER: &str = "https://auth.example.com";

/// Sets what `prod` needs: a secret, an explicit database and an explicit issuer.
pub(super) fn prod_env(jail: &mut Jail) {
    jail.set_env("BATON_JWT__SECRET", SECRET);
    jail.set_env("BATON_DATABASE__URL", PG_URL);
    jail.set_env("BATON_JWT__ISSUER", ISSUER);
}

/// The error of loading `profile`, as the one line main prints.
pub(super) fn err(profile: &str) -> String {
    let e = load(&source(profile)).unwrap_err().to_string();
    assert!(!e.contains('\n'), "one line: {e}");
    e
}

#[test]
fn defaults_follow_the_spec() {
    jail(|jail| {
        prod_env(jail);
        let c = load(&source("prod")).unwrap();
        assert_eq!((c.server.host.as_str(), c.server.port), ("127.0.0.1", 8080));
        assert!(c.server.trusted_proxies.is_empty());
        assert_eq!(c.database.connect_timeout, Duration::from_secs(5));
        assert_eq!((c.jwt.issuer.as_str(), c.jwt.audience.as_str()), (ISSUER, "baton-api"));
        assert_eq!(c.jwt.previous_issuers, ["baton"]);
        assert_eq!(c.tokens.client_id, "default");
        assert!(c.security.allow_weak_settings.is_empty());
        assert_eq!(c.jwt.leeway, Duration::from_secs(60));
        assert_eq!(c.policy(), Policy::default());
        assert_eq!((c.passwords.bcrypt_cost, c.passwords.threads), (12, None));
        assert!(c.passwords.threads() >= 1);
        assert_eq!(c.login.max_failures_per_address, 100);
        assert_eq!(c.rate_limit, RateLimitConfig { burst: 10, interval: Duration::from_secs(2) });
        assert_eq!(c.jwks.max_age, Duration::from_secs(300));
        assert!(c.introspection.clients.is_empty());
        let cookies = &c.cookies;
        assert!(cookies.allowed_origins.is_empty() && cookies.secure);
        assert_eq!(cookies.same_site, SameSite::Strict);
        assert_eq!(c.log, LogConfig { format: LogFormat::Pretty, level: "info".into() });
        let keys = c.jwt.key_set().unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!((keys[0].kid.as_str(), keys[0].alg), (DEFAULT_KID, KeyAlg::HS256));
        assert_eq!(keys[0].material, KeyMaterial::HmacSecret(Secret::new(SECRET)));
        Ok(())
    });
}

#[test]
fn layers_override_in_order() {
    jail(|jail| {
        jail.create_file("config/default.toml", "[server]\nport = 9000\nhost = \"0.0.0.0\"")?;
        jail.create_file("config/staging.toml", "[server]\nport = 9001")?;
        prod_env(jail);
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
        prod_env(jail);
        let vars = [
            ("BATON_TOKENS__ACCESS_TTL", "30s"),
            ("BATON_TOKENS__REFRESH_TTL", "2h"),
            ("BATON_TOKENS__SESSION_MAX_AGE", "10d"),
            ("BATON_TOKENS__REUSE_GRACE", "10"),
            ("BATON_PASSWORDS__BCRYPT_COST", "4"),
            ("BATON_SECURITY__ALLOW_WEAK_SETTINGS", "[passwords.bcrypt_cost]"),
            ("BATON_PASSWORDS__THREADS", "3"),
            ("BATON_LOGIN__MAX_FAILED_LOGINS", "3"),
            ("BATON_LOGIN__LOCKOUT", "1m"),
            ("BATON_LOGIN__MAX_FAILURES_PER_ADDRESS", "0"),
            ("BATON_LOG__FORMAT", "json"),
            ("BATON_SERVER__WORKERS", "3"),
            ("BATON_SERVER__TRUSTED_PROXIES", "[10.0.0.0/8, \"192.168.1.7\"]"),
            ("BATON_RATE_LIMIT__BURST", "0"),
            ("BATON_RATE_LIMIT__INTERVAL", "500ms"),
            ("BATON_JWKS__MAX_AGE", "1h"),
            ("BATON_COOKIES__SAME_SITE", "lax"),
            ("BATON_COOKIES__ALLOWED_ORIGINS", "[\"https://app.example.com\"]"),
            // Not settings: must not trip the unknown-variable check.
            ("BATON_PROFILE", "prod"),
            ("BATON_CONFIG_DIR", "config"),
        ];
        for (k, v) in vars {
            jail.set_env(k, v);
        }
        let c = load(&source("prod")).unwrap();
        let p = c.policy();
        assert_eq!(p.access_ttl, time::Duration::seconds(30));
        assert_eq!(p.refresh_ttl, time::Duration::hours(2));
        assert_eq!(p.session_max_age, time::Duration::days(10));
        assert_eq!(p.reuse_grace, time::Duration::seconds(10));
        assert_eq!((p.max_failed_logins, p.lockout), (3, time::Duration::minutes(1)));
        assert_eq!((c.passwords.bcrypt_cost, c.passwords.threads()), (4, 3));
        assert_eq!(c.security.allow_weak_settings, ["passwords.bcrypt_cost"]);
        assert_eq!(c.login.max_failures_per_address, 0);
        assert_eq!(c.log.format, LogFormat::Json);
        assert_eq!(c.server.workers, Some(3));
        let proxies: Vec<String> = c.server.trusted_proxies.iter().map(|n| n.to_string()).collect();
        assert_eq!(proxies, ["10.0.0.0/8", "192.168.1.7/32"]);
        assert_eq!(
            c.rate_limit,
            RateLimitConfig { burst: 0, interval: Duration::from_millis(500) }
        );
        assert_eq!(c.jwks.max_age, Duration::from_secs(3_600));
        assert_eq!(c.cookies.same_site, SameSite::Lax);
        assert_eq!(c.cookies.allowed_origins, ["https://app.example.com"]);
        Ok(())
    });
}

#[test]
fn database_url_is_honoured_and_baton_name_wins() {
    jail(|jail| {
        jail.set_env("BATON_JWT__SECRET", SECRET);
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        jail.create_file("config/default.toml", "[database]\nurl = \"sqlite://file.db\"")?;
        let c = load(&source("prod")).unwrap();
        assert!(c.database.url_is_explicit() && !c.database.is_builtin_default());
        jail.set_env("DATABASE_URL", "postgres://u@localhost/a");
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        assert_eq!(load(&source("prod")).unwrap().database.url, "postgres://u@localhost/a");
        jail.set_env("BATON_DATABASE__URL", "postgres://u@localhost/b");
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        assert_eq!(load(&source("prod")).unwrap().database.url, "postgres://u@localhost/b");
        Ok(())
    });
}

#[test]
fn the_shipped_files_load_for_dev_and_refuse_prod_without_a_secret_or_database() {
    let repo_config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config");
    jail(|jail| {
        let dev = Source::new(Some(repo_config.clone()), "dev");
        let c = load(&dev).unwrap();
        let secret = c.jwt.secret.clone().unwrap();
        assert!(secret.is_dev_secret() && secret.weakness().is_none());
        assert_eq!(c.database.url, DEFAULT_DATABASE_URL);
        assert!(c.database.is_builtin_default(), "just run may create data/");
        let sqlite_pool = super::load::SQLITE_POOL_SIZE;
        assert_eq!(c.database.pool_size, sqlite_pool, "the shipped files leave SQLite unsized");
        assert_eq!(c, Config { database: c.database.clone(), ..c.clone() });
        let prod = Source::new(Some(repo_config.clone()), "prod");
        let e = load(&prod).unwrap_err().to_string();
        assert!(e.contains("no JWT secret") || e.contains("database.url"), "{e}");
        jail.set_env("BATON_JWT__SECRET", secret.expose());
        jail.set_env("DATABASE_URL", PG_URL);
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        let e = load(&prod).unwrap_err().to_string();
        assert!(e.contains("development secret"), "{e}");
        jail.set_env("BATON_JWT__SECRET", SECRET);
        let c = load(&prod).unwrap();
        assert_eq!(c.policy(), Policy::default());
        assert_eq!(c.database.pool_size, 16, "PostgreSQL's pool keeps the general default");
        assert_eq!(c.jwks, JwksConfig::default(), "default.toml writes out the defaults");
        assert_eq!(c.rate_limit, RateLimitConfig::default());
        assert_eq!(c.cookies, CookiesConfig::default());
        Ok(())
    });
}

#[test]
fn baton_config_names_the_origin_of_every_value_and_redacts_secrets() {
    jail(|jail| {
        jail.create_file("config/default.toml", "[server]\nport = 9000")?;
        jail.create_file(
            "config/prod.toml",
            &format!(
                "[tokens]\naccess_ttl = \"5m\"\n[introspection]\nclients = [{{ id = \"api\", \
                 secret = \"{SECRET}-client\" }}]"
            ),
        )?;
        jail.set_env("BATON_JWT__SECRET", SECRET);
        jail.set_env("BATON_LOGIN__MAX_FAILED_LOGINS", "3");
        jail.set_env("DATABASE_URL", "postgres://baton:pg-password@db/baton");
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        let report = report(&source("prod"));
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        let find = |key: &str| report.entries.iter().find(|e| e.key == key).unwrap().clone();
        assert_eq!(find("server.port").value, "9000");
        assert_eq!(find("server.port").origin, Origin::File("config/default.toml".into()));
        assert_eq!(find("tokens.access_ttl").value, "\"5m\"");
        assert_eq!(find("tokens.access_ttl").origin, Origin::File("config/prod.toml".into()));
        assert_eq!(find("tokens.refresh_ttl").value, "\"7days\"");
        assert_eq!(find("server.host").origin, Origin::Default);
        assert_eq!(find("server.workers").value, "unset");
        assert_eq!(find("server.trusted_proxies").value, "[]");
        assert_eq!(find("cookies.same_site").value, "\"strict\"");
        let secret = find("jwt.secret");
        assert_eq!(
            (secret.value.as_str(), secret.origin),
            ("\"<redacted>\"", env("BATON_JWT__SECRET"))
        );
        assert_eq!(find("login.max_failed_logins").origin, env("BATON_LOGIN__MAX_FAILED_LOGINS"));
        let url = find("database.url");
        assert_eq!(url.value, "\"postgres://baton:<redacted>@db/baton\"");
        assert_eq!(url.origin, env("DATABASE_URL"));
        let clients = find("introspection.clients");
        assert_eq!(clients.value, "[{\"id\":\"api\",\"secret\":\"<redacted>\"}]");
        let text = render_entries(&report.entries);
        assert!(!text.contains(SECRET) && !text.contains("pg-password"), "{text}");
        let config = load(&source("prod")).unwrap();
        assert_eq!(explain(&source("prod"), &config), report.entries);
        Ok(())
    });
}

#[test]
fn baton_config_shows_what_it_can_of_a_broken_configuration_and_every_problem() {
    jail(|jail| {
        jail.create_file("config/default.toml", "[server]\nport = \"eighty\"\nhost = \"0.0.0.0\"")?;
        jail.set_env("BATON_JWT__SECRET", "a".repeat(40));
        jail.set_env("BATON_TOKENS__ACCESS_TTL", "7m");
        jail.set_env("BATON_TOKEN__REUSE_GRACE", "3");
        let report = report(&source("prod"));
        let find = |key: &str| report.entries.iter().find(|e| e.key == key).unwrap().clone();
        assert_eq!(find("tokens.access_ttl").value, "\"7m\"", "other sections still typed");
        assert_eq!(find("server.host").value, "\"0.0.0.0\"", "the broken section as written");
        assert_eq!(find("server.port").value, "\"eighty\"");
        assert_eq!(find("jwt.secret").value, "\"<redacted>\"");
        let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        let all = problems.join("\n");
        assert!(all.contains("BATON_TOKEN__REUSE_GRACE"), "{all}");
        assert!(all.contains("server.port (config/default.toml line 2)"), "{all}");
        assert!(!all.contains(&"a".repeat(40)), "{all}");
        Ok(())
    });
    jail(|jail| {
        prod_env(jail);
        jail.set_env("BATON_JWT__SECRET", "a".repeat(40));
        jail.set_env("BATON_PASSWORDS__BCRYPT_COST", "3");
        let problems = report(&source("prod")).problems;
        assert_eq!(problems.len(), 2, "{problems:?}");
        Ok(())
    });
}

fn env(var: &str) -> Origin {
    Origin::Env(var.to_owned())
}

#[test]
fn an_unsized_sqlite_pool_has_two_connections_postgres_and_explicit_sizes_keep_theirs() {
    jail(|jail| {
        jail.set_env("BATON_JWT__SECRET", SECRET);
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        jail.create_dir("data")?;
        jail.set_env("BATON_DATABASE__URL", "sqlite://data/x.db");
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        assert_eq!(
            load(&source("prod")).unwrap().database.pool_size,
            super::load::SQLITE_POOL_SIZE
        );
        jail.set_env("BATON_DATABASE__POOL_SIZE", "8");
        assert_eq!(load(&source("prod")).unwrap().database.pool_size, 8);
        jail.set_env("BATON_DATABASE__URL", "postgres://db/baton");
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        assert_eq!(load(&source("prod")).unwrap().database.pool_size, 8);
        Ok(())
    });
    jail(|jail| {
        jail.set_env("BATON_JWT__SECRET", SECRET);
        jail.set_env("BATON_DATABASE__URL", "postgres://db/baton");
        jail.set_env("BATON_JWT__ISSUER", ISSUER);
        assert_eq!(load(&source("prod")).unwrap().database.pool_size, 16);
        Ok(())
    });
}
