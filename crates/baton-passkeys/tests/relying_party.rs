//! The relying party from config: origins must be pages of the relying party's domain.

use baton_passkeys::{RelyingPartyError, WebauthnRs};

fn origins(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn origins_of_the_domain_and_its_subdomains_are_accepted() {
    let list = origins(&["http://localhost:8080", "https://localhost"]);
    assert!(WebauthnRs::new("localhost", "Baton", &list).is_ok());
    let list = origins(&["https://example.com", "https://app.example.com"]);
    assert!(WebauthnRs::new("example.com", "Baton", &list).is_ok());
}

#[test]
fn other_hosts_ip_addresses_and_no_origin_are_refused() {
    let e = WebauthnRs::new("example.com", "Baton", &origins(&["https://notexample.com"]));
    assert!(matches!(e, Err(RelyingPartyError::ForeignOrigin { .. })), "{e:?}");
    let e = WebauthnRs::new("localhost", "Baton", &origins(&["http://127.0.0.1:8080"]));
    assert_eq!(e.unwrap_err(), RelyingPartyError::BadOrigin("http://127.0.0.1:8080".into()));
    let e = WebauthnRs::new("localhost", "Baton", &origins(&["not a url"]));
    assert!(matches!(e, Err(RelyingPartyError::BadOrigin(_))));
    assert_eq!(
        WebauthnRs::new("localhost", "Baton", &[]).unwrap_err(),
        RelyingPartyError::NoOrigins
    );
}
