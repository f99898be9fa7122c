//! Baton's [`TokenIssuer`](baton_core::TokenIssuer) adapter: access and refresh tokens as JWTs
//! signed by a key set of HS256 secrets, Ed25519 and P-256 keys (SPEC §3), the JWKS resource
//! servers verify with (SPEC §9), and a key set that reloads without a restart.
//!
//! The core decides what a token says ([`baton_core::Claims`]); this crate only encodes, signs
//! and verifies, pinning the algorithm, `kid`, `typ`, `iss`, `aud`, `token_type`, `client_id`
//! and the time window.
//!
//! # Token profiles
//!
//! - **Access tokens** follow RFC 9068: header `typ: at+jwt` ([`ACCESS_TOKEN_TYP`]), `iss` =
//!   the issuer (Baton's public base URL), `aud` = the APIs' audience, `client_id`, `sub`,
//!   `sid`, `jti`, `iat`, `nbf`, `exp`, `token_type: "access"`.
//! - **Refresh tokens** are for Baton alone: header `typ: rt+jwt` ([`REFRESH_TOKEN_TYP`]) and
//!   `aud` = the issuer itself, so no API that checks its audience (or `typ`) accepts one; the
//!   same claims plus `session_exp`, with `token_type: "refresh"`.
//! - **Tokens of the earlier profile** (`typ: JWT`, `aud` = the APIs for both kinds, no
//!   `client_id`), minted before this release, are still accepted as the kind their
//!   `token_type` says until they expire; their `iss` may also be one of
//!   [`JwtConfig::previous_issuers`] (the old default was `"baton"`). Nothing new is ever
//!   written in that profile, except that
//!   [`sign_with_each_key`](baton_core::TokenIssuer::sign_with_each_key) also offers a refresh token's earlier forms, so the reuse grace
//!   finds a current token minted by a server of the earlier release during a rolling upgrade.
//!
//! The header `typ` decides which `iss`, `aud` and `client_id` rules apply, and must agree
//! with `token_type`; an access token is never accepted as a refresh token, nor the reverse.
//! Headers carrying or pointing at a key (`jku`, `jwk`, `x5u`, `x5c`), `crit`, and every other
//! parameter Baton never writes are refused; so is an `iat` later than `now` plus the leeway.
//!
//! # Algorithms
//!
//! Each key is pinned to one algorithm by its [`KeyMaterial`]:
//!
//! - **HS256** (the default): a shared secret of at least [`MIN_SECRET_LEN`] bytes. Whoever
//!   can verify can also mint tokens, so it is never published.
//! - **EdDSA** (Ed25519): a private key (PKCS#8 PEM) signs and verifies; a public key (SPKI PEM)
//!   only verifies. Resource servers verify with the public key alone, which cannot mint tokens.
//! - **ES256** (ECDSA on P-256): the same, with a PKCS#8 or SEC1 private key; the asymmetric
//!   algorithm every JOSE library accepts (some refuse EdDSA), so the one to recommend to
//!   APIs. Signatures use RFC 6979 nonces, so signing stays deterministic.
//!
//! A token whose header `alg` is not its `kid`'s own is refused, as are `none` and every other
//! `alg`: an HS256 token whose "secret" is an Ed25519 public key (the key-confusion attack)
//! never reaches a signature check.
//!
//! # The key list
//!
//! The **first key signs; every key verifies**, chosen by the token's `kid`. A key listed after
//! the first is *published before it signs* (it verifies, and its public half is in the JWKS,
//! so resource servers have it before the first token it signs) or *kept after it stopped
//! signing* (until every token it signed has expired). A public-only key can verify but never
//! sign, so a set whose first key is public-only is refused ([`KeyError::FirstKeyCannotSign`]);
//! nor can it re-mint a token for the core's reuse grace, so servers mid-way through a key
//! change should hold the private halves of both keys.
//! Every problem of a set is found by [`JwtIssuer::new`], with a one-line message that never
//! contains key material.
//!
//! # The `session_exp` claim
//!
//! Refresh tokens carry `session_exp`, the session's absolute end in Unix seconds
//! ([`baton_core::Claims::session_expires_at`]); access tokens never do (one that does is
//! invalid). With it the core can mint a refresh token's successor from the presented token
//! alone, before the one statement that rotates, instead of reading the session first. Refresh
//! tokens minted before the claim existed lack it and still verify, as `None`; the core then
//! takes its slower path that reads the session.
//!
//! # JWKS
//!
//! [`JwtIssuer::jwks`] is the RFC 7517 key set for `/.well-known/jwks.json`: one
//! `{"kty":"OKP","crv":"Ed25519","x":...,"kid":...,"alg":"EdDSA","use":"sig"}` per Ed25519 key
//! and one `{"kty":"EC","crv":"P-256","x":...,"y":...,"kid":...,"alg":"ES256","use":"sig"}` per
//! P-256 key that verifies (signing or not), in key-set order, never any HMAC material. Serve
//! [`JwtIssuer::jwks_json`] with [`JwtIssuer::etag`], a strong ETag of those exact bytes.
//!
//! # Public API (stable for `baton-server`)
//!
//! - [`JwtConfig`] `{ issuer, audience, previous_issuers, keys: Vec<KeySpec>, leeway }`,
//!   [`JwtConfig::new`].
//! - [`KeySpec`] `{ kid, material: KeyMaterial }`, with [`KeySpec::hs256`],
//!   [`KeySpec::ed25519_private`], [`KeySpec::ed25519_public`], [`KeySpec::es256_private`],
//!   [`KeySpec::es256_public`].
//! - [`KeyMaterial`]: `Hs256 { secret: SecretSlice<u8> }`, `Ed25519Private { pem: SecretString }`,
//!   `Ed25519Public { pem: String }`, `Es256Private { pem: SecretString }`,
//!   `Es256Public { pem: String }` (`secrecy` types: redacted in `Debug`, zeroized on drop).
//! - [`JwtIssuer::new`]`(JwtConfig) -> Result<JwtIssuer, KeyError>`; [`JwtIssuer::signing_kid`],
//!   [`JwtIssuer::kids`], [`JwtIssuer::issuer`], [`JwtIssuer::audience`],
//!   [`JwtIssuer::refresh_audience`], [`JwtIssuer::previous_issuers`], [`JwtIssuer::jwks`],
//!   [`JwtIssuer::jwks_json`], [`JwtIssuer::etag`]; `JwtIssuer` implements
//!   [`TokenIssuer`](baton_core::TokenIssuer).
//! - [`ReloadableIssuer::new`], [`ReloadableIssuer::replace`], [`ReloadableIssuer::current`];
//!   it implements `TokenIssuer` by delegating to the current set. Reload flow: build a new
//!   `JwtIssuer`, and only if that succeeds call `replace`, so a bad reload keeps the old keys.
//! - [`generate_ed25519`], [`generate_p256`]` -> `[`GeneratedKey`] `{ private_pem, public_pem }`.
//! - [`MAX_TOKEN_LEN`], [`MIN_SECRET_LEN`], [`DEFAULT_LEEWAY`], [`ACCESS_TOKEN_TYP`],
//!   [`REFRESH_TOKEN_TYP`], [`KeyError`], [`Jwks`], [`PublicJwk`].

#![warn(missing_docs)]

mod claims;
mod config;
mod generate;
mod header;
mod issuer;
mod jwks;
pub mod keyfile;
mod keys;
mod reload;
pub mod settings;

pub use config::{DEFAULT_LEEWAY, JwtConfig, KeyError, KeyMaterial, KeySpec, MIN_SECRET_LEN};
pub use generate::{GeneratedKey, generate_ed25519, generate_p256};
pub use header::{ACCESS_TOKEN_TYP, REFRESH_TOKEN_TYP};
pub use issuer::{JwtIssuer, MAX_TOKEN_LEN};
pub use jwks::{Jwks, PublicJwk};
pub use reload::ReloadableIssuer;
