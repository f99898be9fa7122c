//! HTTP handlers. Each one only translates: request → core use case (on the blocking pool)
//! → response. No business rule lives here.

pub mod account;
pub mod health;
pub mod introspect;
pub mod jwks;
pub mod ops;
pub mod sessions;
pub mod tokens;
