//! Prometheus metrics: what `GET /metrics` shows and how the server feeds it.
//!
//! Each [`Metrics`] owns its own recorder (no global one), so several servers in one process
//! (the integration tests) count separately. Handlers count the outcome of the use case they
//! called; a failure's label is the core's ([`Outcomes`]: derived from the error's variants),
//! and every label of every error type is registered at 0 from the start, so a new variant
//! needs no change here. `docs/OPERATIONS.md` explains every metric and which to alert on.

use crate::adapters::Operations;
use crate::error::CsrfRefusal;
use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use baton_core::{Fault, IssuedTokens, LoginError, Outcomes, RefreshError, RegisterError};
use metrics::{Counter, Gauge, Key, Label, Level, Recorder, Unit};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use strum::{EnumIter, IntoEnumIterator, IntoStaticStr};
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
/// Use cases queued for a database thread, i.e. for a database connection.
pub const POOL_WAITING: &str = "baton_db_pool_waiting";
/// Use cases running on a database thread.
pub const USE_CASES_RUNNING: &str = "baton_use_cases_running";
/// Password checks queued for a bcrypt thread.
pub const HASH_WAITING: &str = "baton_password_hashing_waiting";
/// Password checks running on a bcrypt thread.
pub const HASH_RUNNING: &str = "baton_password_hashing_running";
/// Token introspections (RFC 7662) by outcome.
pub const INTROSPECTIONS: &str = "baton_introspection_total";
/// Key-set reloads (SIGHUP) by outcome.
pub const KEY_RELOADS: &str = "baton_key_reloads_total";
/// Requests refused by the CSRF check (403 `csrf_rejected`), by reason.
pub const CSRF_REJECTIONS: &str = "baton_csrf_rejections_total";

/// The success labels of [`REFRESHES`]; its failure labels are [`RefreshError`]'s.
pub const REFRESH_SUCCESSES: [&str; 2] = ["rotated", "grace_replay"];
/// The success label of [`LOGINS`] and [`REGISTRATIONS`].
pub const OK: &str = "ok";
/// The labels of [`INTROSPECTIONS`] besides a fault's: the answer's `active`, a refused client,
/// a malformed request.
pub const INTROSPECTION_ANSWERS: [&str; 4] = ["active", "inactive", "unauthorized", "malformed"];
/// Every outcome label of [`KEY_RELOADS`].
pub const KEY_RELOAD_OUTCOMES: [&str; 2] = ["ok", "failed"];

/// Every outcome label of a counter: its successes, then the failures of its error type.
fn outcomes<E: Outcomes>(successes: &[&'static str]) -> Vec<&'static str> {
    successes.iter().copied().chain(E::labels()).collect()
}

/// Every outcome label of [`REFRESHES`], so each series exists (at 0) from the start and
/// `increase()` works from the first event.
pub fn refresh_outcomes() -> Vec<&'static str> {
    outcomes::<RefreshError>(&REFRESH_SUCCESSES)
}

/// Every outcome label of [`LOGINS`].
pub fn login_outcomes() -> Vec<&'static str> {
    outcomes::<LoginError>(&[OK])
}

/// Every outcome label of [`REGISTRATIONS`].
pub fn register_outcomes() -> Vec<&'static str> {
    outcomes::<RegisterError>(&[OK])
}

/// Every outcome label of [`INTROSPECTIONS`].
pub fn introspection_outcomes() -> Vec<&'static str> {
    outcomes::<Fault>(&INTROSPECTION_ANSWERS)
}

/// The `reason` label of [`CSRF_REJECTIONS`]: one per [`CsrfRefusal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum CsrfReason {
    /// [`CsrfRefusal::MissingHeader`].
    MissingHeader,
    /// [`CsrfRefusal::MissingOrigin`].
    MissingOrigin,
    /// [`CsrfRefusal::OriginNotAllowed`].
    OriginNotAllowed,
}

impl From<&CsrfRefusal> for CsrfReason {
    fn from(refusal: &CsrfRefusal) -> Self {
        match refusal {
            CsrfRefusal::MissingHeader => CsrfReason::MissingHeader,
            CsrfRefusal::MissingOrigin => CsrfReason::MissingOrigin,
            CsrfRefusal::OriginNotAllowed => CsrfReason::OriginNotAllowed,
        }
    }
}

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
    hash_waiting: Gauge,
    hash_running: Gauge,
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
        describe(
            REFRESHES,
            None,
            "Refresh attempts by outcome. reuse_detected: a retired token came back and this \
             request revoked its session (one per session); replay_rejected: a retired token of \
             a session already revoked for reuse (race losers, later replays).",
        );
        describe(LOGINS, None, "Login attempts by outcome.");
        describe(REGISTRATIONS, None, "Registrations by outcome.");
        describe(INTROSPECTIONS, None, "Token introspections by outcome (active, inactive, ...).");
        describe(
            KEY_RELOADS,
            None,
            "JWT key-set reloads on SIGHUP: ok, or failed (old keys kept).",
        );
        describe(
            CSRF_REJECTIONS,
            None,
            "Requests refused with 403 csrf_rejected, by reason (a browser page of another \
             origin, or a client that sent the cookie without the transport header).",
        );
        describe(ACTIVE_SESSIONS, None, "Sessions neither revoked nor expired (whole database).");
        describe(POOL_CONNECTIONS, None, "Database connections open in this process's pool.");
        describe(POOL_IN_USE, None, "Database connections checked out now.");
        describe(POOL_WAITING, None, "Use cases queued for a database thread (and connection).");
        describe(USE_CASES_RUNNING, None, "Use cases running on a database thread now.");
        describe(HASH_WAITING, None, "Password checks queued for a bcrypt thread.");
        describe(HASH_RUNNING, None, "Password checks running on a bcrypt thread now.");
        let gauge = |name: &'static str| recorder.register_gauge(&Key::from_name(name), &METADATA);
        let inner = Inner {
            handle: recorder.handle(),
            active_sessions: gauge(ACTIVE_SESSIONS),
            pool_connections: gauge(POOL_CONNECTIONS),
            pool_in_use: gauge(POOL_IN_USE),
            pool_waiting: gauge(POOL_WAITING),
            use_cases_running: gauge(USE_CASES_RUNNING),
            hash_waiting: gauge(HASH_WAITING),
            hash_running: gauge(HASH_RUNNING),
            counting: AtomicBool::new(false),
            recorder,
        };
        let metrics = Self { inner: Arc::new(inner) };
        for (name, outcomes) in [
            (REFRESHES, refresh_outcomes()),
            (LOGINS, login_outcomes()),
            (REGISTRATIONS, register_outcomes()),
            (INTROSPECTIONS, introspection_outcomes()),
            (KEY_RELOADS, KEY_RELOAD_OUTCOMES.to_vec()),
        ] {
            for outcome in outcomes {
                metrics.outcome_counter(name, outcome).increment(0);
            }
        }
        for reason in CsrfReason::iter() {
            let label = Label::from_static_parts("reason", reason.into());
            metrics.counter(CSRF_REJECTIONS, vec![label]).increment(0);
        }
        metrics.register_mail();
        metrics.register_mfa();
        metrics
    }

    fn counter(&self, name: &'static str, labels: Vec<Label>) -> Counter {
        self.inner.recorder.register_counter(&Key::from_parts(name, labels), &METADATA)
    }

    fn outcome_counter(&self, name: &'static str, outcome: &'static str) -> Counter {
        self.counter(name, vec![Label::from_static_parts("outcome", outcome)])
    }

    /// Counts a refresh by the core's answer.
    pub fn refresh(&self, result: &Result<IssuedTokens, RefreshError>) {
        self.outcome_counter(REFRESHES, refresh_outcome(result)).increment(1);
    }

    /// Counts a refresh refused before it reached the core (an oversized or non-ASCII token).
    pub fn refresh_refused(&self) {
        self.outcome_counter(REFRESHES, "invalid").increment(1);
    }

    /// Counts a login by the core's answer.
    pub fn login<T>(&self, result: &Result<T, LoginError>) {
        self.outcome_counter(LOGINS, outcome(result)).increment(1);
    }

    /// Counts a registration by the core's answer.
    pub fn register<T>(&self, result: &Result<T, RegisterError>) {
        self.outcome_counter(REGISTRATIONS, outcome(result)).increment(1);
    }

    /// Counts an introspection by the core's answer: `active`, `inactive`, or a fault's label.
    pub fn introspection<T>(&self, result: &Result<Option<T>, Fault>) {
        let outcome = match result {
            Ok(Some(_)) => "active",
            Ok(None) => "inactive",
            Err(e) => e.label(),
        };
        self.outcome_counter(INTROSPECTIONS, outcome).increment(1);
    }

    /// Counts an introspection refused because the caller is no introspection client.
    pub fn introspection_refused(&self) {
        self.outcome_counter(INTROSPECTIONS, "unauthorized").increment(1);
    }

    /// Counts an introspection by an authenticated client whose request was refused before
    /// any token was looked at (no form, no `token`, a parameter twice, over 16 KiB).
    pub fn introspection_malformed(&self) {
        self.outcome_counter(INTROSPECTIONS, "malformed").increment(1);
    }

    /// Counts a request the CSRF check refused (nothing was changed by it).
    pub fn csrf_rejected(&self, refusal: &CsrfRefusal) {
        let label = Label::from_static_parts("reason", CsrfReason::from(refusal).into());
        self.counter(CSRF_REJECTIONS, vec![label]).increment(1);
    }

    /// Counts a key-set reload: applied, or failed with the old keys kept.
    pub fn key_reload(&self, applied: bool) {
        self.outcome_counter(KEY_RELOADS, if applied { "ok" } else { "failed" }).increment(1);
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
    /// Counts active sessions, waiting at most `COUNT_WAIT`.
    pub async fn render(&self, operations: &Arc<dyn Operations>) -> String {
        self.count_active_sessions(operations).await;
        let g = operations.gauges();
        let inner = &self.inner;
        inner.pool_connections.set(f64::from(g.connections));
        inner.pool_in_use.set(f64::from(g.connections.saturating_sub(g.idle)));
        inner.pool_waiting.set(g.db_waiting as f64);
        inner.use_cases_running.set(g.db_running as f64);
        inner.hash_waiting.set(g.hash_waiting as f64);
        inner.hash_running.set(g.hash_running as f64);
        inner.handle.render()
    }

    async fn count_active_sessions(&self, operations: &Arc<dyn Operations>) {
        if self.inner.counting.swap(true, Ordering::AcqRel) {
            return; // an earlier scrape's count is still running
        }
        let (metrics, operations) = (self.clone(), operations.clone());
        let count = actix_web::rt::spawn(async move {
            match operations.count_active_sessions(OffsetDateTime::now_utc()).await {
                Ok(n) => metrics.inner.active_sessions.set(n as f64),
                Err(e) => {
                    let error = crate::error::chain(&e);
                    tracing::warn!(%error, "cannot count active sessions for /metrics");
                }
            }
            metrics.inner.counting.store(false, Ordering::Release);
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
/// `grace_replay`, not a rotation. Failures are labelled by their answer.
pub fn refresh_outcome(result: &Result<IssuedTokens, RefreshError>) -> &'static str {
    match result {
        Ok(issued) if issued.grace_replay => "grace_replay",
        Ok(_) => "rotated",
        Err(e) => e.label(),
    }
}

/// The label of a login or registration result: `ok`, or the failure's label.
pub fn outcome<T, E: Outcomes>(result: &Result<T, E>) -> &'static str {
    result.as_ref().map_or_else(Outcomes::label, |_| OK)
}

/// Methods kept as they are in the `method` label; anything else is `other`.
const METHODS: [&str; 9] =
    ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"];

/// Middleware counting every request by its matched route pattern (never the raw path, which
/// carries ids), method and final status, and timing it. Reads [`Metrics`] from app data.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let metrics = req.app_data::<Metrics>().cloned();
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

pub mod mail;
pub mod mfa;

#[cfg(test)]
mod tests;
