//! The example API against a real Baton (the server itself, on a real socket, SQLite, an
//! Ed25519 signing key from `baton_jwt::generate_ed25519`): what each way of checking a token
//! accepts, before and after logout, and what neither accepts.

use baton_core::{Claims, TokenIssuer, TokenKind};
use baton_example_api::{Settings, State, routes};
use baton_http::Application;
use baton_jwt::{JwtConfig, JwtIssuer, KeySpec, generate_ed25519};
use baton_server::config::{Config, IntrospectionClient, KeyAlg, KeyConfig, Secret};
use baton_server::wiring;
use baton_store::testing::TestDatabase;
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use std::net::TcpListener;
use std::time::Duration;
use time::OffsetDateTime;

const CLIENT_SECRET: &str = "example-api-secret-7c1e9a2b4d6f8a0c2e4b";
const PASSWORD: &str = "correct horse battery";

/// A `jwt.keys` entry holding `pem`, an Ed25519 private key.
fn ed25519(kid: &str, pem: &str) -> KeyConfig {
    KeyConfig {
        alg: KeyAlg::EdDSA,
        secret: None,
        private_key: Some(Secret::new(pem)),
        ..KeyConfig::hs256(kid, "")
    }
}

struct Baton {
    url: String,
    keys: std::sync::Arc<baton_jwt::ReloadableIssuer>,
    config: Config,
    _db: TestDatabase,
}

/// Starts Baton with one Ed25519 signing key (`kid` ed-1) and the example as introspection
/// client.
async fn baton(private_pem: &str) -> Baton {
    let db = tokio::task::spawn_blocking(TestDatabase::sqlite).await.unwrap();
    let mut config = Config::default();
    config.server.workers = Some(1);
    config.database.url = db.url().to_owned();
    config.passwords.bcrypt_cost = 4;
    config.purge.interval = Duration::ZERO;
    config.jwt.keys = vec![ed25519("ed-1", private_pem)];
    let secret = Secret::new(CLIENT_SECRET);
    config.introspection.clients = vec![IntrospectionClient { id: "example".into(), secret }];
    let cfg = config.clone();
    let service =
        tokio::task::spawn_blocking(move || wiring::service(&cfg)).await.unwrap().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let app = Application::with_listener(listener, &config.server, service.state).unwrap();
    let url = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    Baton { url, keys: service.keys, config, _db: db }
}

/// Starts the example API for the Baton at `baton_url`; returns its base URL.
fn example_api(baton_url: &str) -> String {
    let settings = Settings {
        baton_url: baton_url.to_owned(),
        issuer: "baton".into(),
        audience: "baton-api".into(),
        client_id: "example".into(),
        client_secret: CLIENT_SECRET.into(),
        refetch_floor: Duration::ZERO, // every unknown kid re-fetches: no timing in the test
    };
    let state = actix_web::web::Data::new(State::new(&settings));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let server =
        actix_web::HttpServer::new(move || actix_web::App::new().configure(routes(state.clone())))
            .workers(1)
            .listen(listener)
            .unwrap()
            .run();
    tokio::spawn(server);
    url
}

async fn call(api: &str, route: &str, token: &str) -> StatusCode {
    let res = reqwest::Client::new().get(format!("{api}{route}")).bearer_auth(token).send().await;
    res.unwrap().status()
}

/// Both routes' answers to `token`.
async fn both(api: &str, token: &str) -> (StatusCode, StatusCode) {
    (call(api, "/jwks-only", token).await, call(api, "/introspected", token).await)
}

async fn post(url: String, bearer: Option<&str>, body: Value) -> reqwest::Response {
    let mut req = reqwest::Client::new().post(url).json(&body);
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap()
}

/// Registers or logs in at `url`; the token response.
async fn tokens(url: String, body: Value) -> Value {
    let res = post(url, None, body).await;
    assert!(res.status().is_success(), "{}", res.status());
    res.json().await.unwrap()
}

/// Claims of an access token for `sub`/`sid` valid from `from` for `ttl`.
fn access(like: &Claims, from: OffsetDateTime, ttl: time::Duration) -> Claims {
    Claims { issued_at: from, not_before: from, expires_at: from + ttl, ..like.clone() }
}

/// The claims of a token Baton issued, read with Baton's own keys.
fn claims_of(baton: &Baton, token: &str) -> Claims {
    let now = OffsetDateTime::now_utc();
    baton.keys.current().verify(token, TokenKind::Access, now).unwrap()
}

#[tokio::test]
async fn jwks_only_accepts_until_exp_introspection_ends_access_at_logout() {
    let key = generate_ed25519();
    let baton = baton(key.private_pem.expose_secret()).await;
    let api = example_api(&baton.url);
    let body = json!({ "email": "ada@example.com", "password": PASSWORD });
    let pair = tokens(format!("{}/api/v1/auth/register", baton.url), body).await;
    let token = pair["access_token"].as_str().unwrap().to_owned();

    assert_eq!(both(&api, &token).await, (StatusCode::OK, StatusCode::OK), "a fresh token");

    let logout = post(format!("{}/api/v1/auth/logout", baton.url), Some(&token), json!({}));
    assert_eq!(logout.await.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        both(&api, &token).await,
        (StatusCode::OK, StatusCode::UNAUTHORIZED),
        "after logout only introspection knows: the JWKS-only route accepts until exp"
    );

    // ...and not after exp: the same key's token, expired, is refused offline.
    let c = claims_of(&baton, &token);
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let own = JwtIssuer::new(wiring::jwt_config(&baton.config).unwrap()).unwrap();
    let expired =
        own.sign(&access(&c, now - time::Duration::hours(1), time::Duration::minutes(15)));
    assert_eq!(call(&api, "/jwks-only", &expired.unwrap()).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn tokens_baton_never_signed_or_not_meant_for_this_api_are_refused() {
    let key = generate_ed25519();
    let baton = baton(key.private_pem.expose_secret()).await;
    let api = example_api(&baton.url);
    let body = json!({ "email": "ada@example.com", "password": PASSWORD });
    let pair = tokens(format!("{}/api/v1/auth/register", baton.url), body).await;
    let token = pair["access_token"].as_str().unwrap();
    assert_eq!(both(&api, token).await, (StatusCode::OK, StatusCode::OK));
    let c = claims_of(&baton, token);
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let live = access(&c, now, time::Duration::minutes(5));
    let sign = |kid: &str, pem: &str, audience: &str| {
        let keys = vec![KeySpec::ed25519_private(kid, pem.to_owned())];
        let issuer = JwtIssuer::new(JwtConfig::new("baton", audience, keys)).unwrap();
        issuer.sign(&live).unwrap()
    };
    let rogue = generate_ed25519();
    let rogue = rogue.private_pem.expose_secret();
    let own = key.private_pem.expose_secret();
    let refused = [
        ("a key Baton never published", sign("rogue", rogue, "baton-api")),
        ("another key under Baton's kid", sign("ed-1", rogue, "baton-api")),
        ("Baton's key, another audience", sign("ed-1", own, "billing-api")),
        ("a refresh token", pair["refresh_token"].as_str().unwrap().to_owned()),
        ("HS256 under Baton's kid", {
            let keys =
                vec![KeySpec::hs256("ed-1", b"an-hmac-secret-of-32-bytes-or-more!!".to_vec())];
            JwtIssuer::new(JwtConfig::new("baton", "baton-api", keys)).unwrap().sign(&live).unwrap()
        }),
        ("garbage", "not.a.jwt".to_owned()),
    ];
    for (what, token) in &refused {
        let answers = both(&api, token).await;
        assert_eq!(answers, (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED), "{what}");
    }
    // The real key still works (the refusals did not poison the cache)...
    assert_eq!(both(&api, &sign("ed-1", own, "baton-api")).await.0, StatusCode::OK);

    // ...and a key Baton starts signing with is fetched at its first token.
    let next = generate_ed25519();
    let mut config = baton.config.clone();
    config.jwt.keys.insert(0, ed25519("ed-2", next.private_pem.expose_secret()));
    baton.keys.replace(JwtIssuer::new(wiring::jwt_config(&config).unwrap()).unwrap());
    let body = json!({ "email": "ada@example.com", "password": PASSWORD });
    let pair = tokens(format!("{}/api/v1/auth/login", baton.url), body).await;
    let rotated = pair["access_token"].as_str().unwrap();
    assert_eq!(both(&api, rotated).await, (StatusCode::OK, StatusCode::OK), "kid ed-2");
}
