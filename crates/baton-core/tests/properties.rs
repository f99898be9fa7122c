//! Property tests of the rotation rules: for any sequence of refresh, replay, logout, revoke
//! and clock steps, a session has one current refresh token, a revoked session never yields
//! a token again, and no token outlives the session's absolute lifetime.

mod support;

use baton_core::{AuthError, LogoutScope, Policy};
use proptest::prelude::*;
use support::{World, world_with};
use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone)]
enum Step {
    /// Present the n-th refresh token ever handed out (modulo how many there are).
    Refresh(usize),
    /// Call an access-token route with the n-th access token.
    Access(usize),
    /// Log out locally with the newest access token.
    Logout,
    /// Revoke the session from the sessions list.
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

/// What the test knows: every token handed out, and which refresh token is current.
struct Model {
    refresh: Vec<String>,
    access: Vec<String>,
    current: String,
    revoked_at: Option<OffsetDateTime>,
    absolute_end: OffsetDateTime,
}

fn run(w: &World, steps: &[Step]) -> Result<(), TestCaseError> {
    let first = w.register("ada@example.com");
    let sid = first.session_id;
    let mut m = Model {
        refresh: vec![first.refresh_token.clone()],
        access: vec![first.access_token.clone()],
        current: first.refresh_token,
        revoked_at: None,
        absolute_end: w.session(sid).absolute_expires_at,
    };
    for step in steps {
        let now = w.now();
        match step {
            Step::Refresh(n) => {
                let token = m.refresh[n % m.refresh.len()].clone();
                let before = w.session(sid);
                match w.auth.refresh(&token) {
                    Ok(pair) => {
                        prop_assert!(m.revoked_at.is_none(), "a revoked session yielded tokens");
                        prop_assert!(now < m.absolute_end, "token past the absolute lifetime");
                        prop_assert!(pair.refresh_expires_at <= m.absolute_end);
                        prop_assert!(pair.access_expires_at <= m.absolute_end);
                        let after = w.session(sid);
                        if after.generation != before.generation {
                            // A rotation: only the current token may cause one.
                            prop_assert_eq!(&token, &m.current, "a retired token rotated");
                            prop_assert_eq!(after.generation, before.generation + 1);
                            m.current = pair.refresh_token.clone();
                        } else {
                            // Grace: the answer is the current token, not a new one.
                            prop_assert_eq!(&pair.refresh_token, &m.current);
                        }
                        m.refresh.push(pair.refresh_token);
                        m.access.push(pair.access_token);
                    }
                    Err(AuthError::TokenReused) => {
                        prop_assert_ne!(&token, &m.current, "the current token was called reused");
                        m.revoked_at.get_or_insert(now);
                    }
                    Err(_) => {}
                }
            }
            Step::Access(n) => {
                let token = &m.access[n % m.access.len()];
                if w.auth.authenticate(token).is_ok() {
                    prop_assert!(m.revoked_at.is_none(), "a revoked session admitted access");
                    prop_assert!(now < m.absolute_end);
                }
            }
            Step::Logout => {
                if let Ok(me) = w.auth.authenticate(m.access.last().unwrap()) {
                    w.auth.logout(&me, LogoutScope::Local, None).unwrap();
                    m.revoked_at.get_or_insert(now);
                }
            }
            Step::Revoke => {
                if let Ok(me) = w.auth.authenticate(m.access.last().unwrap()) {
                    w.auth.revoke_own_session(&me, sid).unwrap();
                    m.revoked_at.get_or_insert(now);
                }
            }
            Step::Advance(secs) => w.clock.advance(Duration::seconds(*secs)),
        }
        // The store agrees with the model: the current token is the only one whose hash it
        // holds, and a revoked session stays revoked.
        let s = w.session(sid);
        let holders = m.refresh.iter().filter(|t| baton_core::RefreshHash::of(t) == s.refresh_hash);
        prop_assert!(holders.clone().all(|t| t == &m.current));
        prop_assert_eq!(s.revoked_at.is_some(), m.revoked_at.is_some());
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
        let w = world_with(Policy { reuse_grace: Duration::seconds(grace), ..Policy::default() });
        run(&w, &steps)?;
    }
}
