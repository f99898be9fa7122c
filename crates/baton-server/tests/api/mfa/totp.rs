//! TOTP enrolment: the material an app needs, confirmation with a first code, ten recovery
//! codes, and a server without `mfa.encryption_key`.

use super::*;
use crate::on_both_backends;

async fn enrolment_answers_what_an_app_needs_and_confirmation_turns_it_on(b: Backend) {
    let (app, clock) = app_at(b, |_| {}).await;
    let t = app.register("ada@example.com").await;
    let access = s(&t, "access_token");
    let none: Value = app.get("/api/v1/auth/mfa", access).await.json().await.unwrap();
    assert_eq!(none, json!({ "totp_enabled": false, "recovery_codes_left": 0, "passkeys": 0 }));
    let res = post_bearer(&app, "/api/v1/auth/mfa/totp", access, &json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let e: Value = res.json().await.unwrap();
    let secret = s(&e, "secret");
    assert_eq!(data_encoding::BASE32_NOPAD.decode(secret.as_bytes()).unwrap().len(), 20);
    let uri = s(&e, "otpauth_uri");
    assert!(uri.starts_with("otpauth://totp/Baton:ada%40example.com?"), "{uri}");
    assert!(uri.contains(&format!("secret={secret}")) && uri.contains("issuer=Baton"), "{uri}");
    let svg = s(&e, "qr_svg");
    assert!(svg.contains("<svg") && svg.trim_end().ends_with("</svg>"), "an SVG document");
    // Pending: login still needs the password only.
    assert_eq!(app.login("ada@example.com", PASSWORD).await.status(), StatusCode::OK);
    // A wrong first code does not confirm it.
    let wrong = json!({ "code": code(secret, &clock, 120) });
    let res = post_bearer(&app, "/api/v1/auth/mfa/totp/confirm", access, &wrong).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_code").await;
    let right = json!({ "code": code(secret, &clock, 0) });
    let res = post_bearer(&app, "/api/v1/auth/mfa/totp/confirm", access, &right).await;
    assert_eq!(res.status(), StatusCode::OK);
    let codes: Value = res.json().await.unwrap();
    let codes = codes["recovery_codes"].as_array().unwrap();
    assert_eq!(codes.len(), 10);
    let distinct: std::collections::HashSet<_> = codes.iter().collect();
    assert_eq!(distinct.len(), 10);
    assert!(codes.iter().all(|c| c.as_str().unwrap().len() == 19), "xxxx-xxxx-xxxx-xxxx");
    // On now: login needs the second factor, and enrolling again is refused.
    let pending = mfa_required(&app, "ada@example.com").await;
    assert_eq!(pending["methods"], json!(["totp", "recovery_code"]));
    assert_eq!(pending["expires_in"], 300);
    let res = post_bearer(&app, "/api/v1/auth/mfa/totp", access, &json!({})).await;
    assert_problem(res, StatusCode::CONFLICT, "totp_already_enabled").await;
    let res = post_bearer(&app, "/api/v1/auth/mfa/totp/confirm", access, &right).await;
    assert_problem(res, StatusCode::CONFLICT, "totp_already_enabled").await;
}

async fn a_new_enrolment_replaces_a_pending_one(b: Backend) {
    let (app, clock) = app_at(b, |_| {}).await;
    let t = app.register("ada@example.com").await;
    let access = s(&t, "access_token");
    let empty = json!({});
    let enrol = || post_bearer(&app, "/api/v1/auth/mfa/totp", access, &empty);
    let first: Value = enrol().await.json().await.unwrap();
    let second: Value = enrol().await.json().await.unwrap();
    assert_ne!(first["secret"], second["secret"]);
    let old = json!({ "code": code(s(&first, "secret"), &clock, 0) });
    let res = post_bearer(&app, "/api/v1/auth/mfa/totp/confirm", access, &old).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_code").await;
    let new = json!({ "code": code(s(&second, "secret"), &clock, 0) });
    let res = post_bearer(&app, "/api/v1/auth/mfa/totp/confirm", access, &new).await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn confirming_without_an_enrolment_or_with_a_malformed_code_is_refused(b: Backend) {
    let (app, _clock) = app_at(b, |_| {}).await;
    let t = app.register("ada@example.com").await;
    let access = s(&t, "access_token");
    let body = json!({ "code": "123456" });
    let res = post_bearer(&app, "/api/v1/auth/mfa/totp/confirm", access, &body).await;
    assert_problem(res, StatusCode::CONFLICT, "totp_not_enabled").await;
    post_bearer(&app, "/api/v1/auth/mfa/totp", access, &json!({})).await;
    for bad in ["12345", "abcdef", ""] {
        let res =
            post_bearer(&app, "/api/v1/auth/mfa/totp/confirm", access, &json!({ "code": bad }))
                .await;
        assert_problem(res, StatusCode::BAD_REQUEST, "invalid_input").await;
    }
    let res = app.client.post(app.url("/api/v1/auth/mfa/totp")).send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "missing_token").await;
}

async fn without_an_encryption_key_totp_is_unavailable(b: Backend) {
    let (app, _clock) = app_at(b, |c| c.mfa.encryption_key.clear()).await;
    let t = app.register("ada@example.com").await;
    let res = post_bearer(&app, "/api/v1/auth/mfa/totp", s(&t, "access_token"), &json!({})).await;
    assert_problem(res, StatusCode::SERVICE_UNAVAILABLE, "mfa_unavailable").await;
}

async fn the_secret_rests_sealed_in_the_database(b: Backend) {
    let (app, clock) = app_at(b, |_| {}).await;
    let (_t, secret, _codes) = with_totp(&app, &clock, "ada@example.com").await;
    let raw = data_encoding::BASE32_NOPAD.decode(secret.as_bytes()).unwrap();
    let dump = sealed_secrets(&app).await.join("\n");
    assert!(dump.contains("v1."), "a sealed text naming its scheme: {dump}");
    assert!(!dump.contains(&secret), "no base32 secret in the row");
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!dump.to_lowercase().contains(&hex), "no raw secret in the row");
}

on_both_backends!(
    enrolment_answers_what_an_app_needs_and_confirmation_turns_it_on,
    a_new_enrolment_replaces_a_pending_one,
    confirming_without_an_enrolment_or_with_a_malformed_code_is_refused,
    without_an_encryption_key_totp_is_unavailable,
    the_secret_rests_sealed_in_the_database,
);
