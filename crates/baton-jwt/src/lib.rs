//! Baton's [`TokenIssuer`](baton_core::TokenIssuer) adapter: access and refresh tokens as
//! HS256 JWTs signed with a rotating set of HMAC keys (SPEC §3).
//!
//! The core decides what a token says ([`baton_core::Claims`]); this crate only encodes,
//! signs and verifies, pinning the algorithm, `kid`, `iss`, `aud`, `token_type` and the time
//! window. Build an [`HmacIssuer`] from a [`JwtConfig`] once at start-up.

#![warn(missing_docs)]

mod claims;
mod issuer;
mod keys;

pub use issuer::{HmacIssuer, MAX_TOKEN_LEN};
pub use keys::{DEFAULT_LEEWAY, JwtConfig, KeyError, MIN_SECRET_LEN, SigningKey};
