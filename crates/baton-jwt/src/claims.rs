//! The claims as they travel inside the JWT, and their conversion to and from the core's
//! [`Claims`].
//!
//! The wire struct fixes the claim set and its order, so that equal claims serialize to equal
//! bytes (the core re-mints refresh tokens and compares hashes). On the way in every claim is
//! required and no other claim is allowed.

use baton_core::{Claims, TokenKind};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// The JWT payload, field for field (SPEC §3). Field order is the serialization order.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WireClaims {
    pub(crate) iss: String,
    pub(crate) aud: String,
    pub(crate) sub: String,
    pub(crate) sid: String,
    pub(crate) jti: String,
    pub(crate) iat: i64,
    pub(crate) nbf: i64,
    pub(crate) exp: i64,
    pub(crate) token_type: String,
    /// The session's absolute end (refresh tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) session_exp: Option<i64>,
}

impl WireClaims {
    /// The payload for `claims`, stamped with this issuer's `iss` and `aud`.
    pub(crate) fn from_claims(claims: &Claims, issuer: &str, audience: &str) -> Self {
        Self {
            iss: issuer.to_owned(),
            aud: audience.to_owned(),
            sub: claims.user_id.hyphenated().to_string(),
            sid: claims.session_id.hyphenated().to_string(),
            jti: claims.jti.clone(),
            iat: claims.issued_at.unix_timestamp(),
            nbf: claims.not_before.unix_timestamp(),
            exp: claims.expires_at.unix_timestamp(),
            token_type: claims.kind.as_str().to_owned(),
            session_exp: claims.session_expires_at.map(OffsetDateTime::unix_timestamp),
        }
    }

    /// The core's view of the payload. `iss` and `aud` are checked by the caller; this checks
    /// that everything else has a value Baton could have written. The error is a short reason.
    pub(crate) fn into_claims(self) -> Result<Claims, &'static str> {
        Ok(Claims {
            kind: TokenKind::parse(&self.token_type).ok_or("unknown token_type")?,
            user_id: canonical_uuid(&self.sub).ok_or("sub is not a UUID")?,
            session_id: canonical_uuid(&self.sid).ok_or("sid is not a UUID")?,
            jti: self.jti,
            issued_at: instant(self.iat).ok_or("iat out of range")?,
            not_before: instant(self.nbf).ok_or("nbf out of range")?,
            expires_at: instant(self.exp).ok_or("exp out of range")?,
            session_expires_at: self
                .session_exp
                .map(|t| instant(t).ok_or("session_exp out of range"))
                .transpose()?,
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
            sid: Uuid::from_u128(2).to_string(),
            jti: "j".into(),
            iat: 10,
            nbf: 10,
            exp: 20,
            token_type: "access".into(),
            session_exp: None,
        }
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
                r#""sub":"00000000-0000-0000-0000-000000000001","#,
                r#""sid":"00000000-0000-0000-0000-000000000002","#,
                r#""jti":"j","iat":10,"nbf":10,"exp":20,"token_type":"access"}"#
            )
        );
    }
}
