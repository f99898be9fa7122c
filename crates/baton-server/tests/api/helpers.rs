//! Starting the real server on a real socket with its own fresh database, and talking to it.

use baton_core::{Claims, Clock, SystemClock, TokenIssuer, TokenKind};
use baton_http::Application;
use baton_jwt::JwtIssuer;
use baton_jwt::ReloadableIssuer;
use baton_server::config::{Config, Secret};
use baton_server::wiring::{self, Service};
use baton_store::testing::TestDatabase;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use std::net::TcpListener;
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

/// The signing secret of every test server.
pub const SECRET: &str = "integration-test-secret-0123456789abcdef";
/// The `mfa.encryption_key` of every test server (32 bytes, base64), so TOTP is available.
pub const MFA_KEY: &str = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
/// A password that passes the policy.
pub const PASSWORD: &str = "correct horse battery";

/// Which database a scenario runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates `sqlite::<name>` and `postgres::<name>` tests for each scenario
/// `async fn <name>(backend: Backend)` of the calling module.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            )*
        }
    };
}

/// A fresh database that lives (and is removed) with the value.
pub struct TestDb {
    pub url: String,
    _db: TestDatabase,
}

impl TestDb {
    async fn create(backend: Backend) -> Arc<Self> {
        let db = tokio::task::spawn_blocking(move || match backend {
            Backend::Sqlite => TestDatabase::sqlite(),
            Backend::Postgres => TestDatabase::postgres(),
        })
        .await
        .expect("creating the test database");
        Arc::new(Self { url: db.url().to_owned(), _db: db })
    }
}

/// The configuration of a test server: cheap bcrypt, any free port, the test secret.
pub fn test_config(url: &str) -> Config {
    let mut config = Config::default();
    config.server.port = 0;
    config.server.workers = Some(2);
    config.server.shutdown_timeout = std::time::Duration::from_secs(5);
    config.database.url = url.to_owned();
    config.database.pool_size = 8;
    config.jwt.secret = Some(Secret::new(SECRET));
    config.passwords.bcrypt_cost = 4;
    // Every test client is 127.0.0.1; the rate limit has tests of its own.
    config.rate_limit.burst = 0;
    config.purge.interval = std::time::Duration::ZERO;
    config.mfa.encryption_key = vec![Secret::new(MFA_KEY)];
    config
}

/// A running server and what tests need to poke at it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The server's reloadable key set.
    pub keys: Arc<ReloadableIssuer>,
    /// The wired service: state, store and key set.
    pub service: Service,
    pub config: Config,
    pub db: Arc<TestDb>,
    handle: actix_web::dev::ServerHandle,
}

/// Starts a server with the default test configuration on a fresh database.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Starts a server on a fresh database, with `tweak` applied to the configuration.
pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let db = TestDb::create(backend).await;
    let mut config = test_config(&db.url);
    tweak(&mut config);
    start(db, config).await
}

/// Starts a server on a fresh database whose use cases read `clock` (a `FakeClock` the test
/// moves, instead of waiting for real time to pass).
pub async fn spawn_app_at(backend: Backend, clock: Arc<dyn Clock>) -> TestApp {
    let db = TestDb::create(backend).await;
    let config = test_config(&db.url);
    start_at(db, config, clock).await
}

/// [`spawn_app_at`] with `tweak` applied to the configuration.
pub async fn spawn_app_at_with(
    backend: Backend,
    clock: Arc<dyn Clock>,
    tweak: impl FnOnce(&mut Config),
) -> TestApp {
    let db = TestDb::create(backend).await;
    let mut config = test_config(&db.url);
    tweak(&mut config);
    start_at(db, config, clock).await
}

async fn start(db: Arc<TestDb>, config: Config) -> TestApp {
    start_at(db, config, Arc::new(SystemClock)).await
}

async fn start_at(db: Arc<TestDb>, config: Config, clock: Arc<dyn Clock>) -> TestApp {
    let cfg = config.clone();
    let service = wiring::service_at(&cfg, clock).await.expect("wiring the test server");
    let (state, keys) = (service.state.clone(), service.keys.clone());
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a port");
    let app = Application::with_listener(listener, &config.server, state.clone()).unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder().user_agent("baton-tests/1.0").build().unwrap();
    TestApp { address, client, keys, service, config, db, handle }
}

impl TestApp {
    /// Stops this server (gracefully) and starts a new one on the same database.
    pub async fn restart(self) -> TestApp {
        self.handle.stop(true).await;
        start(self.db.clone(), self.config.clone()).await
    }

    /// Another server on the same database with the same configuration (a second instance
    /// behind the load balancer).
    pub async fn twin(&self) -> TestApp {
        start(self.db.clone(), self.config.clone()).await
    }

    /// Another server on the same database whose use cases read `clock`, with `tweak`
    /// applied to this one's configuration (a server after a configuration change).
    pub async fn twin_at_with(
        &self,
        clock: Arc<dyn Clock>,
        tweak: impl FnOnce(&mut Config),
    ) -> TestApp {
        let mut config = self.config.clone();
        tweak(&mut config);
        start_at(self.db.clone(), config, clock).await
    }

    /// Runs blocking work (the core, the store) off the test's runtime.
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Service) -> T + Send + 'static,
    ) -> T {
        let service = self.service.clone();
        tokio::task::spawn_blocking(move || f(&service)).await.unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).json(body).send().await.unwrap()
    }

    pub async fn register(&self, email: &str) -> Value {
        let body = json!({ "email": email, "password": PASSWORD, "name": "Ada" });
        let res = self.post_json("/api/v1/auth/register", &body).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.unwrap()
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_json("/api/v1/auth/login", &json!({ "email": email, "password": password })).await
    }

    /// Logs in with the right password and returns the token response.
    pub async fn login_ok(&self, email: &str) -> Value {
        let res = self.login(email, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.post_json("/api/v1/auth/refresh", &json!({ "refresh_token": refresh_token })).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.unwrap()
    }

    pub async fn me(&self, token: &str) -> Response {
        self.get("/api/v1/auth/me", token).await
    }

    pub async fn sessions(&self, token: &str) -> Vec<Value> {
        let res = self.get("/api/v1/auth/sessions", token).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    pub async fn logout(&self, token: &str, query: &str) -> Response {
        let url = self.url(&format!("/api/v1/auth/logout{query}"));
        self.client.post(url).bearer_auth(token).send().await.unwrap()
    }

    /// An issuer with this server's keys, to mint tokens with chosen claims.
    pub fn issuer(&self) -> JwtIssuer {
        JwtIssuer::new(wiring::jwt_config(&self.config).unwrap()).unwrap()
    }

    /// An issuer with the same issuer and audience but another secret.
    pub fn foreign_issuer(&self) -> JwtIssuer {
        let mut config = self.config.clone();
        config.jwt.secret = Some(Secret::new("another-secret-that-is-long-enough-0000"));
        JwtIssuer::new(wiring::jwt_config(&config).unwrap()).unwrap()
    }
}

/// Claims for a token of `kind` for `user`/`session`, valid from `from` to `until`.
pub fn claims(
    kind: TokenKind,
    user: Uuid,
    session: Uuid,
    from: OffsetDateTime,
    until: OffsetDateTime,
) -> Claims {
    let jti = match kind {
        TokenKind::Access => Uuid::new_v4().to_string(),
        TokenKind::Refresh => format!("{session}.0"),
    };
    Claims {
        kind,
        user_id: user,
        client_id: Some(baton_core::ClientId::parse(baton_core::DEFAULT_CLIENT_ID).unwrap()),
        session_id: session,
        jti,
        issued_at: from,
        not_before: from,
        expires_at: until,
        session_expires_at: (kind == TokenKind::Refresh).then_some(until),
        email_verified: None,
        amr: None,
    }
}

/// Signs `claims` with `issuer`.
pub fn sign(issuer: &JwtIssuer, claims: &Claims) -> String {
    issuer.sign(claims).unwrap()
}

/// The `sub` and `sid` of a token, read without verification.
pub fn ids_of(token: &str) -> (Uuid, Uuid) {
    let payload = decode_part(token, 1);
    let id = |k: &str| Uuid::parse_str(payload[k].as_str().unwrap()).unwrap();
    (id("sub"), id("sid"))
}

/// One JSON part of a JWT (0 header, 1 payload).
pub fn decode_part(token: &str, index: usize) -> Value {
    use base64::Engine;
    let part = token.split('.').nth(index).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// base64url of a JSON value, as a JWT part.
pub fn encode_part(value: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

/// Asserts a problem+json answer with `status` and `code`; returns the body.
pub async fn assert_problem(res: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(res.status(), status, "expected {status} {code}");
    let content_type = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert_eq!(body["type"], "about:blank", "{body}");
    assert_eq!(body["title"], status.canonical_reason().unwrap(), "{body}");
    assert!(body["detail"].is_string(), "{body}");
    body
}

/// Asserts a 401 from a bearer-protected route: problem+json, `code`, and the RFC 6750
/// challenge.
pub async fn assert_bearer_rejected(res: Response, code: &str) -> Value {
    let challenge = res.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(challenge.as_deref(), Some("Bearer error=\"invalid_token\""), "{code}");
    assert_problem(res, StatusCode::UNAUTHORIZED, code).await
}

/// A string field of a JSON value.
pub fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} missing in {v}"))
}
