//! The [`MailTransport`] suite, run by `baton-mail`'s SMTP transport (against a real SMTP
//! server on a socket) and file transport, and by [`crate::testing::MemTransport`].
//!
//! Every transport runs [`mail_contract!`](crate::mail_contract); a transport whose far side
//! can refuse a recipient (SMTP) also runs
//! [`mail_refusal_contract!`](crate::mail_refusal_contract). What arrived is read back through
//! the subject's [`Inbox`], parsed into a [`Delivered`] by the adapter's own test support.

use std::sync::Arc;

use crate::domain::email::Email;
use crate::domain::mail::{ComposedMail, FailureKind, OutgoingMail};
use crate::ports::MailTransport;
use uuid::Uuid;

/// A mail as the far side received it, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Delivered {
    /// Who it was delivered to: the SMTP envelope's recipients, or the `To` header's
    /// addresses where there is no envelope (files).
    pub recipients: Vec<String>,
    /// The `From` header's address.
    pub from: String,
    /// The `To` header's address.
    pub to: String,
    /// The decoded subject.
    pub subject: String,
    /// `Message-ID`, angle brackets included.
    pub message_id: String,
    /// The decoded `text/plain` alternative.
    pub text: Option<String>,
    /// The decoded `text/html` alternative.
    pub html: Option<String>,
    /// The names of the top-level headers, lower-cased, in order.
    pub header_names: Vec<String>,
}

impl Delivered {
    /// The first link in the plain-text body starting with `prefix`: what a person would
    /// click, for tests that follow the mail's link.
    pub fn link(&self, prefix: &str) -> Option<String> {
        let text = self.text.as_deref()?;
        let start = text.find(prefix)?;
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | ')'))
            .map_or(text.len(), |n| start + n);
        Some(text[start..end].to_owned())
    }
}

/// What reached the far side of a transport under test.
#[async_trait::async_trait]
pub trait Inbox: Send + Sync {
    /// The next delivered mail not returned before, oldest first. MUST wait for one that is
    /// on its way (an SMTP server's `250` can precede the test's read) and MUST panic,
    /// within seconds, when none comes.
    async fn next(&self) -> Delivered;
}

/// A way to make the far side unavailable, and available again.
#[async_trait::async_trait]
pub trait Outage: Send + Sync {
    /// From now on, sending fails as it would with the server down (or the disk refusing).
    async fn begin(&self);
    /// Sending works again, on the same settings.
    async fn end(&self);
}

/// What the mail suite runs on.
pub struct MailSubject {
    /// The transport under test.
    pub transport: Arc<dyn MailTransport>,
    /// What reached the other side.
    pub inbox: Arc<dyn Inbox>,
    /// Switches the other side off and on.
    pub outage: Arc<dyn Outage>,
    /// The `From` address the transport is configured with.
    pub from: String,
    /// An address the far side refuses for good (for the refusal suite only).
    pub refused: Option<Email>,
    _keep: Option<Box<dyn std::any::Any + Send + Sync>>,
}

impl MailSubject {
    /// A subject for `transport`, read back through `inbox`, broken by `outage`, sending as
    /// `from`.
    pub fn new(
        transport: Arc<dyn MailTransport>,
        inbox: Arc<dyn Inbox>,
        outage: Arc<dyn Outage>,
        from: impl Into<String>,
    ) -> Self {
        Self { transport, inbox, outage, from: from.into(), refused: None, _keep: None }
    }

    /// Names an address the far side refuses, for the refusal suite.
    pub fn refusing(mut self, address: Email) -> Self {
        self.refused = Some(address);
        self
    }

    /// Keeps `resource` (a temporary directory, a server) alive with the subject.
    pub fn holding(mut self, resource: impl std::any::Any + Send + Sync) -> Self {
        self._keep = Some(Box::new(resource));
        self
    }
}

fn address(s: &str) -> Email {
    Email::parse(s).expect("a valid test address")
}

/// A mail to `to` with a fresh id.
pub fn mail_to(to: &str, subject: &str, text: &str, html: &str) -> OutgoingMail {
    let composed = ComposedMail { subject: subject.into(), text: text.into(), html: html.into() };
    OutgoingMail::new(Uuid::new_v4(), address(to), composed)
}

/// A body with CRLF line ends (as SMTP carries it) and no trailing blank: what a reader sees.
fn normalise(body: &str) -> String {
    body.replace("\r\n", "\n").trim_end().to_owned()
}

async fn send(s: &MailSubject, mail: &OutgoingMail) {
    s.transport.send(mail).await.expect("the transport sends");
}

/// A mail arrives to its recipient only, from the configured sender, with its subject, both
/// bodies as alternatives, and a Message-ID made from its outbox id.
pub async fn a_sent_mail_arrives_whole(s: &MailSubject) {
    let link = "https://app.example.com/reset#token=abc123";
    let mail = mail_to(
        "ada@example.com",
        "Reset your password",
        &format!("Hello Ada,\n\nfollow {link} to reset.\n"),
        &format!("<p>Hello Ada,</p><p><a href=\"{link}\">Reset</a></p>"),
    );
    send(s, &mail).await;
    let got = s.inbox.next().await;
    assert_eq!(got.recipients, ["ada@example.com"]);
    assert_eq!(got.to, "ada@example.com");
    assert_eq!(got.from, s.from);
    assert_eq!(got.subject, "Reset your password");
    let domain = s.from.rsplit_once('@').map_or("", |(_, d)| d);
    assert_eq!(got.message_id, mail.message_id(domain));
    assert_eq!(got.text.as_deref().map(normalise), Some(normalise(mail.text())));
    assert_eq!(got.html.as_deref().map(normalise), Some(normalise(mail.html())));
    assert_eq!(got.link("https://app.example.com/"), Some(link.to_owned()));
    assert!(got.header_names.iter().any(|h| h == "date"), "{:?}", got.header_names);
}

/// Accents, other scripts and emoji survive in the subject and bodies, and so do lines
/// longer than SMTP's 998-byte limit and lines that are a lone dot or start with "From ".
pub async fn text_survives_encoding(s: &MailSubject) {
    let long = "x".repeat(2_000);
    let text = format!("Grüße, 你好 🎉\n.\n..\nFrom here on\n{long}\nend\n");
    let html = format!("<p>Grüße, 你好 🎉</p>\n.\n<p>{long}</p>");
    let mail = mail_to("zoé@example.com", "Réinitialisez — 密码 🔑", &text, &html);
    send(s, &mail).await;
    let got = s.inbox.next().await;
    assert_eq!(got.subject, "Réinitialisez — 密码 🔑");
    assert_eq!(got.recipients, ["zoé@example.com"]);
    assert_eq!(got.text.as_deref().map(normalise), Some(normalise(&text)));
    assert_eq!(got.html.as_deref().map(normalise), Some(normalise(&html)));
}

/// Sending a mail twice (a retry after a crash) gives copies with one Message-ID, and the
/// transport is ready for the next mail.
pub async fn a_resend_carries_the_same_message_id(s: &MailSubject) {
    let first = mail_to("ada@example.com", "Once", "one", "<p>one</p>");
    send(s, &first).await;
    send(s, &first).await;
    let next = mail_to("ada@example.com", "Next", "two", "<p>two</p>");
    send(s, &next).await;
    let domain = s.from.rsplit_once('@').map_or("", |(_, d)| d);
    let mut copies = 0;
    loop {
        let got = s.inbox.next().await;
        if got.message_id == next.message_id(domain) {
            break;
        }
        assert_eq!(got.message_id, first.message_id(domain), "only the two mails were sent");
        copies += 1;
    }
    assert!((1..=2).contains(&copies), "{copies} copies of the first mail");
}

/// A subject that tries to add a header reaches only the recipient, with no extra header.
pub async fn a_subject_cannot_add_headers_or_recipients(s: &MailSubject) {
    let mail =
        mail_to("ada@example.com", "Hi\r\nBcc: eve@example.net\r\nX-Evil: 1", "t", "<p>t</p>");
    send(s, &mail).await;
    let got = s.inbox.next().await;
    assert_eq!(got.recipients, ["ada@example.com"]);
    assert!(!got.header_names.iter().any(|h| h == "bcc" || h == "x-evil"), "{got:?}");
    assert!(got.subject.starts_with("Hi") && !got.subject.contains('\n'), "{:?}", got.subject);
}

/// While the far side is down sending is a transient failure; once it is back the same mail
/// goes through, and it arrives once.
pub async fn an_outage_is_transient_and_the_mail_goes_through_after(s: &MailSubject) {
    let mail = mail_to("ada@example.com", "During an outage", "t", "<p>t</p>");
    s.outage.begin().await;
    for _ in 0..2 {
        let e = s.transport.send(&mail).await.expect_err("nothing to send to");
        assert_eq!(e.kind(), FailureKind::Transient, "{e:?}");
    }
    s.outage.end().await;
    send(s, &mail).await;
    let marker = mail_to("ada@example.com", "After", "t", "<p>t</p>");
    send(s, &marker).await;
    assert_eq!(s.inbox.next().await.subject, "During an outage");
    assert_eq!(s.inbox.next().await.subject, "After", "the failed attempts delivered nothing");
}

/// A recipient the far side refuses is a permanent failure.
pub async fn a_refused_recipient_is_permanent(s: &MailSubject) {
    let refused = s.refused.clone().expect("the refusal suite needs MailSubject::refusing");
    let mail = mail_to(refused.as_str(), "Refused", "t", "<p>t</p>");
    let e = s.transport.send(&mail).await.expect_err("the far side refuses it");
    assert_eq!(e.kind(), FailureKind::Permanent, "{e:?}");
}

/// After a refusal the next mail goes through on the same transport.
pub async fn a_refusal_does_not_harm_the_next_mail(s: &MailSubject) {
    let refused = s.refused.clone().expect("the refusal suite needs MailSubject::refusing");
    let bad = mail_to(refused.as_str(), "Refused", "t", "<p>t</p>");
    assert!(s.transport.send(&bad).await.is_err());
    let good = mail_to("ada@example.com", "Fine", "t", "<p>t</p>");
    send(s, &good).await;
    let got = s.inbox.next().await;
    assert_eq!(
        (got.subject.as_str(), got.recipients.as_slice()),
        ("Fine", &["ada@example.com".to_owned()][..])
    );
}

/// Instantiates every function of the mail suite as a `#[tokio::test]` (the calling crate
/// needs `tokio` with `macros` and `rt`). `$subject` is a future of a [`MailSubject`],
/// awaited afresh for each test, e.g. `async { my_subject().await }`.
#[macro_export]
macro_rules! mail_contract {
    ($subject:expr) => {
        $crate::__mail_tests!($subject; mail {
            a_sent_mail_arrives_whole,
            text_survives_encoding,
            a_resend_carries_the_same_message_id,
            a_subject_cannot_add_headers_or_recipients,
            an_outage_is_transient_and_the_mail_goes_through_after,
        });
    };
}

/// The refusal suite, for transports whose far side can refuse a recipient; `$subject` as
/// for [`mail_contract!`](crate::mail_contract), built with [`MailSubject::refusing`].
#[macro_export]
macro_rules! mail_refusal_contract {
    ($subject:expr) => {
        $crate::__mail_tests!($subject; mail_refusals {
            a_refused_recipient_is_permanent,
            a_refusal_does_not_harm_the_next_mail,
        });
    };
}

/// Expands a list of async mail-suite functions into `#[tokio::test]`s.
#[doc(hidden)]
#[macro_export]
macro_rules! __mail_tests {
    ($subject:expr; $module:ident { $($test:ident),* $(,)? }) => {
        mod $module {
            $(
                #[::tokio::test]
                async fn $test() {
                    let subject = $subject.await;
                    $crate::testing::contract::mail::$test(&subject).await;
                }
            )*
        }
    };
}
