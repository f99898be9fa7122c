//! Moving from `BATON_JWT__SECRET` to `jwt.keys` and rotating, exactly as docs/OPERATIONS.md
//! says ("Signing keys"): the test reads the step files from the document itself. At each
//! step one server runs the previous configuration and one the new one, on one PostgreSQL
//! database, as during a rolling deploy; access and refresh tokens issued before the move
//! keep working on both, and tokens minted by either verify on the other. Only removing the
//! old key (the last step, after its tokens would have expired) refuses them.

use crate::helpers::*;
use crate::postgres::fresh_database;
use reqwest::StatusCode;
use serde_json::Value;

/// The secret of the configuration before the move (the helpers' `BATON_JWT__SECRET`).
const OLD: &str = SECRET;
/// The secret of the new key.
const NEW: &str = "key-move-new-secret-9f8e7d6c5b4a3f2e1d0c";

/// The `[jwt]` files of the document's steps 1 to 4, secrets filled in.
fn documented_steps() -> Vec<String> {
    let doc = include_str!("../../../../docs/OPERATIONS.md");
    (1..=4)
        .map(|step| {
            let marker = format!("<!-- key-move step {step} -->");
            let after = doc.split(&marker).nth(1).unwrap_or_else(|| panic!("{marker} missing"));
            let block = after.split("```toml\n").nth(1).unwrap().split("```").next().unwrap();
            assert!(block.starts_with("[jwt]\n"), "step {step} is a complete [jwt] table");
            block.replace("<old secret>", OLD).replace("<new secret>", NEW)
        })
        .collect()
}

/// A server whose keys come from `jwt_file` (as `prod.toml`), not from the environment.
async fn server_on(db: &str, dir: &TempDir, step: usize, jwt_file: &str) -> Baton {
    let config_dir = dir.path().join(format!("step-{step}"));
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("prod.toml"), jwt_file).unwrap();
    let config_dir = config_dir.to_str().unwrap().to_owned();
    Baton::start_with(db, &[("BATON_CONFIG_DIR", &config_dir)], &["BATON_JWT__SECRET"]).await
}

/// The `kid` in a token's header.
fn kid(token: &str) -> String {
    use base64::Engine;
    let header = token.split('.').next().unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).unwrap();
    let header: Value = serde_json::from_slice(&bytes).unwrap();
    s(&header, "kid").to_owned()
}

/// Asserts the access token is accepted by `server`.
async fn accepted(on: Api<'_>, access: &str, what: &str) {
    assert_eq!(on.me(access).await.unwrap().status(), StatusCode::OK, "{what}");
}

/// Refreshes on `server` and returns the new pair; the refresh must succeed.
async fn refreshed(on: Api<'_>, refresh: &str, what: &str) -> Value {
    let res = on.refresh(refresh).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{what}");
    res.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_to_jwt_keys_and_rotating_logs_no_one_out() {
    let steps = documented_steps();
    let database = fresh_database().await;
    let db = database.url().to_owned();
    let dir = TempDir::new();
    let http = client();

    // Before: one secret in BATON_JWT__SECRET. Four sessions, one to refresh at each step.
    let before = Baton::start(&db, &[]).await;
    let mut pairs = Vec::new();
    for i in 0..4 {
        let pair = api(&http, &before).register(&format!("user{i}@example.com")).await;
        assert_eq!(
            kid(s(&pair, "access_token")),
            "default",
            "BATON_JWT__SECRET signs as kid default"
        );
        assert_eq!(kid(s(&pair, "refresh_token")), "default");
        pairs.push(pair);
    }

    // Each step: the previous configuration on one server, the step's on the other.
    let mut previous = before;
    for (i, file) in steps.iter().enumerate().take(3) {
        let step = i + 1;
        let next = server_on(&db, &dir, step, file).await;
        let (old_cfg, new_cfg) = (api(&http, &previous), api(&http, &next));
        for pair in &pairs {
            accepted(new_cfg, s(pair, "access_token"), &format!("step {step}: old access token"))
                .await;
        }
        let fresh = refreshed(
            new_cfg,
            s(&pairs[i], "refresh_token"),
            &format!("step {step}: old refresh token"),
        )
        .await;
        let signer = if step < 3 { "default" } else { "2026-12" };
        assert_eq!(kid(s(&fresh, "access_token")), signer, "step {step} signs with the first key");
        // Mixed fleet: what the new configuration mints, the previous one accepts.
        accepted(
            old_cfg,
            s(&fresh, "access_token"),
            &format!("step {step}: new token on the previous step"),
        )
        .await;
        refreshed(
            old_cfg,
            s(&fresh, "refresh_token"),
            &format!("step {step}: refreshed on the previous step"),
        )
        .await;
        let older = refreshed(
            old_cfg,
            s(&pairs[3], "refresh_token"),
            &format!("step {step}: previous step mints"),
        )
        .await;
        accepted(
            new_cfg,
            s(&older, "access_token"),
            &format!("step {step}: previous step's token on the new one"),
        )
        .await;
        pairs[3] = older;
        previous = next;
    }

    // Step 4, after refresh_ttl: the old key is gone, so are its tokens; the new ones stay.
    let last = server_on(&db, &dir, 4, &steps[3]).await;
    let on = api(&http, &last);
    let res = on.me(s(&pairs[0], "access_token")).await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let t = on.login("user0@example.com", PASSWORD).await.unwrap();
    assert_eq!(t.status(), StatusCode::OK);
    let t: Value = t.json().await.unwrap();
    assert_eq!(kid(s(&t, "access_token")), "2026-12");
    accepted(api(&http, &previous), s(&t, "access_token"), "step 4 token on step 3").await;
}
