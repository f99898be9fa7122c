//! `deploy/`: the systemd unit passes `systemd-analyze verify` without a single warning, and
//! the example environment file holds only settings and is refused until its secret is set.
//! The tool must be installed (package `systemd`): without it the test fails, never skips.

use crate::binary::{baton, failed, ok, run};
use std::path::PathBuf;
use std::process::Command;

fn deploy(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy").join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs `systemd-analyze verify` on `unit` (written to a temporary file); returns its output.
fn verify(unit: &str) -> (bool, String) {
    let (_, dir) = baton_store::testing::sqlite_url();
    let file = dir.path().join("baton.service");
    std::fs::write(&file, unit).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&file)
        .output()
        .expect("systemd-analyze is needed (apt-get install systemd)");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn the_systemd_unit_verifies_without_warnings() {
    // verify checks that ExecStart exists: point it at the binary cargo built.
    let unit = deploy("baton.service").replace("/usr/local/bin/baton", env!("CARGO_BIN_EXE_baton"));
    for required in [
        "User=baton",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "ProtectHome=yes",
        "StateDirectory=baton",
        "EnvironmentFile=/etc/baton/baton.env",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "Restart=on-failure",
    ] {
        assert!(unit.lines().any(|l| l == required), "{required} missing");
    }
    let (success, output) = verify(&unit);
    assert!(success && output.trim().is_empty(), "systemd-analyze verify: {output}");
    // The check sees mistakes: verify only warns about them, so any output fails.
    let (_, output) = verify(&unit.replace("ProtectSystem=strict", "ProtectSystem=stritc"));
    assert!(output.contains("stritc"), "{output}");
}

#[tokio::test]
async fn the_example_environment_file_holds_only_settings_and_needs_its_secret() {
    let vars: Vec<(String, String)> = deploy("baton.env")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('=').expect("KEY=value");
            // systemd drops double quotes in EnvironmentFile values.
            (k.to_owned(), v.replace('"', ""))
        })
        .collect();
    assert!(vars.iter().any(|(k, v)| k == "BATON_JWT__SECRET" && v.is_empty()));
    let with = |secret: &str| {
        let mut cmd = baton("unused");
        cmd.env_remove("BATON_DATABASE__URL").env_remove("BATON_SERVER__PORT");
        for (k, v) in &vars {
            cmd.env(k, v);
        }
        cmd.env("BATON_JWT__SECRET", secret).arg("config");
        cmd
    };
    let line = failed(&run(with(""), "").await);
    assert!(line.contains("jwt.secret (env BATON_JWT__SECRET)"), "{line}");
    let out = ok(&run(with("Jq1l5yq0sV4c8Zt2GmB7xH3nRkP9wE6aUdC1fY0iLo8="), "").await);
    assert!(out.contains("server.trusted_proxies = [\"10.0.0.0/8\"]"), "{out}");
    assert!(
        out.contains("database.url = \"postgres://baton:<redacted>@db.internal:5432/baton\""),
        "{out}"
    );
}
