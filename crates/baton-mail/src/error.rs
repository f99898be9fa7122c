//! What can be wrong with mail settings, found when the transport or the templates are
//! built (at start-up), so a running server never meets it.

use std::path::PathBuf;

/// Mail settings that cannot work. Messages name the setting and never contain the SMTP URL
/// or its password.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// `mail.smtp_url` does not parse or says something unsupported.
    #[error("mail.smtp_url {0}")]
    SmtpUrl(String),
    /// `mail.from` is not a mailbox such as `Baton <no-reply@example.com>`.
    #[error("mail.from {0:?} is not an address such as \"Baton <no-reply@example.com>\"")]
    From(String),
    /// The extra CA file could not be read or holds no certificate.
    #[error("mail.smtp_ca_file {}: {reason}", path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The TLS settings were refused by the TLS library.
    #[error("mail TLS settings: {0}")]
    Tls(#[source] lettre::transport::smtp::Error),
    /// The mail directory cannot be created.
    #[error("mail.file_dir {}: {source}", path.display())]
    FileDir {
        /// The directory.
        path: PathBuf,
        /// Why it cannot be created.
        #[source]
        source: std::io::Error,
    },
    /// A template or subject does not compile, render, or lacks the link it must carry.
    #[error("mail template {name}: {reason}")]
    Template {
        /// The template's file name (or `subjects.<kind>`).
        name: String,
        /// What is wrong, with the line when the template engine knows it.
        reason: String,
    },
    /// `mail.templates_dir` cannot be read or holds a file that replaces no template.
    #[error("mail.templates_dir {}: {reason}", path.display())]
    TemplatesDir {
        /// The directory.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}
