//! Baton's mail adapters (SPEC §12): the transports that send an
//! [`OutgoingMail`](baton_core::OutgoingMail) and the templates that write one.
//!
//! - [`SmtpTransport`]: SMTP with lettre on rustls. `smtp://` upgrades with STARTTLS when the
//!   server offers it (`?tls=required` insists, `?tls=none` never tries), `smtps://` is TLS
//!   from the first byte; credentials may be in the URL, which is a secret and never shown.
//!   Certificates are checked against Mozilla's roots compiled into the binary, plus any CA
//!   the operator names ([`SmtpSettings::ca_file`]).
//! - [`FileTransport`]: each mail an `.eml` file (RFC 5322, as lettre writes it for SMTP)
//!   under a directory, written atomically: the development default, so `just run` needs no
//!   mail server and a developer opens the mail in a mail client.
//! - [`Templates`]: the [`MailComposer`](baton_core::MailComposer): plain-text and HTML
//!   bodies from templates built into the binary, each replaceable by a file in a directory,
//!   with HTML escaping in the HTML bodies; subject lines and the product name from config.
//! - `testing` (feature `testing`): a real SMTP server for tests ([`testing::SmtpSink`]).
//!
//! Neither transport logs a mail's body: it holds tokens.

mod error;
mod file;
mod message;
pub mod settings;
mod smtp;
mod templates;

#[cfg(feature = "testing")]
pub mod testing;

pub use error::SetupError;
pub use file::FileTransport;
pub use smtp::{DEFAULT_TIMEOUT, SmtpSettings, SmtpTransport};
pub use templates::{
    DEFAULT_SUBJECTS, TemplateSettings, Templates, builtin_templates, human_duration,
};
