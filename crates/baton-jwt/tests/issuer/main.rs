//! Behaviour of `HmacIssuer` through the `TokenIssuer` port, always against a fixed `now`.

mod common;
mod config;
mod hostile;
mod round_trip;
mod time_window;
