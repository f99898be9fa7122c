//! What `baton serve` writes to its log: no token, password or secret, even at trace level,
//! through a full register/login/refresh/reuse/logout run; the reuse warning; a request id on
//! the lines of each request. Also the periodic purge, which only the served binary runs.

use crate::binary::{Db, Served, baton};
use crate::helpers::*;
use crate::on_both_backends;
use baton_core::TokenStore;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// Every secret a run handles: the tokens it was given, the passwords it sent.
#[derive(Default)]
struct Secrets(Vec<String>);

impl Secrets {
    /// Records both tokens of a token response (whole, and their signature and payload parts,
    /// which would betray a token logged in pieces).
    fn tokens(&mut self, response: &Value) {
        for key in ["access_token", "refresh_token"] {
            let token = s(response, key);
            self.0.push(token.to_owned());
            self.0.extend(token.split('.').skip(1).map(str::to_owned));
        }
    }
}

async fn post(client: &reqwest::Client, url: String, body: Value) -> reqwest::Response {
    client.post(url).json(&body).send().await.unwrap()
}

/// The browser app's origin and the introspecting API's credentials of the run.
const ORIGIN: &str = "http://app.test";
const CLIENT_SECRET: &str = "introspection-client-secret-Kq7Xw2Lm9Pz4";

/// The refresh token a `Set-Cookie` answer carries.
fn cookie_token(res: &reqwest::Response) -> String {
    let set = res.headers()["set-cookie"].to_str().unwrap();
    let (_, rest) = set.split_once('=').unwrap();
    rest.split(';').next().unwrap().to_owned()
}

/// Cookie transport and introspection in the same run: the cookie's token and the client
/// secret are secrets too.
async fn browser_and_api_calls(
    client: &reqwest::Client,
    url: &dyn Fn(&str) -> String,
    secrets: &mut Secrets,
) {
    let body = json!({ "email": "bea@example.com", "password": PASSWORD });
    let res = client
        .post(url("/api/v1/auth/register"))
        .header("baton-transport", "cookie")
        .header("origin", ORIGIN)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let cookie = cookie_token(&res);
    let registered: Value = res.json().await.unwrap();
    secrets.0.push(cookie.clone());
    secrets.0.push(s(&registered, "access_token").to_owned());
    let res = client
        .post(url("/api/v1/auth/refresh"))
        .header("baton-transport", "cookie")
        .header("origin", ORIGIN)
        .header("cookie", format!("__Secure-baton-refresh={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    secrets.0.push(cookie_token(&res));
    let res = client
        .post(url("/api/v1/auth/introspect"))
        .basic_auth("api", Some(CLIENT_SECRET))
        .form(&[("token", s(&registered, "access_token"))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn no_secret_reaches_the_log_of_a_full_run(b: Backend) {
    let db = Db::create(b).await;
    let mut cmd = baton(&db.url);
    cmd.env("RUST_LOG", "trace")
        .env("BATON_COOKIES__ALLOWED_ORIGINS", format!("[\"{ORIGIN}\"]"))
        .env(
            "BATON_INTROSPECTION__CLIENTS",
            format!("[{{id=\"api\", secret=\"{CLIENT_SECRET}\"}}]"),
        );
    let server = Served::start(cmd);
    let client = reqwest::Client::new();
    let url = |path: &str| server.url(path);
    let wrong = "wrong-password-Zq9";
    let mut secrets = Secrets(vec![
        SECRET.to_owned(),
        PASSWORD.to_owned(),
        wrong.to_owned(),
        CLIENT_SECRET.to_owned(),
    ]);
    browser_and_api_calls(&client, &url, &mut secrets).await;

    let body = json!({ "email": "ada@example.com", "password": PASSWORD, "name": "Ada" });
    let res = post(&client, url("/api/v1/auth/register"), body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let t1: Value = res.json().await.unwrap();
    secrets.tokens(&t1);
    let login = json!({ "email": "ada@example.com", "password": PASSWORD });
    let t2: Value = post(&client, url("/api/v1/auth/login"), login).await.json().await.unwrap();
    secrets.tokens(&t2);
    let bad = json!({ "email": "ada@example.com", "password": wrong });
    assert_eq!(post(&client, url("/api/v1/auth/login"), bad).await.status(), 401);

    let me = client.get(url("/api/v1/auth/me")).bearer_auth(s(&t2, "access_token")).send();
    assert_eq!(me.await.unwrap().status(), StatusCode::OK);
    let body = json!({ "refresh_token": s(&t1, "refresh_token") });
    let n1: Value =
        post(&client, url("/api/v1/auth/refresh"), body.clone()).await.json().await.unwrap();
    secrets.tokens(&n1);
    let reused = post(&client, url("/api/v1/auth/refresh"), body).await;
    assert_eq!(reused.status(), StatusCode::UNAUTHORIZED);
    // Refresh by header, then log out everywhere with a refresh token in the body.
    let refresh = client.post(url("/api/v1/auth/refresh")).bearer_auth(s(&t2, "refresh_token"));
    let n2: Value = refresh.send().await.unwrap().json().await.unwrap();
    secrets.tokens(&n2);
    let logout = client
        .post(url("/api/v1/auth/logout?scope=global"))
        .bearer_auth(s(&n2, "access_token"))
        .json(&json!({ "refresh_token": s(&n2, "refresh_token") }));
    assert_eq!(logout.send().await.unwrap().status(), StatusCode::NO_CONTENT);

    let lines = server.stop().await;
    assert!(lines.len() > 50, "trace level logs plenty: {}", lines.len());
    for line in &lines {
        for secret in &secrets.0 {
            assert!(!line.contains(secret.as_str()), "a secret reached the log: {line}");
        }
    }
    let json: Vec<Value> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    fn request_id(v: &Value) -> Option<&str> {
        v["spans"].as_array()?.iter().find_map(|s| s["request_id"].as_str())
    }
    let reuse = json
        .iter()
        .find(|v| v["message"] == "refresh token reuse detected; session revoked")
        .expect("the reuse warning is logged");
    assert_eq!(reuse["level"], "WARN");
    assert!(request_id(reuse).is_some(), "the core's line carries the request id: {reuse}");
    // Every line Baton writes while serving a request names it, the core's included (they
    // run on the blocking pool).
    let ours = |v: &&Value| {
        let target = v["target"].as_str().unwrap_or_default();
        target.starts_with("baton_core") || target == "baton_http::middleware::tracing"
    };
    let request_lines: Vec<&Value> = json.iter().filter(ours).collect();
    assert!(request_lines.len() >= 8, "{request_lines:?}");
    for line in request_lines {
        assert!(request_id(line).is_some(), "no request id: {line}");
    }
}

on_both_backends!(no_secret_reaches_the_log_of_a_full_run);

#[tokio::test]
async fn pretty_logs_name_the_request_and_responses_carry_its_id() {
    let db = Db::create(Backend::Sqlite).await;
    let mut cmd = baton(&db.url);
    cmd.env("BATON_LOG__FORMAT", "pretty");
    let mut child = cmd
        .arg("serve")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let port: u16 = loop {
        let line = lines.next().expect("baton exited").unwrap();
        if let Some(rest) = line.split("port=").nth(1).filter(|_| line.contains("baton listening"))
        {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    let res = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await.unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let finished = tokio::task::spawn_blocking(move || {
        let line = lines.find(|l| l.as_ref().unwrap().contains("request finished"));
        child.kill().unwrap();
        child.wait().unwrap();
        line.unwrap().unwrap()
    })
    .await
    .unwrap();
    assert!(finished.contains(&format!("request_id={id}")), "{finished}");
    assert!(!finished.starts_with('{'), "pretty, not JSON: {finished}");
}

/// `baton serve` purges dead sessions every `purge.interval`.
#[tokio::test]
async fn the_periodic_purge_deletes_revoked_sessions() {
    let db = Db::create(Backend::Sqlite).await;
    let mut cmd = baton(&db.url);
    cmd.env("BATON_PURGE__INTERVAL", "1s").env("BATON_PURGE__REVOKED_RETENTION", "0s");
    let server = Served::start(cmd);
    let client = reqwest::Client::new();
    let body = json!({ "email": "ada@example.com", "password": PASSWORD });
    let t: Value =
        post(&client, server.url("/api/v1/auth/register"), body).await.json().await.unwrap();
    let (_, session) = ids_of(s(&t, "refresh_token"));
    let logout = client.post(server.url("/api/v1/auth/logout")).bearer_auth(s(&t, "access_token"));
    assert_eq!(logout.send().await.unwrap().status(), StatusCode::NO_CONTENT);

    let purged = server
        .wait_for(Duration::from_secs(15), |l| {
            l.contains("\"purged dead sessions\"") && !l.contains("\"purged\":0")
        })
        .await;
    assert!(purged.is_some(), "no purge within 15 s");
    let url = db.url.clone();
    let store = baton_store::Store::connect(&baton_store::testing::config(url)).await.unwrap();
    let found = store.find_session(session).await.unwrap();
    assert!(found.is_none(), "the revoked session is gone");
    server.stop().await;
}

/// A request actix cannot parse (a malformed header) is refused with 400 and logged at INFO
/// under Baton's target, never at ERROR: anyone may send one, and it must not page anyone.
#[tokio::test]
async fn a_malformed_request_is_logged_below_error() {
    let db = Db::create(Backend::Sqlite).await;
    let server = Served::start(baton(&db.url));
    let address = format!("127.0.0.1:{}", server.url("").rsplit(':').next().unwrap());
    let answer = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut socket = std::net::TcpStream::connect(address).unwrap();
        socket.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n").unwrap();
        let mut answer = String::new();
        socket.read_to_string(&mut answer).unwrap();
        answer
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    let logged = |l: &str| l.contains("\"malformed request refused\"");
    let line = server.wait_for(Duration::from_secs(10), logged).await.expect("the line");
    let line: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        (line["level"].as_str(), line["target"].as_str()),
        (Some("INFO"), Some("baton_http::connection"))
    );
    let lines = server.stop().await;
    assert!(lines.iter().all(|l| !l.contains("\"ERROR\"")), "{lines:#?}");
}
