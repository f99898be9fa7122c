//! Second factors through the real server (SPEC §13): TOTP enrolment, login with a second
//! factor, recovery codes, replay and clock skew, the lockout, disabling, the `amr` claim.
//!
//! Every TOTP code here comes from `totp-lite` (an independent RFC 6238 implementation) with
//! the secret decoded by `data-encoding`: never from Baton's own code path. The server reads
//! a `FakeClock` the test moves, so codes are computed for exactly the server's time.
//! Passkeys are tested in a real browser: `tests/passkeys_browser.rs`.

mod cli;
mod disable;
mod login;
mod totp;

use crate::helpers::*;
use baton_core::testing::FakeClock;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use time::OffsetDateTime;

/// A server on `b` whose use cases read the returned clock, with `tweak` applied.
pub async fn app_at(
    b: Backend,
    tweak: impl FnOnce(&mut baton_server::config::Config),
) -> (TestApp, Arc<FakeClock>) {
    let start = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let clock = Arc::new(FakeClock::at(start));
    (spawn_app_at_with(b, clock.clone(), tweak).await, clock)
}

/// The code an authenticator app shows for the base32 `secret` at the clock's time plus
/// `offset` seconds.
pub fn code(secret: &str, clock: &FakeClock, offset: i64) -> String {
    let key = data_encoding::BASE32_NOPAD.decode(secret.as_bytes()).expect("base32 secret");
    let at = (baton_core::Clock::now(clock).unix_timestamp() + offset) as u64;
    totp_lite::totp_custom::<totp_lite::Sha1>(30, 6, &key, at)
}

/// `POST path` with a bearer token and a JSON body.
pub async fn post_bearer(app: &TestApp, path: &str, token: &str, body: &Value) -> Response {
    app.client.post(app.url(path)).bearer_auth(token).json(body).send().await.unwrap()
}

/// Registers `email`, enrols and confirms TOTP with the current code; returns the
/// registration's token response, the base32 secret and the ten recovery codes. The
/// confirming code's step is used: the next accepted code must be of a later step.
pub async fn with_totp(
    app: &TestApp,
    clock: &FakeClock,
    email: &str,
) -> (Value, String, Vec<String>) {
    let t = app.register(email).await;
    let access = s(&t, "access_token");
    let res = post_bearer(app, "/api/v1/auth/mfa/totp", access, &json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let enrolment: Value = res.json().await.unwrap();
    let secret = s(&enrolment, "secret").to_owned();
    let body = json!({ "code": code(&secret, clock, 0) });
    let res = post_bearer(app, "/api/v1/auth/mfa/totp/confirm", access, &body).await;
    assert_eq!(res.status(), StatusCode::OK);
    let confirmed: Value = res.json().await.unwrap();
    let codes = confirmed["recovery_codes"].as_array().unwrap();
    let codes = codes.iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    (t, secret, codes)
}

/// Logs in with the password and expects `mfa_required`; returns the problem body.
pub async fn mfa_required(app: &TestApp, email: &str) -> Value {
    let res = app.login(email, PASSWORD).await;
    let body = assert_problem(res, StatusCode::FORBIDDEN, "mfa_required").await;
    assert!(body["mfa_token"].as_str().is_some_and(|t| t.len() >= 32), "{body}");
    body
}

impl TestApp {
    /// Logs in `email` (which has TOTP) with the password and `recovery_code`; the tokens.
    pub async fn login_ok_after_mfa(&self, email: &str, recovery_code: &str) -> Value {
        let pending = mfa_required(self, email).await;
        let res = verify(self, s(&pending, "mfa_token"), json!({ "recovery_code": recovery_code }));
        let res = res.await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }
}

/// `POST /api/v1/auth/mfa/verify` with `body` plus the `mfa_token`.
pub async fn verify(app: &TestApp, mfa_token: &str, mut body: Value) -> Response {
    body["mfa_token"] = json!(mfa_token);
    app.post_json("/api/v1/auth/mfa/verify", &body).await
}

/// The `amr` claim of an access token.
pub fn amr(access_token: &str) -> Vec<String> {
    let claims = decode_part(access_token, 1);
    let values = claims["amr"].as_array().unwrap_or_else(|| panic!("no amr in {claims}"));
    values.iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

/// Every `totp_factors.sealed` text, read straight from the database as a dump would.
pub async fn sealed_secrets(app: &TestApp) -> Vec<String> {
    use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        sealed: String,
    }
    let url = app.db.url.clone();
    let query = "SELECT sealed FROM totp_factors";
    let rows: Vec<Row> = tokio::task::spawn_blocking(move || match url.strip_prefix("sqlite://") {
        Some(path) => {
            let mut conn = SqliteConnection::establish(path).unwrap();
            diesel::sql_query(query).load(&mut conn).unwrap()
        }
        None => {
            let mut conn = PgConnection::establish(&url).unwrap();
            diesel::sql_query(query).load(&mut conn).unwrap()
        }
    })
    .await
    .unwrap();
    rows.into_iter().map(|r| r.sealed).collect()
}
