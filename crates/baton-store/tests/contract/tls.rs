//! TLS to PostgreSQL on the async path, against a server of the test's own started with
//! `ssl = on` and a certificate from a throwaway CA (rcgen), named `localhost` only:
//! `require` encrypts, `verify-full` with the right CA and host connects, and a wrong CA or a
//! host the certificate does not name is refused at start-up with a clear error.

use std::error::Error as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use baton_core::StoreError;
use baton_core::testing::contract::block_on;
use baton_store::Store;
use baton_store::testing::{self, OwnPostgres, TempDirGuard};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};

/// The TLS server and the CA files, shared by the tests of this file (one `initdb`).
struct Tls {
    server: OwnPostgres,
    right_ca: PathBuf,
    wrong_ca: PathBuf,
    _files: TempDirGuard,
}

/// DER as PEM with the given label (rcgen's own `pem` feature would add a second `pem` crate).
fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> =
        body.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap_or("")).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

/// A CA: its certificate (PEM) and what signs with it.
fn ca(name: &str) -> (String, Issuer<'static, KeyPair>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(rcgen::DnType::CommonName, name);
    let key = KeyPair::generate().expect("a key");
    let cert = params.self_signed(&key).expect("self-signed");
    (pem("CERTIFICATE", cert.der()), Issuer::new(params, key))
}

fn tls() -> &'static Tls {
    static TLS: OnceLock<Tls> = OnceLock::new();
    TLS.get_or_init(|| {
        let (right_pem, right) = ca("Baton test CA");
        let (wrong_pem, _) = ca("Some other CA");
        let key = KeyPair::generate().expect("a key");
        let params = CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
        let cert = params.signed_by(&key, &right).expect("signed");

        let mut server = OwnPostgres::init();
        server.write_data_file("server.crt", pem("CERTIFICATE", cert.der()).as_bytes());
        server.write_data_file("server.key", pem("PRIVATE KEY", &key.serialize_der()).as_bytes());
        server.start_with(&["ssl=on", "ssl_cert_file=server.crt", "ssl_key_file=server.key"]);

        let files = testing::temp_dir();
        let write = |name: &str, pem: &str| {
            let path = files.path().join(name);
            std::fs::write(&path, pem).expect("writing a CA file");
            path
        };
        let (right_ca, wrong_ca) = (write("right.pem", &right_pem), write("wrong.pem", &wrong_pem));
        Tls { server, right_ca, wrong_ca, _files: files }
    })
}

fn url(host: &str, params: &str) -> String {
    format!("{}?{params}", tls().server.url_via(host))
}

fn rootcert(ca: &Path) -> String {
    format!("sslrootcert={}", ca.display())
}

fn connect(url: String) -> Result<bool, StoreError> {
    block_on(async {
        let store = Store::connect(&testing::config(url)).await?;
        testing::uses_tls(&store).await
    })
}

/// The whole cause chain, one line.
fn chain(e: &StoreError) -> String {
    let mut line = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        line.push_str(&format!(": {c}"));
        cause = c.source();
    }
    line
}

#[test]
fn require_encrypts_without_checking_the_certificate() {
    assert!(connect(url("127.0.0.1", "sslmode=require")).expect("connects"), "over TLS");
    assert!(connect(url("127.0.0.1", "")).expect("connects"), "prefer takes TLS when offered");
    assert!(!connect(url("127.0.0.1", "sslmode=disable")).expect("connects"), "plain");
}

#[test]
fn verify_full_with_the_right_ca_and_host_connects() {
    let params = format!("sslmode=verify-full&{}", rootcert(&tls().right_ca));
    assert!(connect(url("localhost", &params)).expect("connects"));
}

#[test]
fn verify_ca_checks_the_chain_but_not_the_host() {
    let params = format!("sslmode=verify-ca&{}", rootcert(&tls().right_ca));
    assert!(connect(url("127.0.0.1", &params)).expect("connects"));
    let params = format!("sslmode=verify-ca&{}", rootcert(&tls().wrong_ca));
    assert!(connect(url("localhost", &params)).is_err());
}

#[test]
fn a_wrong_ca_is_refused_clearly() {
    let params = format!("sslmode=verify-full&{}", rootcert(&tls().wrong_ca));
    let err = connect(url("localhost", &params)).expect_err("refused");
    let line = chain(&err);
    assert!(matches!(err, StoreError::Unavailable(_)), "{line}");
    assert!(line.contains("certificate") && line.contains("UnknownIssuer"), "{line}");
}

#[test]
fn a_host_the_certificate_does_not_name_is_refused_clearly() {
    let params = format!("sslmode=verify-full&{}", rootcert(&tls().right_ca));
    let err = connect(url("127.0.0.1", &params)).expect_err("refused");
    let line = chain(&err);
    assert!(line.contains("certificate not valid for name \"127.0.0.1\""), "{line}");
}

#[test]
fn require_against_a_server_without_tls_is_refused() {
    let db = testing::postgres_database();
    let url = format!("{}?sslmode=require", db.url());
    let err = connect(url).expect_err("the shared test server has no TLS");
    let line = chain(&err);
    assert!(line.contains("TLS") || line.contains("SSL"), "{line}");
}

#[test]
fn verification_without_a_ca_file_stops_start_up() {
    let err = connect(url("localhost", "sslmode=verify-full")).expect_err("refused");
    assert!(matches!(err, StoreError::Backend(_)));
    assert!(chain(&err).contains("sslrootcert"), "{}", chain(&err));
}
