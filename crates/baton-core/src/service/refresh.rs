//! Refresh: exchange the current refresh token for a new pair, exactly once.
//!
//! The common case is one statement: the successor is minted from the presented token alone
//! and swapped in by [`TokenStore::rotate`](crate::ports::TokenStore::rotate), whose guard is
//! exactly the condition under which the rules say "rotate". When the guard does not hold,
//! the session is read and judged (reuse, grace, expired, ...), so every answer is the one the
//! rules give.

use super::{Auth, IssuedTokens};
use crate::domain::session::{RefreshHash, RevokeReason, Session};
use crate::domain::token::{Claims, ClientId, RefreshJti, TokenKind};
use crate::domain::user::User;
use crate::error::{Fault, RefreshError};
use crate::ports::{Rotation, StoreError};
use crate::rules::rotation::{self, Chain, Presented, Verdict};
use time::OffsetDateTime;

/// A lost compare-and-swap means another request rotated first; judging again against the
/// new row settles it (reuse, grace or revoked). Two rounds always suffice.
const MAX_ROUNDS: usize = 2;

impl Auth {
    /// Rotates the session of `refresh_token` and returns the new pair.
    ///
    /// `ReuseDetected` has revoked the whole session before returning; `ReplayRejected` found
    /// it revoked for reuse already.
    pub async fn refresh(&self, refresh_token: &str) -> Result<IssuedTokens, RefreshError> {
        self.refresh_for(refresh_token, None).await
    }

    /// [`Self::refresh`] for a client that names itself (`client_id` of an OAuth token
    /// request): a token of another client's session is `Invalid` and changes nothing.
    /// `None` means the session's own client. The new pair names the session's client.
    pub async fn refresh_for(
        &self,
        refresh_token: &str,
        client_id: Option<&ClientId>,
    ) -> Result<IssuedTokens, RefreshError> {
        let now = self.now();
        let claims = self.ports.issuer.verify(refresh_token, TokenKind::Refresh, now)?;
        let jti = RefreshJti::decode(&claims.jti)
            .filter(|j| j.session_id == claims.session_id)
            .ok_or_else(|| RefreshError::Invalid("refresh jti is not <sid>.<generation>".into()))?;
        let client = rotation::chain_client(&claims, &self.policy);
        if !rotation::client_may_refresh(&client, client_id) {
            return Err(RefreshError::Invalid("refresh token of another client".into()));
        }
        let presented = Presented {
            user_id: claims.user_id,
            generation: jti.generation,
            hash: RefreshHash::of(refresh_token),
        };
        // The one statement cannot see the email's state: with verified emails required,
        // read and judge first.
        if self.fast_rotation && !self.policy.require_verified_email {
            match self.rotate_presented(&claims, &presented, &client, now).await {
                Ok(Some(pair)) => return Ok(pair),
                Ok(None) => {}
                // The statement met a dead connection (a database restart): whether it ran is
                // unknown, so read and judge instead of answering 503. That is what a client
                // retrying after a 503 would get, one round trip sooner: the rules decide on
                // the row as it is (see docs/DECISIONS.md).
                Err(RefreshError::Fault(Fault::Store(StoreError::Unavailable(cause)))) => {
                    tracing::info!(%cause, "rotation statement failed; reading the session instead");
                }
                Err(e) => return Err(e),
            }
        }
        for _ in 0..MAX_ROUNDS {
            let Some((session, user)) = self.ports.tokens.find_session(jti.session_id).await?
            else {
                return Err(RefreshError::Invalid("no such session".into()));
            };
            let verdict = rotation::judge(&presented, &session, &user, now, &self.policy);
            // Only a token that would be honoured is refused for the email: reuse is still
            // detected, and a thief learns nothing from the answer.
            let unverified = self.policy.require_verified_email && user.email_verified_at.is_none();
            if unverified && matches!(verdict, Verdict::Rotate | Verdict::Grace) {
                return Err(RefreshError::EmailNotVerified);
            }
            match verdict {
                Verdict::Rotate => {
                    if let Some(pair) = self.rotate_current(&session, &client, now).await? {
                        return Ok(pair);
                    }
                }
                Verdict::Grace => return self.replay_current(&session, user, &client, now).await,
                Verdict::Reuse => {
                    return Err(self.revoke_for_reuse(&session, &presented, now).await);
                }
                Verdict::AccountDisabled => return Err(RefreshError::AccountDisabled),
                Verdict::SessionRevoked => return Err(RefreshError::SessionRevoked),
                Verdict::Expired => return Err(RefreshError::Expired),
                Verdict::Invalid => {
                    return Err(RefreshError::Invalid("token is not of this session".into()));
                }
            }
        }
        Err(RefreshError::Invalid("session changed under every rotation attempt".into()))
    }

    /// The fast path: the successor from the presented token alone, then one statement. `None`
    /// when the token carries no session end (minted by an older version) or the guard did
    /// not hold.
    async fn rotate_presented(
        &self,
        claims: &Claims,
        presented: &Presented,
        client: &ClientId,
        now: OffsetDateTime,
    ) -> Result<Option<IssuedTokens>, RefreshError> {
        let Some(absolute_end) = claims.session_expires_at else { return Ok(None) };
        let chain = Chain {
            session_id: claims.session_id,
            user_id: presented.user_id,
            generation: presented.generation,
            absolute_end,
            client_id: client.clone(),
        };
        self.swap(chain, presented.hash, now).await
    }

    /// The slow path's swap, after the rules said "rotate" for `session`'s current token.
    async fn rotate_current(
        &self,
        session: &Session,
        client: &ClientId,
        now: OffsetDateTime,
    ) -> Result<Option<IssuedTokens>, RefreshError> {
        self.swap(Chain::of(session, client.clone()), session.refresh_hash, now).await
    }

    /// Mints the successor of the token at `chain` (hash `current`) and swaps it in; `None`
    /// if the guard did not hold (another request won, or the token may not rotate).
    async fn swap(
        &self,
        chain: Chain,
        current: RefreshHash,
        now: OffsetDateTime,
    ) -> Result<Option<IssuedTokens>, RefreshError> {
        let claims = rotation::successor_claims(&chain, now, &self.policy);
        let successor = self.ports.issuer.sign(&claims)?;
        let swap = Rotation {
            session_id: chain.session_id,
            user_id: chain.user_id,
            expected_generation: chain.generation,
            expected_hash: current,
            absolute_expires_at: chain.absolute_end,
            new_hash: RefreshHash::of(&successor),
            rotated_at: now,
            expires_at: claims.expires_at,
        };
        match self.ports.tokens.rotate(&swap).await? {
            Some((rotated, user)) => Ok(Some(self.with_access_token(
                user,
                &rotated,
                &chain.client_id,
                successor,
                now,
            )?)),
            None => Ok(None),
        }
    }

    /// Inside the grace window: hand out the session's current refresh token again (the one
    /// the winning request received) with a fresh access token. Nothing is written. The token
    /// is re-minted with each key that can sign, so a replay answered by a server that signs
    /// with another key of the set (a rolling key change) still finds it; and without the
    /// session's end too, as a server of an earlier release minted it (a rolling upgrade; the
    /// issuer adds the token formats of earlier releases itself, see
    /// [`crate::ports::TokenIssuer::sign_with_each_key`]). The client is the presented
    /// token's, which is the whole chain's.
    async fn replay_current(
        &self,
        session: &Session,
        user: User,
        client: &ClientId,
        now: OffsetDateTime,
    ) -> Result<IssuedTokens, RefreshError> {
        let claims = rotation::current_refresh_claims(session, client.clone());
        let legacy = Claims { session_expires_at: None, ..claims.clone() };
        let mut current = None;
        for claims in [claims, legacy] {
            current = self
                .ports
                .issuer
                .sign_with_each_key(&claims)?
                .into_iter()
                .find(|t| RefreshHash::of(t) == session.refresh_hash);
            if current.is_some() {
                break;
            }
        }
        let Some(current) = current else {
            // The key that minted it is gone (or the issuer or audience changed): the current
            // token cannot be reproduced, so the grace cannot be honoured. Strict rules apply.
            tracing::warn!(session_id = %session.id, "cannot re-mint the current refresh token");
            let presented = Presented {
                user_id: session.user_id,
                generation: session.generation - 1,
                hash: session.refresh_hash,
            };
            return Err(self.revoke_for_reuse(session, &presented, now).await);
        };
        tracing::info!(session_id = %session.id, "previous refresh token replayed within grace");
        let pair = self.with_access_token(user, session, client, current, now)?;
        Ok(IssuedTokens { grace_replay: true, ..pair })
    }

    /// Revokes a session whose retired token came back; the error to answer with. Only the
    /// request that actually revokes it logs the warning and answers `ReuseDetected`.
    async fn revoke_for_reuse(
        &self,
        session: &Session,
        presented: &Presented,
        now: OffsetDateTime,
    ) -> RefreshError {
        match self.ports.tokens.revoke_session(session.id, RevokeReason::Reuse, now).await {
            Ok(true) => {
                tracing::warn!(
                    session_id = %session.id,
                    user_id = %session.user_id,
                    presented_generation = presented.generation,
                    current_generation = session.generation,
                    "refresh token reuse detected; session revoked"
                );
                RefreshError::ReuseDetected
            }
            Ok(false) => RefreshError::ReplayRejected,
            Err(e) => e.into(),
        }
    }
}
