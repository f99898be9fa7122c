//! TLS to PostgreSQL on the async path (used by `crate::postgres`), with libpq's meaning of `sslmode` and `sslrootcert`:
//! rustls (ring provider) through `tokio-postgres-rustls`, since tokio-postgres has no TLS of
//! its own. The one-shot libpq connection of the migrations reads the same two parameters
//! itself, so both paths agree on what a URL asks for.
//!
//! | `sslmode`            | TLS                         | certificate checked              |
//! |----------------------|-----------------------------|----------------------------------|
//! | `disable`            | never                       | —                                |
//! | `prefer` (default)   | if the server offers it     | no                               |
//! | `require`            | always                      | no; chain only with `sslrootcert` |
//! | `verify-ca`          | always                      | chain to `sslrootcert`           |
//! | `verify-full`        | always                      | chain to `sslrootcert` and host  |
//!
//! Unlike libpq there is no implicit `~/.postgresql/root.crt`: `verify-ca` and `verify-full`
//! need `sslrootcert=<PEM file>`, or start-up stops and says so.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, ring};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

/// What a URL's `sslmode` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum SslMode {
    /// Plain connections only.
    Disable,
    /// TLS when the server offers it, unverified.
    #[default]
    Prefer,
    /// TLS or no connection; the certificate is checked only against an `sslrootcert`.
    Require,
    /// TLS with a certificate that chains to `sslrootcert`.
    VerifyCa,
    /// TLS with a certificate that chains to `sslrootcert` and names the host.
    VerifyFull,
}

impl SslMode {
    /// Parses libpq's names; `allow` (plain first, TLS as a fallback) is not offered by the
    /// driver and is refused rather than quietly changed.
    pub(crate) fn parse(value: &str) -> Result<Self, TlsError> {
        match value {
            "disable" => Ok(Self::Disable),
            "prefer" => Ok(Self::Prefer),
            "require" => Ok(Self::Require),
            "verify-ca" => Ok(Self::VerifyCa),
            "verify-full" => Ok(Self::VerifyFull),
            other => Err(TlsError::Mode(other.to_owned())),
        }
    }

    /// The mode tokio-postgres itself understands (it knows nothing of verification).
    pub(crate) fn driver_mode(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Prefer => "prefer",
            Self::Require | Self::VerifyCa | Self::VerifyFull => "require",
        }
    }
}

/// The URL's TLS settings cannot work. Messages name the parameter; none echoes the URL.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// An `sslmode` Baton does not offer.
    #[error("unsupported sslmode={0:?}: use disable, prefer, require, verify-ca or verify-full")]
    Mode(String),
    /// `verify-ca` or `verify-full` without the CA to verify against.
    #[error(
        "sslmode={0} needs sslrootcert=<PEM file of the CA that signed the server's certificate>"
    )]
    NoRootCert(&'static str),
    /// `sslrootcert` could not be read as PEM certificates, or holds none.
    #[error("cannot read CA certificates from sslrootcert={path}")]
    RootCert {
        /// The file named.
        path: PathBuf,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// rustls refused the configuration (no usable root, no protocol version).
    #[error("TLS configuration refused")]
    Config(#[source] rustls::Error),
}

/// The TLS connector for `mode` and an optional CA file; `None` for `disable`.
pub(crate) fn connector(
    mode: SslMode,
    root_cert: Option<&Path>,
) -> Result<Option<MakeRustlsConnect>, TlsError> {
    // ring rather than aws-lc-rs (no cmake or extra C toolchain in the build); rustls marks
    // it deprecated for lacking post-quantum key exchange, which no PostgreSQL link needs
    // yet (docs/DECISIONS.md).
    #[allow(deprecated)]
    let provider = Arc::new(ring::default_provider());
    let roots = root_cert.map(read_roots).transpose()?;
    let verifier: Arc<dyn ServerCertVerifier> = match (mode, roots) {
        (SslMode::Disable, _) => return Ok(None),
        (SslMode::VerifyCa | SslMode::VerifyFull, None) => {
            let name = if mode == SslMode::VerifyCa { "verify-ca" } else { "verify-full" };
            return Err(TlsError::NoRootCert(name));
        }
        (SslMode::VerifyFull, Some(roots)) => webpki(roots, &provider)?,
        // libpq: `require` with a root certificate behaves as `verify-ca`.
        (SslMode::VerifyCa | SslMode::Require, Some(roots)) => {
            Arc::new(ChainOnly(webpki(roots, &provider)?))
        }
        (SslMode::Prefer | SslMode::Require, _) => Arc::new(Unverified(provider.clone())),
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Config)?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Some(MakeRustlsConnect::new(config)))
}

fn read_roots(path: &Path) -> Result<RootCertStore, TlsError> {
    let failed = |source: Box<dyn std::error::Error + Send + Sync>| TlsError::RootCert {
        path: path.to_owned(),
        source,
    };
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path).map_err(|e| failed(Box::new(e)))? {
        roots.add(cert.map_err(|e| failed(Box::new(e)))?).map_err(|e| failed(Box::new(e)))?;
    }
    if roots.is_empty() {
        return Err(failed("no certificate in the file".into()));
    }
    Ok(roots)
}

fn webpki(
    roots: RootCertStore,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<WebPkiServerVerifier>, TlsError> {
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| TlsError::Config(rustls::Error::General(e.to_string())))
}

/// `verify-ca`: the chain must lead to the configured CA; the name in the certificate is not
/// compared with the host (webpki checks the chain first, so a name error means the chain
/// was good).
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer` and `require` without a CA: encrypted but unauthenticated, as with libpq. The
/// handshake's signatures are still checked against the certificate presented.
#[derive(Debug)]
struct Unverified(Arc<CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.0.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.0.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_as_libpq_names_them_and_allow_is_refused() {
        assert_eq!(SslMode::parse("verify-full").unwrap(), SslMode::VerifyFull);
        assert_eq!(SslMode::parse("prefer").unwrap().driver_mode(), "prefer");
        assert_eq!(SslMode::parse("verify-ca").unwrap().driver_mode(), "require");
        let err = SslMode::parse("allow").unwrap_err().to_string();
        assert!(err.contains("allow") && err.contains("verify-full"), "{err}");
    }

    #[test]
    fn verification_needs_a_root_certificate_and_a_readable_one() {
        let err = connector(SslMode::VerifyFull, None).err().expect("refused").to_string();
        assert!(err.contains("sslrootcert"), "{err}");
        let missing = Path::new("/nonexistent/root.crt");
        let err = connector(SslMode::VerifyCa, Some(missing)).err().expect("refused");
        assert!(err.to_string().contains("/nonexistent/root.crt"), "{err}");
        assert!(connector(SslMode::Disable, None).expect("fine").is_none());
        assert!(connector(SslMode::Require, None).expect("fine").is_some());
    }
}
