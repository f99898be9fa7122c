//! The CSRF rule: a request using the cookie needs `Baton-Transport: cookie` and an allowed
//! `Origin`; otherwise 403 `csrf_rejected`, and nothing changes.

use super::*;
use crate::on_both_backends;

/// The ways a cookie request can fail the check: (what is wrong, header, origin).
const REFUSALS: [(&str, bool, Option<&str>); 5] = [
    ("no header", false, Some(APP)),
    ("no Origin", true, None),
    ("another site", true, Some("https://evil.example")),
    ("a sibling origin", true, Some("http://app.example.com")),
    ("an opaque origin", true, Some("null")),
];

fn request(app: &TestApp, path: &str, header: bool, origin: Option<&str>) -> RequestBuilder {
    let mut req = app.client.post(app.url(path));
    if header {
        req = req.header("baton-transport", "cookie");
    }
    if let Some(origin) = origin {
        req = req.header("origin", origin);
    }
    req
}

async fn refused_refreshes_change_nothing(b: Backend) {
    let app = browser_app(b, |_| {}).await;
    let (body, token) = register_browser(&app, "ada@example.com").await;
    let access = s(&body, "access_token").to_owned();
    let sessions = active_sessions(&app, &access).await;
    let refusals = |samples: Vec<crate::metrics::Sample>| {
        ["missing_header", "missing_origin", "origin_not_allowed"].map(|reason| {
            crate::metrics::value(&samples, "baton_csrf_rejections_total", &[("reason", reason)])
        })
    };
    let before = crate::metrics::scrape(&app).await;
    let series = before.iter().filter(|(name, ..)| name == "baton_csrf_rejections_total");
    assert_eq!(series.count(), 3, "one series per reason from the start");
    assert_eq!(refusals(before), [0.0; 3]);
    for (what, header, origin) in REFUSALS {
        let res = request(&app, "/api/v1/auth/refresh", header, origin)
            .header("cookie", cookie_header(&token))
            .send()
            .await
            .unwrap();
        assert!(set_cookies(&res).is_empty(), "{what}: the cookie is neither set nor cleared");
        assert_problem(res, StatusCode::FORBIDDEN, "csrf_rejected").await;
    }
    let counted = refusals(crate::metrics::scrape(&app).await);
    assert_eq!(counted, [1.0, 1.0, 3.0], "each refusal counted once, by reason");
    // Nothing rotated or revoked: the same session, and the same token still rotates once.
    assert_eq!(active_sessions(&app, &access).await, sessions);
    assert_eq!(app.me(&access).await.status(), StatusCode::OK);
    assert_eq!(refresh_browser(&app, &token).await.status(), StatusCode::OK);
}

async fn refused_logouts_change_nothing(b: Backend) {
    let app = browser_app(b, |_| {}).await;
    let (body, token) = register_browser(&app, "ada@example.com").await;
    let access = s(&body, "access_token").to_owned();
    let sessions = active_sessions(&app, &access).await;
    // Without the header logout does not read the cookie at all (it is plain bearer logout),
    // so only the refusals that carry the header apply.
    for (what, header, origin) in REFUSALS.into_iter().filter(|(_, header, _)| *header) {
        for scope in ["", "?scope=global"] {
            let res = request(&app, &format!("/api/v1/auth/logout{scope}"), header, origin)
                .bearer_auth(&access)
                .header("cookie", cookie_header(&token))
                .send()
                .await
                .unwrap();
            assert!(set_cookies(&res).is_empty(), "{what}");
            assert_problem(res, StatusCode::FORBIDDEN, "csrf_rejected").await;
        }
    }
    // Without an access token it is a plain 401, whatever else is missing.
    let res = request(&app, "/api/v1/auth/logout", true, None).send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "missing_token").await;
    assert_eq!(active_sessions(&app, &access).await, sessions);
    assert_eq!(refresh_browser(&app, &token).await.status(), StatusCode::OK);
}

async fn refused_logins_and_registrations_change_nothing(b: Backend) {
    let app = browser_app(b, |c| c.login.max_failed_logins = 1).await;
    let (body, _) = register_browser(&app, "ada@example.com").await;
    let access = s(&body, "access_token").to_owned();
    let sessions = active_sessions(&app, &access).await;
    for (what, header, origin) in REFUSALS.into_iter().filter(|(_, header, _)| *header) {
        // A wrong password too: refused before it is checked, so it counts as no failure.
        for password in [PASSWORD, "wrong password"] {
            let res = request(&app, "/api/v1/auth/login", header, origin)
                .json(&json!({ "email": "ada@example.com", "password": password }))
                .send()
                .await
                .unwrap();
            assert!(set_cookies(&res).is_empty(), "{what}");
            assert_problem(res, StatusCode::FORBIDDEN, "csrf_rejected").await;
        }
        let res = request(&app, "/api/v1/auth/register", header, origin)
            .json(&json!({ "email": "bob@example.com", "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_problem(res, StatusCode::FORBIDDEN, "csrf_rejected").await;
    }
    assert_eq!(active_sessions(&app, &access).await, sessions, "no session opened");
    // The account is not locked (one failure would have locked it) and bob does not exist.
    assert_eq!(app.login("ada@example.com", PASSWORD).await.status(), StatusCode::OK);
    app.register("bob@example.com").await;
}

async fn without_allowed_origins_nobody_gets_cookies(b: Backend) {
    let app = spawn_app(b).await;
    let body = json!({ "email": "ada@example.com", "password": PASSWORD });
    let res = browser_post(&app, "/api/v1/auth/register").json(&body).send().await.unwrap();
    assert!(set_cookies(&res).is_empty());
    assert_problem(res, StatusCode::FORBIDDEN, "csrf_rejected").await;
    app.register("ada@example.com").await;
}

/// `same_site = "none"` without allowed origins would send the cookie along with requests
/// from any site: the real binary refuses to start with it.
#[tokio::test]
async fn same_site_none_without_origins_stops_start_up() {
    let db = crate::binary::Db::create(Backend::Sqlite).await;
    let out = crate::binary::baton_with(&db.url, &["serve"])
        .env("BATON_COOKIES__SAME_SITE", "none")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cookies.same_site") && stderr.contains("allowed_origins"), "{stderr}");
    // With an allowed origin the same setting is accepted.
    let out = crate::binary::baton_with(&db.url, &["config"])
        .env("BATON_COOKIES__SAME_SITE", "none")
        .env("BATON_COOKIES__ALLOWED_ORIGINS", format!("[\"{APP}\"]"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
}

on_both_backends!(
    refused_refreshes_change_nothing,
    refused_logouts_change_nothing,
    refused_logins_and_registrations_change_nothing,
    without_allowed_origins_nobody_gets_cookies,
);
