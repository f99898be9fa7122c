//! The [`TokenIssuer`] suite, run by every signing adapter (HS256 and EdDSA in `baton-jwt`)
//! and by [`crate::testing::FakeIssuer`].

use std::sync::Arc;

use crate::domain::token::{Claims, ClientId, TokenKind};
use crate::ports::{TokenError, TokenIssuer};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// Three issuers with the same settings: `issuer` signs with key A and also holds key B;
/// `reordered` holds the same two keys and signs with B (a server mid-way through a rolling
/// key change); `stranger` has neither.
pub struct IssuerSubject {
    /// Signs with A, verifies A and B.
    pub issuer: Arc<dyn TokenIssuer>,
    /// Signs with B, verifies A and B.
    pub reordered: Arc<dyn TokenIssuer>,
    /// A key of its own only.
    pub stranger: Arc<dyn TokenIssuer>,
}

fn at() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_900_000_000).expect("in range")
}

fn claims(kind: TokenKind) -> Claims {
    let sid = Uuid::from_u128(0x5e55_1010);
    Claims {
        kind,
        user_id: Uuid::from_u128(0xada),
        client_id: Some(ClientId::parse("contract-client").expect("valid")),
        session_id: sid,
        jti: match kind {
            TokenKind::Refresh => format!("{sid}.3"),
            TokenKind::Access => Uuid::from_u128(0x171).to_string(),
        },
        issued_at: at(),
        not_before: at(),
        expires_at: at() + Duration::minutes(15),
        session_expires_at: (kind == TokenKind::Refresh).then(|| at() + Duration::days(30)),
        email_verified: None,
        amr: None,
    }
}

/// What is signed verifies back to the very same claims, for both kinds.
pub fn round_trip_keeps_every_claim(s: &IssuerSubject) {
    for kind in [TokenKind::Access, TokenKind::Refresh] {
        let c = claims(kind);
        let token = s.issuer.sign(&c).expect("sign");
        assert_eq!(s.issuer.verify(&token, kind, at()).expect("verify"), c);
    }
}

/// Equal claims give equal tokens: the reuse grace re-mints tokens and compares hashes.
pub fn signing_is_deterministic(s: &IssuerSubject) {
    let c = claims(TokenKind::Refresh);
    assert_eq!(s.issuer.sign(&c).expect("sign"), s.issuer.sign(&c).expect("sign"));
}

/// An access token is never accepted as a refresh token, nor the reverse.
pub fn kinds_are_never_confused(s: &IssuerSubject) {
    for (kind, other) in
        [(TokenKind::Access, TokenKind::Refresh), (TokenKind::Refresh, TokenKind::Access)]
    {
        let token = s.issuer.sign(&claims(kind)).expect("sign");
        assert!(matches!(s.issuer.verify(&token, other, at()), Err(TokenError::Invalid(_))));
    }
}

/// A token that says it was issued long after `now` is invalid, even when its `nbf` has
/// passed: no clock is that far off, so the token was made to outlive its `exp`'s intent or
/// by a server with a broken clock.
pub fn a_token_issued_in_the_future_is_refused(s: &IssuerSubject) {
    for kind in [TokenKind::Access, TokenKind::Refresh] {
        let c = Claims {
            issued_at: at() + Duration::hours(1),
            expires_at: at() + Duration::hours(2),
            ..claims(kind)
        };
        let token = s.issuer.sign(&c).expect("sign");
        assert!(matches!(s.issuer.verify(&token, kind, at()), Err(TokenError::Invalid(_))));
        let later = at() + Duration::hours(1);
        assert_eq!(s.issuer.verify(&token, kind, later).expect("verify"), c);
    }
}

/// Both kinds carry the client they were minted for, and an access token without one is never
/// signed (RFC 9068 requires `client_id`; only tokens of earlier releases lack it).
pub fn tokens_name_their_client(s: &IssuerSubject) {
    for kind in [TokenKind::Access, TokenKind::Refresh] {
        let c = claims(kind);
        let token = s.issuer.sign(&c).expect("sign");
        let back = s.issuer.verify(&token, kind, at()).expect("verify");
        assert_eq!(back.client_id.as_ref().map(ClientId::as_str), Some("contract-client"));
    }
    let anonymous = Claims { client_id: None, ..claims(TokenKind::Access) };
    assert!(s.issuer.sign(&anonymous).is_err());
}

/// Long after `exp` a token is `Expired`; long before `nbf` it is invalid.
pub fn time_window_is_enforced(s: &IssuerSubject) {
    let c = claims(TokenKind::Access);
    let token = s.issuer.sign(&c).expect("sign");
    assert_eq!(
        s.issuer.verify(&token, TokenKind::Access, c.expires_at + Duration::days(1)),
        Err(TokenError::Expired)
    );
    assert!(matches!(
        s.issuer.verify(&token, TokenKind::Access, c.not_before - Duration::days(1)),
        Err(TokenError::Invalid(_))
    ));
}

/// A token of a key the issuer does not hold is invalid, and so is the issuer's token to a
/// stranger.
pub fn foreign_keys_are_refused(s: &IssuerSubject) {
    let c = claims(TokenKind::Access);
    let foreign = s.stranger.sign(&c).expect("sign");
    assert!(matches!(
        s.issuer.verify(&foreign, TokenKind::Access, at()),
        Err(TokenError::Invalid(_))
    ));
    let ours = s.issuer.sign(&c).expect("sign");
    assert!(matches!(
        s.stranger.verify(&ours, TokenKind::Access, at()),
        Err(TokenError::Invalid(_))
    ));
}

/// Changing any one character of a token makes it invalid (or, at worst, still the same
/// claims: never other claims), and never panics.
pub fn tampering_is_refused(s: &IssuerSubject) {
    let c = claims(TokenKind::Refresh);
    let token = s.issuer.sign(&c).expect("sign");
    for i in (0..token.len()).step_by(3) {
        let mut bytes = token.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let Ok(tampered) = String::from_utf8(bytes) else { continue };
        if tampered == token {
            continue;
        }
        match s.issuer.verify(&tampered, TokenKind::Refresh, at()) {
            Err(TokenError::Invalid(_)) => {}
            Ok(same) => assert_eq!(same, c, "a tampered token verified with other claims"),
            Err(TokenError::Expired) => panic!("tampering at {i} was read as expiry"),
        }
    }
}

/// Junk of every shape is invalid, never a panic.
pub fn garbage_is_invalid(s: &IssuerSubject) {
    let long = "a".repeat(100_000);
    for junk in ["", ".", "..", "a.b.c", "e30.e30.e30", "\u{0}", "🦀.🦀.🦀", long.as_str()] {
        for kind in [TokenKind::Access, TokenKind::Refresh] {
            assert!(
                matches!(s.issuer.verify(junk, kind, at()), Err(TokenError::Invalid(_))),
                "{junk:.20}"
            );
        }
    }
}

/// Two servers holding the same keys in a different order accept each other's tokens.
pub fn either_key_order_verifies_the_other(s: &IssuerSubject) {
    let c = claims(TokenKind::Refresh);
    let a = s.issuer.sign(&c).expect("sign");
    let b = s.reordered.sign(&c).expect("sign");
    assert_ne!(a, b, "the two orders sign with different keys");
    assert_eq!(s.reordered.verify(&a, TokenKind::Refresh, at()).expect("verify"), c);
    assert_eq!(s.issuer.verify(&b, TokenKind::Refresh, at()).expect("verify"), c);
}

/// `sign_with_each_key` gives what `sign` gives first, and what the other order signs too, so a
/// token minted by either server can be re-minted by both.
pub fn each_key_reproduces_what_either_order_signs(s: &IssuerSubject) {
    let c = claims(TokenKind::Refresh);
    let all = s.issuer.sign_with_each_key(&c).expect("sign");
    assert_eq!(all.first(), Some(&s.issuer.sign(&c).expect("sign")));
    assert!(all.contains(&s.reordered.sign(&c).expect("sign")), "{all:?}");
    let all = s.reordered.sign_with_each_key(&c).expect("sign");
    assert!(all.contains(&s.issuer.sign(&c).expect("sign")), "{all:?}");
}

/// Instantiates every function of the issuer suite as a `#[test]` on `$subject`.
#[macro_export]
macro_rules! issuer_contract {
    ($subject:expr) => {
        $crate::__contract_tests!($subject;
            issuer {
                round_trip_keeps_every_claim,
                signing_is_deterministic,
                kinds_are_never_confused,
                a_token_issued_in_the_future_is_refused,
                tokens_name_their_client,
                time_window_is_enforced,
                foreign_keys_are_refused,
                tampering_is_refused,
                garbage_is_invalid,
                either_key_order_verifies_the_other,
                each_key_reproduces_what_either_order_signs,
            }
        );
    };
}
