//! Prometheus metrics: what `GET /metrics` shows and how the server feeds it.
//!
//! Each [`Metrics`] owns its own recorder (no global one), so several servers in one process
//! (the integration tests) count separately. Handlers count the outcome of the use case they
//! called, by mapping the core's result to a label: the counting is here, the rules stay in
//! the core. `docs/OPERATIONS.md` explains every metric and which to alert on.

use crate::blocking;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use baton_core::{AuthError, IssuedTokens};
use baton_store::Store;
use metrics::{Counter, Gauge, Key, Label, Level, Recorder, Unit};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// Requests by route pattern, method and status.
pub const HTTP_REQUESTS: &str = "baton_http_requests_total";
/// Request latency by route pattern and method.
pub const HTTP_DURATION: &str = "baton_http_request_duration_seconds";
/// Refresh attempts by outcome.
pub const REFRESHES: &str = "baton_refresh_total";
/// Login attempts by outcome.
pub const LOGINS: &str = "baton_login_total";
/// Registrations by outcome.
pub const REGISTRATIONS: &str = "baton_register_total";
/// Sessions usable now, across every server on the database.
pub const ACTIVE_SESSIONS: &str = "baton_sessions_active";
/// Pool connections open.
pub const POOL_CONNECTIONS: &str = "baton_db_pool_connections";
/// Pool connections checked out.
pub const POOL_IN_USE: &str = "baton_db_pool_in_use";
/// Use cases queued for a blocking thread, i.e. for a database connection.
pub const POOL_WAITING: &str = "baton_db_pool_waiting";
/// Use cases running on a blocking thread.
pub const USE_CASES_RUNNING: &str = "baton_use_cases_running";

/// Every outcome label of [`REFRESHES`], so each series exists (at 0) from the start and
/// `increase()` works from the first event.
pub const REFRESH_OUTCOMES: [&str; 8] = [
    "rotated",
    "grace_replay",
    "reuse_detected",
    "expired",
    "invalid",
    "revoked",
    "disabled",
    "error",
];
/// Every outcome label of [`LOGINS`].
pub const LOGIN_OUTCOMES: [&str; 5] = ["ok", "bad_credentials", "locked", "disabled", "error"];
/// Every outcome label of [`REGISTRATIONS`].
pub const REGISTER_OUTCOMES: [&str; 4] = ["ok", "invalid_input", "email_taken", "error"];

/// Latency buckets in seconds: bcrypt-bound logins take tens to hundreds of milliseconds,
/// token checks around a millisecond.
const LATENCY_BUCKETS: [f64; 14] =
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// How long a scrape waits for the active-sessions count before showing the last value, so
/// `/metrics` keeps answering (and showing the pool) while the database struggles.
const COUNT_WAIT: Duration = Duration::from_secs(2);

/// Route label of requests that matched no route (raw paths would explode cardinality).
const UNMATCHED: &str = "unmatched";

const METADATA: metrics::Metadata<'static> =
    metrics::Metadata::new("baton_server", Level::INFO, Some(module_path!()));

/// The server's metrics: a private Prometheus recorder plus the gauges set at scrape time.
/// Cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    active_sessions: Gauge,
    pool_connections: Gauge,
    pool_in_use: Gauge,
    pool_waiting: Gauge,
    use_cases_running: Gauge,
    /// A count of active sessions is in flight; scrapes do not pile them up.
    counting: AtomicBool,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh recorder with every metric described and every outcome series at 0.
    pub fn new() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&LATENCY_BUCKETS)
            .expect("latency buckets are not empty")
            .build_recorder();
        let describe = |name: &'static str, unit: Option<Unit>, help: &'static str| {
            recorder.describe_counter(name.into(), unit, help.into());
        };
        describe(HTTP_REQUESTS, None, "HTTP requests by matched route, method and status.");
        describe(HTTP_DURATION, Some(Unit::Seconds), "HTTP request latency by route and method.");
        describe(REFRESHES, None, "Refresh attempts by outcome; reuse_detected revoked a session.");
        describe(LOGINS, None, "Login attempts by outcome.");
        describe(REGISTRATIONS, None, "Registrations by outcome.");
        describe(ACTIVE_SESSIONS, None, "Sessions neither revoked nor expired (whole database).");
        describe(POOL_CONNECTIONS, None, "Database connections open in this process's pool.");
        describe(POOL_IN_USE, None, "Database connections checked out now.");
        describe(POOL_WAITING, None, "Use cases queued for a blocking thread (and connection).");
        describe(USE_CASES_RUNNING, None, "Use cases running on a blocking thread now.");
        let gauge = |name: &'static str| recorder.register_gauge(&Key::from_name(name), &METADATA);
        let inner = Inner {
            handle: recorder.handle(),
            active_sessions: gauge(ACTIVE_SESSIONS),
            pool_connections: gauge(POOL_CONNECTIONS),
            pool_in_use: gauge(POOL_IN_USE),
            pool_waiting: gauge(POOL_WAITING),
            use_cases_running: gauge(USE_CASES_RUNNING),
            counting: AtomicBool::new(false),
            recorder,
        };
        let metrics = Self { inner: Arc::new(inner) };
        for (name, outcomes) in [
            (REFRESHES, &REFRESH_OUTCOMES[..]),
            (LOGINS, &LOGIN_OUTCOMES[..]),
            (REGISTRATIONS, &REGISTER_OUTCOMES[..]),
        ] {
            for outcome in outcomes {
                metrics.outcome_counter(name, outcome).increment(0);
            }
        }
        metrics
    }

    fn counter(&self, name: &'static str, labels: Vec<Label>) -> Counter {
        self.inner.recorder.register_counter(&Key::from_parts(name, labels), &METADATA)
    }

    fn outcome_counter(&self, name: &'static str, outcome: &'static str) -> Counter {
        self.counter(name, vec![Label::from_static_parts("outcome", outcome)])
    }

    /// Counts a refresh by the core's answer.
    pub fn refresh(&self, result: &Result<IssuedTokens, AuthError>) {
        self.outcome_counter(REFRESHES, refresh_outcome(result)).increment(1);
    }

    /// Counts a refresh refused before it reached the core (an oversized or non-ASCII token).
    pub fn refresh_refused(&self) {
        self.outcome_counter(REFRESHES, "invalid").increment(1);
    }

    /// Counts a login by the core's answer.
    pub fn login<T>(&self, result: &Result<T, AuthError>) {
        self.outcome_counter(LOGINS, login_outcome(result)).increment(1);
    }

    /// Counts a registration by the core's answer.
    pub fn register<T>(&self, result: &Result<T, AuthError>) {
        self.outcome_counter(REGISTRATIONS, register_outcome(result)).increment(1);
    }

    /// Counts one finished HTTP request.
    pub fn http_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let route = Label::new("route", route.to_owned());
        let method = Label::new("method", method.to_owned());
        let status = Label::new("status", status.to_string());
        self.counter(HTTP_REQUESTS, vec![route.clone(), method.clone(), status]).increment(1);
        self.inner
            .recorder
            .register_histogram(&Key::from_parts(HTTP_DURATION, vec![route, method]), &METADATA)
            .record(elapsed.as_secs_f64());
    }

    /// Updates the scrape-time gauges and renders everything in the Prometheus text format.
    /// Counts active sessions on the blocking pool, waiting at most `COUNT_WAIT`.
    pub async fn render(&self, store: &Store) -> String {
        self.count_active_sessions(store).await;
        let pool = store.pool_state();
        let load = blocking::load();
        let inner = &self.inner;
        inner.pool_connections.set(f64::from(pool.connections));
        inner.pool_in_use.set(f64::from(pool.connections.saturating_sub(pool.idle)));
        inner.pool_waiting.set(load.waiting.max(0) as f64);
        inner.use_cases_running.set(load.running.max(0) as f64);
        inner.handle.render()
    }

    async fn count_active_sessions(&self, store: &Store) {
        if self.inner.counting.swap(true, Ordering::AcqRel) {
            return; // an earlier scrape's count is still running
        }
        let (metrics, store) = (self.clone(), store.clone());
        let count = blocking::run(move || {
            let result = store.count_active_sessions(OffsetDateTime::now_utc());
            match &result {
                Ok(n) => metrics.inner.active_sessions.set(*n as f64),
                Err(e) => tracing::warn!(error = %e, "cannot count active sessions for /metrics"),
            }
            metrics.inner.counting.store(false, Ordering::Release);
            Ok(())
        });
        // On timeout the count finishes in the background and the next scrape shows it.
        let _ = actix_web::rt::time::timeout(COUNT_WAIT, count).await;
    }

    /// Drains recorded latencies into their histograms so memory stays bounded between
    /// scrapes; `baton serve` calls it every few seconds.
    pub fn run_upkeep(&self) {
        self.inner.handle.run_upkeep();
    }
}

/// The [`REFRESHES`] label of a refresh result; a replay answered inside the reuse grace is
/// `grace_replay`, not a rotation.
pub fn refresh_outcome(result: &Result<IssuedTokens, AuthError>) -> &'static str {
    match result {
        Ok(issued) if issued.grace_replay => "grace_replay",
        Ok(_) => "rotated",
        Err(AuthError::TokenReused) => "reuse_detected",
        Err(AuthError::TokenExpired) => "expired",
        Err(AuthError::InvalidToken(_)) => "invalid",
        Err(AuthError::SessionRevoked) => "revoked",
        Err(AuthError::AccountDisabled) => "disabled",
        Err(_) => "error",
    }
}

/// The [`LOGINS`] label of a login result.
pub fn login_outcome<T>(result: &Result<T, AuthError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(AuthError::InvalidCredentials) => "bad_credentials",
        Err(AuthError::LockedOut { .. }) => "locked",
        Err(AuthError::AccountDisabled) => "disabled",
        Err(_) => "error",
    }
}

/// The [`REGISTRATIONS`] label of a registration result.
pub fn register_outcome<T>(result: &Result<T, AuthError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(AuthError::InvalidInput(_)) => "invalid_input",
        Err(AuthError::EmailTaken) => "email_taken",
        Err(_) => "error",
    }
}

/// Methods kept as they are in the `method` label; anything else is `other`.
const METHODS: [&str; 9] =
    ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"];

/// Middleware counting every request by its matched route pattern (never the raw path, which
/// carries ids), method and final status, and timing it.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let metrics = req.app_data::<web::Data<crate::app::AppState>>().map(|s| s.metrics.clone());
    let route = req.match_pattern().unwrap_or_else(|| UNMATCHED.to_owned());
    let method = req.method().as_str();
    let method = METHODS.iter().find(|m| **m == method).copied().unwrap_or("other");
    let res = next.call(req).await;
    if let Some(metrics) = metrics {
        let status = match &res {
            Ok(res) => res.status(),
            Err(e) => e.as_response_error().status_code(),
        };
        metrics.http_request(&route, method, status.as_u16(), started.elapsed());
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_map_every_core_answer() {
        let refresh = |e: AuthError| refresh_outcome(&Err(e));
        assert_eq!(refresh(AuthError::TokenReused), "reuse_detected");
        assert_eq!(refresh(AuthError::InvalidToken("x".into())), "invalid");
        assert_eq!(refresh(AuthError::Unavailable("x".into())), "error");
        let ok: Result<(), AuthError> = Ok(());
        assert_eq!(login_outcome::<()>(&Err(AuthError::InvalidCredentials)), "bad_credentials");
        let locked = AuthError::LockedOut { retry_after: Duration::from_secs(1) };
        assert_eq!(login_outcome::<()>(&Err(locked)), "locked");
        assert_eq!(register_outcome::<()>(&Err(AuthError::EmailTaken)), "email_taken");
        assert!(LOGIN_OUTCOMES.contains(&login_outcome(&ok)));
        assert!(REGISTER_OUTCOMES.contains(&register_outcome(&ok)));
        for e in [AuthError::TokenExpired, AuthError::SessionRevoked, AuthError::AccountDisabled] {
            assert!(REFRESH_OUTCOMES.contains(&refresh(e)));
        }
    }

    #[test]
    fn outcome_series_exist_from_the_start() {
        let metrics = Metrics::new();
        metrics.http_request("/healthz", "GET", 200, Duration::from_millis(3));
        let text = metrics.inner.handle.render();
        assert!(text.contains("baton_refresh_total{outcome=\"reuse_detected\"} 0"), "{text}");
        assert!(text.contains("baton_login_total{outcome=\"locked\"} 0"), "{text}");
        assert!(text.contains("# HELP baton_refresh_total"), "{text}");
        let line = "baton_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1";
        assert!(text.contains(line), "{text}");
        assert!(text.contains("baton_http_request_duration_seconds_bucket{"), "{text}");
    }
}
