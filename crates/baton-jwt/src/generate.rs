//! New Ed25519 and P-256 keys for `baton keys generate`, in the PEM forms [`crate::KeySpec`]
//! reads.

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey, KeypairBytes};
use rand_core::OsRng;
use secrecy::SecretString;

/// A freshly generated key pair, ready to be written to two files.
#[derive(Debug)]
pub struct GeneratedKey {
    /// The private key as PKCS#8 PEM (`BEGIN PRIVATE KEY`), for
    /// [`crate::KeyMaterial::Ed25519Private`] or [`crate::KeyMaterial::Es256Private`]; secret,
    /// so redacted in `Debug` and zeroized on drop.
    pub private_pem: SecretString,
    /// The public key as SPKI PEM (`BEGIN PUBLIC KEY`), for
    /// [`crate::KeyMaterial::Ed25519Public`] or [`crate::KeyMaterial::Es256Public`]: to
    /// publish a key before it signs, or to keep one after its private half is destroyed.
    pub public_pem: String,
}

/// Generates an Ed25519 key pair from the operating system's random source, so that operators
/// need no other tool to create a signing key. The private PEM is the PKCS#8 v1 form
/// `openssl genpkey -algorithm ed25519` writes.
///
/// # Panics
///
/// Only if the operating system cannot provide random bytes, where no key can be made safely.
pub fn generate_ed25519() -> GeneratedKey {
    let signing = SigningKey::generate(&mut OsRng);
    // The private key alone (PKCS#8 v1), as OpenSSL writes it, for the widest compatibility.
    let private = KeypairBytes { secret_key: signing.to_bytes(), public_key: None };
    // DER and PEM encoding of fixed-size keys cannot fail (no length can overflow).
    let mut private_pem = private.to_pkcs8_pem(LineEnding::LF).expect("a 32-byte key encodes");
    let public_pem =
        signing.verifying_key().to_public_key_pem(LineEnding::LF).expect("a 32-byte key encodes");
    // Moves the PEM out of its `Zeroizing` wrapper without a copy.
    let private_pem = SecretString::from(std::mem::take(&mut *private_pem));
    GeneratedKey { private_pem, public_pem }
}

/// Generates a P-256 key pair (for `alg: ES256`) from the operating system's random source.
/// The private PEM is the PKCS#8 form `openssl genpkey -algorithm EC -pkeyopt
/// ec_paramgen_curve:P-256` writes (with the public key embedded, as OpenSSL does).
///
/// # Panics
///
/// Only if the operating system cannot provide random bytes, where no key can be made safely.
pub fn generate_p256() -> GeneratedKey {
    use p256::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _};
    let secret = p256::SecretKey::random(&mut OsRng);
    // DER and PEM encoding of fixed-size keys cannot fail (no length can overflow).
    let mut private_pem = secret.to_pkcs8_pem(LineEnding::LF).expect("a P-256 key encodes");
    let public_pem =
        secret.public_key().to_public_key_pem(LineEnding::LF).expect("a P-256 key encodes");
    let private_pem = SecretString::from(std::mem::take(&mut *private_pem));
    GeneratedKey { private_pem, public_pem }
}
