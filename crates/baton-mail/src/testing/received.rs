//! A mail as a test server or directory received it, and its parsing into the core's
//! [`Delivered`] (with `mail-parser`, independently of lettre, which wrote it).

use baton_core::testing::contract::mail::Delivered;
use mail_parser::{MessageParser, PartType};

/// One mail received by the [`super::SmtpSink`] (or read from an `.eml` file, where the
/// envelope is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The `MAIL FROM` address.
    pub mail_from: String,
    /// The accepted `RCPT TO` addresses.
    pub rcpt_to: Vec<String>,
    /// The message as sent, dot-stuffing undone.
    pub data: Vec<u8>,
    /// Whether it came over TLS (STARTTLS or implicit).
    pub tls: bool,
}

impl Received {
    /// The message parsed: headers decoded, bodies of the text and HTML alternatives.
    /// Recipients are the envelope's, or the `To` header's when there is no envelope.
    pub fn parse(&self) -> Delivered {
        parse_message(&self.data, &self.rcpt_to)
    }

    /// The first link in the plain-text body that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> Option<String> {
        self.parse().link(prefix)
    }
}

/// Parses an RFC 5322 message; `envelope` lists the recipients when known.
pub fn parse_message(data: &[u8], envelope: &[String]) -> Delivered {
    let message = MessageParser::default().parse(data).expect("a parseable message");
    let first_address = |a: Option<&mail_parser::Address>| {
        a.and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_owned()
    };
    let to = first_address(message.to());
    let mut text = None;
    let mut html = None;
    for part in &message.parts {
        match &part.body {
            PartType::Text(body) if text.is_none() => text = Some(body.to_string()),
            PartType::Html(body) if html.is_none() => html = Some(body.to_string()),
            _ => {}
        }
    }
    Delivered {
        recipients: if envelope.is_empty() { vec![to.clone()] } else { envelope.to_vec() },
        from: first_address(message.from()),
        to,
        subject: message.subject().unwrap_or_default().to_owned(),
        message_id: message.message_id().map(|id| format!("<{id}>")).unwrap_or_default(),
        text,
        html,
        header_names: message.headers().iter().map(|h| h.name().to_ascii_lowercase()).collect(),
    }
}
