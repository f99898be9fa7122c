//! Unit tests of the metrics module: outcome labels and the pre-registered series.
use super::*;

#[test]
fn every_failure_label_is_a_pre_registered_series() {
    use baton_core::{Fault, InputError, StoreError};
    #[derive(Debug, thiserror::Error)]
    #[error("x")]
    struct X;
    let faults =
        || [Fault::Store(StoreError::unavailable(X)), Fault::Store(StoreError::backend(X))];
    let mut refresh = vec![
        RefreshError::Expired,
        RefreshError::Invalid("x".into()),
        RefreshError::SessionRevoked,
        RefreshError::ReuseDetected,
        RefreshError::ReplayRejected,
        RefreshError::AccountDisabled,
    ];
    refresh.extend(faults().map(RefreshError::Fault));
    for e in refresh {
        assert!(REFRESH_OUTCOMES.contains(&refresh_outcome(&Err(e))));
    }
    let mut login = vec![
        LoginError::InvalidCredentials,
        LoginError::AccountDisabled,
        LoginError::LockedOut { retry_after: Duration::from_secs(1) },
    ];
    login.extend(faults().map(LoginError::Fault));
    for e in login {
        assert!(LOGIN_OUTCOMES.contains(&outcome::<(), _>(&Err(e))));
    }
    let mut register =
        vec![RegisterError::InvalidInput(InputError::PasswordTooShort), RegisterError::EmailTaken];
    register.extend(faults().map(RegisterError::Fault));
    for e in register {
        assert!(REGISTER_OUTCOMES.contains(&outcome::<(), _>(&Err(e))));
    }
    assert_eq!(outcome::<(), LoginError>(&Ok(())), "ok");
    assert!(LOGIN_OUTCOMES.contains(&"ok") && REGISTER_OUTCOMES.contains(&"ok"));
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
