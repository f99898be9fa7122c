//! In-memory stand-ins for the mail ports, for the core's use-case tests: [`MemTransport`]
//! keeps what it "sends" (and passes the same mail suite as the real transports), and
//! [`FakeComposer`] writes a predictable mail of each kind with its link in both bodies.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::domain::email::Email;
use crate::domain::mail::{ComposedMail, MailKind, OutgoingMail, Recipient};
use crate::ports::{ComposeError, MailComposer, MailTransport, SendError};
use crate::testing::contract::mail::{Delivered, Inbox, Outage};

/// Why the fake transport did not send.
#[derive(Debug, thiserror::Error)]
enum FakeSendError {
    #[error("the fake mail server is down")]
    Down,
    #[error("the fake mail server refuses {0}")]
    Refused(String),
}

/// A transport that delivers into memory. It can be switched off ([`MemTransport::set_down`],
/// transient failures) and told to refuse addresses ([`MemTransport::refuse`], permanent
/// failures). [`MemTransport::sent`] lists every mail delivered, in order.
#[derive(Debug)]
pub struct MemTransport {
    from: String,
    down: AtomicBool,
    refused: Mutex<HashSet<Email>>,
    sent: Mutex<Vec<OutgoingMail>>,
    unread: Mutex<VecDeque<Delivered>>,
}

impl MemTransport {
    /// A transport sending as `from` (its domain goes into the Message-ID).
    pub fn new(from: impl Into<String>) -> Self {
        Self {
            from: from.into(),
            down: AtomicBool::new(false),
            refused: Mutex::default(),
            sent: Mutex::default(),
            unread: Mutex::default(),
        }
    }

    /// While `down`, every send is a [`SendError::Transient`].
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// Sends to `address` become [`SendError::Permanent`].
    pub fn refuse(&self, address: Email) {
        self.refused.lock().unwrap_or_else(|e| e.into_inner()).insert(address);
    }

    /// Every mail delivered so far, in order (a resent mail appears twice).
    pub fn sent(&self) -> Vec<OutgoingMail> {
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn domain(&self) -> &str {
        self.from.rsplit_once('@').map_or("localhost", |(_, d)| d)
    }
}

#[async_trait::async_trait]
impl MailTransport for MemTransport {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), SendError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(SendError::Transient(Box::new(FakeSendError::Down)));
        }
        if self.refused.lock().unwrap_or_else(|e| e.into_inner()).contains(mail.to()) {
            let refused = FakeSendError::Refused(mail.to().to_string());
            return Err(SendError::Permanent(Box::new(refused)));
        }
        let delivered = Delivered {
            recipients: vec![mail.to().to_string()],
            from: self.from.clone(),
            to: mail.to().to_string(),
            subject: mail.subject().to_owned(),
            message_id: mail.message_id(self.domain()),
            text: Some(mail.text().to_owned()),
            html: Some(mail.html().to_owned()),
            header_names: ["date", "from", "to", "subject", "message-id"].map(String::from).into(),
        };
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).push(mail.clone());
        self.unread.lock().unwrap_or_else(|e| e.into_inner()).push_back(delivered);
        Ok(())
    }
}

#[async_trait::async_trait]
impl Inbox for MemTransport {
    async fn next(&self) -> Delivered {
        let next = self.unread.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
        next.expect("no mail was delivered")
    }
}

#[async_trait::async_trait]
impl Outage for MemTransport {
    async fn begin(&self) {
        self.set_down(true);
    }

    async fn end(&self) {
        self.set_down(false);
    }
}

/// Composes `"<kind name> for <address>"` as the subject and a text body of
/// `"<kind name>\n<link>\n"` (the HTML body the same in a `<p>`), so a test can find the
/// link and tell kinds apart without templates.
#[derive(Debug, Default)]
pub struct FakeComposer;

impl MailComposer for FakeComposer {
    fn compose(&self, to: &Recipient, kind: &MailKind) -> Result<ComposedMail, ComposeError> {
        let link = kind.link().map_or("", |l| l.expose());
        let extra = match kind {
            MailKind::EmailChangeRequested { new_email } => new_email.as_str(),
            _ => "",
        };
        Ok(ComposedMail {
            subject: format!("{} for {}", kind.name(), to.email),
            text: format!("{}\n{link}\n{extra}\n", kind.name()),
            html: format!("<p>{}</p><p>{}</p><p>{extra}</p>", kind.name(), escape(link)),
        })
    }
}

/// HTML-escapes the characters that matter in text and attribute values.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
