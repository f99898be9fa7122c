//! `baton keys generate` as an operator runs it: a usable Ed25519 pair, the private file
//! readable by its owner only, nothing ever overwritten, no configuration needed.

use crate::binary::{failed, ok, run};
use baton_core::{TokenIssuer, TokenKind};
use baton_jwt::{JwtConfig, JwtIssuer, KeySpec};
use std::path::Path;
use std::process::Command;

/// `baton` with nothing configured at all: no secret, no database, no config directory.
fn bare() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton"));
    cmd.env_clear();
    cmd
}

async fn generate(dir: &Path, kid: &str) -> std::process::Output {
    let mut cmd = bare();
    cmd.args(["keys", "generate", "--kid", kid, "--dir", dir.to_str().unwrap()]);
    run(cmd, "").await
}

/// `--alg es256` writes a P-256 pair whose public half verifies, and the entry names ES256.
#[tokio::test]
async fn generate_es256_writes_a_working_p256_pair() {
    let (_, dir) = baton_store::testing::sqlite_url();
    let mut cmd = bare();
    cmd.args(["keys", "generate", "--kid", "ec-1", "--alg", "es256"]);
    cmd.args(["--dir", dir.path().to_str().unwrap()]);
    let stdout = ok(&run(cmd, "").await);
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let (private_pem, public_pem) = (read("ec-1.private.pem"), read("ec-1.public.pem"));
    assert!(stdout.contains("P-256 private key") && stdout.contains("alg = \"ES256\""), "{stdout}");
    let config = |keys| JwtConfig::new("https://baton.test", "baton-api", keys);
    let signer = JwtIssuer::new(config(vec![KeySpec::es256_private("ec-1", private_pem.as_str())]));
    let verifier = JwtIssuer::new(config(vec![
        KeySpec::hs256("other", b"an-hs256-secret-of-at-least-32-bytes".to_vec()),
        KeySpec::es256_public("ec-1", &public_pem),
    ]))
    .unwrap();
    let now = time::OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let claims = crate::helpers::claims(
        TokenKind::Access,
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
        now,
        now + time::Duration::minutes(5),
    );
    let token = signer.unwrap().sign(&claims).unwrap();
    assert_eq!(verifier.verify(&token, TokenKind::Access, now).unwrap(), claims);
    assert_eq!(verifier.jwks().keys()[0].alg(), "ES256");
}

#[tokio::test]
async fn generate_writes_a_working_pair_and_prints_the_staged_configuration() {
    let (_, dir) = baton_store::testing::sqlite_url();
    let stdout = ok(&generate(dir.path(), "2027-01").await);
    let private = dir.path().canonicalize().unwrap().join("2027-01.private.pem");
    let public = dir.path().canonicalize().unwrap().join("2027-01.public.pem");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the private key is readable by its owner only");
    }
    let (private_pem, public_pem) =
        (std::fs::read_to_string(&private).unwrap(), std::fs::read_to_string(&public).unwrap());
    assert!(private_pem.starts_with("-----BEGIN PRIVATE KEY-----"), "PKCS#8");
    assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----"), "SPKI");
    assert!(!stdout.contains(private_pem.lines().nth(1).unwrap()), "the key is not printed");

    // The private key signs what the public key alone verifies.
    let config = |keys| JwtConfig::new("baton", "baton-api", keys);
    let signer =
        JwtIssuer::new(config(vec![KeySpec::ed25519_private("2027-01", private_pem.as_str())]));
    let verifier = JwtIssuer::new(config(vec![
        KeySpec::hs256("other", b"an-hs256-secret-of-at-least-32-bytes".to_vec()),
        KeySpec::ed25519_public("2027-01", &public_pem),
    ]));
    // JWTs carry whole seconds.
    let now = time::OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let (user, session) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let claims = crate::helpers::claims(
        TokenKind::Access,
        user,
        session,
        now,
        now + time::Duration::minutes(5),
    );
    let token = signer.unwrap().sign(&claims).unwrap();
    assert_eq!(verifier.unwrap().verify(&token, TokenKind::Access, now).unwrap(), claims);

    // What to add: the entry, placed after the signing key, and the steps after it.
    let entry = format!(
        "  {{ kid = \"2027-01\", alg = \"EdDSA\", private_key_file = \"{}\" }},",
        private.display()
    );
    assert!(stdout.lines().any(|l| l == entry), "{stdout}");
    for step in ["AFTER the current signing key", "jwks.max_age", "move this entry first"] {
        assert!(stdout.contains(step), "{step}: {stdout}");
    }
}

#[tokio::test]
async fn generate_never_overwrites_and_refuses_unsafe_kids() {
    let (_, dir) = baton_store::testing::sqlite_url();
    ok(&generate(dir.path(), "k1").await);
    let before = std::fs::read(dir.path().join("k1.private.pem")).unwrap();
    let e = failed(&generate(dir.path(), "k1").await);
    assert!(e.contains("k1.private.pem already exists"), "{e}");
    assert_eq!(std::fs::read(dir.path().join("k1.private.pem")).unwrap(), before, "unchanged");
    // Only the public file in the way: still nothing written.
    std::fs::write(dir.path().join("k2.public.pem"), "mine").unwrap();
    let e = failed(&generate(dir.path(), "k2").await);
    assert!(e.contains("k2.public.pem already exists"), "{e}");
    assert!(!dir.path().join("k2.private.pem").exists());
    for kid in ["../escape", ".hidden", "a b", ""] {
        let e = failed(&generate(dir.path(), kid).await);
        assert!(e.contains("--kid"), "{kid:?}: {e}");
    }
    let e = failed(&generate(&dir.path().join("missing"), "k3").await);
    assert!(e.contains("--dir") && e.contains("create it first"), "{e}");
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".pem"))
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["k1.private.pem", "k1.public.pem", "k2.public.pem"], "nothing else");
}

#[tokio::test]
async fn keys_commands_have_help() {
    for args in [&["keys", "--help"][..], &["keys", "generate", "--help"]] {
        let mut cmd = bare();
        cmd.args(args);
        let stdout = ok(&run(cmd, "").await);
        assert!(stdout.contains("Usage: baton keys"), "{args:?}: {stdout}");
    }
    let mut cmd = bare();
    cmd.args(["keys", "generate", "--help"]);
    let help = ok(&run(cmd, "").await);
    assert!(help.contains("--kid") && help.contains("--dir") && help.contains("0600"), "{help}");
}
