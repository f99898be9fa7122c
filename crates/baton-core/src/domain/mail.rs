//! Mail Baton sends (SPEC §12): what each kind of mail says, the mail as it is queued in the
//! outbox and handed to a transport, and why a sending attempt failed.
//!
//! Plain data only: templates ([`crate::ports::MailComposer`]) turn a [`MailKind`] into a
//! [`ComposedMail`]; an [`OutgoingMail`] adds the outbox row's id and the recipient, and is
//! what a [`crate::ports::MailTransport`] sends. Everything that can hold a token (links,
//! bodies) has a `Debug` that hides it, so logging a mail never logs a token.

use crate::domain::email::Email;
use std::fmt;
use time::Duration;
use uuid::Uuid;

/// A link carrying a single-use token (reset, verification). A newtype so that `Debug` (and
/// so any log line of a [`MailKind`]) never shows the token; build it with
/// [`crate::domain::link::LinkTemplate::link`].
#[derive(Clone, PartialEq, Eq)]
pub struct Link(String);

impl Link {
    /// Wraps a finished link; [`crate::domain::link::LinkTemplate`] is the usual way.
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The whole link, token included, for the template that puts it in the mail.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Link(<redacted>)")
    }
}

/// The mails Baton sends, each with what its templates need. The set is what a careful
/// auth service sends (docs in `crates/baton-mail/README.md`): a link to act on, or a notice
/// that tells the owner of an address about a change they may not have made. No mail goes to
/// an address that has no account (a "forgot" for an unknown address sends nothing), so
/// Baton cannot be used to mail strangers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailKind {
    /// `forgot`: a link to choose a new password, valid `expires_in`.
    PasswordReset {
        /// Built from `accounts.reset_url`.
        link: Link,
        /// The token's lifetime, shown to the reader ("valid for 30 minutes").
        expires_in: Duration,
    },
    /// Registration (and resend): a link proving the address is the user's.
    VerifyEmail {
        /// Built from `accounts.verify_url`.
        link: Link,
        /// The token's lifetime.
        expires_in: Duration,
    },
    /// A change of email, to the NEW address: the change takes effect when this link is used.
    ConfirmEmailChange {
        /// Built from `accounts.verify_url`.
        link: Link,
        /// The token's lifetime.
        expires_in: Duration,
    },
    /// A change of email, to the OLD address, sent when the change is asked for: the owner
    /// learns of it while it can still be stopped (change the password, ignore the link).
    EmailChangeRequested {
        /// The address the account is moving to, so the owner can tell whether it was them.
        new_email: Email,
    },
    /// The password was changed or reset: the owner learns of a change they did not make.
    PasswordChanged,
    /// The account was closed (by its owner or by an operator): the last word to the address.
    AccountClosed,
}

impl MailKind {
    /// Every kind's [`MailKind::name`], in declaration order (template files, subject keys).
    pub const NAMES: [&'static str; 6] = [
        "password_reset",
        "verify_email",
        "confirm_email_change",
        "email_change_requested",
        "password_changed",
        "account_closed",
    ];

    /// A stable snake_case name: the template files' stem, the subject's config key and the
    /// metrics label.
    pub fn name(&self) -> &'static str {
        let i = match self {
            MailKind::PasswordReset { .. } => 0,
            MailKind::VerifyEmail { .. } => 1,
            MailKind::ConfirmEmailChange { .. } => 2,
            MailKind::EmailChangeRequested { .. } => 3,
            MailKind::PasswordChanged => 4,
            MailKind::AccountClosed => 5,
        };
        Self::NAMES[i]
    }

    /// The link a reader acts on, for the kinds that carry one.
    pub fn link(&self) -> Option<&Link> {
        match self {
            MailKind::PasswordReset { link, .. }
            | MailKind::VerifyEmail { link, .. }
            | MailKind::ConfirmEmailChange { link, .. } => Some(link),
            _ => None,
        }
    }
}

/// Who a mail is for: the address it goes to and the name to greet, if the user gave one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The address the mail is sent to.
    pub email: Email,
    /// The user's display name, for the greeting.
    pub name: Option<String>,
}

/// A mail's words, as the templates wrote them: subject, plain-text and HTML bodies.
#[derive(Clone, PartialEq, Eq)]
pub struct ComposedMail {
    /// The subject line.
    pub subject: String,
    /// The plain-text body (every client can show it; it holds the same link as the HTML).
    pub text: String,
    /// The HTML body.
    pub html: String,
}

impl fmt::Debug for ComposedMail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComposedMail").field("subject", &self.subject).finish_non_exhaustive()
    }
}

/// One mail ready to send: what the outbox stores and a transport sends.
///
/// `id` is the outbox row's id. It is the stable part of the Message-ID
/// ([`OutgoingMail::message_id`]), so a mail sent again after a crash (sent, but the crash
/// came before the row was marked) carries the same Message-ID and mail clients show it
/// once; the file transport even overwrites the same file.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    id: Uuid,
    to: Email,
    subject: String,
    text: String,
    html: String,
}

impl OutgoingMail {
    /// A mail with outbox id `id` to `to`. Control characters (line breaks above all) in the
    /// subject become spaces: a subject is one header line and must not be able to add
    /// headers or recipients, whatever a template or an operator's subject wrote.
    pub fn new(id: Uuid, to: Email, mail: ComposedMail) -> Self {
        let subject: String =
            mail.subject.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        Self { id, to, subject: subject.trim().to_owned(), text: mail.text, html: mail.html }
    }

    /// The outbox row's id.
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// The recipient.
    pub fn to(&self) -> &Email {
        &self.to
    }

    /// The subject line (one line, see [`OutgoingMail::new`]).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The plain-text body.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The HTML body.
    pub fn html(&self) -> &str {
        &self.html
    }

    /// The Message-ID header value, `<baton.ID@DOMAIN>`, with `domain` the sender's domain:
    /// the same for every attempt at this mail, unique across mails.
    pub fn message_id(&self, domain: &str) -> String {
        format!("<baton.{}@{domain}>", self.id.simple())
    }
}

impl fmt::Debug for OutgoingMail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutgoingMail")
            .field("id", &self.id)
            .field("to", &self.to)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// A mail as it goes into the outbox: composed, addressed, with the kind's name (for the
/// metrics) and when its content stops being useful (a link's expiry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMail {
    /// The outbox row; also the mail's Message-ID.
    pub mail: OutgoingMail,
    /// [`MailKind::name`].
    pub kind: &'static str,
    /// When it was queued.
    pub queued_at: time::OffsetDateTime,
    /// When its link expires, if it carries one.
    pub expires_at: Option<time::OffsetDateTime>,
}

/// A mail claimed from the outbox by a sender, with its bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The mail.
    pub mail: OutgoingMail,
    /// Its kind's name.
    pub kind: String,
    /// When it was queued.
    pub queued_at: time::OffsetDateTime,
    /// When its link expires, if it carries one.
    pub expires_at: Option<time::OffsetDateTime>,
    /// Failed attempts so far.
    pub failures: u32,
}

/// How the outbox stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxStats {
    /// Mails neither sent nor given up.
    pub waiting: u64,
    /// When the oldest of them was queued.
    pub oldest_waiting_since: Option<time::OffsetDateTime>,
    /// Mails sent.
    pub sent: u64,
    /// Mails given up.
    pub failed: u64,
}

/// Whether another attempt at a failed mail can succeed; the retry rule
/// ([`crate::rules::mail_retry`]) acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// The server was down, slow, or answered 4xx; the configuration may be wrong and get
    /// fixed. Trying again later can work.
    Transient,
    /// The far side refused this mail for good (SMTP 5xx to the recipient or the content, an
    /// address no server can take). Trying again sends the same refusal.
    Permanent,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn composed(subject: &str) -> ComposedMail {
        ComposedMail { subject: subject.into(), text: "t".into(), html: "<p>h</p>".into() }
    }

    fn to() -> Email {
        Email::parse("ada@example.com").unwrap()
    }

    #[test]
    fn a_subject_is_one_line_whatever_it_was_given() {
        let mail = OutgoingMail::new(Uuid::nil(), to(), composed(" Hi\r\nBcc: x@evil.test\t! "));
        assert_eq!(mail.subject(), "Hi  Bcc: x@evil.test !");
    }

    #[test]
    fn the_message_id_depends_only_on_the_outbox_id() {
        let id = Uuid::from_u128(0xabc);
        let a = OutgoingMail::new(id, to(), composed("a"));
        let b = OutgoingMail::new(id, to(), composed("b"));
        assert_eq!(a.message_id("example.com"), b.message_id("example.com"));
        assert_eq!(
            a.message_id("example.com"),
            "<baton.00000000000000000000000000000abc@example.com>"
        );
        let other = OutgoingMail::new(Uuid::from_u128(0xabd), to(), composed("a"));
        assert_ne!(other.message_id("example.com"), a.message_id("example.com"));
    }

    #[test]
    fn debug_output_never_shows_links_or_bodies() {
        let kind = MailKind::PasswordReset {
            link: Link::new("https://app.test/reset#token=SECRET"),
            expires_in: Duration::minutes(30),
        };
        assert!(!format!("{kind:?}").contains("SECRET"));
        let mail =
            ComposedMail { subject: "s".into(), text: "SECRET".into(), html: "SECRET".into() };
        assert!(!format!("{mail:?}").contains("SECRET"));
        assert!(!format!("{:?}", OutgoingMail::new(Uuid::nil(), to(), mail)).contains("SECRET"));
    }

    #[test]
    fn names_are_stable_and_distinct() {
        let kinds = [
            MailKind::PasswordReset { link: Link::new("l"), expires_in: Duration::ZERO },
            MailKind::VerifyEmail { link: Link::new("l"), expires_in: Duration::ZERO },
            MailKind::ConfirmEmailChange { link: Link::new("l"), expires_in: Duration::ZERO },
            MailKind::EmailChangeRequested { new_email: to() },
            MailKind::PasswordChanged,
            MailKind::AccountClosed,
        ];
        let names: Vec<&str> = kinds.iter().map(MailKind::name).collect();
        assert_eq!(names, MailKind::NAMES);
        assert_eq!(kinds.iter().filter(|k| k.link().is_some()).count(), 3);
    }
}
