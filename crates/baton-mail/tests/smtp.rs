//! The SMTP transport against a real SMTP server on a socket (`baton_mail::testing::SmtpSink`):
//! the core's mail suite over STARTTLS with a throwaway CA, then what is particular to SMTP:
//! TLS modes, login, certificates, timeouts.

use std::sync::Arc;
use std::time::Duration;

use baton_core::testing::contract::mail::{MailSubject, mail_to};
use baton_core::{Email, FailureKind, MailTransport};
use baton_mail::testing::{SinkOptions, SinkTls, SmtpSink, TestCa};
use baton_mail::{SmtpSettings, SmtpTransport};

const FROM: &str = "baton@example.com";

/// A sink with `tls`, a transport for `url` trusting the sink's CA, and the CA file's
/// directory (kept alive by the caller).
async fn sink_and_transport(
    tls: impl FnOnce(&TestCa) -> SinkTls,
    url: impl FnOnce(&SmtpSink) -> String,
) -> (Arc<SmtpSink>, SmtpTransport, tempfile::TempDir) {
    let ca = TestCa::new();
    let sink = SmtpSink::start_with(SinkOptions { tls: tls(&ca), ..SinkOptions::default() }).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca.ca_pem()).expect("write the CA");
    let mut settings = SmtpSettings::new(url(&sink), FROM);
    settings.ca_file = Some(ca_file);
    settings.timeout = Duration::from_secs(5);
    let transport = SmtpTransport::new(&settings).expect("a transport");
    (Arc::new(sink), transport, dir)
}

async fn starttls_subject() -> MailSubject {
    let (sink, transport, dir) =
        sink_and_transport(|ca| SinkTls::StartTls(ca.server_config()), |s| s.url(None)).await;
    MailSubject::new(Arc::new(transport), sink.clone(), sink, FROM)
        .refusing(Email::parse("nobody@refused.example").expect("an address"))
        .holding(dir)
}

baton_core::mail_contract!(crate::starttls_subject());
baton_core::mail_refusal_contract!(crate::starttls_subject());

fn a_mail() -> baton_core::OutgoingMail {
    mail_to("ada@example.com", "Hello", "text https://app.example.com/x#token=t", "<p>html</p>")
}

#[tokio::test]
async fn a_plain_smtp_url_upgrades_with_starttls_when_the_server_offers_it() {
    let url = |s: &SmtpSink| format!("smtp://127.0.0.1:{}", s.port());
    let (sink, transport, _dir) =
        sink_and_transport(|ca| SinkTls::StartTls(ca.server_config()), url).await;
    transport.send(&a_mail()).await.expect("sent");
    assert!(sink.next_message().await.tls, "STARTTLS was offered, so it was used");
}

#[tokio::test]
async fn a_plain_smtp_url_sends_in_clear_when_the_server_offers_no_starttls() {
    let url = |s: &SmtpSink| format!("smtp://127.0.0.1:{}", s.port());
    let (sink, transport, _dir) = sink_and_transport(|_| SinkTls::None, url).await;
    transport.send(&a_mail()).await.expect("sent");
    assert!(!sink.next_message().await.tls);
}

#[tokio::test]
async fn tls_required_refuses_a_server_without_starttls_and_sends_nothing() {
    let url = |s: &SmtpSink| format!("smtp://127.0.0.1:{}?tls=required", s.port());
    let (sink, transport, _dir) = sink_and_transport(|_| SinkTls::None, url).await;
    let e = transport.send(&a_mail()).await.expect_err("no TLS, no mail");
    assert_eq!(e.kind(), FailureKind::Transient, "{e:?}");
    assert!(sink.try_next_message().await.is_none());
}

#[tokio::test]
async fn smtps_is_tls_from_the_first_byte() {
    let (sink, transport, _dir) =
        sink_and_transport(|ca| SinkTls::Implicit(ca.server_config()), |s| s.url(None)).await;
    assert!(sink.url(None).starts_with("smtps://"));
    transport.send(&a_mail()).await.expect("sent");
    let got = sink.next_message().await;
    assert!(got.tls);
    assert_eq!(
        got.link("https://app.example.com/").as_deref(),
        Some("https://app.example.com/x#token=t")
    );
}

#[tokio::test]
async fn a_certificate_from_an_unknown_ca_is_refused_as_transient() {
    let ca = TestCa::new();
    let options =
        SinkOptions { tls: SinkTls::Implicit(ca.server_config()), ..SinkOptions::default() };
    let sink = SmtpSink::start_with(options).await;
    // Mozilla's roots only: the throwaway CA is not among them.
    let transport = SmtpTransport::new(&SmtpSettings::new(sink.url(None), FROM)).expect("ok");
    let e = transport.send(&a_mail()).await.expect_err("untrusted certificate");
    assert_eq!(e.kind(), FailureKind::Transient, "an operator can fix the trust: {e:?}");
    assert!(sink.try_next_message().await.is_none());
}

#[tokio::test]
async fn credentials_in_the_url_log_in_and_wrong_ones_fail_transiently() {
    let ca = TestCa::new();
    let options = SinkOptions {
        tls: SinkTls::Implicit(ca.server_config()),
        login: Some(("mailer@example.com".into(), "p@ss:word".into())),
        ..SinkOptions::default()
    };
    let sink = SmtpSink::start_with(options).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("ca.pem"), ca.ca_pem()).expect("write the CA");
    let transport = |user: &str, password: &str| {
        let url = sink.url(Some((user, password)));
        let mut settings = SmtpSettings::new(url, FROM);
        settings.ca_file = Some(dir.path().join("ca.pem"));
        SmtpTransport::new(&settings).expect("a transport")
    };
    transport("mailer%40example.com", "p%40ss%3Aword").send(&a_mail()).await.expect("logged in");
    assert_eq!(sink.next_message().await.parse().subject, "Hello");
    let e = transport("mailer%40example.com", "wrong").send(&a_mail()).await.expect_err("535");
    assert_eq!(e.kind(), FailureKind::Transient, "bad credentials are configuration: {e:?}");
    let unauthenticated = SmtpSettings {
        ca_file: Some(dir.path().join("ca.pem")),
        ..SmtpSettings::new(sink.url(None), FROM)
    };
    let e =
        SmtpTransport::new(&unauthenticated).expect("ok").send(&a_mail()).await.expect_err("530");
    assert_eq!(e.kind(), FailureKind::Transient, "{e:?}");
    assert!(sink.try_next_message().await.is_none());
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_transient_failure_after_the_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    // Accepts and holds connections without a word.
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let mut settings = SmtpSettings::new(format!("smtp://127.0.0.1:{port}?tls=none"), FROM);
    settings.timeout = Duration::from_millis(300);
    let e = SmtpTransport::new(&settings).expect("ok").send(&a_mail()).await.expect_err("silence");
    assert_eq!(e.kind(), FailureKind::Transient, "{e:?}");
    silent.abort();
}

#[tokio::test]
async fn the_start_up_probe_tells_a_reachable_server_from_a_stopped_one() {
    let sink = SmtpSink::start().await;
    let transport = SmtpTransport::new(&SmtpSettings::new(sink.url(None), FROM)).expect("ok");
    transport.check().await.expect("the sink answers");
    sink.stop().await;
    assert_eq!(transport.check().await.expect_err("stopped").kind(), FailureKind::Transient);
    sink.restart().await;
    transport.check().await.expect("the sink answers again on the same port");
}

#[tokio::test]
async fn settings_that_cannot_work_are_refused_at_construction_without_the_password() {
    let bad_from =
        SmtpTransport::new(&SmtpSettings::new("smtp://u:s3cret@127.0.0.1:25", "not an address"));
    let e = bad_from.expect_err("bad from").to_string();
    assert!(e.starts_with("mail.from") && !e.contains("s3cret"), "{e}");
    let mut settings = SmtpSettings::new("smtps://u:s3cret@mail.example.com", FROM);
    settings.ca_file = Some("/nonexistent/ca.pem".into());
    let e = SmtpTransport::new(&settings).expect_err("no CA file").to_string();
    assert!(e.contains("/nonexistent/ca.pem") && !e.contains("s3cret"), "{e}");
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("ca.pem"), "not a certificate").expect("write");
    settings.ca_file = Some(dir.path().join("ca.pem"));
    let e = SmtpTransport::new(&settings).expect_err("no certificate in it").to_string();
    assert!(e.contains("no PEM certificate"), "{e}");
    let debug = format!(
        "{:?}",
        SmtpTransport::new(&SmtpSettings::new("smtps://u:s3cret@mail.example.com", FROM))
            .expect("ok")
    );
    assert!(!debug.contains("s3cret"), "{debug}");
    assert!(!format!("{:?}", SmtpSettings::new("smtps://u:s3cret@h", FROM)).contains("s3cret"));
}

/// The port and the retry rule together, as the outbox's sender uses them: while the server
/// is down every attempt is transient and rescheduled; once it is back each mail arrives
/// exactly once.
#[tokio::test]
async fn an_outage_delays_mail_and_loses_none() {
    use baton_core::{Attempts, NextStep, RetryPolicy};
    let sink = SmtpSink::start().await;
    let transport = SmtpTransport::new(&SmtpSettings::new(sink.url(None), FROM)).expect("ok");
    let policy = RetryPolicy::default();
    let queued_at = time::OffsetDateTime::now_utc();
    let mails: Vec<_> =
        (0..3).map(|i| mail_to("ada@example.com", &format!("m{i}"), "t", "<p>t</p>")).collect();
    sink.stop().await;
    for failures in 1..=3 {
        for mail in &mails {
            let e = transport.send(mail).await.expect_err("down");
            let attempts = Attempts { queued_at, failures, expires_at: None };
            match policy.after_failure(e.kind(), &attempts, queued_at) {
                NextStep::RetryAt(at) => assert!(at > queued_at),
                NextStep::GiveUp(why) => panic!("gave up during a short outage: {why:?}"),
            }
        }
    }
    sink.restart().await;
    for mail in &mails {
        transport.send(mail).await.expect("up again");
    }
    let mut subjects = Vec::new();
    for _ in &mails {
        subjects.push(sink.next_message().await.parse().subject);
    }
    assert_eq!(subjects, ["m0", "m1", "m2"]);
    assert!(sink.try_next_message().await.is_none(), "no attempt during the outage delivered");
}
