//! Middleware around every request (or, for the rate limit, around the routes it guards):
//! in-flight counting for shutdown ([`inflight`]), the per-address rate limit of the bcrypt
//! routes ([`ratelimit`]), the log span and request id ([`tracing`]).

pub mod inflight;
pub mod ratelimit;
pub mod tracing;
