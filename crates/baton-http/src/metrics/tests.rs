//! Unit tests of the metrics module: outcome labels and the pre-registered series.
use super::*;

/// Every label of every error type is a series from the start: the lists come from the
/// types' variants, so this also covers variants added later.
#[test]
fn every_outcome_label_is_a_pre_registered_series() {
    let metrics = Metrics::new();
    let text = metrics.inner.handle.render();
    let series = |name: &str, outcome: &str| format!("{name}{{outcome=\"{outcome}\"}} 0");
    for (name, outcomes) in [
        (REFRESHES, refresh_outcomes()),
        (LOGINS, login_outcomes()),
        (REGISTRATIONS, register_outcomes()),
        (INTROSPECTIONS, introspection_outcomes()),
    ] {
        assert!(outcomes.len() > 3, "{name}: {outcomes:?}");
        for outcome in outcomes {
            assert!(text.contains(&series(name, outcome)), "{name} {outcome}: {text}");
        }
    }
    for reason in CsrfReason::iter() {
        let reason: &str = reason.into();
        let line = format!("{CSRF_REJECTIONS}{{reason=\"{reason}\"}} 0");
        assert!(text.contains(&line), "{line}");
    }
}

#[test]
fn results_are_labelled_by_success_or_by_the_error() {
    assert_eq!(outcome::<(), LoginError>(&Ok(())), "ok");
    assert_eq!(outcome::<(), _>(&Err(LoginError::InvalidCredentials)), "bad_credentials");
    assert_eq!(refresh_outcome(&Err(RefreshError::ReplayRejected)), "replay_rejected");
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
