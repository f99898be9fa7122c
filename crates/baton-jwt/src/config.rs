//! What the server configures: the pinned claims, the key list and the leeway, and the errors
//! that refuse a weak, ambiguous or unusable key set at start-up (or at a reload) rather than
//! at the first request.

use std::time::Duration;

use secrecy::{SecretSlice, SecretString};

/// Shortest accepted HS256 secret, in bytes: HMAC is only as strong as its key, and SPEC §3
/// refuses anything under 256 bits.
pub const MIN_SECRET_LEN: usize = 32;

/// Clock skew tolerated on `exp` and `nbf` unless configured otherwise (SPEC §3).
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// Everything [`crate::JwtIssuer`] needs: the claims it pins and the keys it uses.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// Written to and required in `iss`: Baton's public base URL, which is also the `aud` of
    /// refresh tokens (they are for Baton alone) and the OAuth metadata's `issuer`.
    pub issuer: String,
    /// The `aud` of access tokens: the APIs that accept them. Must differ from `issuer`, or a
    /// refresh token would pass an API's audience check.
    pub audience: String,
    /// Issuers of tokens minted by an earlier release whose `iss` was something else (the
    /// old default was `"baton"`): such tokens, in the earlier token profile only, keep
    /// verifying until they expire. Never written.
    pub previous_issuers: Vec<String>,
    /// The key set, in order: the first key signs, every key verifies. A key listed after the
    /// first is *published* (it verifies, and appears in the JWKS if asymmetric) before it
    /// signs, or *kept* after it stopped signing until every token it signed has expired.
    pub keys: Vec<KeySpec>,
    /// Clock skew tolerated on `exp` and `nbf`.
    pub leeway: Duration,
}

impl JwtConfig {
    /// A configuration with the default leeway ([`DEFAULT_LEEWAY`]).
    /// No previous issuers: tokens of an earlier release verify only if their `iss` is
    /// `issuer`.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>, keys: Vec<KeySpec>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            previous_issuers: Vec::new(),
            keys,
            leeway: DEFAULT_LEEWAY,
        }
    }
}

/// One configured key: the `kid` that names it in token headers (so that a token finds the
/// key that verifies it across key changes) and its material, which also fixes its algorithm.
#[derive(Debug, Clone)]
pub struct KeySpec {
    /// Key id written to the `kid` header; unique and non-empty within a [`JwtConfig`].
    pub kid: String,
    /// The key itself; its variant is the only algorithm tokens of this `kid` may use.
    pub material: KeyMaterial,
}

impl KeySpec {
    /// An HS256 key. Nothing is checked until [`crate::JwtIssuer::new`], so that every problem
    /// of a configuration is reported in one place.
    pub fn hs256(kid: impl Into<String>, secret: impl Into<Vec<u8>>) -> Self {
        let secret = SecretSlice::from(secret.into());
        Self { kid: kid.into(), material: KeyMaterial::Hs256 { secret } }
    }

    /// An Ed25519 key that signs and verifies, from its PKCS#8 PEM (`BEGIN PRIVATE KEY`),
    /// given as a `String`, a `&str` or already a `SecretString`.
    pub fn ed25519_private(kid: impl Into<String>, pem: impl Into<SecretString>) -> Self {
        Self { kid: kid.into(), material: KeyMaterial::Ed25519Private { pem: pem.into() } }
    }

    /// An Ed25519 key that only verifies, from its SPKI PEM (`BEGIN PUBLIC KEY`): a key
    /// published before its private half is deployed, or kept after it was retired.
    pub fn ed25519_public(kid: impl Into<String>, pem: impl Into<String>) -> Self {
        Self { kid: kid.into(), material: KeyMaterial::Ed25519Public { pem: pem.into() } }
    }

    /// A P-256 (ES256) key that signs and verifies, from its PKCS#8 PEM (`BEGIN PRIVATE KEY`,
    /// as `baton keys generate --alg es256` writes it) or SEC1 PEM (`BEGIN EC PRIVATE KEY`,
    /// as `openssl ecparam -genkey` writes it).
    pub fn es256_private(kid: impl Into<String>, pem: impl Into<SecretString>) -> Self {
        Self { kid: kid.into(), material: KeyMaterial::Es256Private { pem: pem.into() } }
    }

    /// A P-256 (ES256) key that only verifies, from its SPKI PEM (`BEGIN PUBLIC KEY`).
    pub fn es256_public(kid: impl Into<String>, pem: impl Into<String>) -> Self {
        Self { kid: kid.into(), material: KeyMaterial::Es256Public { pem: pem.into() } }
    }
}

/// A key's material. The variant pins the algorithm (SPEC §3): a token whose header `alg`
/// differs from its `kid`'s is refused, so a public key can never be misused as an HMAC
/// secret. Secret-bearing fields are `secrecy` types: redacted in `Debug`, zeroized on drop.
#[derive(Debug, Clone)]
pub enum KeyMaterial {
    /// `alg: HS256`: signs and verifies with a shared secret (the default, from the design card).
    Hs256 {
        /// The raw HMAC secret, at least [`MIN_SECRET_LEN`] bytes.
        secret: SecretSlice<u8>,
    },
    /// `alg: EdDSA` (Ed25519), private key: signs and verifies; its public half is published.
    Ed25519Private {
        /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as `baton keys generate` writes it.
        pem: SecretString,
    },
    /// `alg: EdDSA` (Ed25519), public key only: verifies and is published, never signs.
    Ed25519Public {
        /// SPKI PEM (`-----BEGIN PUBLIC KEY-----`); not secret.
        pem: String,
    },
    /// `alg: ES256` (ECDSA on P-256 with SHA-256), private key: signs and verifies; its public
    /// half is published. The asymmetric algorithm every JOSE library accepts.
    Es256Private {
        /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) or SEC1 PEM
        /// (`-----BEGIN EC PRIVATE KEY-----`) of a P-256 key.
        pem: SecretString,
    },
    /// `alg: ES256`, public key only: verifies and is published, never signs.
    Es256Public {
        /// SPKI PEM (`-----BEGIN PUBLIC KEY-----`) of a P-256 key; not secret.
        pem: String,
    },
}

impl KeyMaterial {
    /// The JWS `alg` this key is pinned to.
    pub(crate) fn algorithm(&self) -> jsonwebtoken::Algorithm {
        match self {
            Self::Hs256 { .. } => jsonwebtoken::Algorithm::HS256,
            Self::Ed25519Private { .. } | Self::Ed25519Public { .. } => {
                jsonwebtoken::Algorithm::EdDSA
            }
            Self::Es256Private { .. } | Self::Es256Public { .. } => jsonwebtoken::Algorithm::ES256,
        }
    }
}

/// Why a [`JwtConfig`] was refused. Each message fits on one line of a start-up error and
/// names the key by `kid` and position, never by its material: no secret, PEM or parser
/// message (which might quote key bytes) ever reaches it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Nothing could sign tokens.
    #[error("no JWT signing key configured: at least one key is required")]
    NoKeys,
    /// A key has an empty `kid`, so it could not be chosen from a token header.
    #[error("JWT key #{index} has an empty kid")]
    EmptyKid {
        /// Zero-based position of the key in the configured list.
        index: usize,
    },
    /// Two keys share a `kid`, so a token header could not say which one signed it.
    #[error("JWT key id {kid:?} is configured more than once")]
    DuplicateKid {
        /// The repeated key id.
        kid: String,
    },
    /// An HS256 secret is too short to resist brute force.
    #[error("JWT key {kid:?} has a {len}-byte secret; at least {min} bytes are required")]
    SecretTooShort {
        /// The offending key id.
        kid: String,
        /// Its secret length in bytes.
        len: usize,
        /// The minimum, [`MIN_SECRET_LEN`].
        min: usize,
    },
    /// An Ed25519 private key that is not a well-formed PKCS#8 PEM of an Ed25519 key.
    #[error("JWT key {kid:?} is not an Ed25519 private key in PKCS#8 PEM (BEGIN PRIVATE KEY)")]
    BadPrivateKey {
        /// The offending key id.
        kid: String,
    },
    /// An Ed25519 public key that is not a well-formed SPKI PEM of an Ed25519 key.
    #[error("JWT key {kid:?} is not an Ed25519 public key in SPKI PEM (BEGIN PUBLIC KEY)")]
    BadPublicKey {
        /// The offending key id.
        kid: String,
    },
    /// An ES256 private key that is not a P-256 key in PKCS#8 or SEC1 PEM.
    #[error(
        "JWT key {kid:?} is not a P-256 private key in PKCS#8 PEM (BEGIN PRIVATE KEY) or SEC1 \
         PEM (BEGIN EC PRIVATE KEY)"
    )]
    BadEcPrivateKey {
        /// The offending key id.
        kid: String,
    },
    /// An ES256 public key that is not a P-256 key in SPKI PEM.
    #[error("JWT key {kid:?} is not a P-256 public key in SPKI PEM (BEGIN PUBLIC KEY)")]
    BadEcPublicKey {
        /// The offending key id.
        kid: String,
    },
    /// The first key signs, but this one is a public key only: without the refusal the
    /// service would start and then fail every login.
    #[error(
        "JWT key {kid:?} is listed first, so it signs, but it is a public key only; list a key \
         that can sign first (a public key may only verify)"
    )]
    FirstKeyCannotSign {
        /// The public-only key listed first.
        kid: String,
    },
    /// An empty issuer would make `iss` meaningless.
    #[error("JWT issuer must not be empty")]
    EmptyIssuer,
    /// An empty audience would make `aud` meaningless.
    #[error("JWT audience must not be empty")]
    EmptyAudience,
    /// The audience is the issuer, the audience of refresh tokens: an API checking `aud`
    /// would then accept refresh tokens as access tokens.
    #[error(
        "JWT audience must differ from the issuer: refresh tokens are addressed to the issuer, \
         so APIs would accept them as access tokens"
    )]
    AudienceIsIssuer,
}
