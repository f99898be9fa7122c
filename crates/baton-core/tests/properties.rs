//! Property test of the rotation rules: for any sequence of refreshes (current, retired,
//! replayed), access checks, logouts, revocations and clock steps, every answer is exactly
//! the one a plain model of SPEC §4 predicts — good steps succeed (a refresh of the current
//! token of a live session rotates) and bad ones fail with the right error — and the store
//! agrees with the model after every step. Each case runs on a current-thread runtime: the
//! in-memory ports never wait, and the rules run one step after the other.

mod support;

use baton_core::{AccessError, LogoutScope, Policy, RefreshError, RefreshHash, RevokeReason};
use proptest::prelude::*;
use support::{World, block_on, world_with};
use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone)]
enum Step {
    /// Present the n-th refresh token ever handed out (modulo how many there are).
    Refresh(usize),
    /// Call an access-token route with the n-th access token.
    Access(usize),
    /// Log out locally with the newest access token.
    Logout,
    /// Revoke the session from the sessions list with the newest access token.
    Revoke,
    /// Let time pass.
    Advance(i64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => any::<usize>().prop_map(Step::Refresh),
        2 => any::<usize>().prop_map(Step::Access),
        1 => Just(Step::Logout),
        1 => Just(Step::Revoke),
        4 => prop::sample::select(vec![1i64, 10, 31, 600, 3_600, 86_400, 6 * 86_400])
            .prop_map(Step::Advance),
    ]
}

/// A token handed out, with what the model needs to know about it.
#[derive(Debug, Clone)]
struct Minted {
    token: String,
    generation: i64,
    expires_at: OffsetDateTime,
}

/// The model: the session as SPEC §4 describes it.
struct Model {
    grace: Duration,
    refresh: Vec<Minted>,
    access: Vec<Minted>,
    generation: i64,
    rotated_at: OffsetDateTime,
    sliding_end: OffsetDateTime,
    absolute_end: OffsetDateTime,
    revoked: Option<RevokeReason>,
}

/// What the model expects of a refresh.
#[derive(Debug, PartialEq, Eq)]
enum Expect {
    Rotate,
    Grace,
    Err(&'static str),
}

fn name(e: &RefreshError) -> &'static str {
    match e {
        RefreshError::Expired => "expired",
        RefreshError::Invalid(_) => "invalid",
        RefreshError::SessionRevoked => "session_revoked",
        RefreshError::ReuseDetected => "reuse_detected",
        RefreshError::ReplayRejected => "replay_rejected",
        RefreshError::AccountDisabled => "account_disabled",
        RefreshError::EmailNotVerified => "email_not_verified",
        RefreshError::Fault(_) => "fault",
    }
}

impl Model {
    fn current(&self) -> &Minted {
        self.refresh.iter().rev().find(|m| m.generation == self.generation).expect("current")
    }

    fn session_live(&self, now: OffsetDateTime) -> bool {
        self.revoked.is_none() && now < self.sliding_end && now < self.absolute_end
    }

    fn expect_refresh(&self, m: &Minted, now: OffsetDateTime) -> Expect {
        if now >= m.expires_at {
            return Expect::Err("expired");
        }
        let retired = m.generation < self.generation;
        if self.revoked == Some(RevokeReason::Reuse) && retired {
            return Expect::Err("replay_rejected");
        }
        if self.revoked.is_some() || now >= self.absolute_end {
            return Expect::Err("session_revoked");
        }
        if now >= self.sliding_end {
            return Expect::Err("expired");
        }
        if !retired {
            return Expect::Rotate;
        }
        let in_grace = self.grace > Duration::ZERO && now <= self.rotated_at + self.grace;
        if m.generation + 1 == self.generation && in_grace {
            Expect::Grace
        } else {
            Expect::Err("reuse_detected")
        }
    }
}

async fn run(w: &World, steps: &[Step], grace: Duration) -> Result<(), TestCaseError> {
    let first = w.register("ada@example.com").await;
    let sid = first.session_id;
    let s = w.session(sid);
    let mut m = Model {
        grace,
        refresh: vec![Minted {
            token: first.refresh_token,
            generation: 0,
            expires_at: first.refresh_expires_at,
        }],
        access: vec![Minted {
            token: first.access_token,
            generation: 0,
            expires_at: first.access_expires_at,
        }],
        generation: 0,
        rotated_at: s.rotated_at,
        sliding_end: s.expires_at,
        absolute_end: s.absolute_expires_at,
        revoked: None,
    };
    for step in steps {
        let now = w.now();
        match step {
            Step::Refresh(n) => {
                let presented = m.refresh[n % m.refresh.len()].clone();
                let expected = m.expect_refresh(&presented, now);
                match (w.auth.refresh(&presented.token).await, expected) {
                    (Ok(pair), Expect::Rotate) => {
                        prop_assert!(!pair.grace_replay);
                        prop_assert!(pair.refresh_expires_at <= m.absolute_end);
                        prop_assert!(pair.access_expires_at <= m.absolute_end);
                        prop_assert_eq!(
                            pair.refresh_expires_at,
                            (now + Duration::days(7)).min(m.absolute_end)
                        );
                        m.generation += 1;
                        m.rotated_at = now;
                        m.sliding_end = pair.refresh_expires_at;
                        m.refresh.push(Minted {
                            token: pair.refresh_token,
                            generation: m.generation,
                            expires_at: pair.refresh_expires_at,
                        });
                        m.access.push(Minted {
                            token: pair.access_token,
                            generation: m.generation,
                            expires_at: pair.access_expires_at,
                        });
                    }
                    (Ok(pair), Expect::Grace) => {
                        prop_assert!(pair.grace_replay);
                        prop_assert_eq!(
                            &pair.refresh_token,
                            &m.current().token,
                            "grace answers the current token"
                        );
                        m.access.push(Minted {
                            token: pair.access_token,
                            generation: m.generation,
                            expires_at: pair.access_expires_at,
                        });
                    }
                    (Err(e), Expect::Err(expected)) => {
                        prop_assert_eq!(name(&e), expected);
                        if expected == "reuse_detected" {
                            m.revoked = Some(RevokeReason::Reuse);
                        }
                    }
                    (got, expected) => {
                        return Err(TestCaseError::fail(format!(
                            "refresh of generation {} at {now}: expected {expected:?}, got {:?}",
                            presented.generation,
                            got.map(|p| p.grace_replay)
                        )));
                    }
                }
            }
            Step::Access(n) => {
                let presented = &m.access[n % m.access.len()];
                let admitted = w.auth.authenticate(&presented.token).await;
                let token_alive = now < presented.expires_at;
                match admitted {
                    Ok(_) => {
                        prop_assert!(token_alive && m.session_live(now), "admitted a dead token")
                    }
                    Err(AccessError::Expired) => prop_assert!(!token_alive),
                    Err(AccessError::SessionRevoked) => {
                        prop_assert!(token_alive && !m.session_live(now), "refused a live session");
                    }
                    Err(e) => return Err(TestCaseError::fail(format!("access: {e:?}"))),
                }
            }
            Step::Logout | Step::Revoke => {
                let newest = &m.access.last().expect("one at least").token;
                if let Ok(me) = w.auth.authenticate(newest).await {
                    prop_assert!(m.session_live(now));
                    if matches!(step, Step::Logout) {
                        w.auth.logout(&me, LogoutScope::Local, None).await.expect("logout");
                        m.revoked = Some(RevokeReason::Logout);
                    } else {
                        w.auth.revoke_own_session(&me, sid).await.expect("revoke");
                        m.revoked = Some(RevokeReason::UserRevoked);
                    }
                }
            }
            Step::Advance(secs) => w.clock.advance(Duration::seconds(*secs)),
        }
        // The store agrees with the model: only the current token's hash is held, and the
        // revocation (and its reason) is as the model says.
        let s = w.session(sid);
        prop_assert_eq!(s.generation, m.generation);
        prop_assert_eq!(s.refresh_hash, RefreshHash::of(&m.current().token));
        prop_assert_eq!(s.revoke_reason, m.revoked);
        prop_assert_eq!(s.expires_at, m.sliding_end);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn rotation_rules_hold_for_any_sequence(
        steps in prop::collection::vec(step(), 1..40),
        grace in prop::sample::select(vec![0i64, 30]),
    ) {
        let grace = Duration::seconds(grace);
        let w = world_with(Policy { reuse_grace: grace, ..Policy::default() });
        block_on(run(&w, &steps, grace))?;
    }

    #[test]
    fn the_slow_path_obeys_the_same_rules(
        steps in prop::collection::vec(step(), 1..40),
        grace in prop::sample::select(vec![0i64, 30]),
    ) {
        let grace = Duration::seconds(grace);
        let mut w = world_with(Policy { reuse_grace: grace, ..Policy::default() });
        w.auth = w.auth.without_fast_rotation();
        block_on(run(&w, &steps, grace))?;
    }
}
