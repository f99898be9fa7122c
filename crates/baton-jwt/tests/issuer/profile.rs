//! The token profiles (SPEC §3): RFC 9068 access tokens for the APIs, refresh tokens no API
//! check accepts, and the tokens minted before the change, accepted as they were until they
//! expire.

use crate::common::*;
use baton_core::{Claims, TokenIssuer, TokenKind};
use baton_jwt::{JwtConfig, JwtIssuer, KeyError};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::{Value, json};

per_alg!(
    typ_aud_and_token_type_must_agree,
    access_and_refresh_tokens_need_a_client,
    an_old_access_token_keeps_working,
    an_old_refresh_token_keeps_working_as_a_refresh_token_only,
    an_old_token_from_the_old_default_issuer_needs_it_listed,
    an_old_token_never_names_a_client,
    the_earlier_forms_of_a_refresh_token_are_re_minted_exactly,
    an_api_checking_its_audience_refuses_a_refresh_token,
);

fn verify(issuer: &JwtIssuer, token: &str, kind: TokenKind) -> Result<Claims, String> {
    issuer.verify(token, kind, NOW).map_err(|e| match e {
        baton_core::TokenError::Invalid(reason) => reason,
        other => panic!("expected Invalid, got {other:?}"),
    })
}

fn typ_aud_and_token_type_must_agree(alg: Alg) {
    let issuer = issuer(alg);
    // The right claims under the other kind's typ: the audience gives them away.
    let access_as_rt = forge_typ(alg, "rt+jwt", Some("k1"), &payload(TokenKind::Access), 1);
    assert_eq!(verify(&issuer, &access_as_rt, TokenKind::Access).unwrap_err(), "wrong audience");
    let refresh_as_at = forge_typ(alg, "at+jwt", Some("k1"), &payload(TokenKind::Refresh), 1);
    assert_eq!(verify(&issuer, &refresh_as_at, TokenKind::Refresh).unwrap_err(), "wrong audience");
    // The audience fixed to match the typ, the token_type still says otherwise.
    let mut access_to_baton = payload(TokenKind::Access);
    access_to_baton["aud"] = ISS.into();
    let token = forge_typ(alg, "rt+jwt", Some("k1"), &access_to_baton, 1);
    let refused = verify(&issuer, &token, TokenKind::Refresh).unwrap_err();
    assert_eq!(refused, "typ header does not match token_type");
    let mut refresh_to_apis = payload(TokenKind::Refresh);
    refresh_to_apis["aud"] = AUD.into();
    let token = forge_typ(alg, "at+jwt", Some("k1"), &refresh_to_apis, 1);
    let refused = verify(&issuer, &token, TokenKind::Access).unwrap_err();
    assert_eq!(refused, "typ header does not match token_type");
    // RFC 9068's media-type spelling is read as the same profile.
    let long = forge_typ(alg, "application/at+jwt", Some("k1"), &payload(TokenKind::Access), 1);
    assert_eq!(verify(&issuer, &long, TokenKind::Access), Ok(claims(TokenKind::Access)));
}

fn access_and_refresh_tokens_need_a_client(alg: Alg) {
    for kind in [TokenKind::Access, TokenKind::Refresh] {
        let mut anonymous = payload(kind);
        anonymous.as_object_mut().expect("object").remove("client_id");
        let token = forge(alg, Some("k1"), &anonymous, 1);
        assert_eq!(verify(&issuer(alg), &token, kind).unwrap_err(), "missing claim client_id");
    }
}

fn an_old_access_token_keeps_working(alg: Alg) {
    let old = forge_legacy(alg, &legacy_payload(TokenKind::Access, ISS));
    assert_eq!(segment(&old, 0)["typ"], "JWT");
    let issuer = issuer(alg);
    assert_eq!(verify(&issuer, &old, TokenKind::Access), Ok(legacy_claims(TokenKind::Access)));
    assert_eq!(verify(&issuer, &old, TokenKind::Refresh).unwrap_err(), "wrong token type");
}

fn an_old_refresh_token_keeps_working_as_a_refresh_token_only(alg: Alg) {
    let old = forge_legacy(alg, &legacy_payload(TokenKind::Refresh, ISS));
    let issuer = issuer(alg);
    assert_eq!(verify(&issuer, &old, TokenKind::Refresh), Ok(legacy_claims(TokenKind::Refresh)));
    assert_eq!(verify(&issuer, &old, TokenKind::Access).unwrap_err(), "wrong token type");
    // Addressed to Baton as a new refresh token is, but typed JWT: not a token Baton wrote.
    let mut odd = legacy_payload(TokenKind::Refresh, ISS);
    odd["aud"] = ISS.into();
    let odd = forge_legacy(alg, &odd);
    assert_eq!(verify(&issuer, &odd, TokenKind::Refresh).unwrap_err(), "wrong audience");
}

fn an_old_token_from_the_old_default_issuer_needs_it_listed(alg: Alg) {
    for kind in [TokenKind::Access, TokenKind::Refresh] {
        let old = forge_legacy(alg, &legacy_payload(kind, OLD_ISS));
        assert_eq!(verify(&issuer(alg), &old, kind).unwrap_err(), "wrong issuer");
        assert_eq!(verify(&issuer_after_upgrade(alg), &old, kind), Ok(legacy_claims(kind)));
        let stranger = forge_legacy(alg, &legacy_payload(kind, "https://other.test"));
        assert_eq!(
            verify(&issuer_after_upgrade(alg), &stranger, kind).unwrap_err(),
            "wrong issuer"
        );
    }
    // A previous issuer is for the earlier profile only: a new token must name the issuer.
    let mut renamed = payload(TokenKind::Refresh);
    renamed["iss"] = OLD_ISS.into();
    let token = forge(alg, Some("k1"), &renamed, 1);
    let refused = verify(&issuer_after_upgrade(alg), &token, TokenKind::Refresh).unwrap_err();
    assert_eq!(refused, "wrong issuer");
}

fn an_old_token_never_names_a_client(alg: Alg) {
    let mut odd = legacy_payload(TokenKind::Access, ISS);
    odd["client_id"] = CLIENT.into();
    let token = forge_legacy(alg, &odd);
    let refused = verify(&issuer(alg), &token, TokenKind::Access).unwrap_err();
    assert_eq!(refused, "client_id in a token of the earlier profile");
}

/// The reuse grace re-mints a session's current refresh token; during a rolling upgrade a
/// server of the earlier release may have minted it, so `sign_with_each_key` offers the exact
/// bytes that release wrote, for the issuer and each previous one.
fn the_earlier_forms_of_a_refresh_token_are_re_minted_exactly(alg: Alg) {
    let issuer = issuer_after_upgrade(alg);
    let each = issuer.sign_with_each_key(&claims(TokenKind::Refresh)).expect("signs");
    for iss in [ISS, OLD_ISS] {
        let old = forge_legacy(alg, &earlier_release_payload(iss));
        assert!(each.contains(&old), "{iss}: {each:?}");
    }
    assert_eq!(each.len(), 3, "current profile, then the earlier one for both issuers");
}

/// The refresh payload of `claims(Refresh)` as the earlier release wrote it for `iss`.
fn earlier_release_payload(iss: &str) -> EarlierRefresh {
    let c = claims(TokenKind::Refresh);
    EarlierRefresh {
        iss: iss.into(),
        aud: AUD.into(),
        sub: c.user_id.to_string(),
        sid: c.session_id.to_string(),
        jti: c.jti,
        iat: c.issued_at.unix_timestamp(),
        nbf: c.not_before.unix_timestamp(),
        exp: c.expires_at.unix_timestamp(),
        token_type: "refresh",
        session_exp: c.session_expires_at.expect("a refresh token's").unix_timestamp(),
    }
}

/// What an API does with a standard library: a JWKS (or the shared secret), the issuer, its
/// own audience. It verifies Baton's access tokens and refuses its refresh tokens.
fn an_api_checking_its_audience_refuses_a_refresh_token(alg: Alg) {
    let issuer = issuer(alg);
    let decoding = match alg {
        Alg::Hs256 => DecodingKey::from_secret(&secret(1)),
        _ => {
            let set: JwkSet = serde_json::from_str(issuer.jwks_json()).expect("a JWK set");
            DecodingKey::from_jwk(set.find("k1").expect("published")).expect("usable")
        }
    };
    let mut validation = Validation::new(alg.jwt());
    validation.set_issuer(&[ISS]);
    validation.set_audience(&[AUD]);
    validation.validate_exp = false; // the fixed test clock is not the wall clock
    let access = issuer.sign(&claims(TokenKind::Access)).expect("signs");
    let refresh = issuer.sign(&claims(TokenKind::Refresh)).expect("signs");
    let accepted = jsonwebtoken::decode::<Value>(&access, &decoding, &validation);
    assert_eq!(accepted.expect("an access token verifies").claims["client_id"], CLIENT);
    assert!(jsonwebtoken::decode::<Value>(&refresh, &decoding, &validation).is_err());
    // An API that also checks typ (RFC 9068 §4) refuses it for that reason alone.
    let header = jsonwebtoken::decode_header(&refresh).expect("header");
    assert_ne!(header.typ.as_deref(), Some("at+jwt"));
    assert_eq!(
        jsonwebtoken::decode_header(&access).expect("header").typ.as_deref(),
        Some("at+jwt")
    );
}

#[test]
fn an_audience_equal_to_the_issuer_is_refused() {
    let same = JwtIssuer::new(JwtConfig::new(ISS, ISS, vec![key(Alg::Es256, "k1", 1)]));
    assert_eq!(same.expect_err("refused"), KeyError::AudienceIsIssuer);
}

#[test]
fn previous_issuers_are_reported_without_the_current_one_or_blanks() {
    let mut config = JwtConfig::new(ISS, AUD, vec![key(Alg::Hs256, "k1", 1)]);
    config.previous_issuers = vec![OLD_ISS.into(), ISS.into(), String::new(), OLD_ISS.into()];
    let issuer = JwtIssuer::new(config).expect("valid");
    assert_eq!(issuer.previous_issuers(), [OLD_ISS]);
    assert_eq!(issuer.refresh_audience(), ISS);
    assert_eq!(json!(issuer.audience()), json!(AUD));
}
