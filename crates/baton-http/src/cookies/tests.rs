use super::*;
use actix_web::test::TestRequest;
use baton_config::SameSite;

const APP: &str = "https://app.example.com";

fn config() -> CookiesConfig {
    CookiesConfig { allowed_origins: vec![APP.into()], ..CookiesConfig::default() }
}

fn transport(headers: &[(&str, &str)]) -> Result<Transport, HttpError> {
    let req =
        headers.iter().fold(TestRequest::post(), |req, h| req.append_header(*h)).to_http_request();
    read(&req, &config())
}

fn cookie_token(t: Result<Transport, HttpError>) -> Option<String> {
    match t {
        Ok(Transport::Cookie { token, .. }) => token,
        other => panic!("cookie transport expected, got {other:?}"),
    }
}

#[test]
fn without_the_header_the_cookie_is_only_noticed() {
    assert!(matches!(transport(&[]), Ok(Transport::Body { cookie_sent: false })));
    let sent = transport(&[("cookie", "__Secure-baton-refresh=t"), ("origin", APP)]);
    assert!(matches!(sent, Ok(Transport::Body { cookie_sent: true })));
    assert_eq!(sent.unwrap().no_token(), HttpError::Csrf(CsrfRefusal::MissingHeader));
    let other = transport(&[("cookie", "baton-refresh=t")]).unwrap();
    assert_eq!(other.no_token(), HttpError::MissingRefreshToken, "not the configured name");
}

#[test]
fn cookie_transport_needs_exactly_one_allowed_origin() {
    let header = ("baton-transport", "cookie");
    let refused = |origin: CsrfRefusal| Err::<(), _>(HttpError::Csrf(origin));
    assert_eq!(transport(&[header]).map(drop), refused(CsrfRefusal::MissingOrigin));
    for origin in ["https://evil.example", "null", "https://app.example.com.evil.example", ""] {
        let t = transport(&[header, ("origin", origin)]).map(drop);
        assert_eq!(t, refused(CsrfRefusal::OriginNotAllowed), "{origin}");
    }
    let twice = transport(&[header, ("origin", APP), ("origin", APP)]).map(drop);
    assert_eq!(twice, refused(CsrfRefusal::OriginNotAllowed));
    assert_eq!(cookie_token(transport(&[header, ("origin", APP)])), None);
    let cased = ("Baton-Transport", " Cookie ");
    assert_eq!(cookie_token(transport(&[cased, ("origin", APP)])), None);
}

#[test]
fn nobody_may_use_cookies_without_allowed_origins() {
    let req = TestRequest::post()
        .insert_header(("baton-transport", "cookie"))
        .insert_header(("origin", APP))
        .to_http_request();
    let refused = read(&req, &CookiesConfig::default()).map(drop);
    assert_eq!(refused, Err(HttpError::Csrf(CsrfRefusal::OriginNotAllowed)));
}

#[test]
fn other_header_values_are_refused_not_ignored() {
    for value in ["body", "cookies", "", "cookie, cookie"] {
        let t = transport(&[("baton-transport", value), ("origin", APP)]).map(drop);
        assert_eq!(t, Err(HttpError::BadTransport), "{value:?}");
    }
}

#[test]
fn the_cookie_is_read_once_and_never_twice() {
    let base = [("baton-transport", "cookie"), ("origin", APP)];
    let one = [base[0], base[1], ("cookie", "x=1; __Secure-baton-refresh=a.b.c")];
    let mut t = transport(&one).unwrap();
    assert_eq!(format!("{t:?}"), "Cookie { token: <redacted> }");
    assert_eq!(t.refresh_token(), Ok(Some("a.b.c".into())));
    let two = [base[0], base[1], ("cookie", "__Secure-baton-refresh=a; __Secure-baton-refresh=b")];
    assert_eq!(transport(&two).map(drop), Err(HttpError::DuplicateRefreshCookie));
    let mut none = transport(&base).unwrap();
    assert_eq!(none.refresh_token(), Err(HttpError::MissingRefreshCookie));
    assert_eq!(none.logout_token(), None);
}

#[test]
fn without_secure_the_cookie_has_no_prefix() {
    let config = CookiesConfig {
        allowed_origins: vec!["http://localhost:3000".into()],
        same_site: SameSite::Lax,
        secure: false,
    };
    let req = TestRequest::post()
        .insert_header(("baton-transport", "cookie"))
        .insert_header(("origin", "http://localhost:3000"))
        .insert_header(("cookie", "__Secure-baton-refresh=a; baton-refresh=b"))
        .to_http_request();
    assert_eq!(cookie_token(read(&req, &config)).as_deref(), Some("b"));
}

#[test]
fn only_refusals_for_good_clear_the_cookie() {
    use actix_web::ResponseError;
    use baton_core::{Fault, StoreError};
    #[derive(Debug, thiserror::Error)]
    #[error("down")]
    struct Down;
    let cookie = Transport::Cookie { spec: CookieSpec::new(&config()), token: None };
    let set_cookie = |t: &Transport, e: RefreshError| {
        let res = t.refreshed(Err(e)).map(drop).unwrap_err().error_response();
        res.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_owned())
    };
    let down = || RefreshError::Fault(Fault::Store(StoreError::unavailable(Down)));
    assert_eq!(set_cookie(&cookie, down()), None, "the token may work a moment later");
    for e in [
        RefreshError::ReuseDetected,
        RefreshError::ReplayRejected,
        RefreshError::SessionRevoked,
        RefreshError::Expired,
        RefreshError::Invalid("x".into()),
        RefreshError::AccountDisabled,
    ] {
        let cleared = set_cookie(&cookie, e).expect("cleared");
        assert!(cleared.starts_with("__Secure-baton-refresh=; "), "{cleared}");
    }
    let body = Transport::Body { cookie_sent: true };
    assert_eq!(set_cookie(&body, RefreshError::ReuseDetected), None, "never without opting in");
}
