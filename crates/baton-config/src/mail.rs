//! `[mail]` and `[accounts]` (SPEC §12): how Baton sends mail, and the account lifecycle's
//! links and lifetimes. Their rules live in `mail_rules`.
//!
//! baton-config does not depend on `baton-mail` (adapters stay apart): the binary maps
//! [`MailConfig`] onto `baton_mail::SmtpSettings`, `FileTransport::new` and
//! `TemplateSettings` field by field.

use super::redact::redact_url;
use super::secret::REDACTED;
use crate::duration;
use baton_core::domain::link::LinkTemplate;
use baton_core::rules::mail_retry::RetryPolicy;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::path::PathBuf;
use std::time::Duration;

/// Which transport sends mail.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransportKind {
    /// No mail: the routes that would send mail answer 503 `mail_unavailable`.
    #[default]
    None,
    /// An SMTP server at `mail.smtp_url`.
    Smtp,
    /// `.eml` files under `mail.file_dir` (the dev profile's choice).
    File,
}

/// An SMTP URL: a secret (it may carry the password), shown by `baton config` with the
/// password replaced, so an operator still sees which server and port are used.
#[derive(Clone)]
pub struct SecretUrl(SecretString);

impl SecretUrl {
    /// Wraps a URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self(SecretString::from(url.into()))
    }

    /// The URL itself, for the transport only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The URL with its password hidden (see [`redact_url`]); wholly hidden unless it is an
    /// `smtp://` or `smtps://` URL with a host (`user:password@host` would parse as a URL of
    /// scheme `user` and show the password).
    pub fn redacted(&self) -> String {
        let readable = url::Url::parse(self.expose().trim()).is_ok_and(|u| {
            matches!(u.scheme(), "smtp" | "smtps") && u.host_str().is_some_and(|h| !h.is_empty())
        });
        if readable { redact_url(self.expose().trim()) } else { REDACTED.to_owned() }
    }
}

impl PartialEq for SecretUrl {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretUrl({})", self.redacted())
    }
}

impl Serialize for SecretUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

impl<'de> Deserialize<'de> for SecretUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(SecretUrl::new)
    }
}

/// `[mail.subjects]`: a subject template per kind of mail (MiniJinja, `{{ product_name }}`
/// and the kind's variables); unset keeps the built-in subject.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSubjects {
    /// The password-reset link.
    pub password_reset: Option<String>,
    /// The verification link after registration.
    pub verify_email: Option<String>,
    /// The link to the new address of an email change.
    pub confirm_email_change: Option<String>,
    /// The notice to the old address of an email change.
    pub email_change_requested: Option<String>,
    /// The notice that the password changed.
    pub password_changed: Option<String>,
    /// The notice that the account was closed.
    pub account_closed: Option<String>,
}

impl MailSubjects {
    /// The subjects that are set, by kind name (what `baton_mail::TemplateSettings` takes).
    pub fn overrides(&self) -> std::collections::BTreeMap<String, String> {
        [
            ("password_reset", &self.password_reset),
            ("verify_email", &self.verify_email),
            ("confirm_email_change", &self.confirm_email_change),
            ("email_change_requested", &self.email_change_requested),
            ("password_changed", &self.password_changed),
            ("account_closed", &self.account_closed),
        ]
        .into_iter()
        .filter_map(|(kind, subject)| Some((kind.to_owned(), subject.clone()?)))
        .collect()
    }
}

/// `[mail]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    /// `none` (default), `smtp` or `file`.
    pub transport: MailTransportKind,
    /// `smtp://user:password@host:587` (STARTTLS when offered; `?tls=required` insists,
    /// `?tls=none` never tries) or `smtps://...:465`. A secret; needed by `smtp`.
    pub smtp_url: Option<SecretUrl>,
    /// A PEM file of CAs the SMTP server's certificate may chain to, besides Mozilla's roots.
    pub smtp_ca_file: Option<PathBuf>,
    /// The longest one SMTP sending may take, connection to last answer.
    #[serde(with = "duration")]
    pub timeout: Duration,
    /// The sender: `no-reply@example.com` or `Product <no-reply@example.com>`.
    pub from: String,
    /// Where the `file` transport writes `.eml` files (created if missing).
    pub file_dir: PathBuf,
    /// The product's name in mails and subjects.
    pub product_name: String,
    /// A directory of template files replacing the built-in ones by name.
    pub templates_dir: Option<PathBuf>,
    /// Subject lines by kind of mail.
    pub subjects: MailSubjects,
    /// Wait before the first retry of a failed mail.
    #[serde(with = "duration")]
    pub retry_first_delay: Duration,
    /// Longest wait between two attempts at a mail.
    #[serde(with = "duration")]
    pub retry_max_delay: Duration,
    /// How long after queueing a mail is still worth sending (a link's own expiry may end
    /// it sooner).
    #[serde(with = "duration")]
    pub give_up_after: Duration,
}

/// The sender when none is configured: fine for files, refused with the `smtp` transport
/// (`.localhost` is reserved, RFC 6761: no real server takes it).
pub const DEFAULT_FROM: &str = "Baton <no-reply@baton.localhost>";

impl Default for MailConfig {
    fn default() -> Self {
        let retry = RetryPolicy::default();
        Self {
            transport: MailTransportKind::None,
            smtp_url: None,
            smtp_ca_file: None,
            timeout: Duration::from_secs(30),
            from: DEFAULT_FROM.into(),
            file_dir: PathBuf::from("data/mail"),
            product_name: "Baton".into(),
            templates_dir: None,
            subjects: MailSubjects::default(),
            retry_first_delay: to_std(retry.first_delay),
            retry_max_delay: to_std(retry.max_delay),
            give_up_after: to_std(retry.give_up_after),
        }
    }
}

impl MailConfig {
    /// Whether any transport is configured (else mail-sending routes answer 503).
    pub fn enabled(&self) -> bool {
        self.transport != MailTransportKind::None
    }

    /// The outbox sender's backoff.
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            first_delay: to_time(self.retry_first_delay),
            max_delay: to_time(self.retry_max_delay),
            give_up_after: to_time(self.give_up_after),
        }
    }
}

/// `[accounts]`: the account lifecycle of SPEC §12.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountsConfig {
    /// The page of the product where a user sets a new password; the reset token is added
    /// in the fragment (`#token=...`) unless the URL places `{token}` itself.
    pub reset_url: Option<String>,
    /// The page that confirms an email address (registration and email change), likewise.
    pub verify_url: Option<String>,
    /// How long a reset link works.
    #[serde(with = "duration")]
    pub reset_ttl: Duration,
    /// How long a verification link works.
    #[serde(with = "duration")]
    pub verify_ttl: Duration,
    /// Refuse login and refresh (403 `email_not_verified`) until the email is verified.
    pub require_verified_email: bool,
}

impl Default for AccountsConfig {
    fn default() -> Self {
        Self {
            reset_url: None,
            verify_url: None,
            reset_ttl: Duration::from_secs(30 * 60),
            verify_ttl: Duration::from_secs(24 * 3_600),
            require_verified_email: false,
        }
    }
}

impl AccountsConfig {
    /// The reset links' template, once the configuration is valid.
    pub fn reset_link(&self) -> Option<LinkTemplate> {
        self.reset_url.as_deref().and_then(|u| LinkTemplate::parse(u).ok())
    }

    /// The verification links' template, once the configuration is valid.
    pub fn verify_link(&self) -> Option<LinkTemplate> {
        self.verify_url.as_deref().and_then(|u| LinkTemplate::parse(u).ok())
    }

    /// `reset_ttl` for the core.
    pub fn reset_ttl(&self) -> time::Duration {
        to_time(self.reset_ttl)
    }

    /// `verify_ttl` for the core.
    pub fn verify_ttl(&self) -> time::Duration {
        to_time(self.verify_ttl)
    }
}

fn to_std(d: time::Duration) -> Duration {
    Duration::try_from(d).unwrap_or(Duration::ZERO)
}

fn to_time(d: Duration) -> time::Duration {
    time::Duration::try_from(d).unwrap_or(time::Duration::MAX)
}
