//! A rolling upgrade to the RFC 9068 profile, through the core's use cases with this issuer:
//! a session rotated by a server of the earlier release keeps working on an upgraded one, and
//! the reuse grace still finds the token that server handed out.

use std::sync::Arc;

use crate::common::*;
use baton_core::testing::{FakeClock, FakeHasher, MemStore, SeqRandom};
use baton_core::{Auth, ClientInfo, Policy, Ports, RefreshHash, TokenIssuer, TokenKind};
use time::Duration;

per_alg!(
    a_grace_replay_finds_the_token_a_server_of_the_earlier_release_rotated_to,
    a_refresh_token_of_the_earlier_release_rotates_into_the_new_profile,
);

struct World {
    auth: Auth,
    store: Arc<MemStore>,
    clock: Arc<FakeClock>,
    issuer: Arc<baton_jwt::JwtIssuer>,
}

/// The core on this issuer (previous issuer `"baton"` listed), a 30 s reuse grace.
fn world(alg: Alg) -> World {
    let issuer = Arc::new(issuer_after_upgrade(alg));
    let store = Arc::new(MemStore::default());
    let clock = Arc::new(FakeClock::at(NOW));
    let ports = Ports {
        users: store.clone(),
        tokens: store.clone(),
        accounts: store.clone(),
        factors: store.clone(),
        issuer: issuer.clone(),
        hasher: Arc::new(FakeHasher::default()),
        clock: clock.clone(),
        random: Arc::new(SeqRandom::default()),
    };
    let policy = Policy { reuse_grace: Duration::seconds(30), ..Policy::default() };
    World { auth: Auth::new(ports, policy), store, clock, issuer }
}

/// The refresh token the earlier release minted for generation `generation` of `session`,
/// issued now, under the old default issuer: `typ: JWT`, the APIs' audience, no client.
fn earlier_release_token(w: &World, alg: Alg, session: uuid::Uuid, generation: i64) -> String {
    let s = w.store.session(session).expect("the session");
    let now = NOW + Duration::seconds(5);
    let payload = EarlierRefresh {
        iss: OLD_ISS.into(),
        aud: AUD.into(),
        sub: s.user_id.to_string(),
        sid: s.id.to_string(),
        jti: format!("{}.{generation}", s.id),
        iat: now.unix_timestamp(),
        nbf: now.unix_timestamp(),
        exp: (now + Duration::days(7)).unix_timestamp(),
        token_type: "refresh",
        session_exp: s.absolute_expires_at.unix_timestamp(),
    };
    forge_legacy(alg, &payload)
}

fn a_grace_replay_finds_the_token_a_server_of_the_earlier_release_rotated_to(alg: Alg) {
    let w = world(alg);
    let first = w.auth.register(
        "ada@example.com",
        "correct horse battery".into(),
        None,
        ClientInfo::default(),
    );
    let first = run(first).expect("register");
    // A server of the earlier release rotates the session: generation 1, its own token.
    w.clock.advance(Duration::seconds(5));
    let theirs = earlier_release_token(&w, alg, first.session_id, 1);
    assert!(w.store.edit_session(first.session_id, |s| {
        s.generation = 1;
        s.refresh_hash = RefreshHash::of(&theirs);
        s.rotated_at = NOW + Duration::seconds(5);
        s.last_used_at = s.rotated_at;
        s.expires_at = s.rotated_at + Duration::days(7);
    }));
    // Its client lost the answer and replays generation 0 at an upgraded server.
    w.clock.advance(Duration::seconds(2));
    let replay = run(w.auth.refresh(&first.refresh_token)).expect("a grace replay, not reuse");
    assert!(replay.grace_replay);
    assert_eq!(replay.refresh_token, theirs, "the very token the old server handed out");
    assert!(w.store.session(first.session_id).expect("session").revoked_at.is_none());
}

fn a_refresh_token_of_the_earlier_release_rotates_into_the_new_profile(alg: Alg) {
    let w = world(alg);
    let first = w.auth.register(
        "ada@example.com",
        "correct horse battery".into(),
        None,
        ClientInfo::default(),
    );
    let first = run(first).expect("register");
    w.clock.advance(Duration::seconds(5));
    let theirs = earlier_release_token(&w, alg, first.session_id, 1);
    assert!(w.store.edit_session(first.session_id, |s| {
        s.generation = 1;
        s.refresh_hash = RefreshHash::of(&theirs);
        s.rotated_at = NOW + Duration::seconds(5);
        s.expires_at = s.rotated_at + Duration::days(7);
    }));
    let next = run(w.auth.refresh(&theirs)).expect("an old refresh token still rotates");
    assert_eq!(segment(&next.refresh_token, 0)["typ"], "rt+jwt");
    assert_eq!(segment(&next.access_token, 0)["typ"], "at+jwt");
    let claims = w.issuer.verify(&next.access_token, TokenKind::Access, w.clock_now()).unwrap();
    assert_eq!(claims.client_id.as_ref().map(|c| c.as_str()), Some("default"));
    assert_eq!(segment(&next.refresh_token, 1)["iss"], ISS, "the new issuer from now on");
}

/// Runs a use case (async since the store ports are) to completion.
fn run<F: std::future::Future>(use_case: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    runtime.expect("a runtime").block_on(use_case)
}

impl World {
    fn clock_now(&self) -> time::OffsetDateTime {
        baton_core::Clock::now(&*self.clock)
    }
}
