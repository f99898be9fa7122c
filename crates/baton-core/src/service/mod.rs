//! The use cases: each fetches state through the ports, asks [`crate::rules`], and writes
//! the outcome back. This is the only layer that knows the order of those steps.
//!
//! Every use case is an `async fn` that awaits its stores and hasher one step after the
//! other; none spawns or blocks, so each runs on the caller's task (an actix worker's, a
//! test's) and its futures are `Send`.

mod accounts;
mod admin;
mod introspect;
mod login;
mod mfa_admin;
mod outbox;
mod passkeys;
mod refresh;
mod register;
mod second_factor;
mod sessions;
mod totp;

use std::sync::Arc;

use crate::domain::session::{Amr, ClientInfo, RefreshHash, RevokeReason, Session};
use crate::domain::token::ClientId;
use crate::domain::user::User;
use crate::error::Fault;
use crate::ports::{
    AccountStore, Clock, FactorStore, PasswordHasher, RandomSource, TokenIssuer, TokenStore,
    UserStore,
};
use crate::rules::policy::Policy;
use crate::rules::rotation::{self, Chain};
use time::OffsetDateTime;

pub use accounts::{MAIL_INTERVAL, MailSetup};
pub use introspect::ActiveToken;
pub use mfa_admin::ResealReport;
pub use outbox::{BATCH, CLAIM_FOR, Delivery};
pub use passkeys::{MAX_PASSKEY_NAME, PasswordlessStart};
pub use second_factor::{CHALLENGE_TTL, Proof, SecondFactors};
pub use sessions::{LogoutScope, Principal};

/// The adapters an [`Auth`] runs on.
#[derive(Clone)]
pub struct Ports {
    /// Accounts and login counters.
    pub users: Arc<dyn UserStore>,
    /// Sessions and refresh-token state.
    pub tokens: Arc<dyn TokenStore>,
    /// Account tokens, account changes and the mail outbox.
    pub accounts: Arc<dyn AccountStore>,
    /// Second factors and the challenges of their logins and ceremonies.
    pub factors: Arc<dyn FactorStore>,
    /// Token signing and verification.
    pub issuer: Arc<dyn TokenIssuer>,
    /// Password hashing.
    pub hasher: Arc<dyn PasswordHasher>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Identifiers.
    pub random: Arc<dyn RandomSource>,
}

/// Baton's application service: one method per use case. Cheap to clone and share.
#[derive(Clone)]
pub struct Auth {
    ports: Ports,
    policy: Policy,
    fast_rotation: bool,
    mail: Option<Arc<accounts::MailSetup>>,
    second: Option<Arc<SecondFactors>>,
}

/// A freshly issued token pair with what a token response shows.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    /// The account the tokens are for.
    pub user: User,
    /// The session (token family) they belong to.
    pub session_id: uuid::Uuid,
    /// When the pair was issued; `expires_in` counts from here.
    pub issued_at: OffsetDateTime,
    /// Signed access token.
    pub access_token: String,
    /// Its `exp`.
    pub access_expires_at: OffsetDateTime,
    /// Signed refresh token; only its hash is stored.
    pub refresh_token: String,
    /// Its `exp` (sliding expiry of the session).
    pub refresh_expires_at: OffsetDateTime,
    /// The client the session was opened for, as both tokens name it (`client_id`).
    pub client_id: ClientId,
    /// True when a refresh was answered inside the reuse grace with the session's current
    /// token instead of rotating; operators count these apart from rotations.
    pub grace_replay: bool,
}

impl Auth {
    /// Wires the use cases to their adapters under a policy.
    pub fn new(ports: Ports, policy: Policy) -> Self {
        Self { ports, policy, fast_rotation: true, mail: None, second: None }
    }

    /// The same use cases with refresh's one-statement fast path switched off, so that every
    /// refresh reads, judges and then swaps. The answers are the same either way (a property
    /// test holds the two to that); tests and benchmarks compare them.
    pub fn without_fast_rotation(mut self) -> Self {
        self.fast_rotation = false;
        self
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Now, truncated to whole seconds: tokens carry whole seconds, and the reuse grace
    /// re-mints a token from stored instants, so every instant the core writes is whole.
    fn now(&self) -> OffsetDateTime {
        let now = self.ports.clock.now();
        now.replace_nanosecond(0).unwrap_or(now)
    }

    /// The client a new session is for: the one the client named, or the default.
    fn client_or_default(&self, client_id: Option<ClientId>) -> ClientId {
        client_id.unwrap_or_else(|| self.policy.default_client_id.clone())
    }

    /// A new session (generation 0) of `user_id` for `client_id` opened at `now` by a login
    /// proven with `amr`, with its first refresh token; nothing is stored yet.
    fn new_session(
        &self,
        user_id: uuid::Uuid,
        client: ClientInfo,
        client_id: ClientId,
        amr: Amr,
        now: OffsetDateTime,
    ) -> Result<(Session, String), Fault> {
        let session_id = self.ports.random.uuid();
        let absolute = now + self.policy.session_max_age;
        let expires_at = rotation::refresh_expiry(now, absolute, &self.policy);
        let chain = Chain { session_id, user_id, generation: 0, absolute_end: absolute, client_id };
        let refresh_token =
            self.ports.issuer.sign(&rotation::refresh_claims(chain, now, expires_at))?;
        let session = Session {
            id: session_id,
            user_id,
            refresh_hash: RefreshHash::of(&refresh_token),
            generation: 0,
            rotated_at: now,
            created_at: now,
            last_used_at: now,
            expires_at,
            absolute_expires_at: absolute,
            revoked_at: None,
            revoke_reason: None,
            user_agent: client.user_agent,
            client_addr: client.client_addr,
            amr,
        };
        Ok((session, refresh_token))
    }

    /// Revokes the least recently used sessions of `keep`'s owner beyond
    /// `max_sessions_per_user`; `keep` (the session just opened) always survives.
    async fn evict_excess_sessions(
        &self,
        keep: &Session,
        now: OffsetDateTime,
    ) -> Result<(), Fault> {
        let sessions = self.ports.tokens.unrevoked_sessions(keep.user_id).await?;
        let max = self.policy.max_sessions_per_user;
        for id in rotation::sessions_to_evict(&sessions, keep.id, now, max) {
            self.ports.tokens.revoke_session(id, RevokeReason::Evicted, now).await?;
        }
        Ok(())
    }

    /// Completes a pair: mints an access token for `session` and its client next to
    /// `refresh_token`.
    fn with_access_token(
        &self,
        user: User,
        session: &Session,
        client_id: &ClientId,
        refresh_token: String,
        now: OffsetDateTime,
    ) -> Result<IssuedTokens, Fault> {
        let jti = self.ports.random.uuid();
        let mut claims = rotation::access_claims(session, client_id, jti, now, &self.policy);
        claims.email_verified = Some(user.email_verified_at.is_some());
        claims.amr = Some(session.amr.values().to_vec());
        let access_token = self.ports.issuer.sign(&claims)?;
        Ok(IssuedTokens {
            user,
            session_id: session.id,
            issued_at: now,
            access_token,
            access_expires_at: claims.expires_at,
            refresh_token,
            refresh_expires_at: session.expires_at,
            client_id: client_id.clone(),
            grace_replay: false,
        })
    }
}
