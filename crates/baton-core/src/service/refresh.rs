//! Refresh: exchange the current refresh token for a new pair, exactly once.

use super::{Auth, IssuedTokens};
use crate::domain::session::{RefreshHash, RevokeReason, Session};
use crate::domain::token::{RefreshJti, TokenKind};
use crate::domain::user::User;
use crate::error::AuthError;
use crate::ports::Rotation;
use crate::rules::rotation::{self, Presented, Verdict};
use time::OffsetDateTime;

/// A lost compare-and-swap means another request rotated first; judging again against the
/// new row settles it (reuse, grace or revoked). Two rounds always suffice.
const MAX_ROUNDS: usize = 2;

impl Auth {
    /// Rotates the session of `refresh_token` and returns the new pair.
    ///
    /// Fails with `TokenExpired`, `InvalidToken`, `SessionRevoked`, `AccountDisabled` or
    /// `TokenReused`; the last one has revoked the whole session before returning.
    pub fn refresh(&self, refresh_token: &str) -> Result<IssuedTokens, AuthError> {
        let now = self.now();
        let claims = self.ports.issuer.verify(refresh_token, TokenKind::Refresh, now)?;
        let jti = RefreshJti::decode(&claims.jti)
            .filter(|j| j.session_id == claims.session_id)
            .ok_or_else(|| {
                AuthError::InvalidToken("refresh jti is not <sid>.<generation>".into())
            })?;
        let presented = Presented {
            user_id: claims.user_id,
            generation: jti.generation,
            hash: RefreshHash::of(refresh_token),
        };
        for _ in 0..MAX_ROUNDS {
            let Some((session, user)) = self.ports.tokens.find_session(jti.session_id)? else {
                return Err(AuthError::InvalidToken("no such session".into()));
            };
            match rotation::judge(&presented, &session, &user, now, &self.policy) {
                Verdict::Rotate => {
                    if let Some(pair) = self.try_rotate(&session, user, now)? {
                        return Ok(pair);
                    }
                }
                Verdict::Grace => return self.replay_current(&session, user, now),
                Verdict::Reuse => return Err(self.revoke_for_reuse(&session, &presented, now)),
                Verdict::AccountDisabled => return Err(AuthError::AccountDisabled),
                Verdict::SessionRevoked => return Err(AuthError::SessionRevoked),
                Verdict::Expired => return Err(AuthError::TokenExpired),
                Verdict::Invalid => {
                    return Err(AuthError::InvalidToken("token is not of this session".into()));
                }
            }
        }
        Err(AuthError::InvalidToken("session changed under every rotation attempt".into()))
    }

    /// Mints the successor and swaps it in; `None` if another request won the swap.
    fn try_rotate(
        &self,
        session: &Session,
        user: User,
        now: OffsetDateTime,
    ) -> Result<Option<IssuedTokens>, AuthError> {
        let expires_at = rotation::refresh_expiry(now, session.absolute_expires_at, &self.policy);
        let claims = rotation::refresh_claims(
            session.user_id,
            session.id,
            session.generation + 1,
            now,
            expires_at,
        );
        let successor = self.ports.issuer.sign(&claims)?;
        let swap = Rotation {
            session_id: session.id,
            expected_generation: session.generation,
            expected_hash: session.refresh_hash,
            new_hash: RefreshHash::of(&successor),
            rotated_at: now,
            expires_at,
        };
        match self.ports.tokens.rotate(&swap)? {
            Some(rotated) => Ok(Some(self.with_access_token(user, &rotated, successor, now)?)),
            None => Ok(None),
        }
    }

    /// Inside the grace window: hand out the session's current refresh token again (the one
    /// the winning request received) with a fresh access token. Nothing is written.
    fn replay_current(
        &self,
        session: &Session,
        user: User,
        now: OffsetDateTime,
    ) -> Result<IssuedTokens, AuthError> {
        let current = self.ports.issuer.sign(&rotation::current_refresh_claims(session))?;
        if RefreshHash::of(&current) != session.refresh_hash {
            // The signing key or issuer changed since the rotation: the current token cannot
            // be reproduced, so the grace cannot be honoured. Strict rules apply.
            tracing::error!(session_id = %session.id, "cannot re-mint current refresh token");
            let presented = Presented {
                user_id: session.user_id,
                generation: session.generation - 1,
                hash: session.refresh_hash,
            };
            return Err(self.revoke_for_reuse(session, &presented, now));
        }
        tracing::info!(session_id = %session.id, "previous refresh token replayed within grace");
        let pair = self.with_access_token(user, session, current, now)?;
        Ok(IssuedTokens { grace_replay: true, ..pair })
    }

    /// Revokes a session whose retired token came back; the error to answer with.
    fn revoke_for_reuse(
        &self,
        session: &Session,
        presented: &Presented,
        now: OffsetDateTime,
    ) -> AuthError {
        tracing::warn!(
            session_id = %session.id,
            user_id = %session.user_id,
            presented_generation = presented.generation,
            current_generation = session.generation,
            "refresh token reuse detected; session revoked"
        );
        match self.ports.tokens.revoke_session(session.id, RevokeReason::Reuse, now) {
            Ok(_) => AuthError::TokenReused,
            Err(e) => e.into(),
        }
    }
}
