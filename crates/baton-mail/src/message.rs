//! An [`OutgoingMail`] as an RFC 5322 message: the same bytes go to the SMTP server and into
//! `.eml` files.

use baton_core::OutgoingMail;
use baton_core::SendError;
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, Message};

use crate::error::SetupError;

/// The sender of every mail, checked once.
#[derive(Debug, Clone)]
pub(crate) struct Sender {
    pub(crate) mailbox: Mailbox,
    /// The domain of the address: the right-hand side of Message-IDs.
    pub(crate) domain: String,
}

impl Sender {
    /// Parses `mail.from`: `no-reply@example.com` or `Baton <no-reply@example.com>`.
    pub(crate) fn parse(from: &str) -> Result<Self, SetupError> {
        let mailbox: Mailbox = from.trim().parse().map_err(|_| SetupError::From(from.into()))?;
        let domain = mailbox.email.domain().to_owned();
        Ok(Self { mailbox, domain })
    }
}

/// Why a mail cannot be put into a message: its address is not one lettre accepts.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Unbuildable(String);

/// The message for `mail`: `From` the sender, `To` the recipient alone, its subject, a
/// stable Message-ID, and the text and HTML bodies as `multipart/alternative`.
pub(crate) fn build(sender: &Sender, mail: &OutgoingMail) -> Result<Message, SendError> {
    let permanent = |why: String| SendError::Permanent(Box::new(Unbuildable(why)));
    let to: Address =
        mail.to().as_str().parse().map_err(|e| permanent(format!("recipient address: {e}")))?;
    Message::builder()
        .from(sender.mailbox.clone())
        .to(Mailbox::new(None, to))
        .subject(mail.subject())
        .message_id(Some(mail.message_id(&sender.domain)))
        .multipart(MultiPart::alternative_plain_html(
            mail.text().to_owned(),
            mail.html().to_owned(),
        ))
        .map_err(|e| permanent(format!("message: {e}")))
}
