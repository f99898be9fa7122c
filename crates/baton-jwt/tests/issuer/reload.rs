//! `ReloadableIssuer`: a new key set without a restart, and a bad one never installed.

use std::sync::Arc;

use crate::common::*;
use baton_core::{TokenIssuer, TokenKind};
use baton_jwt::{JwtConfig, JwtIssuer, KeyError, KeySpec, ReloadableIssuer};

fn set(keys: Vec<KeySpec>) -> JwtIssuer {
    issuer_with(keys)
}

/// The server's reload flow: build the new set, and replace only if it was accepted.
fn reload(issuer: &ReloadableIssuer, keys: Vec<KeySpec>) -> Result<(), KeyError> {
    let next = JwtIssuer::new(JwtConfig::new(ISS, AUD, keys))?;
    issuer.replace(next);
    Ok(())
}

#[test]
fn tokens_keep_verifying_while_their_key_stays_in_the_set() {
    let reloadable = ReloadableIssuer::new(set(vec![key(Alg::Hs256, "old", 1)]));
    let refresh = claims(TokenKind::Refresh);
    let before = reloadable.sign(&refresh).expect("signs");

    // Rotate to an Ed25519 key, keeping the old one for its tokens.
    reload(&reloadable, vec![key(Alg::EdDsa, "new", 2), key(Alg::Hs256, "old", 1)]).expect("ok");
    let during = reloadable.sign(&refresh).expect("signs");
    assert_eq!(segment(&during, 0)["kid"], "new");
    assert_eq!(reloadable.verify(&before, TokenKind::Refresh, NOW), Ok(refresh.clone()));
    assert_eq!(reloadable.verify(&during, TokenKind::Refresh, NOW), Ok(refresh.clone()));
    let each = reloadable.sign_with_each_key(&refresh).expect("signs");
    assert_eq!(each[..2], [during.clone(), before.clone()], "then the earlier profile's forms");

    // Retire the old key: its tokens stop, the new key's keep working.
    reload(&reloadable, vec![key(Alg::EdDsa, "new", 2)]).expect("ok");
    assert_eq!(reason(reloadable.verify(&before, TokenKind::Refresh, NOW)), "unknown kid");
    assert_eq!(reloadable.verify(&during, TokenKind::Refresh, NOW), Ok(refresh));
}

#[test]
fn a_refused_set_leaves_the_old_one_in_place() {
    let reloadable = ReloadableIssuer::new(set(vec![key(Alg::EdDsa, "k1", 1)]));
    let token = reloadable.sign(&claims(TokenKind::Access)).expect("signs");
    let etag = reloadable.current().etag().to_owned();
    for bad in [
        vec![],
        vec![public_key("k1", 1)],
        vec![KeySpec::hs256("k2", vec![0; 8]), key(Alg::EdDsa, "k1", 1)],
        vec![KeySpec::ed25519_private("k2", "not a key"), key(Alg::EdDsa, "k1", 1)],
    ] {
        assert!(reload(&reloadable, bad).is_err());
        assert_eq!(reloadable.current().signing_kid(), "k1");
        assert_eq!(reloadable.current().etag(), etag);
        assert_eq!(reloadable.sign(&claims(TokenKind::Access)).expect("signs"), token);
        assert!(reloadable.verify(&token, TokenKind::Access, NOW).is_ok());
    }
}

#[test]
fn current_is_a_snapshot_and_the_jwks_follows_the_replace() {
    let reloadable = ReloadableIssuer::new(set(vec![key(Alg::Hs256, "hs", 1)]));
    let held = reloadable.current();
    assert_eq!(held.jwks_json(), r#"{"keys":[]}"#);
    let previous = reloadable.replace(set(vec![key(Alg::Hs256, "hs", 1), public_key("next", 2)]));
    assert!(Arc::ptr_eq(&previous, &held), "replace hands back the set it replaced");
    assert_eq!(held.jwks_json(), r#"{"keys":[]}"#, "a held set does not change under its holder");
    let now = reloadable.current();
    assert_eq!(now.jwks().keys().len(), 1);
    assert_ne!(now.etag(), held.etag());
}

/// Verifications running while the set is replaced over and over always see one whole set:
/// a token whose key is in every set always verifies, whichever set signs at that moment.
#[test]
fn concurrent_verifications_never_see_a_torn_set() {
    let a = || set(vec![key(Alg::EdDsa, "ed", 1), key(Alg::Hs256, "hs", 2)]);
    let b = || set(vec![key(Alg::Hs256, "hs", 2), key(Alg::EdDsa, "ed", 1)]);
    let reloadable = Arc::new(ReloadableIssuer::new(a()));
    let as_port: Arc<dyn TokenIssuer> = reloadable.clone();
    let c = claims(TokenKind::Refresh);
    let tokens = [a().sign(&c).expect("signs"), b().sign(&c).expect("signs")];
    std::thread::scope(|scope| {
        let readers: Vec<_> = (0..4)
            .map(|_| {
                let (port, tokens, c) = (&as_port, &tokens, &c);
                scope.spawn(move || {
                    for i in 0..500 {
                        let token = &tokens[i % 2];
                        assert_eq!(port.verify(token, TokenKind::Refresh, NOW).as_ref(), Ok(c));
                        let signed = port.sign(c).expect("signs");
                        assert!(tokens.contains(&signed), "signed by a set that was never built");
                    }
                })
            })
            .collect();
        for i in 0..200 {
            reloadable.replace(if i % 2 == 0 { b() } else { a() });
        }
        for reader in readers {
            reader.join().expect("a reader failed");
        }
    });
}
