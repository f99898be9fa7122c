use super::*;
use actix_web::body::MessageBody;
use baton_core::{
    AccessError, Fault, InputError, LoginError, RefreshError, RegisterError, RevokeSessionError,
    StoreError,
};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
#[error("disk on fire")]
struct OnFire;

fn unavailable() -> Fault {
    Fault::Store(StoreError::unavailable(OnFire))
}

fn broken() -> Fault {
    Fault::Store(StoreError::backend(OnFire))
}

fn parts(e: impl Into<ApiError>) -> (u16, &'static str) {
    let e = e.into();
    (e.status().as_u16(), e.code())
}

#[test]
fn every_core_error_has_its_status_and_code() {
    assert_eq!(
        parts(RegisterError::InvalidInput(InputError::PasswordTooShort)),
        (400, "invalid_input")
    );
    assert_eq!(parts(RegisterError::EmailTaken), (409, "email_taken"));
    assert_eq!(parts(LoginError::InvalidCredentials), (401, "invalid_credentials"));
    assert_eq!(parts(LoginError::AccountDisabled), (403, "account_disabled"));
    let locked = LoginError::LockedOut { retry_after: Duration::from_secs(90) };
    assert_eq!(parts(locked), (429, "locked_out"));
    assert_eq!(parts(RefreshError::Expired), (401, "token_expired"));
    assert_eq!(parts(RefreshError::Invalid("bad signature".into())), (401, "invalid_token"));
    assert_eq!(parts(RefreshError::SessionRevoked), (401, "session_revoked"));
    assert_eq!(parts(RefreshError::ReuseDetected), (401, "token_reused"));
    assert_eq!(parts(RefreshError::ReplayRejected), (401, "token_reused"));
    assert_eq!(parts(RefreshError::AccountDisabled), (403, "account_disabled"));
    assert_eq!(parts(AccessError::AccountDisabled), (401, "account_disabled"));
    assert_eq!(parts(AccessError::SessionRevoked), (401, "session_revoked"));
    assert_eq!(parts(RevokeSessionError::NotFound), (404, "session_not_found"));
    assert_eq!(parts(RefreshError::Fault(unavailable())), (503, "service_unavailable"));
    assert_eq!(parts(LoginError::Fault(broken())), (500, "internal"));
}

#[test]
fn causes_go_to_the_log_line_never_to_the_body() {
    for e in [
        ApiError::from(RefreshError::Invalid("bad signature".into())),
        ApiError::from(AccessError::Fault(broken())),
    ] {
        let body = e.error_response().into_body().try_into_bytes().expect("a body");
        let body = String::from_utf8(body.to_vec()).expect("utf-8");
        assert!(!body.contains("signature") && !body.contains("fire"), "{body}");
    }
    let e = ApiError::from(AccessError::Fault(broken()));
    assert_eq!(e.reason(), "database failure: disk on fire", "the whole chain");
}

#[test]
fn problem_bodies_carry_their_headers() {
    let res = ApiError::from(LoginError::LockedOut { retry_after: Duration::from_millis(1500) })
        .error_response();
    assert_eq!(res.headers().get(header::CONTENT_TYPE).expect("set"), PROBLEM_JSON);
    assert_eq!(res.headers().get(header::RETRY_AFTER).expect("set"), "1");
    let res = ApiError::from(RefreshError::Fault(unavailable())).error_response();
    assert_eq!(res.headers().get(header::RETRY_AFTER).expect("set"), "1");
    let res = ApiError::from(AccessError::Expired).error_response();
    assert_eq!(res.headers().get(header::WWW_AUTHENTICATE).expect("set"), CHALLENGE_INVALID);
    let res = ApiError::from(HttpError::MissingBearer).error_response();
    assert_eq!(res.headers().get(header::WWW_AUTHENTICATE).expect("set"), CHALLENGE_MISSING);
    let res = ApiError::from(RevokeSessionError::NotFound).error_response();
    assert!(res.headers().get(header::WWW_AUTHENTICATE).is_none(), "only 401s challenge");
    let res = ApiError::from(HttpError::MethodNotAllowed).with_allow("GET").error_response();
    assert_eq!(res.headers().get(header::ALLOW).expect("set"), "GET");
}

#[test]
fn statuses_from_outside_get_a_problem_answer() {
    for (status, code) in
        [(404, "not_found"), (413, "payload_too_large"), (502, "internal"), (400, "invalid_input")]
    {
        let e = ApiError::from(HttpError::Status(StatusCode::from_u16(status).expect("valid")));
        assert_eq!((e.status().as_u16(), e.code()), (status, code));
    }
}

#[test]
fn cookie_transport_failures_have_their_answers() {
    for refusal in
        [CsrfRefusal::MissingHeader, CsrfRefusal::MissingOrigin, CsrfRefusal::OriginNotAllowed]
    {
        assert_eq!(parts(HttpError::Csrf(refusal)), (403, "csrf_rejected"));
    }
    assert_eq!(
        parts(HttpError::CorsRejected("Origin is not allowed".into())),
        (403, "cors_rejected")
    );
    assert_eq!(parts(HttpError::BadTransport), (400, "invalid_input"));
    assert_eq!(parts(HttpError::DuplicateRefreshCookie), (400, "invalid_input"));
    assert_eq!(parts(HttpError::MissingRefreshCookie), (400, "missing_token"));
}

#[test]
fn an_answer_that_clears_a_cookie_is_not_stored() {
    let cookie = actix_web::cookie::Cookie::new("c", "");
    let res = ApiError::from(RefreshError::ReuseDetected).with_cookie(cookie).error_response();
    assert_eq!(res.headers().get(header::SET_COOKIE).expect("set"), "c=");
    assert_eq!(res.headers().get(header::CACHE_CONTROL).expect("set"), "no-store");
    let res = ApiError::from(RefreshError::ReuseDetected).error_response();
    assert!(res.headers().get(header::SET_COOKIE).is_none());
}
