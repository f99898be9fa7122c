//! The `client_id` of RFC 9068: a client may name itself when it opens a session, every token
//! of the session names that client, and the reuse grace re-mints it exactly.

mod support;

use baton_core::{
    Claims, ClientId, IssuedTokens, Policy, RefreshError, RefreshHash, TokenIssuer, TokenKind,
};
use support::{PASSWORD, World, client, world, world_with};
use time::Duration;

fn id(name: &str) -> ClientId {
    ClientId::parse(name).expect("valid client id")
}

fn claims(w: &World, token: &str, kind: TokenKind) -> Claims {
    w.issuer.verify(token, kind, w.now()).expect("verifies")
}

/// The client both tokens of a pair name; they must agree.
fn client_of(w: &World, pair: &IssuedTokens) -> ClientId {
    let access = claims(w, &pair.access_token, TokenKind::Access).client_id;
    let refresh = claims(w, &pair.refresh_token, TokenKind::Refresh).client_id;
    assert_eq!(access, refresh, "both tokens of a pair name the same client");
    assert_eq!(access.as_ref(), Some(&pair.client_id));
    pair.client_id.clone()
}

/// Registers an account, then logs it in as `client_id`.
async fn login_as(w: &World, client_id: Option<ClientId>) -> IssuedTokens {
    w.register("ada@example.com").await;
    w.auth.login_for("ada@example.com", PASSWORD, client(), client_id).await.expect("login")
}

#[tokio::test]
async fn a_client_that_does_not_name_itself_gets_the_configured_default() {
    let w = world();
    let pair = w.register("ada@example.com").await;
    assert_eq!(client_of(&w, &pair), id("default"));

    let w = world_with(Policy { default_client_id: id("web"), ..Policy::default() });
    let pair = w.register("ada@example.com").await;
    assert_eq!(client_of(&w, &pair), id("web"));
    assert_eq!(client_of(&w, &w.auth.refresh(&pair.refresh_token).await.unwrap()), id("web"));
}

#[tokio::test]
async fn a_named_client_is_kept_by_every_refresh_of_its_session() {
    let w = world();
    let first = login_as(&w, Some(id("mobile-app"))).await;
    assert_eq!(client_of(&w, &first), id("mobile-app"));
    let second = w.auth.refresh(&first.refresh_token).await.unwrap();
    assert_eq!(client_of(&w, &second), id("mobile-app"));
    let third = w.auth.refresh_for(&second.refresh_token, Some(&id("mobile-app"))).await.unwrap();
    assert_eq!(client_of(&w, &third), id("mobile-app"));
}

#[tokio::test]
async fn registering_as_a_named_client() {
    let w = world();
    let pair = w
        .auth
        .register_for("ada@example.com", PASSWORD.into(), None, client(), Some(id("cli")))
        .await
        .unwrap();
    assert_eq!(client_of(&w, &pair), id("cli"));
}

#[tokio::test]
async fn another_client_cannot_refresh_a_session_and_changes_nothing() {
    let w = world();
    let first = login_as(&w, Some(id("mobile-app"))).await;
    let before = w.session(first.session_id);
    let other = w.auth.refresh_for(&first.refresh_token, Some(&id("web"))).await;
    assert!(matches!(other, Err(RefreshError::Invalid(_))), "{other:?}");
    assert_eq!(w.session(first.session_id), before, "neither rotated nor revoked");
    // The owner still refreshes with the same token.
    let next = w.auth.refresh_for(&first.refresh_token, Some(&id("mobile-app"))).await.unwrap();
    assert_eq!(next.session_id, first.session_id);
}

#[tokio::test]
async fn a_grace_replay_reproduces_the_named_clients_current_token() {
    let w = world_with(Policy { reuse_grace: Duration::seconds(30), ..Policy::default() });
    let first = login_as(&w, Some(id("mobile-app"))).await;
    let winner = w.auth.refresh(&first.refresh_token).await.unwrap();
    w.clock.advance(Duration::seconds(5));
    let replay = w.auth.refresh_for(&first.refresh_token, Some(&id("mobile-app"))).await.unwrap();
    assert!(replay.grace_replay);
    assert_eq!(replay.refresh_token, winner.refresh_token);
    assert_eq!(client_of(&w, &replay), id("mobile-app"));
    assert!(w.session(first.session_id).revoked_at.is_none());
}

#[tokio::test]
async fn a_refresh_token_minted_before_client_ids_belongs_to_the_default_client() {
    let w = world_with(Policy { reuse_grace: Duration::seconds(30), ..Policy::default() });
    let first = w.register("ada@example.com").await;
    // The token the previous release minted for this session: no client_id.
    let legacy = {
        let s = w.session(first.session_id);
        let mut c = baton_core::rules::rotation::current_refresh_claims(&s, id("default"));
        c.client_id = None;
        w.issuer.sign(&c).unwrap()
    };
    assert!(w.store.edit_session(first.session_id, |s| s.refresh_hash = RefreshHash::of(&legacy)));

    let other = w.auth.refresh_for(&legacy, Some(&id("web"))).await;
    assert!(matches!(other, Err(RefreshError::Invalid(_))), "{other:?}");
    let next = w.auth.refresh_for(&legacy, Some(&id("default"))).await.unwrap();
    assert_eq!(client_of(&w, &next), id("default"));
    // Inside the grace the legacy token is answered with that same successor.
    let replay = w.auth.refresh(&legacy).await.unwrap();
    assert!(replay.grace_replay);
    assert_eq!(replay.refresh_token, next.refresh_token);
}
