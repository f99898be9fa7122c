//! Opening one async PostgreSQL connection: the URL read once into tokio-postgres's settings
//! and a TLS connector, then a connection handed to diesel-async.
//!
//! The URL is libpq's (`postgres://user:pass@host:port/db?params`). The two TLS parameters
//! tokio-postgres does not know (`sslrootcert`, and `sslmode`'s `verify-ca`/`verify-full`)
//! are taken out and applied through rustls (see [`crate::tls`]); every other parameter goes
//! to tokio-postgres, which refuses what it does not know.

use std::path::PathBuf;
use std::str::FromStr;

use diesel::ConnectionError;
use diesel_async::AsyncPgConnection;
use tokio_postgres::NoTls;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::config::SetupError;
use crate::tls::{self, SslMode};

/// Where and how to connect, parsed once per store and shared by its pools.
pub(crate) struct PgTarget {
    config: tokio_postgres::Config,
    tls: Option<MakeRustlsConnect>,
}

// The URL and the settings hold the password.
impl std::fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgTarget").field("tls", &self.tls.is_some()).finish_non_exhaustive()
    }
}

impl PgTarget {
    /// Reads a `postgres://` URL; the CA file of `sslrootcert` is read now, so a bad TLS
    /// setting stops start-up instead of every later connection.
    pub(crate) fn parse(url: &str) -> Result<Self, SetupError> {
        let (base, params) = url.split_once('?').unwrap_or((url, ""));
        let (mut mode, mut root_cert) = (SslMode::default(), None);
        let mut kept = Vec::new();
        for pair in params.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sslmode" => mode = SslMode::parse(&percent_decode(value))?,
                "sslrootcert" => root_cert = Some(PathBuf::from(percent_decode(value))),
                _ => kept.push(pair),
            }
        }
        kept.push(match mode.driver_mode() {
            "disable" => "sslmode=disable",
            "prefer" => "sslmode=prefer",
            _ => "sslmode=require",
        });
        let driver_url = format!("{base}?{}", kept.join("&"));
        let config =
            tokio_postgres::Config::from_str(&driver_url).map_err(SetupError::PostgresUrl)?;
        let tls = tls::connector(mode, root_cert.as_deref())?;
        Ok(Self { config, tls })
    }

    /// Opens one connection (TLS as the URL says) and hands it to diesel-async, whose
    /// connection task runs on the current tokio runtime: a connection belongs to the runtime
    /// that opened it.
    pub(crate) async fn establish(&self) -> Result<AsyncPgConnection, ConnectionError> {
        // The driver's error with its causes ("error performing TLS handshake: invalid peer
        // certificate: UnknownIssuer"); it never holds the URL.
        let refused =
            |e: tokio_postgres::Error| ConnectionError::BadConnection(baton_core::error_chain(&e));
        match &self.tls {
            None => {
                let (client, conn) = self.config.connect(NoTls).await.map_err(refused)?;
                AsyncPgConnection::try_from_client_and_connection(client, conn).await
            }
            Some(tls) => {
                let (client, conn) = self.config.connect(tls.clone()).await.map_err(refused)?;
                AsyncPgConnection::try_from_client_and_connection(client, conn).await
            }
        }
    }
}

/// Decodes `%XX` escapes of a URL parameter value (a path may need `%2F`); anything that is
/// not a valid escape stays as it is.
fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_parameters_are_taken_out_and_the_rest_reaches_the_driver() {
        let t = PgTarget::parse(
            "postgres://u:secret@db.example.com:6543/baton?application_name=x&sslmode=disable",
        )
        .expect("parses");
        assert_eq!(t.config.get_application_name(), Some("x"));
        assert_eq!(t.config.get_ports(), [6543]);
        assert!(t.tls.is_none());
        assert!(!format!("{t:?}").contains("secret"));
        let t = PgTarget::parse("postgres://h/db").expect("parses");
        assert!(t.tls.is_some(), "prefer is the default, as with libpq");
        assert_eq!(t.config.get_ssl_mode(), tokio_postgres::config::SslMode::Prefer);
    }

    #[test]
    fn bad_parameters_are_setup_errors_that_never_echo_the_url() {
        let err = PgTarget::parse("postgres://u:hunter2@h/db?nonsense=1").unwrap_err();
        let line = baton_core::error_chain(&err);
        assert!(line.contains("nonsense") && !line.contains("hunter2"), "{line}");
        let err = PgTarget::parse("postgres://u:hunter2@h/db?sslmode=verify-full").unwrap_err();
        assert!(err.to_string().contains("sslrootcert"), "{err}");
        let err = PgTarget::parse("postgres://h/db?sslmode=verify-ca&sslrootcert=%2Fno%2Fca.pem")
            .unwrap_err();
        assert!(err.to_string().contains("/no/ca.pem"), "{err}");
    }

    #[test]
    fn percent_escapes_decode_and_stray_percents_stay() {
        assert_eq!(percent_decode("%2Fetc%2Fca.pem"), "/etc/ca.pem");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
