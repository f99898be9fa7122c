//! Plain data of the domain: values that validate themselves on construction so the rest of
//! the crate can trust them.

pub mod account_token;
pub mod email;
pub mod factor;
pub mod link;
pub mod mail;
pub mod passkey;
pub mod password;
pub mod recovery;
pub mod session;
pub mod throttle;
pub mod token;
pub mod totp;
pub mod user;
