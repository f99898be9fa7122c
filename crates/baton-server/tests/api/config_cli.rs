//! The configuration as the real binary reads it: `baton config` on good and broken
//! configurations (values, origins, every problem, exit status, a closed stdout, RUST_LOG),
//! and start-up refusals that must name the problem but never a secret.

use crate::binary::{baton, failed, ok, run};
use crate::helpers::SECRET;
use std::process::Stdio;

/// Secrets the tests look for in every output.
const ALPHA: &str = "ALPHA-secret-7f3a9c2e1b8d4f6a0c5e9b7d3a1f";
const BRAVO: &str = "BRAVO-secret-2e8b6d4f0a9c7e5b3d1f8a6c4e2b";

fn config_dir(files: &[(&str, &str)]) -> baton_store::testing::TempDirGuard {
    let (_, dir) = baton_store::testing::sqlite_url();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[tokio::test]
async fn baton_config_reports_every_value_then_every_problem_and_exits_1() {
    let dir = config_dir(&[("default.toml", "[tokens]\naccess_ttl = \"eternity\"\n")]);
    let mut cmd = baton("sqlite://x.db");
    cmd.env("BATON_CONFIG_DIR", dir.path())
        .env("BATON_JWT__SECRET", "a".repeat(40))
        .env("BATON_TOKEN__REUSE_GRACE", "30")
        .arg("config");
    let out = run(cmd, "").await;
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stdout.contains("tokens.access_ttl = \"eternity\""), "{stdout}");
    assert!(stdout.contains("server.port = 0 "), "{stdout}");
    assert!(stdout.contains("jwt.secret = \"<redacted>\""), "{stdout}");
    assert!(stderr.lines().all(|l| l.starts_with("baton: configuration error: ")), "{stderr}");
    assert!(stderr.contains("did you mean BATON_TOKENS__REUSE_GRACE?"), "{stderr}");
    assert!(stderr.contains("tokens.access_ttl ("), "{stderr}");
    assert!(!stdout.contains(&"a".repeat(40)) && !stderr.contains(&"a".repeat(40)));
}

#[tokio::test]
async fn baton_config_honours_rust_log_and_a_closed_stdout_ends_it_quietly() {
    let mut cmd = baton("sqlite://x.db");
    cmd.env("RUST_LOG", "debug").arg("config");
    let out = run(cmd, "").await;
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("configuration resolved"), "{stderr}");

    for _ in 0..3 {
        let mut child = baton("sqlite://x.db")
            .arg("config")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader is gone before anything is written
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(stderr.is_empty(), "quietly: {stderr}");
    }
}

#[tokio::test]
async fn start_up_refusals_name_the_problem_and_never_a_secret() {
    let broken_keys = format!(
        "[jwt]\nkeys = [{{ kid = \"a\", secret = \"{ALPHA}\" }} {{ kid = \"b\", secret = \"{BRAVO}\" }}]\n"
    );
    let dir = config_dir(&[("prod.toml", &broken_keys)]);
    let mut cmd = baton("sqlite://x.db");
    cmd.env("BATON_CONFIG_DIR", dir.path()).env_remove("BATON_JWT__SECRET").arg("serve");
    let line = failed(&run(cmd, "").await);
    assert!(line.contains("prod.toml line 2 (key jwt.keys)"), "{line}");
    assert!(!line.contains("ALPHA") && !line.contains("BRAVO"), "{line}");

    let cases: [(&str, String, &str); 6] = [
        (
            "BATON_LOGIN_MAX_FAILED_LOGINS",
            "3".into(),
            "did you mean BATON_LOGIN__MAX_FAILED_LOGINS?",
        ),
        (
            "BATON_JWT__KEYS",
            format!("[{{kid=\"a\", secret=\"{ALPHA}\""),
            "jwt.keys (env BATON_JWT__KEYS)",
        ),
        ("BATON_JWT__SECRET", " ".repeat(32), "whitespace"),
        (
            "BATON_INTROSPECTION__CLIENTS",
            format!("[{{id=\"a\", secret=\"{ALPHA}\"}} {{"),
            "introspection.clients",
        ),
        ("BATON_PROFILE", "staging".into(), "unknown profile \"staging\""),
        ("BATON_CONFIG_DIR", "/nonexistent/baton".into(), "does not exist"),
    ];
    for (var, value, expected) in cases {
        let mut cmd = baton("sqlite://x.db");
        if var.contains("KEYS") {
            cmd.env_remove("BATON_JWT__SECRET");
        }
        cmd.env(var, &value).arg("serve");
        let line = failed(&run(cmd, "").await);
        assert!(line.starts_with("baton: configuration error: "), "{line}");
        assert!(line.contains(expected), "{var}: {line}");
        assert!(!line.contains("ALPHA"), "{line}");
    }
    // The test secret itself is fine, and config shows nothing of it.
    let stdout = ok(&run(
        {
            let mut c = baton("sqlite://x.db");
            c.arg("config");
            c
        },
        "",
    )
    .await);
    assert!(!stdout.contains(SECRET), "{stdout}");
}

/// Weak settings (docs/OPERATIONS.md): `baton config` lists each, and `prod` refuses one that
/// is not acknowledged by name, at start-up as in the report.
#[tokio::test]
async fn baton_config_shows_weak_settings_and_prod_refuses_unacknowledged_ones() {
    // `baton` acknowledges its cheap test bcrypt cost; this adds a year-long access token.
    let mut cmd = baton("sqlite://x.db");
    cmd.env("BATON_TOKENS__ACCESS_TTL", "365d").arg("config");
    let out = run(cmd, "").await;
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stdout.contains("# weak: tokens.access_ttl: "), "{stdout}");
    assert!(stdout.contains("# weak: passwords.bcrypt_cost: "), "acknowledged, still shown");
    assert!(
        stderr.contains("add \"tokens.access_ttl\" to security.allow_weak_settings"),
        "{stderr}"
    );
    assert!(!stderr.contains("passwords.bcrypt_cost"), "acknowledged: {stderr}");

    let mut serve = baton("sqlite://x.db");
    serve.env("BATON_TOKENS__ACCESS_TTL", "365d");
    let e = failed(&run(serve, "").await);
    assert!(e.contains("tokens.access_ttl") && e.contains("weak setting"), "{e}");

    let mut acked = baton("sqlite://x.db");
    acked
        .env("BATON_TOKENS__ACCESS_TTL", "365d")
        .env("BATON_SECURITY__ALLOW_WEAK_SETTINGS", "[passwords.bcrypt_cost, tokens.access_ttl]")
        .arg("config");
    let stdout = ok(&run(acked, "").await);
    assert!(stdout.contains("# weak: tokens.access_ttl: "), "{stdout}");
}
