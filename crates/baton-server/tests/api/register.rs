//! `POST /api/v1/auth/register`.

use crate::helpers::*;
use crate::on_both_backends;
use reqwest::StatusCode;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn is_utc_rfc3339(v: &serde_json::Value) -> OffsetDateTime {
    let text = v.as_str().unwrap();
    assert!(text.ends_with('Z'), "{text}");
    OffsetDateTime::parse(text, &Rfc3339).unwrap()
}

async fn registers_and_logs_in(b: Backend) {
    let app = spawn_app(b).await;
    let body = json!({ "email": "  Ada@Example.COM ", "password": PASSWORD, "name": "Ada" });
    let res = app.post_json("/api/v1/auth/register", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let t: serde_json::Value = res.json().await.unwrap();
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 900);
    let expires_at = is_utc_rfc3339(&t["expires_at"]);
    let refresh_expires_at = is_utc_rfc3339(&t["refresh_expires_at"]);
    assert_eq!(
        refresh_expires_at - expires_at,
        time::Duration::days(7) - time::Duration::minutes(15)
    );
    let user = &t["user"];
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["name"], "Ada");
    uuid::Uuid::parse_str(s(user, "id")).unwrap();
    assert_eq!(is_utc_rfc3339(&user["created_at"]), is_utc_rfc3339(&user["updated_at"]));
    let keys: Vec<_> = t.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.len(), 7, "{keys:?}");
    assert_eq!(user.as_object().unwrap().len(), 6);
    assert_eq!(user["email_verified"], false);
    // Registering logged in: the access token works.
    let me = app.me(s(&t, "access_token")).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(me.json::<serde_json::Value>().await.unwrap(), *user);
    // Neither the password nor the refresh token is stored in the clear.
    let token = s(&t, "refresh_token").to_owned();
    let columns = baton_store::testing::raw_secret_columns(&app.service.store).await.unwrap();
    for column in columns {
        let text = String::from_utf8_lossy(&column);
        assert!(!text.contains(PASSWORD) && !text.contains(&token));
    }
}

async fn name_is_optional(b: Backend) {
    let app = spawn_app(b).await;
    for body in [
        json!({ "email": "a@example.com", "password": PASSWORD }),
        json!({ "email": "b@example.com", "password": PASSWORD, "name": null }),
        json!({ "email": "c@example.com", "password": PASSWORD, "name": "  " }),
    ] {
        let res = app.post_json("/api/v1/auth/register", &body).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let t: serde_json::Value = res.json().await.unwrap();
        assert_eq!(t["user"]["name"], serde_json::Value::Null);
    }
}

async fn duplicate_email_is_409_whatever_its_case(b: Backend) {
    let app = spawn_app(b).await;
    app.register("ada@example.com").await;
    for email in ["ada@example.com", "ADA@example.com", " Ada@Example.Com "] {
        let body = json!({ "email": email, "password": "another password" });
        let res = app.post_json("/api/v1/auth/register", &body).await;
        assert_problem(res, StatusCode::CONFLICT, "email_taken").await;
    }
    // The first account is untouched.
    app.login_ok("ada@example.com").await;
}

async fn input_rules_give_400(b: Backend) {
    let app = spawn_app(b).await;
    let long_email = format!("{}@{}.com", "a".repeat(64), "d".repeat(190));
    for body in [
        json!({ "email": "not-an-address", "password": PASSWORD }),
        json!({ "email": "", "password": PASSWORD }),
        json!({ "email": long_email, "password": PASSWORD }),
        json!({ "email": "a@example.com", "password": "short" }),
        json!({ "email": "a@example.com", "password": "x".repeat(73) }),
        json!({ "email": "a@example.com", "password": "é".repeat(37) }),
        json!({ "email": "a@example.com", "password": PASSWORD, "name": "n".repeat(101) }),
    ] {
        let res = app.post_json("/api/v1/auth/register", &body).await;
        let problem = assert_problem(res, StatusCode::BAD_REQUEST, "invalid_input").await;
        assert!(!s(&problem, "detail").contains("xxxxxxxx"));
    }
    // Nothing was created: the address is still free.
    let ok = json!({ "email": "a@example.com", "password": "x".repeat(72) });
    assert_eq!(app.post_json("/api/v1/auth/register", &ok).await.status(), StatusCode::CREATED);
}

on_both_backends!(
    registers_and_logs_in,
    name_is_optional,
    duplicate_email_is_409_whatever_its_case,
    input_rules_give_400,
);
