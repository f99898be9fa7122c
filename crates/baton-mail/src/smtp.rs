//! The SMTP transport: one connection per mail (no pool: transactional mail is a trickle,
//! and a fresh connection needs no recovery after the server restarts).
//!
//! `mail.smtp_url` is parsed here rather than by lettre so that its rules are Baton's:
//! `smtp://` tries STARTTLS whenever the server offers it (lettre's own URL parser would
//! send in clear unless told), unknown parameters are refused, and no message ever quotes
//! the URL (it may hold the password).

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use baton_core::{MailTransport, OutgoingMail, SendError};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};

use crate::error::SetupError;
use crate::message::{Sender, build};

/// The longest one sending may take, connection to last answer, unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The SMTP transport's settings (`[mail]` in Baton's configuration).
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// `smtp://[user:password@]host[:port][?tls=required|opportunistic|none]` (port 587 by
    /// default) or `smtps://[user:password@]host[:port]` (port 465). A secret.
    pub url: SecretString,
    /// The sender, `no-reply@example.com` or `Product <no-reply@example.com>`.
    pub from: String,
    /// The longest one sending may take, from connecting to the server's last answer (lettre
    /// bounds only the connection itself; this bounds a server that stops answering too).
    pub timeout: Duration,
    /// A PEM file of CAs trusted besides Mozilla's roots (a company CA, a test CA).
    pub ca_file: Option<PathBuf>,
}

impl SmtpSettings {
    /// Settings for `url` sending as `from`, with the default timeout and roots.
    pub fn new(url: impl Into<String>, from: impl Into<String>) -> Self {
        Self {
            url: SecretString::from(url.into()),
            from: from.into(),
            timeout: DEFAULT_TIMEOUT,
            ca_file: None,
        }
    }
}

/// How TLS is used on the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsMode {
    /// Plain text only (`?tls=none`): a relay on the same host, a test server.
    None,
    /// STARTTLS when offered (`smtp://`, the default).
    Opportunistic,
    /// STARTTLS or fail (`?tls=required`).
    Required,
    /// TLS from the first byte (`smtps://`).
    Wrapper,
}

/// The parts of `mail.smtp_url`.
struct Endpoint {
    host: String,
    port: u16,
    tls: TlsMode,
    credentials: Option<Credentials>,
}

/// A reason why the URL is refused; the URL itself is never quoted.
fn url_error(why: impl Into<String>) -> SetupError {
    SetupError::SmtpUrl(why.into())
}

fn parse_url(url: &SecretString) -> Result<Endpoint, SetupError> {
    let url = url::Url::parse(url.expose_secret().trim()).map_err(|e| {
        url_error(format!("is not a URL ({e}); write smtp://host:587 or smtps://host:465"))
    })?;
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| url_error("has no host"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
    if !matches!(url.path(), "" | "/") || url.fragment().is_some() {
        return Err(url_error("must not have a path or fragment"));
    }
    let mut tls_param = None;
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "tls" if tls_param.is_none() => tls_param = Some(value.into_owned()),
            "tls" => return Err(url_error("sets tls twice")),
            other => {
                return Err(url_error(format!("has an unknown parameter {other:?} (only tls)")));
            }
        }
    }
    let (tls, default_port) = match (url.scheme(), tls_param.as_deref()) {
        ("smtp", None | Some("opportunistic")) => (TlsMode::Opportunistic, 587),
        ("smtp", Some("required")) => (TlsMode::Required, 587),
        ("smtp", Some("none")) => (TlsMode::None, 587),
        ("smtp", Some(_)) => {
            return Err(url_error("has tls= other than required, opportunistic or none"));
        }
        ("smtps", None) => (TlsMode::Wrapper, 465),
        ("smtps", Some(_)) => return Err(url_error("is smtps:// (TLS throughout): drop tls=")),
        (scheme, _) => {
            return Err(url_error(format!("has scheme {scheme:?}: use smtp:// or smtps://")));
        }
    };
    let decode = |s: &str| {
        percent_decode(s).ok_or_else(|| url_error("has user or password that is not valid UTF-8"))
    };
    let credentials = match (url.username(), url.password()) {
        ("", None) => None,
        (user, Some(password)) if !user.is_empty() => {
            Some(Credentials::new(decode(user)?, decode(password)?))
        }
        _ => return Err(url_error("needs both a user and a password, or neither")),
    };
    Ok(Endpoint { host, port: url.port().unwrap_or(default_port), tls, credentials })
}

/// Decodes `%XX` escapes (user names and passwords in URLs).
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Sends each mail over a new SMTP connection. See the module docs for the URL.
#[derive(Clone)]
pub struct SmtpTransport {
    inner: AsyncSmtpTransport<Tokio1Executor>,
    sender: Sender,
    timeout: Duration,
}

impl std::fmt::Debug for SmtpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpTransport").field("from", &self.sender.mailbox).finish_non_exhaustive()
    }
}

impl SmtpTransport {
    /// A transport for `settings`; checks the URL, the sender and the CA file, but does not
    /// connect (a server that is down at start-up is an outage like any other).
    pub fn new(settings: &SmtpSettings) -> Result<Self, SetupError> {
        let endpoint = parse_url(&settings.url)?;
        let sender = Sender::parse(&settings.from)?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&endpoint.host)
            .port(endpoint.port)
            .timeout(Some(settings.timeout));
        if endpoint.tls != TlsMode::None {
            let params = tls_parameters(&endpoint.host, settings.ca_file.as_deref())?;
            builder = builder.tls(match endpoint.tls {
                TlsMode::Opportunistic => Tls::Opportunistic(params),
                TlsMode::Required => Tls::Required(params),
                _ => Tls::Wrapper(params),
            });
        }
        if let Some(credentials) = endpoint.credentials {
            builder = builder.credentials(credentials);
        }
        Ok(Self { inner: builder.build(), sender, timeout: settings.timeout })
    }

    /// Connects, greets and logs in, then hangs up: a start-up probe whose failure is worth a
    /// warning (mail still queues and is sent once the server answers).
    pub async fn check(&self) -> Result<(), SendError> {
        match tokio::time::timeout(self.timeout, self.inner.test_connection()).await {
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false)) => {
                Err(SendError::Transient("the SMTP server did not answer NOOP".into()))
            }
            Ok(Err(e)) => Err(classify(e)),
            Err(_) => Err(SendError::Transient(Box::new(TimedOut(self.timeout)))),
        }
    }
}

/// Mozilla's roots plus the operator's CA file, checking certificates for `host`.
fn tls_parameters(
    host: &str,
    ca_file: Option<&std::path::Path>,
) -> Result<TlsParameters, SetupError> {
    let mut builder =
        TlsParameters::builder(host.to_owned()).certificate_store(CertificateStore::WebpkiRoots);
    if let Some(path) = ca_file {
        let ca_error = |reason: String| SetupError::CaFile { path: path.to_owned(), reason };
        let pem = std::fs::read(path).map_err(|e| ca_error(e.to_string()))?;
        if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
            return Err(ca_error("holds no PEM certificate".into()));
        }
        let certificate = Certificate::from_pem(&pem).map_err(|e| ca_error(e.to_string()))?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build_rustls().map_err(SetupError::Tls)
}

/// The server did not finish within [`SmtpSettings::timeout`].
#[derive(Debug, thiserror::Error)]
#[error("the SMTP server did not finish within {0:?}")]
struct TimedOut(Duration);

/// Auth-related 5xx codes: the configuration is wrong, not the mail, so an operator's fix
/// lets it through (530 authentication required, 534 mechanism too weak, 535 bad
/// credentials, 538 encryption required for the mechanism).
const CONFIG_CODES: [&str; 4] = ["530", "534", "535", "538"];

/// Whether lettre's error can go away by trying again. When in doubt, transient: a mail
/// wrongly retried costs a few attempts until its deadline, a mail wrongly given up is lost.
///
/// Permanent: a 5xx answer other than the auth codes (the recipient or the content refused).
/// Transient: everything else: 4xx, connection refused or reset, TLS failures, malformed
/// answers, and lettre's client errors, which are about what the server offers (no STARTTLS
/// under `tls=required`, no SMTPUTF8 for a non-ASCII address): a server's configuration can
/// change. A 5xx to `MAIL FROM` (the relay refuses the sender) cannot be told apart from a
/// refused recipient through lettre and counts as permanent: the failed-mail metric shows it.
fn classify(e: lettre::transport::smtp::Error) -> SendError {
    let code = e.status().map(|c| c.to_string());
    let auth = code.as_deref().is_some_and(|c| CONFIG_CODES.contains(&c));
    if e.is_permanent() && !auth {
        SendError::Permanent(Box::new(e))
    } else {
        SendError::Transient(Box::new(e))
    }
}

#[async_trait]
impl MailTransport for SmtpTransport {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), SendError> {
        let message = build(&self.sender, mail)?;
        // A timeout after DATA may come after the server took the mail: the retry then sends
        // a copy with the same Message-ID, which mail clients show once.
        match tokio::time::timeout(self.timeout, self.inner.send(message)).await {
            Ok(Ok(_)) => {
                tracing::debug!(mail_id = %mail.id(), "mail accepted by the SMTP server");
                Ok(())
            }
            Ok(Err(e)) => Err(classify(e)),
            Err(_) => Err(SendError::Transient(Box::new(TimedOut(self.timeout)))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Result<Endpoint, String> {
        parse_url(&SecretString::from(url.to_owned())).map_err(|e| e.to_string())
    }

    #[test]
    fn schemes_choose_tls_and_default_ports() {
        let cases = [
            ("smtp://mail.example.com", TlsMode::Opportunistic, 587),
            ("smtp://mail.example.com:25?tls=opportunistic", TlsMode::Opportunistic, 25),
            ("smtp://mail.example.com?tls=required", TlsMode::Required, 587),
            ("smtp://127.0.0.1:2525?tls=none", TlsMode::None, 2525),
            ("smtps://mail.example.com", TlsMode::Wrapper, 465),
            ("smtps://[::1]:4650", TlsMode::Wrapper, 4650),
        ];
        for (url, tls, port) in cases {
            let e = parse(url).unwrap();
            assert_eq!((e.tls, e.port), (tls, port), "{url}");
            assert!(e.credentials.is_none());
        }
        assert_eq!(parse("smtps://[::1]:4650").unwrap().host, "::1");
    }

    #[test]
    fn credentials_are_percent_decoded() {
        let e = parse("smtps://ada%40example.com:p%40ss%3Aw%2Fd@mail.example.com").unwrap();
        let expected = Credentials::new("ada@example.com".into(), "p@ss:w/d".into());
        assert_eq!(e.credentials, Some(expected));
    }

    #[test]
    fn bad_urls_are_refused_without_quoting_them() {
        let bad = [
            "mail.example.com:587",
            "http://user:s3cret@mail.example.com",
            "smtp://user:s3cret@mail.example.com?tls=maybe",
            "smtps://user:s3cret@mail.example.com?tls=required",
            "smtp://user:s3cret@mail.example.com?timeout=3",
            "smtp://user:s3cret@mail.example.com/path",
            "smtp://user@mail.example.com",
            "smtp://:s3cret@mail.example.com",
            "smtp://user:s3cret@",
            "smtp://user:s3cret@mail.example.com?tls=none&tls=none",
        ];
        for url in bad {
            let e = parse(url).err().unwrap_or_else(|| panic!("{url} accepted"));
            assert!(e.starts_with("mail.smtp_url "), "{e}");
            assert!(!e.contains("s3cret") && !e.contains("mail.example.com"), "{e}");
        }
    }

    #[test]
    fn percent_decoding_refuses_broken_escapes() {
        assert_eq!(percent_decode("a%41%2f").as_deref(), Some("aA/"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%C3%A9").as_deref(), Some("é"));
        assert_eq!(percent_decode("%FF"), None);
        assert_eq!(percent_decode("50%").as_deref(), Some("50%"));
    }
}
