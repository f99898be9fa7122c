//! Real `baton` processes (the binary cargo built) on real PostgreSQL servers, and the few
//! client calls the fault scenarios make.
//!
//! Every HTTP call has a client timeout: a request that does not answer within it fails the
//! test as a hang. No test asserts how fast anything is.

use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The signing secret of every server started here.
pub const SECRET: &str = "fault-test-secret-0123456789abcdef-0123";
/// A password that passes the policy.
pub const PASSWORD: &str = "correct horse battery";
/// A request that takes longer than this is a hang.
pub const HANG: Duration = Duration::from_secs(15);
/// The longest a server may take to start, or a database to come back.
pub const START_DEADLINE: Duration = Duration::from_secs(60);

/// A temporary directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates `<tmp>/baton-faults-<random>`.
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("baton-faults-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("creating a temporary directory");
        Self(dir)
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A free TCP port on 127.0.0.1 (free when asked; the caller binds it soon after).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// An HTTP client whose every request gives up after [`HANG`].
pub fn client() -> Client {
    Client::builder().timeout(HANG).user_agent("baton-faults/1.0").build().unwrap()
}

/// Runs blocking work (diesel, process control) off the async runtime.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("blocking task panicked")
}

/// A `baton serve` child process. Killed (SIGKILL) on drop; its log is printed then if the
/// test is failing.
pub struct Baton {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    child: Child,
    log: PathBuf,
    _dir: TempDir,
}

impl Baton {
    /// Starts `baton serve` on `database_url` with the test settings (bcrypt cost 4, two
    /// workers, no periodic purge) plus `env` overrides, and waits until `/readyz` answers
    /// 200.
    pub async fn start(database_url: &str, env: &[(&str, &str)]) -> Baton {
        Self::start_with(database_url, env, &[]).await
    }

    /// [`Baton::start`] with the variables in `unset` removed from the test settings (e.g.
    /// `BATON_JWT__SECRET` for a server whose keys come from a file).
    pub async fn start_with(database_url: &str, env: &[(&str, &str)], unset: &[&str]) -> Baton {
        let dir = TempDir::new();
        let log = dir.path().join("baton.log");
        let port = free_port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton"));
        cmd.arg("serve")
            .env_clear()
            .env("BATON_PROFILE", "prod")
            .env("BATON_CONFIG_DIR", dir.path()) // exists; holds no *.toml
            .env("BATON_JWT__SECRET", SECRET)
            .env("BATON_DATABASE__URL", database_url)
            .env("BATON_SERVER__PORT", port.to_string())
            .env("BATON_SERVER__WORKERS", "2")
            .env("BATON_PASSWORDS__BCRYPT_COST", "4")
            .env("BATON_SECURITY__ALLOW_WEAK_SETTINGS", "[passwords.bcrypt_cost]")
            .env("BATON_JWT__ISSUER", "https://baton.test")
            // Tests log in many times from one address; the limit has tests of its own.
            .env("BATON_RATE_LIMIT__BURST", "0")
            .env("BATON_PURGE__INTERVAL", "0");
        for (key, value) in env {
            cmd.env(key, value);
        }
        for key in unset {
            cmd.env_remove(key);
        }
        let stderr = std::fs::File::create(&log).unwrap();
        let child = cmd.stdout(Stdio::null()).stderr(stderr).spawn().expect("spawning baton");
        let mut baton = Baton { base: format!("http://127.0.0.1:{port}"), child, log, _dir: dir };
        baton.wait_ready().await;
        baton
    }

    /// Polls `/readyz` until 200; panics with the log if the process exits or never gets
    /// ready.
    async fn wait_ready(&mut self) {
        let http = client();
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("baton exited during start-up ({status}):\n{}", self.log_text());
            }
            let probe = http.get(self.url("/readyz")).send().await;
            if probe.is_ok_and(|res| res.status() == StatusCode::OK) {
                return;
            }
            assert!(started.elapsed() < START_DEADLINE, "baton not ready:\n{}", self.log_text());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The absolute URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGKILL: the process dies at once, mid-request, without cleaning up.
    pub fn kill_9(&mut self) {
        self.child.kill().expect("sending SIGKILL");
        self.child.wait().expect("reaping baton");
    }

    /// What the server logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Baton {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = self.log_text();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("--- log of baton at {} (last lines) ---", self.base);
            tail.iter().rev().for_each(|l| eprintln!("{l}"));
        }
    }
}

/// Client calls against one server (cheap to copy: two references).
#[derive(Clone, Copy)]
pub struct Api<'a> {
    http: &'a Client,
    base: &'a str,
}

/// Calls on `server` through `http`.
pub fn api<'a>(http: &'a Client, server: &'a Baton) -> Api<'a> {
    Api { http, base: &server.base }
}

impl Api<'_> {
    fn url(self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `POST` a JSON body.
    pub async fn post(self, path: &str, body: &Value) -> reqwest::Result<Response> {
        self.http.post(self.url(path)).json(body).send().await
    }

    /// Registers `email` and returns the token response.
    pub async fn register(self, email: &str) -> Value {
        let body = json!({ "email": email, "password": PASSWORD });
        let res = self.post("/api/v1/auth/register", &body).await.expect("register answered");
        assert_eq!(res.status(), StatusCode::CREATED, "registering {email}");
        res.json().await.unwrap()
    }

    /// `POST /api/v1/auth/login`.
    pub async fn login(self, email: &str, password: &str) -> reqwest::Result<Response> {
        self.post("/api/v1/auth/login", &json!({ "email": email, "password": password })).await
    }

    /// `POST /api/v1/auth/refresh` with the token in the body.
    pub async fn refresh(self, refresh_token: &str) -> reqwest::Result<Response> {
        self.post("/api/v1/auth/refresh", &json!({ "refresh_token": refresh_token })).await
    }

    /// `GET /api/v1/auth/me`.
    pub async fn me(self, access_token: &str) -> reqwest::Result<Response> {
        self.http.get(self.url("/api/v1/auth/me")).bearer_auth(access_token).send().await
    }

    /// `POST /api/v1/auth/logout` (scope local).
    pub async fn logout(self, access_token: &str) -> reqwest::Result<Response> {
        self.http.post(self.url("/api/v1/auth/logout")).bearer_auth(access_token).send().await
    }

    /// `GET` a probe (`/healthz`, `/readyz`).
    pub async fn probe(self, path: &str) -> reqwest::Result<Response> {
        self.http.get(self.url(path)).send().await
    }
}

/// Asserts a problem+json answer with `status` and `code`; returns the body.
pub async fn assert_problem(res: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(res.status(), status, "expected {status} {code}");
    let content_type = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (body["status"].as_u64(), body["code"].as_str()),
        (Some(status.as_u16().into()), Some(code))
    );
    body
}

/// Asserts the 503 of SPEC §2 for an unreachable or saturated database: problem+json,
/// `service_unavailable`, `Retry-After`.
pub async fn assert_unavailable(res: Response) {
    assert!(res.headers().contains_key("retry-after"), "503 without Retry-After");
    assert_problem(res, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable").await;
}

/// A string field of a JSON value.
pub fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} missing in {v}"))
}

/// The `sid` (session id) of a token, read without verification.
pub fn session_of(token: &str) -> Uuid {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap();
    let claims: Value = serde_json::from_slice(&bytes).unwrap();
    Uuid::parse_str(s(&claims, "sid")).unwrap()
}

/// Polls `check` every 100 ms until it returns true; panics after [`START_DEADLINE`].
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < START_DEADLINE, "gave up waiting: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `join_all` without a futures dependency: polls every future on the current task, so
/// their requests are in flight together; outputs in input order.
pub async fn join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx: &mut Context<'_>| {
        let mut done = true;
        for (future, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(v) => *output = Some(v),
                    Poll::Pending => done = false,
                }
            }
        }
        if done { Poll::Ready(()) } else { Poll::Pending }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("every future finished")).collect()
}
