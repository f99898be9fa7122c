//! HTTP handlers. Each one only translates: request → core use case (awaited on the request's
//! own task) → response. No business rule lives here.

pub mod account;
pub mod discovery;
pub mod health;
pub mod introspect;
pub mod jwks;
pub mod lifecycle;
pub mod mfa;
pub mod oauth;
pub mod ops;
pub mod passkeys;
pub mod sessions;
pub mod tokens;
