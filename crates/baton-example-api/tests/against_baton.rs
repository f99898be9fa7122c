//! The example API against a real Baton (the server itself, on a real socket, SQLite, a P-256
//! or Ed25519 signing key from `baton_jwt`): what each way of checking a token accepts, before
//! and after logout, and what neither accepts (refresh tokens above all).

use baton_core::{Claims, TokenIssuer, TokenKind};
use baton_example_api::{Settings, State, routes};
use baton_http::Application;
use baton_jwt::{JwtConfig, JwtIssuer, KeySpec, generate_ed25519, generate_p256};
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

/// A `jwt.keys` entry holding `pem`, a private key of `alg`.
fn key_entry(alg: KeyAlg, kid: &str, pem: &str) -> KeyConfig {
    KeyConfig {
        alg,
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

/// Starts Baton with one signing key (`kid` k-1) of `alg` and the example as introspection
/// client.
async fn baton(alg: KeyAlg, private_pem: &str) -> Baton {
    baton_with(alg, private_pem, |_| {}).await
}

/// [`baton`] with `tweak` applied to its configuration.
async fn baton_with(alg: KeyAlg, private_pem: &str, tweak: impl FnOnce(&mut Config)) -> Baton {
    let db = tokio::task::spawn_blocking(TestDatabase::sqlite).await.unwrap();
    let mut config = Config::default();
    config.server.workers = Some(1);
    config.database.url = db.url().to_owned();
    config.passwords.bcrypt_cost = 4;
    config.purge.interval = Duration::ZERO;
    config.jwt.keys = vec![key_entry(alg, "k-1", private_pem)];
    let secret = Secret::new(CLIENT_SECRET);
    config.introspection.clients = vec![IntrospectionClient { id: "example".into(), secret }];
    tweak(&mut config);
    let service = wiring::service(&config).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let app = Application::with_listener(listener, &config.server, service.state).unwrap();
    let url = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    Baton { url, keys: service.keys, config, _db: db }
}

/// Starts the example API for `baton`; returns its base URL.
fn example_api(baton: &Baton) -> String {
    let settings = Settings {
        baton_url: baton.url.clone(),
        issuer: baton.config.jwt.issuer.clone(),
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
    let key = generate_p256();
    let baton = baton(KeyAlg::ES256, key.private_pem.expose_secret()).await;
    let api = example_api(&baton);
    let body = json!({ "email": "ada@example.com", "password": PASSWORD });
    let pair = tokens(format!("{}/api/v1/auth/register", baton.url), body).await;
    let token = pair["access_token"].as_str().unwrap().to_owned();

    assert_eq!(both(&api, &token).await, (StatusCode::OK, StatusCode::OK), "a fresh token");
    let res = reqwest::Client::new().get(format!("{api}/jwks-only")).bearer_auth(&token).send();
    let hello: Value = res.await.unwrap().json().await.unwrap();
    assert_eq!(hello["client"], "default", "the RFC 9068 client_id, Baton's default");

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
    let baton = baton(KeyAlg::EdDSA, key.private_pem.expose_secret()).await;
    let api = example_api(&baton);
    let body = json!({ "email": "ada@example.com", "password": PASSWORD });
    let pair = tokens(format!("{}/api/v1/auth/register", baton.url), body).await;
    let token = pair["access_token"].as_str().unwrap();
    assert_eq!(both(&api, token).await, (StatusCode::OK, StatusCode::OK));
    let c = claims_of(&baton, token);
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let live = access(&c, now, time::Duration::minutes(5));
    let iss = baton.config.jwt.issuer.clone();
    let sign = |kid: &str, pem: &str, audience: &str| {
        let keys = vec![KeySpec::ed25519_private(kid, pem.to_owned())];
        let issuer = JwtIssuer::new(JwtConfig::new(iss.as_str(), audience, keys)).unwrap();
        issuer.sign(&live).unwrap()
    };
    // Baton's own key, by hand: the access token's claims under another header or without
    // the RFC 9068 client_id.
    let by_hand = |typ: &str, drop: Option<&str>| {
        let own = decode_claims(token);
        let mut payload = own.clone();
        if let Some(claim) = drop {
            payload.as_object_mut().unwrap().remove(claim);
        }
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.typ = Some(typ.to_owned());
        header.kid = Some("k-1".into());
        let pem = key.private_pem.expose_secret();
        let encoding = jsonwebtoken::EncodingKey::from_ed_pem(pem.as_bytes()).unwrap();
        jsonwebtoken::encode(&header, &payload, &encoding).unwrap()
    };
    // The guard for the two forgeries below: unchanged, the hand-made token is accepted.
    assert_eq!(both(&api, &by_hand("at+jwt", None)).await, (StatusCode::OK, StatusCode::OK));
    let rogue = generate_ed25519();
    let rogue = rogue.private_pem.expose_secret();
    let own = key.private_pem.expose_secret();
    let refused = [
        ("a key Baton never published", sign("rogue", rogue, "baton-api")),
        ("another key under Baton's kid", sign("k-1", rogue, "baton-api")),
        ("Baton's key, another audience", sign("k-1", own, "billing-api")),
        ("a refresh token", pair["refresh_token"].as_str().unwrap().to_owned()),
        ("HS256 under Baton's kid", {
            let keys =
                vec![KeySpec::hs256("k-1", b"an-hmac-secret-of-32-bytes-or-more!!".to_vec())];
            let hs = JwtIssuer::new(JwtConfig::new(iss.as_str(), "baton-api", keys)).unwrap();
            hs.sign(&live).unwrap()
        }),
        ("typ JWT, not at+jwt", by_hand("JWT", None)),
        ("no client_id", by_hand("at+jwt", Some("client_id"))),
        ("garbage", "not.a.jwt".to_owned()),
    ];
    for (what, token) in &refused {
        let answers = both(&api, token).await;
        assert_eq!(answers, (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED), "{what}");
    }
    // The real key still works (the refusals did not poison the cache)...
    assert_eq!(both(&api, &sign("k-1", own, "baton-api")).await.0, StatusCode::OK);

    // ...and a key Baton starts signing with is fetched at its first token: here a move from
    // Ed25519 to P-256, the key every JOSE library accepts.
    let next = generate_p256();
    let mut config = baton.config.clone();
    config.jwt.keys.insert(0, key_entry(KeyAlg::ES256, "ec-2", next.private_pem.expose_secret()));
    baton.keys.replace(JwtIssuer::new(wiring::jwt_config(&config).unwrap()).unwrap());
    let body = json!({ "email": "ada@example.com", "password": PASSWORD });
    let pair = tokens(format!("{}/api/v1/auth/login", baton.url), body).await;
    let rotated = pair["access_token"].as_str().unwrap();
    assert_eq!(both(&api, rotated).await, (StatusCode::OK, StatusCode::OK), "kid ec-2");
    let refresh = pair["refresh_token"].as_str().unwrap();
    assert_eq!(both(&api, refresh).await, (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
}

/// The JSON payload of a token, as an API author would print it.
fn decode_claims(token: &str) -> Value {
    use base64::Engine as _;
    let part = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// The code an authenticator app shows now for the base32 `secret` (totp-lite: not Baton's
/// code).
fn totp_now(secret: &str) -> String {
    let key = data_encoding::BASE32_NOPAD.decode(secret.as_bytes()).unwrap();
    let now = OffsetDateTime::now_utc().unix_timestamp() as u64;
    totp_lite::totp_custom::<totp_lite::Sha1>(30, 6, &key, now)
}

#[tokio::test]
async fn the_mfa_route_wants_a_second_factor_in_amr() {
    let key = generate_p256();
    let baton = baton_with(KeyAlg::ES256, key.private_pem.expose_secret(), |c| {
        c.mfa.encryption_key = vec![Secret::new("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=")];
    })
    .await;
    let api = example_api(&baton);
    let body = json!({ "email": "ada@example.com", "password": PASSWORD });
    let pair = tokens(format!("{}/api/v1/auth/register", baton.url), body.clone()).await;
    let password_only = pair["access_token"].as_str().unwrap().to_owned();
    let res = reqwest::Client::new().get(format!("{api}/mfa-only")).bearer_auth(&password_only);
    let res = res.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "a password alone is not enough");
    let challenge = res.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("error=\"insufficient_user_authentication\""), "{challenge}");
    assert_eq!(call(&api, "/jwks-only", &password_only).await, StatusCode::OK);

    // Enrol TOTP, log in with the password and a recovery code: the token says `mfa`.
    let enrol =
        post(format!("{}/api/v1/auth/mfa/totp", baton.url), Some(&password_only), json!({}));
    let enrolment: Value = enrol.await.json().await.unwrap();
    let code = totp_now(enrolment["secret"].as_str().unwrap());
    let confirm = format!("{}/api/v1/auth/mfa/totp/confirm", baton.url);
    let codes: Value =
        post(confirm, Some(&password_only), json!({ "code": code })).await.json().await.unwrap();
    let login = post(format!("{}/api/v1/auth/login", baton.url), None, body).await;
    assert_eq!(login.status(), StatusCode::FORBIDDEN);
    let pending: Value = login.json().await.unwrap();
    assert_eq!(pending["code"], "mfa_required");
    let verify =
        json!({ "mfa_token": pending["mfa_token"], "recovery_code": codes["recovery_codes"][0] });
    let pair = tokens(format!("{}/api/v1/auth/mfa/verify", baton.url), verify).await;
    let with_mfa = pair["access_token"].as_str().unwrap();
    assert_eq!(decode_claims(with_mfa)["amr"], json!(["pwd", "mfa"]));
    assert_eq!(call(&api, "/mfa-only", with_mfa).await, StatusCode::OK);
}
