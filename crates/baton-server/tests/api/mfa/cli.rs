//! The operator commands of second factors, run as the built binary against a live server's
//! database: `baton mfa reseal` after a key rotation, `baton user reset-mfa`.

use super::*;
use crate::binary::{Db, Served, baton, failed, ok, run};
use crate::on_both_backends;

/// A second key, to rotate to.
const NEW_KEY: &str = "KCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/QEFCQ0RFRkc=";

/// The key id part of every sealed TOTP secret (`v1.<key id>.<...>`).
async fn key_ids(app: &TestApp) -> Vec<String> {
    let texts = sealed_secrets(app).await;
    texts.iter().map(|t| t.split('.').nth(1).unwrap().to_owned()).collect()
}

async fn reseal_moves_every_secret_to_the_first_key(b: Backend) {
    let (app, clock) = app_at(b, |_| {}).await;
    let (_, secret, _) = with_totp(&app, &clock, "ada@example.com").await;
    with_totp(&app, &clock, "bob@example.com").await;
    let before = key_ids(&app).await;
    assert_eq!(before.len(), 2);
    let reseal = |keys: &str| {
        let mut cmd = baton(&app.db.url);
        cmd.env("BATON_MFA__ENCRYPTION_KEY", keys).args(["mfa", "reseal"]);
        cmd
    };
    let rotated = format!("[\"{NEW_KEY}\", \"{MFA_KEY}\"]");
    let out = ok(&run(reseal(&rotated), "").await);
    assert_eq!(
        out.trim(),
        "resealed 2 TOTP secret(s); 0 already under the current key; 0 under a removed key"
    );
    let after = key_ids(&app).await;
    assert!(after.iter().all(|id| id == &after[0] && !before.contains(id)), "{after:?}");
    let out = ok(&run(reseal(&rotated), "").await);
    assert!(out.starts_with("resealed 0 TOTP secret(s); 2 already"), "{out}");
    // Only the new key opens them now...
    let out = ok(&run(reseal(&format!("[\"{MFA_KEY}\"]")), "").await);
    assert!(out.trim().ends_with("2 under a removed key"), "{out}");
    // ...and a server with the new key alone lets Ada in with her app's code.
    let new_only = app
        .twin_at_with(clock.clone(), |c| {
            c.mfa.encryption_key = vec![baton_server::config::Secret::new(NEW_KEY)];
        })
        .await;
    let pending = mfa_required(&new_only, "ada@example.com").await;
    clock.advance(time::Duration::seconds(30));
    let res =
        verify(&new_only, s(&pending, "mfa_token"), json!({ "code": code(&secret, &clock, 0) }));
    assert_eq!(res.await.status(), StatusCode::OK);
}

async fn reset_mfa_leaves_the_password_alone(b: Backend) {
    let (app, clock) = app_at(b, |_| {}).await;
    let (t, _secret, _codes) = with_totp(&app, &clock, "ada@example.com").await;
    mfa_required(&app, "ada@example.com").await;
    let mut cmd = baton(&app.db.url);
    cmd.args(["user", "reset-mfa", "ada@example.com"]);
    let out = ok(&run(cmd, "").await);
    assert!(out.starts_with("removed the second factors of user "), "{out}");
    let res = app.refresh(s(&t, "refresh_token")).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "session_revoked").await;
    let t = app.login_ok("ada@example.com").await;
    assert_eq!(amr(s(&t, "access_token")), ["pwd"]);
    let mut cmd = baton(&app.db.url);
    cmd.args(["user", "reset-mfa", "nobody@example.com"]);
    let line = failed(&run(cmd, "").await);
    assert_eq!(line, "baton: no user with email \"nobody@example.com\"");
}

on_both_backends!(reseal_moves_every_secret_to_the_first_key, reset_mfa_leaves_the_password_alone);

#[tokio::test]
async fn serving_without_a_key_warns_that_totp_is_unavailable() {
    const WARNING: &str = "mfa.encryption_key is not set: TOTP is unavailable";
    let patience = std::time::Duration::from_secs(60);
    let db = Db::create(Backend::Sqlite).await;
    let server = Served::start(baton(&db.url));
    let line = server.wait_for(patience, |l| l.contains(WARNING)).await;
    let line = line.expect("start-up warns without mfa.encryption_key");
    assert!(line.contains("\"level\":\"WARN\""), "{line}");
    server.stop().await;
    let mut cmd = baton(&db.url);
    cmd.env("BATON_MFA__ENCRYPTION_KEY", MFA_KEY);
    let server = Served::start(cmd);
    server.wait_for(patience, |l| l.contains("baton listening")).await.expect("it serves");
    let lines = server.stop().await;
    assert!(!lines.iter().any(|l| l.contains(WARNING)), "no warning with a key: {lines:?}");
}
