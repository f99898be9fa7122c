//! The tunable numbers of the rules.

use crate::domain::token::{ClientId, DEFAULT_CLIENT_ID};
use time::Duration;

/// Lifetimes and limits, with SPEC defaults. Configuration fills it; the rules read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Access-token lifetime.
    pub access_ttl: Duration,
    /// Refresh-token lifetime, restarted by every rotation (sliding).
    pub refresh_ttl: Duration,
    /// Absolute session lifetime; no rotation extends a session past it.
    pub session_max_age: Duration,
    /// How long the immediately previous refresh token is still answered (0 = strict).
    pub reuse_grace: Duration,
    /// Sessions a user may hold; a login past it revokes the least recently used.
    pub max_sessions_per_user: usize,
    /// Consecutive failed logins, per account and client address, that lock the pair
    /// (0 = never).
    pub max_failed_logins: u32,
    /// Failed logins from one address over all accounts within `lockout` before that address
    /// is refused (0 = no ceiling).
    pub max_failures_per_address: u32,
    /// How long a lock lasts, and the window of the per-address ceiling.
    pub lockout: Duration,
    /// How long revoked sessions are kept (for the audit trail) before purge deletes them.
    pub revoked_retention: Duration,
    /// The `client_id` of sessions whose client did not name itself, and of refresh tokens
    /// minted before client ids existed (RFC 9068 requires one in every access token).
    pub default_client_id: ClientId,
    /// Refuse login and refresh of an account whose email is not verified (SPEC §12).
    pub require_verified_email: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            access_ttl: Duration::minutes(15),
            refresh_ttl: Duration::days(7),
            session_max_age: Duration::days(30),
            reuse_grace: Duration::ZERO,
            max_sessions_per_user: 50,
            max_failed_logins: 5,
            max_failures_per_address: 100,
            lockout: Duration::minutes(15),
            revoked_retention: Duration::days(1),
            default_client_id: ClientId::parse(DEFAULT_CLIENT_ID)
                .expect("the built-in default client id is valid"),
            require_verified_email: false,
        }
    }
}
