//! Mail: composing a mail from templates, and sending one (`baton-mail`: SMTP or `.eml`
//! files). The outbox's sender calls [`MailTransport::send`] once per attempt and learns from
//! the [`SendError`] whether retrying can help; [`crate::rules::mail_retry`] says when.

use super::BoxError;
use crate::domain::mail::{ComposedMail, FailureKind, MailKind, OutgoingMail, Recipient};

/// Sending one mail failed. The variant is the transport's judgement of whether another
/// attempt can succeed; the source says what happened, for the log and the outbox row (it
/// never holds the SMTP password: transports MUST NOT put credentials in their errors).
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The transport could not hand the mail over now: server unreachable, TLS or login
    /// failed, a timeout, a 4xx answer, a disk that would not take the file.
    #[error("mail not sent; a later attempt may succeed")]
    Transient(#[source] BoxError),
    /// The far side refused this mail for good: a 5xx answer to its recipient or its content,
    /// or an address no server could take.
    #[error("mail refused for good")]
    Permanent(#[source] BoxError),
}

impl SendError {
    /// Whether a retry can help, for [`crate::rules::mail_retry::RetryPolicy::after_failure`].
    pub fn kind(&self) -> FailureKind {
        match self {
            SendError::Transient(_) => FailureKind::Transient,
            SendError::Permanent(_) => FailureKind::Permanent,
        }
    }
}

/// Hands one mail to the world. Async: it waits on a network or a disk.
#[async_trait::async_trait]
pub trait MailTransport: Send + Sync {
    /// Sends `mail`, returning once it is handed over for good: accepted by the SMTP server
    /// (`250` after `DATA`), or written whole and renamed into place for files. MUST set
    /// `Message-ID` to [`OutgoingMail::message_id`] with the sender's domain, so a mail sent
    /// twice (a crash between the sending and the outbox's bookkeeping) is recognisable as
    /// one, and SHOULD make a second sending of the same mail harmless where the medium
    /// allows (the file transport replaces the same file). MUST send a `multipart/alternative`
    /// of the text and HTML bodies to exactly `mail.to()`. MUST answer
    /// [`SendError::Transient`] when the far side is unreachable, slow past the configured
    /// timeout, or answers a temporary failure, and [`SendError::Permanent`] only when this
    /// mail can never be delivered as it is. MUST NOT log the mail's bodies (they hold tokens).
    async fn send(&self, mail: &OutgoingMail) -> Result<(), SendError>;
}

/// A mail could not be composed: a template failed to render. Templates are checked when the
/// composer is built, so this is a bug or a template that breaks only on some input.
#[derive(Debug, thiserror::Error)]
#[error("mail could not be composed")]
pub struct ComposeError(#[source] pub BoxError);

/// Writes a mail of a kind: the subject, text and HTML bodies from the operator's templates
/// and the product name. Synchronous: templates are loaded and checked when the composer is
/// built, so composing is a little string work that never waits.
pub trait MailComposer: Send + Sync {
    /// The mail of `kind` for `to`. MUST put the kind's link, when it has one, into both
    /// bodies unchanged (HTML-escaped in the HTML body only), and MUST escape every value it
    /// puts into the HTML body.
    fn compose(&self, to: &Recipient, kind: &MailKind) -> Result<ComposedMail, ComposeError>;
}
