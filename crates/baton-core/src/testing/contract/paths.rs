//! Refresh's one-statement fast path against its read–judge–swap path: for any sequence of
//! refreshes (current, retired, replayed), clock steps, logouts and account changes, the two
//! give the same answers and leave the same session behind.

use std::sync::atomic::{AtomicU64, Ordering};

use super::{StoreSubject, World};
use crate::domain::session::RevokeReason;
use crate::error::RefreshError;
use crate::rules::policy::Policy;
use crate::service::LogoutScope;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use time::Duration;

/// One thing that happens to a session.
#[derive(Debug, Clone)]
enum Step {
    /// Present the n-th refresh token handed out so far (modulo how many there are).
    Refresh(usize),
    /// Let time pass.
    Advance(i64),
    /// Log out with the newest access token.
    Logout,
    /// Disable (`true`) or enable the account.
    Disable(bool),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => any::<usize>().prop_map(Step::Refresh),
        4 => prop::sample::select(vec![1i64, 20, 31, 600, 86_400, 6 * 86_400]).prop_map(Step::Advance),
        1 => Just(Step::Logout),
        1 => any::<bool>().prop_map(Step::Disable),
    ]
}

/// A refresh answer with what differs between two worlds (the tokens, the ids) left out.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Issued { grace_replay: bool, refresh_index: Option<usize> },
    Refused(&'static str),
}

fn refused(e: &RefreshError) -> &'static str {
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

/// A session as stored, with instants in seconds after its creation: generation, revoke
/// reason, rotated, last used, sliding and absolute expiry, revoked.
type EndState = (i64, Option<RevokeReason>, i64, i64, i64, i64, Option<i64>);

/// One world's run: every token handed out, and the answers.
struct Run {
    world: World,
    email: String,
    refresh: Vec<String>,
    access: Vec<String>,
    session: uuid::Uuid,
    outcomes: Vec<Outcome>,
}

impl Run {
    async fn new(world: World, email: String) -> Self {
        let first = world.register(&email).await;
        Self {
            world,
            email,
            refresh: vec![first.refresh_token],
            access: vec![first.access_token],
            session: first.session_id,
            outcomes: Vec::new(),
        }
    }

    async fn apply(&mut self, step: &Step) {
        let auth = &self.world.auth;
        match step {
            Step::Refresh(n) => {
                let token = self.refresh[n % self.refresh.len()].clone();
                let outcome = match auth.refresh(&token).await {
                    Ok(pair) => {
                        let index = self.refresh.iter().position(|t| *t == pair.refresh_token);
                        self.access.push(pair.access_token);
                        if index.is_none() {
                            self.refresh.push(pair.refresh_token);
                        }
                        Outcome::Issued { grace_replay: pair.grace_replay, refresh_index: index }
                    }
                    Err(e) => Outcome::Refused(refused(&e)),
                };
                self.outcomes.push(outcome);
            }
            Step::Advance(secs) => self.world.clock.advance(Duration::seconds(*secs)),
            Step::Logout => {
                let newest = self.access.last().expect("one token at least");
                if let Ok(me) = auth.authenticate(newest).await {
                    auth.logout(&me, LogoutScope::Local, None).await.expect("logout");
                }
            }
            Step::Disable(disabled) => {
                auth.set_account_disabled(&self.email, *disabled).await.expect("admin");
            }
        }
    }

    /// The session as stored, with instants relative to its creation.
    async fn end_state(&self) -> EndState {
        let s = self.world.session(self.session).await;
        let rel = |t: time::OffsetDateTime| (t - s.created_at).whole_seconds();
        (
            s.generation,
            s.revoke_reason,
            rel(s.rotated_at),
            rel(s.last_used_at),
            rel(s.expires_at),
            rel(s.absolute_expires_at),
            s.revoked_at.map(rel),
        )
    }
}

async fn run_both(st: &StoreSubject, steps: &[Step], grace: i64) -> Result<(), TestCaseError> {
    static CASE: AtomicU64 = AtomicU64::new(0);
    let case = CASE.fetch_add(1, Ordering::SeqCst);
    let policy = Policy { reuse_grace: Duration::seconds(grace), ..Policy::default() };
    let fast = st.world(policy.clone());
    let slow = st.world(policy);
    let slow = World { auth: slow.auth.without_fast_rotation(), ..slow };
    let mut fast = Run::new(fast, format!("fast-{case}@example.com")).await;
    let mut slow = Run::new(slow, format!("slow-{case}@example.com")).await;
    for step in steps {
        fast.apply(step).await;
        slow.apply(step).await;
        prop_assert_eq!(&fast.outcomes, &slow.outcomes, "after {:?}", step);
        prop_assert_eq!(fast.end_state().await, slow.end_state().await, "after {:?}", step);
    }
    Ok(())
}

/// The fast and slow refresh paths agree, answer for answer and row for row. proptest drives
/// cases synchronously, so each case is driven to completion on the test's runtime from a
/// thread that may block (`block_in_place`).
pub async fn fast_and_slow_refresh_paths_agree(st: &StoreSubject) {
    let config = Config { cases: 40, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let strategy = (prop::collection::vec(step(), 1..24), prop::sample::select(vec![0i64, 30]));
    let runtime = tokio::runtime::Handle::current();
    let result = tokio::task::block_in_place(|| {
        runner.run(&strategy, |(steps, grace)| runtime.block_on(run_both(st, &steps, grace)))
    });
    if let Err(e) = result {
        panic!("fast and slow refresh paths disagree: {e}");
    }
}
