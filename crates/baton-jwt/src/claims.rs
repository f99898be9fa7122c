//! The claims as they travel inside the JWT, and their conversion to and from the core's
//! [`Claims`].
//!
//! The wire struct fixes the claim set and its order, so that equal claims serialize to equal
//! bytes (the core re-mints refresh tokens and compares hashes). On the way in every claim is
//! required and no other claim is allowed, except two that a token of an earlier release may
//! lack: `session_exp` (refresh tokens carry the session's absolute end; access tokens never
//! do) and `client_id` (every token of the RFC 9068 profile carries it; which profile needs it
//! is the issuer's check, by header `typ`).

use baton_core::{Claims, ClientId, TokenKind};
use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// The JWT payload, field for field (SPEC §3). Field order is the serialization order.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WireClaims {
    pub(crate) iss: String,
    pub(crate) aud: String,
    pub(crate) sub: String,
    /// RFC 9068 `client_id`; absent (not `null`) only in tokens of the earlier profile.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub(crate) client_id: Option<String>,
    pub(crate) sid: String,
    pub(crate) jti: String,
    pub(crate) iat: i64,
    pub(crate) nbf: i64,
    pub(crate) exp: i64,
    pub(crate) token_type: String,
    /// The session's absolute end (Unix seconds), refresh tokens only. Absent, not `null`,
    /// when there is none; a `null` on the way in is refused like any value Baton never writes.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub(crate) session_exp: Option<i64>,
    /// Whether the account's email was verified (access tokens minted since SPEC §12).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub(crate) email_verified: Option<bool>,
    /// How the session's login was proven (RFC 8176), access tokens minted since SPEC §13.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub(crate) amr: Option<Vec<String>>,
}

/// Why claims cannot be signed: the core asked for a token Baton would then refuse.
#[derive(Debug, thiserror::Error)]
pub(crate) enum UnsignableClaims {
    /// Only refresh tokens carry the session's end.
    #[error("an access token cannot carry session_exp")]
    SessionExpInAccessToken,
    /// Every token of the current profile names its client (RFC 9068 §2.2).
    #[error("a token of the current profile needs a client_id")]
    NoClient,
}

/// An optional claim when it is there: only a value of its type, never `null`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

impl WireClaims {
    /// The payload for `claims`, stamped with the `iss` and `aud` the issuer chose for the
    /// token's profile, with `client_id` when `with_client` (the current profile) and without
    /// (the earlier one, re-minted only). Refuses what `verify` would refuse: an access token
    /// with a session end, a current-profile token without a client.
    pub(crate) fn from_claims(
        claims: &Claims,
        issuer: &str,
        audience: &str,
        with_client: bool,
    ) -> Result<Self, UnsignableClaims> {
        if claims.kind == TokenKind::Access && claims.session_expires_at.is_some() {
            return Err(UnsignableClaims::SessionExpInAccessToken);
        }
        let client_id = match (&claims.client_id, with_client) {
            (Some(client), true) => Some(client.as_str().to_owned()),
            (None, true) => return Err(UnsignableClaims::NoClient),
            (_, false) => None,
        };
        Ok(Self {
            iss: issuer.to_owned(),
            aud: audience.to_owned(),
            sub: claims.user_id.hyphenated().to_string(),
            client_id,
            sid: claims.session_id.hyphenated().to_string(),
            jti: claims.jti.clone(),
            iat: claims.issued_at.unix_timestamp(),
            nbf: claims.not_before.unix_timestamp(),
            exp: claims.expires_at.unix_timestamp(),
            token_type: claims.kind.as_str().to_owned(),
            session_exp: claims.session_expires_at.map(OffsetDateTime::unix_timestamp),
            email_verified: claims.email_verified,
            amr: claims.amr.clone(),
        })
    }

    /// The core's view of the payload. `iss` and `aud` are checked by the caller; this checks
    /// that everything else has a value Baton could have written. The error is a short reason.
    pub(crate) fn into_claims(self) -> Result<Claims, &'static str> {
        let kind = TokenKind::parse(&self.token_type).ok_or("unknown token_type")?;
        let session_expires_at = match (kind, self.session_exp) {
            (_, None) => None,
            (TokenKind::Access, Some(_)) => return Err("session_exp in an access token"),
            (TokenKind::Refresh, Some(secs)) => {
                Some(instant(secs).ok_or("session_exp out of range")?)
            }
        };
        let client_id = match self.client_id {
            None => None,
            Some(c) => Some(ClientId::parse(&c).map_err(|_| "client_id is not a client id")?),
        };
        Ok(Claims {
            kind,
            user_id: canonical_uuid(&self.sub).ok_or("sub is not a UUID")?,
            client_id,
            session_id: canonical_uuid(&self.sid).ok_or("sid is not a UUID")?,
            jti: self.jti,
            issued_at: instant(self.iat).ok_or("iat out of range")?,
            not_before: instant(self.nbf).ok_or("nbf out of range")?,
            expires_at: instant(self.exp).ok_or("exp out of range")?,
            session_expires_at,
            email_verified: self.email_verified,
            amr: self.amr,
        })
    }
}

/// A UUID in the lowercase hyphenated form Baton writes, and no other: `verify` then `sign`
/// gives the same bytes back.
fn canonical_uuid(s: &str) -> Option<Uuid> {
    let id = Uuid::try_parse(s).ok()?;
    (id.hyphenated().to_string() == s).then_some(id)
}

/// Unix seconds as an instant, `None` beyond what `time` represents.
fn instant(secs: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire() -> WireClaims {
        WireClaims {
            iss: "i".into(),
            aud: "a".into(),
            sub: Uuid::from_u128(1).to_string(),
            client_id: Some("app".into()),
            sid: Uuid::from_u128(2).to_string(),
            jti: "j".into(),
            iat: 10,
            nbf: 10,
            exp: 20,
            token_type: "access".into(),
            session_exp: None,
            email_verified: None,
            amr: None,
        }
    }

    fn refresh() -> WireClaims {
        WireClaims { token_type: "refresh".into(), session_exp: Some(30), ..wire() }
    }

    #[test]
    fn refuses_values_baton_never_writes() {
        assert!(wire().into_claims().is_ok());
        let upper = Uuid::from_u128(0xabc).hyphenated().to_string().to_uppercase();
        let simple = Uuid::from_u128(0xabc).simple().to_string();
        for (w, reason) in [
            (WireClaims { token_type: "id".into(), ..wire() }, "unknown token_type"),
            (WireClaims { sub: "nope".into(), ..wire() }, "sub is not a UUID"),
            (WireClaims { sub: upper, ..wire() }, "sub is not a UUID"),
            (WireClaims { sid: simple, ..wire() }, "sid is not a UUID"),
            (WireClaims { exp: i64::MAX, ..wire() }, "exp out of range"),
            (WireClaims { iat: i64::MIN, ..wire() }, "iat out of range"),
            (WireClaims { session_exp: Some(1), ..wire() }, "session_exp in an access token"),
            (WireClaims { session_exp: Some(i64::MAX), ..refresh() }, "session_exp out of range"),
            (WireClaims { session_exp: Some(i64::MIN), ..refresh() }, "session_exp out of range"),
            (WireClaims { client_id: Some("".into()), ..wire() }, "client_id is not a client id"),
            (
                WireClaims { client_id: Some("a b".into()), ..wire() },
                "client_id is not a client id",
            ),
        ] {
            assert_eq!(w.into_claims().err(), Some(reason));
        }
    }

    #[test]
    fn serializes_exactly_the_spec_claims_in_a_fixed_order() {
        let json = serde_json::to_string(&wire()).expect("serializes");
        assert_eq!(
            json,
            concat!(
                r#"{"iss":"i","aud":"a","#,
                r#""sub":"00000000-0000-0000-0000-000000000001","client_id":"app","#,
                r#""sid":"00000000-0000-0000-0000-000000000002","#,
                r#""jti":"j","iat":10,"nbf":10,"exp":20,"token_type":"access"}"#
            )
        );
        let json = serde_json::to_string(&refresh()).expect("serializes");
        assert!(json.ends_with(r#""exp":20,"token_type":"refresh","session_exp":30}"#), "{json}");
    }

    #[test]
    fn session_exp_is_read_only_when_present_and_an_integer() {
        let claims = refresh().into_claims().expect("valid");
        assert_eq!(claims.session_expires_at.map(OffsetDateTime::unix_timestamp), Some(30));
        let old = WireClaims { session_exp: None, ..refresh() }.into_claims().expect("valid");
        assert_eq!(old.session_expires_at, None);

        let mut json = serde_json::to_value(refresh()).expect("serializes");
        json["session_exp"] = serde_json::Value::Null;
        assert!(serde_json::from_value::<WireClaims>(json.clone()).is_err());
        json["session_exp"] = "30".into();
        assert!(serde_json::from_value::<WireClaims>(json.clone()).is_err());
        json.as_object_mut().expect("object").remove("session_exp");
        let parsed = serde_json::from_value::<WireClaims>(json).expect("absent is fine");
        assert_eq!(parsed.session_exp, None);
    }

    #[test]
    fn client_id_is_read_only_when_present_and_a_string() {
        let mut json = serde_json::to_value(wire()).expect("serializes");
        json["client_id"] = serde_json::Value::Null;
        assert!(serde_json::from_value::<WireClaims>(json.clone()).is_err());
        json["client_id"] = 7.into();
        assert!(serde_json::from_value::<WireClaims>(json.clone()).is_err());
        json.as_object_mut().expect("object").remove("client_id");
        let old = serde_json::from_value::<WireClaims>(json).expect("absent is fine");
        assert_eq!(old.into_claims().expect("valid").client_id, None);
    }

    #[test]
    fn an_access_token_with_a_session_end_is_not_signed() {
        let mut claims = refresh().into_claims().expect("valid");
        assert!(WireClaims::from_claims(&claims, "i", "a", true).is_ok());
        claims.kind = TokenKind::Access;
        assert!(WireClaims::from_claims(&claims, "i", "a", true).is_err());
        claims.session_expires_at = None;
        assert!(WireClaims::from_claims(&claims, "i", "a", true).is_ok());
    }

    #[test]
    fn the_current_profile_needs_a_client_and_the_earlier_one_has_none() {
        let mut claims = wire().into_claims().expect("valid");
        let legacy = WireClaims::from_claims(&claims, "i", "a", false).expect("signable");
        assert_eq!(legacy.client_id, None);
        claims.client_id = None;
        assert!(matches!(
            WireClaims::from_claims(&claims, "i", "a", true),
            Err(UnsignableClaims::NoClient)
        ));
        assert!(WireClaims::from_claims(&claims, "i", "a", false).is_ok());
    }
}
