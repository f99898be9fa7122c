//! CORS with credentials for exactly `cookies.allowed_origins`: preflights, the headers on
//! answers (problem+json ones included), and nothing at all for other origins.

use super::*;
use crate::on_both_backends;
use reqwest::Method;

/// A preflight for `POST path` from `origin` asking for `headers`.
async fn preflight(app: &TestApp, path: &str, origin: &str, headers: &str) -> Response {
    app.client
        .request(Method::OPTIONS, app.url(path))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", headers)
        .send()
        .await
        .unwrap()
}

/// The `access-control-*` headers of an answer.
fn cors_headers(res: &Response) -> Vec<String> {
    let names = res.headers().keys().map(|k| k.as_str().to_owned());
    names.filter(|k| k.starts_with("access-control-")).collect()
}

fn header<'a>(res: &'a Response, name: &str) -> &'a str {
    res.headers().get(name).map_or("", |v| v.to_str().unwrap())
}

/// A comma-separated header value as a lower-case list.
fn list(value: &str) -> Vec<String> {
    value.split(',').map(|v| v.trim().to_ascii_lowercase()).collect()
}

async fn preflights_from_the_allowed_origin_are_answered(b: Backend) {
    let app = browser_app(b, |_| {}).await;
    let asked = "authorization,baton-transport,content-type";
    for path in ["/api/v1/auth/refresh", "/api/v1/auth/logout", "/api/v1/auth/me"] {
        let res = preflight(&app, path, APP, asked).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&res, "access-control-allow-origin"), APP);
        assert_eq!(header(&res, "access-control-allow-credentials"), "true");
        let methods = list(header(&res, "access-control-allow-methods"));
        for method in ["get", "post", "delete"] {
            assert!(methods.contains(&method.to_owned()), "{methods:?}");
        }
        let allowed = list(header(&res, "access-control-allow-headers"));
        for name in asked.split(',') {
            assert!(allowed.contains(&name.to_owned()), "{name}: {allowed:?}");
        }
        assert!(header(&res, "access-control-max-age").parse::<u32>().unwrap() > 0);
        assert!(list(header(&res, "vary")).contains(&"origin".to_owned()));
    }
}

async fn preflights_from_other_origins_are_refused_without_cors_headers(b: Backend) {
    let app = browser_app(b, |_| {}).await;
    for origin in ["https://evil.example", "http://app.example.com", "null"] {
        let res = preflight(&app, "/api/v1/auth/refresh", origin, "baton-transport").await;
        assert!(cors_headers(&res).is_empty(), "{origin}: {:?}", cors_headers(&res));
        assert_problem(res, StatusCode::FORBIDDEN, "cors_rejected").await;
    }
    // The allowed origin asking for a header the API does not take is refused too.
    let res = preflight(&app, "/api/v1/auth/refresh", APP, "x-custom").await;
    assert!(cors_headers(&res).is_empty());
    assert_problem(res, StatusCode::FORBIDDEN, "cors_rejected").await;
}

async fn answers_to_the_allowed_origin_carry_cors_headers_errors_included(b: Backend) {
    let app = browser_app(b, |_| {}).await;
    let (body, token) = register_browser(&app, "ada@example.com").await;
    let ok = refresh_browser(&app, &token).await;
    let problems = [
        // 403 csrf_rejected: the cookie without the header.
        app.client
            .post(app.url("/api/v1/auth/refresh"))
            .header("origin", APP)
            .header("cookie", cookie_header(&token))
            .send()
            .await
            .unwrap(),
        // 401 with WWW-Authenticate, which a script may read.
        app.client.get(app.url("/api/v1/auth/me")).header("origin", APP).send().await.unwrap(),
        // 405 from the resource.
        app.client.get(app.url("/api/v1/auth/login")).header("origin", APP).send().await.unwrap(),
    ];
    for res in std::iter::once(&ok).chain(&problems) {
        assert_eq!(header(res, "access-control-allow-origin"), APP, "{}", res.status());
        assert_eq!(header(res, "access-control-allow-credentials"), "true");
        let exposed = list(header(res, "access-control-expose-headers"));
        for name in ["www-authenticate", "retry-after", "x-request-id"] {
            assert!(exposed.contains(&name.to_owned()), "{name}: {exposed:?}");
        }
        assert!(list(header(res, "vary")).contains(&"origin".to_owned()));
    }
    assert_eq!(ok.status(), StatusCode::OK);
    let [csrf, unauthorized, wrong_method] = problems;
    assert_problem(csrf, StatusCode::FORBIDDEN, "csrf_rejected").await;
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    assert_problem(wrong_method, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    assert_eq!(app.me(s(&body, "access_token")).await.status(), StatusCode::OK);
}

async fn routes_no_browser_calls_answer_without_cors_headers(b: Backend) {
    let app = browser_app(b, |_| {}).await;
    for path in ["/healthz", "/readyz", "/metrics", "/.well-known/jwks.json", "/nowhere"] {
        let res = app.client.get(app.url(path)).header("origin", APP).send().await.unwrap();
        assert!(cors_headers(&res).is_empty(), "{path}: {:?}", cors_headers(&res));
        let res = preflight(&app, path, APP, "authorization").await;
        assert!(cors_headers(&res).is_empty(), "preflight {path}: {:?}", cors_headers(&res));
    }
}

async fn other_origins_and_plain_clients_get_no_cors_headers(b: Backend) {
    let app = browser_app(b, |_| {}).await;
    app.register("ada@example.com").await;
    let body = json!({ "email": "ada@example.com", "password": PASSWORD });
    for origin in [Some("https://evil.example"), None] {
        let mut req = app.client.post(app.url("/api/v1/auth/login")).json(&body);
        if let Some(origin) = origin {
            req = req.header("origin", origin);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(cors_headers(&res).is_empty(), "{origin:?}: {:?}", cors_headers(&res));
    }
}

async fn without_allowed_origins_there_is_no_cors(b: Backend) {
    let app = spawn_app(b).await;
    // A preflight is then just an OPTIONS request, answered as before browser support.
    let res = preflight(&app, "/api/v1/auth/refresh", APP, "baton-transport").await;
    assert!(cors_headers(&res).is_empty());
    assert_eq!(res.headers().get("vary"), None);
    assert_problem(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    let res = app.client.get(app.url("/healthz")).header("origin", APP).send().await.unwrap();
    assert!(cors_headers(&res).is_empty());
}

on_both_backends!(
    preflights_from_the_allowed_origin_are_answered,
    preflights_from_other_origins_are_refused_without_cors_headers,
    answers_to_the_allowed_origin_carry_cors_headers_errors_included,
    other_origins_and_plain_clients_get_no_cors_headers,
    routes_no_browser_calls_answer_without_cors_headers,
    without_allowed_origins_there_is_no_cors,
);
