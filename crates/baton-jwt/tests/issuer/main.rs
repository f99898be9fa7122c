//! Behaviour of `JwtIssuer` and `ReloadableIssuer` through the `TokenIssuer` port, always
//! against a fixed `now`; most tests run once per algorithm (`per_alg!`).

#[macro_use]
mod common;
mod config;
mod confusion;
mod generate;
mod hostile;
mod jwks;
mod keys;
mod keys_ec;
mod profile;
mod reload;
mod round_trip;
mod session_exp;
mod time_window;
mod upgrade;
