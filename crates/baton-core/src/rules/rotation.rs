//! Refresh rotation and reuse detection (SPEC §4), the heart of Baton.
//!
//! A session is a chain of refresh tokens. Only the newest (generation `g`, hash stored on
//! the row) may be exchanged; the exchange makes generation `g + 1` current. A token of a
//! lower generation is retired: presenting it again means two parties hold the chain, so the
//! whole session is revoked — unless it is the immediately previous token inside the
//! `reuse_grace` window, which is answered with the current token instead.

use crate::domain::session::{RefreshHash, RevokeReason, Session};
use crate::domain::token::{Claims, ClientId, RefreshJti, TokenKind};
use crate::domain::user::User;
use crate::rules::policy::Policy;
use time::OffsetDateTime;
use uuid::Uuid;

/// What the presented refresh token says about itself, once its signature checked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presented {
    /// `sub` of the token.
    pub user_id: Uuid,
    /// Session generation the token was minted for.
    pub generation: i64,
    /// SHA-256 of the token as presented.
    pub hash: RefreshHash,
}

/// The decision for a refresh request, from the session's state at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The token is current: rotate.
    Rotate,
    /// The immediately previous token, inside the grace window: answer with the current one.
    Grace,
    /// A retired token: revoke the session.
    Reuse,
    /// The account is disabled.
    AccountDisabled,
    /// The session is revoked or past its absolute lifetime.
    SessionRevoked,
    /// The session's sliding expiry has passed.
    Expired,
    /// The token does not belong to this session's chain (cannot happen without the key).
    Invalid,
}

/// Judges a refresh token against its session and owner at `now`.
///
/// Order matters: a disabled account answers the same whatever token is shown; a retired token
/// of a session already revoked for reuse is reuse again (so every loser of a race hears
/// `token_reused`); any other token of a dead session is simply refused.
pub fn judge(
    presented: &Presented,
    session: &Session,
    user: &User,
    now: OffsetDateTime,
    policy: &Policy,
) -> Verdict {
    if presented.user_id != session.user_id || user.id != session.user_id {
        return Verdict::Invalid;
    }
    if user.is_disabled() {
        return Verdict::AccountDisabled;
    }
    let retired = presented.generation < session.generation;
    if session.revoke_reason == Some(RevokeReason::Reuse) && retired {
        // Every loser of a race, and every later replay, is told the same thing: reuse.
        return Verdict::Reuse;
    }
    if session.revoked_at.is_some() || now >= session.absolute_expires_at {
        return Verdict::SessionRevoked;
    }
    if now >= session.expires_at {
        return Verdict::Expired;
    }
    let current = session.generation;
    match presented.generation {
        g if g == current && presented.hash == session.refresh_hash => Verdict::Rotate,
        g if g >= current => Verdict::Invalid,
        g if g + 1 == current && within_grace(session, now, policy) => Verdict::Grace,
        _ => Verdict::Reuse,
    }
}

/// Whether `now` is inside the grace window that follows the session's last rotation.
pub fn within_grace(session: &Session, now: OffsetDateTime, policy: &Policy) -> bool {
    policy.reuse_grace > time::Duration::ZERO && now <= session.rotated_at + policy.reuse_grace
}

/// The sliding expiry for a refresh token minted at `now`: `refresh_ttl` later, but never
/// past the session's absolute end.
pub fn refresh_expiry(
    now: OffsetDateTime,
    absolute_end: OffsetDateTime,
    policy: &Policy,
) -> OffsetDateTime {
    (now + policy.refresh_ttl).min(absolute_end)
}

/// Where a refresh token sits: its session, owner, generation, the session's absolute end and
/// the client the session was opened for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// The session (token family).
    pub session_id: Uuid,
    /// Its owner.
    pub user_id: Uuid,
    /// The generation the token is current for.
    pub generation: i64,
    /// The session's absolute end, carried in the token.
    pub absolute_end: OffsetDateTime,
    /// The session's client, carried in the token (the session row does not hold it).
    pub client_id: ClientId,
}

impl Chain {
    /// The chain position of a session's current refresh token, whose client is `client_id`
    /// (every token of a chain names the same client: see [`chain_client`]).
    pub fn of(session: &Session, client_id: ClientId) -> Self {
        Self {
            session_id: session.id,
            user_id: session.user_id,
            generation: session.generation,
            absolute_end: session.absolute_expires_at,
            client_id,
        }
    }
}

/// The client a refresh token's chain belongs to: the token's own `client_id`, or the default
/// for a token minted before client ids existed. Every successor is minted with it, so a
/// chain never changes client, and the reuse grace re-mints the current token exactly.
pub fn chain_client(claims: &Claims, policy: &Policy) -> ClientId {
    claims.client_id.clone().unwrap_or_else(|| policy.default_client_id.clone())
}

/// Whether a refresh naming `requested` (or no client) may use a token of `chain`'s client:
/// a client that names itself must be the one the session was opened for (RFC 6749 §6: a
/// refresh token is bound to its client); one that does not is taken to be that client.
pub fn client_may_refresh(chain: &ClientId, requested: Option<&ClientId>) -> bool {
    requested.is_none_or(|r| r == chain)
}

/// Claims of the refresh token at `chain`, minted at `issued_at` and expiring at `expires_at`.
pub fn refresh_claims(
    chain: Chain,
    issued_at: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Claims {
    Claims {
        kind: TokenKind::Refresh,
        user_id: chain.user_id,
        session_id: chain.session_id,
        client_id: Some(chain.client_id),
        jti: RefreshJti { session_id: chain.session_id, generation: chain.generation }.encode(),
        issued_at,
        not_before: issued_at,
        expires_at,
        session_expires_at: Some(chain.absolute_end),
        email_verified: None,
        amr: None,
    }
}

/// Claims of the session's current refresh token, rebuilt from the row and the chain's client
/// (read from the presented token: the row does not hold it). Signing them again yields the
/// very token the last rotation handed out (checked against the stored hash).
pub fn current_refresh_claims(session: &Session, client_id: ClientId) -> Claims {
    refresh_claims(Chain::of(session, client_id), session.rotated_at, session.expires_at)
}

/// Claims of the successor of the refresh token at `chain`, minted at `now`: the next
/// generation, expiring `refresh_ttl` later but never past the session's absolute end. They
/// depend on the presented token alone, so the successor can be signed before the one
/// statement that swaps it in.
pub fn successor_claims(chain: &Chain, now: OffsetDateTime, policy: &Policy) -> Claims {
    let expires_at = refresh_expiry(now, chain.absolute_end, policy);
    let next = Chain { generation: chain.generation + 1, ..chain.clone() };
    refresh_claims(next, now, expires_at)
}

/// Claims of an access token for `session` and its client minted at `now`; it never outlives
/// the session.
pub fn access_claims(
    session: &Session,
    client_id: &ClientId,
    jti: Uuid,
    now: OffsetDateTime,
    policy: &Policy,
) -> Claims {
    Claims {
        kind: TokenKind::Access,
        user_id: session.user_id,
        client_id: Some(client_id.clone()),
        session_id: session.id,
        jti: jti.to_string(),
        issued_at: now,
        not_before: now,
        expires_at: (now + policy.access_ttl).min(session.absolute_expires_at),
        session_expires_at: None,
        email_verified: None,
        amr: None,
    }
}

/// Why an access token's session no longer admits it, or `None` when it does.
pub fn access_denial(
    session: &Session,
    user: &User,
    claims_user: Uuid,
    now: OffsetDateTime,
) -> Option<Verdict> {
    if session.user_id != claims_user || user.id != claims_user {
        Some(Verdict::Invalid)
    } else if user.is_disabled() {
        Some(Verdict::AccountDisabled)
    } else if !session.is_active(now) {
        Some(Verdict::SessionRevoked)
    } else {
        None
    }
}

/// Sessions to revoke so that a user keeps at most `max` active sessions: the least recently
/// used go first; `keep` (the session just opened) is never chosen.
pub fn sessions_to_evict(
    sessions: &[Session],
    keep: Uuid,
    now: OffsetDateTime,
    max: usize,
) -> Vec<Uuid> {
    let mut active: Vec<&Session> =
        sessions.iter().filter(|s| s.is_active(now) && s.id != keep).collect();
    let allowed_others = max.saturating_sub(1);
    if active.len() <= allowed_others {
        return Vec::new();
    }
    active.sort_by_key(|s| (s.last_used_at, s.created_at));
    let excess = active.len() - allowed_others;
    active.into_iter().take(excess).map(|s| s.id).collect()
}
