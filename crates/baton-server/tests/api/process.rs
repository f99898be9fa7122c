//! The `baton` binary as an operator runs it: start-up refusals, and a graceful stop on
//! SIGTERM and ctrl-c (SIGINT) that finishes in-flight requests and exits 0.

use crate::helpers::{PASSWORD, SECRET};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

fn baton(db_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton"));
    cmd.env_clear()
        .env("BATON_PROFILE", "prod")
        .env("BATON_CONFIG_DIR", crate::binary::empty_config_dir())
        .env("BATON_JWT__SECRET", SECRET)
        .env("BATON_JWT__ISSUER", "https://baton.test")
        .env("BATON_DATABASE__URL", format!("sqlite://{}/baton.db", db_dir.display()))
        .env("BATON_SERVER__PORT", "0")
        .env("BATON_PURGE__INTERVAL", "0");
    cmd
}

/// Starts `baton serve` and waits for its "listening" line; returns the child and its port.
fn serve(cmd: &mut Command) -> (Child, u16) {
    let mut child = cmd.stderr(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut lines = stderr.lines();
    let port = loop {
        let line = lines.next().expect("baton exited before listening").unwrap();
        if line.contains("baton listening") {
            let port = line.split("port=").nth(1).unwrap().split_whitespace().next().unwrap();
            break port.parse().unwrap();
        }
    };
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, port)
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill").arg(format!("-{name}")).arg(child.id().to_string()).status();
    assert!(status.unwrap().success());
}

/// Returns once the server on `port` reports a password hash running (`/metrics`): the
/// registration is then in flight, past routing and body parsing.
async fn hashing_started(port: u16) {
    let metrics = format!("http://127.0.0.1:{port}/metrics");
    let client = reqwest::Client::new();
    loop {
        let text = client.get(&metrics).send().await.unwrap().text().await.unwrap();
        if text.lines().any(|l| l == "baton_password_hashing_running 1") {
            return;
        }
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn stops_gracefully_on_sigterm_and_ctrl_c() {
    let (_, dir) = baton_store::testing::sqlite_url();
    for name in ["TERM", "INT"] {
        // bcrypt at cost 12 keeps a registration in flight while the signal arrives.
        let (mut child, port) =
            serve(baton(dir.path()).env("BATON_PASSWORDS__BCRYPT_COST", "12").arg("serve"));
        let url = format!("http://127.0.0.1:{port}/api/v1/auth/register");
        let body =
            serde_json::json!({ "email": format!("{name}@example.com"), "password": PASSWORD });
        let request =
            tokio::spawn(async move { reqwest::Client::new().post(url).json(&body).send().await });
        hashing_started(port).await;
        signal(&child, name);
        let res = request.await.unwrap().expect("the in-flight request was answered");
        assert_eq!(res.status(), reqwest::StatusCode::CREATED, "{name}");
        let status = tokio::task::spawn_blocking(move || child.wait().unwrap()).await.unwrap();
        assert!(status.success(), "SIG{name}: {status:?}");
    }
}

#[test]
fn bad_configuration_stops_start_up_with_one_line() {
    let (_, dir) = baton_store::testing::sqlite_url();
    let cases = [
        ("BATON_JWT__SECRET", "short"),
        ("BATON_DATABASE__URL", "mysql://db/baton"),
        ("BATON_TOKENS__ACCESS_TTL", "soon"),
        ("BATON_JWT__SECRET", "dev-only-insecure-secret-baton-change-me-0000"),
    ];
    for (key, value) in cases {
        let out = baton(dir.path()).env(key, value).arg("serve").output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{key}={value}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{key}={value}: {stderr}");
        assert!(stderr.starts_with("baton: configuration error: "), "{stderr}");
    }
    let out = baton(dir.path()).env_remove("BATON_JWT__SECRET").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr).unwrap().contains("no JWT secret"));
}

#[test]
fn help_and_migrate_work() {
    let (_, dir) = baton_store::testing::sqlite_url();
    for args in
        [&["--help"][..], &["serve", "--help"], &["migrate", "--help"], &["purge", "--help"]]
    {
        let out = baton(dir.path()).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(String::from_utf8(out.stdout).unwrap().contains("Usage: baton"));
    }
    let out = baton(dir.path()).arg("migrate").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().starts_with("applied 6 migration(s)"));
    let out = baton(dir.path()).arg("migrate").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().contains("up to date"));
    let out = baton(dir.path()).arg("purge").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().contains("purged 0 sessions"));
}
