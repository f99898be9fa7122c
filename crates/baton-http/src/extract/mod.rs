//! What Baton reads from requests, each within its limits and with client-safe errors: bearer
//! tokens ([`bearer`]), JSON and form bodies ([`body`], [`form`]), the caller's address and
//! `User-Agent` ([`client`]), HTTP Basic credentials of introspection clients ([`basic`]).

pub mod basic;
pub mod bearer;
pub mod body;
pub mod client;
pub mod form;

pub use bearer::{Authorization, BearerToken, authorization};
pub use body::{JsonBody, OptionalJson};
pub use client::{Client, TrustedProxies};
pub use form::Form;
