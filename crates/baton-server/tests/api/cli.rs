//! The command line on both backends: `user create|disable|enable|delete`, `migrate`, `purge`,
//! `config` and `--help`, run as the built binary against the database of a live server.

use crate::binary::{Db, baton, baton_with, failed, ok, run};
use crate::helpers::*;
use crate::on_both_backends;
use reqwest::StatusCode;

async fn user_commands_manage_accounts_of_a_running_server(b: Backend) {
    let app = spawn_app(b).await;
    let url = app.db.url.clone();
    let user = |args: &[&str]| {
        let mut cmd = baton(&url);
        cmd.arg("user").args(args);
        cmd
    };

    let out =
        run(user(&["create", "--email", " Ops@Example.com", "--name", "Ops"]), "operator pw 1\n")
            .await;
    let stdout = ok(&out);
    assert!(
        stdout.starts_with("created user ") && stdout.contains("<ops@example.com>"),
        "{stdout}"
    );
    let t = app.login("ops@example.com", "operator pw 1").await;
    assert_eq!(t.status(), StatusCode::OK);
    let t: serde_json::Value = t.json().await.unwrap();
    assert_eq!(t["user"]["name"], "Ops");

    // A CRLF line ending is not part of the password.
    ok(&run(user(&["create", "--email", "crlf@example.com"]), "windows pw 1\r\n").await);
    assert_eq!(app.login("crlf@example.com", "windows pw 1").await.status(), StatusCode::OK);

    let line =
        failed(&run(user(&["create", "--email", "ops@example.com"]), "another pw 1\n").await);
    assert!(line.contains("already exists"), "{line}");
    let line = failed(&run(user(&["create", "--email", "x@example.com"]), "short\n").await);
    assert!(line.contains("at least 8 characters"), "{line}");
    let line = failed(&run(user(&["create", "--email", "y@example.com"]), "").await);
    assert!(line.contains("no password on stdin"), "{line}");
    let line = failed(&run(user(&["create", "--email", "nope"]), "long enough pw\n").await);
    assert!(line.contains("invalid input: email"), "{line}");

    // Disabling ends the account's sessions at once, on the running server.
    let out = ok(&run(user(&["disable", "ops@example.com"]), "").await);
    assert!(out.contains("disabled user") && out.contains("sessions are revoked"), "{out}");
    assert_bearer_rejected(app.me(s(&t, "access_token")).await, "account_disabled").await;
    let res = app.refresh(s(&t, "refresh_token")).await;
    assert_problem(res, StatusCode::FORBIDDEN, "account_disabled").await;
    let res = app.login("ops@example.com", "operator pw 1").await;
    assert_problem(res, StatusCode::FORBIDDEN, "account_disabled").await;

    // Enabling lets the user log in anew; the old sessions stay revoked.
    assert!(ok(&run(user(&["enable", "ops@example.com"]), "").await).contains("enabled user"));
    assert_eq!(app.login("ops@example.com", "operator pw 1").await.status(), StatusCode::OK);
    assert_bearer_rejected(app.me(s(&t, "access_token")).await, "session_revoked").await;

    let line = failed(&run(user(&["disable", "nobody@example.com"]), "").await);
    assert_eq!(line, "baton: no user with email \"nobody@example.com\"");
    failed(&run(user(&["enable", "nobody@example.com"]), "").await);

    // Deleting ends every token at once and frees the email.
    let u: serde_json::Value =
        app.login("ops@example.com", "operator pw 1").await.json().await.unwrap();
    let out = ok(&run(user(&["delete", "ops@example.com"]), "").await);
    assert!(out.contains("deleted user"), "{out}");
    assert_bearer_rejected(app.me(s(&u, "access_token")).await, "invalid_token").await;
    assert_eq!(app.refresh(s(&u, "refresh_token")).await.status(), StatusCode::UNAUTHORIZED);
    let line = failed(&run(user(&["delete", "ops@example.com"]), "").await);
    assert_eq!(line, "baton: no user with email \"ops@example.com\"");
    app.register("ops@example.com").await;
}

async fn migrate_and_purge_report_what_they_did(b: Backend) {
    let db = Db::create(b).await;
    let out = ok(&run(baton_with(&db.url, &["migrate"]), "").await);
    assert!(out.starts_with("applied 6 migration(s)"), "{out}");
    assert!(out.contains("create_users") && out.contains("create_login_attempts"), "{out}");
    let out = ok(&run(baton_with(&db.url, &["migrate"]), "").await);
    assert!(out.contains("database schema is up to date"), "{out}");
    let out = ok(&run(baton_with(&db.url, &["purge"]), "").await);
    assert_eq!(out.trim(), "purged 0 sessions");
}

on_both_backends!(
    user_commands_manage_accounts_of_a_running_server,
    migrate_and_purge_report_what_they_did
);

#[tokio::test]
async fn every_command_has_help() {
    let commands: [&[&str]; 13] = [
        &[],
        &["serve"],
        &["migrate"],
        &["purge"],
        &["user"],
        &["user", "create"],
        &["user", "disable"],
        &["user", "enable"],
        &["user", "delete"],
        &["user", "reset-mfa"],
        &["mfa"],
        &["mfa", "reseal"],
        &["config"],
    ];
    for args in commands {
        let mut cmd = baton_with("sqlite:///nonexistent/x.db", args);
        cmd.arg("--help");
        let out = run(cmd, "").await;
        let stdout = ok(&out);
        assert!(stdout.contains("Usage: baton"), "{args:?}: {stdout}");
    }
}

#[tokio::test]
async fn an_unreachable_database_is_one_line() {
    for command in [&["migrate"][..], &["purge"], &["user", "disable", "a@example.com"]] {
        let mut cmd = baton("postgres://nobody@127.0.0.1:1/baton");
        cmd.env("BATON_DATABASE__CONNECT_TIMEOUT", "1s").args(command);
        let line = failed(&run(cmd, "").await);
        assert!(line.starts_with("baton: database: "), "{command:?}: {line}");
    }
}

#[tokio::test]
async fn config_shows_effective_values_with_origins_and_no_secrets() {
    let (_, dir) = baton_store::testing::sqlite_url();
    let config_dir = dir.path().join("config");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("default.toml"), "[tokens]\naccess_ttl = \"5m\"\n").unwrap();
    let mut cmd = baton("postgres://baton:db-password@db.internal/baton");
    cmd.env("BATON_CONFIG_DIR", &config_dir).env("BATON_SERVER__PORT", "9090").arg("config");
    let out = ok(&run(cmd, "").await);
    let line = |key: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("{key}: {out}"))
    };
    assert!(
        line("server.port").starts_with("server.port = 9090")
            && line("server.port").ends_with("# env BATON_SERVER__PORT")
    );
    assert!(
        line("tokens.access_ttl").contains("\"5m\"")
            && line("tokens.access_ttl").ends_with("default.toml")
    );
    assert!(line("server.host").ends_with("# default"));
    assert!(
        line("jwt.secret").contains("<redacted>")
            && line("jwt.secret").ends_with("# env BATON_JWT__SECRET")
    );
    assert!(line("database.url").contains("baton:<redacted>@db.internal"), "{out}");
    assert!(!out.contains(SECRET) && !out.contains("db-password"), "{out}");
}
