//! The JOSE header: the token profiles Baton writes (told apart by `typ`), and the header of a
//! presented token, read independently of jsonwebtoken so that every parameter is checked
//! against the literal strings before any key is used.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use baton_core::TokenKind;
use serde_json::{Map, Value};

/// Header `typ` of access tokens (RFC 9068 §2.1): resource servers that check it accept
/// nothing else, so no other kind of token can pass for an access token there.
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// Header `typ` of refresh tokens: neither `JWT` nor `at+jwt`, so that an API that checks
/// `typ` (as RFC 9068 asks) refuses a refresh token even before its `aud` (Baton itself). No
/// registry names a refresh-token type; `rt+jwt` follows the `+jwt` convention of RFC 8725
/// §3.11 (docs/DECISIONS.md).
pub const REFRESH_TOKEN_TYP: &str = "rt+jwt";

/// Header `typ` of the tokens of the earlier profile (both kinds, `aud` = the APIs),
/// accepted until they expire and never written for a new token.
pub(crate) const LEGACY_TYP: &str = "JWT";

/// Header parameters that point at or carry a key (RFC 7515 §4.1.2–4.1.6). Baton picks the key
/// by `kid` from its own set only; a token naming its own key is an attack on verifiers that
/// trust it, and is refused.
const KEY_BEARING: [&str; 4] = ["jku", "jwk", "x5u", "x5c"];

/// The parameters Baton writes; every other one is refused.
const WRITTEN: [&str; 3] = ["alg", "typ", "kid"];

/// How a token of one kind is written: its header `typ`, the `aud` it names, whether it
/// carries `client_id`. The earlier profile is read only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Profile {
    /// RFC 9068: `typ: at+jwt`, `aud` = the APIs, `client_id`.
    Access,
    /// `typ: rt+jwt`, `aud` = Baton's issuer URL, `client_id`.
    Refresh,
    /// Before RFC 9068: `typ: JWT`, `aud` = the APIs for both kinds, no `client_id`; `iss`
    /// may be a previous issuer.
    Legacy,
}

impl Profile {
    /// The profile a new token of `kind` is written in.
    pub(crate) fn of(kind: TokenKind) -> Self {
        match kind {
            TokenKind::Access => Profile::Access,
            TokenKind::Refresh => Profile::Refresh,
        }
    }

    /// The header `typ` written for this profile.
    pub(crate) fn typ(self) -> &'static str {
        match self {
            Profile::Access => ACCESS_TOKEN_TYP,
            Profile::Refresh => REFRESH_TOKEN_TYP,
            Profile::Legacy => LEGACY_TYP,
        }
    }

    /// The profile a presented `typ` names. Media types compare case-insensitively and may
    /// carry the `application/` prefix (RFC 7515 §4.1.9, RFC 9068 §4), which Baton never
    /// writes but must not refuse.
    pub(crate) fn from_typ(typ: &str) -> Option<Self> {
        let lower = typ.to_ascii_lowercase();
        let short = lower.strip_prefix("application/").unwrap_or(&lower);
        [Profile::Access, Profile::Refresh, Profile::Legacy]
            .into_iter()
            .find(|p| p.typ().eq_ignore_ascii_case(short))
    }
}

/// The header of a presented token, every parameter checked to be one Baton writes.
#[derive(Debug)]
pub(crate) struct RawHeader {
    pub(crate) alg: String,
    pub(crate) typ: Option<String>,
    pub(crate) kid: Option<String>,
}

impl RawHeader {
    /// The header of `token` (compact form already checked), or a short reason: not base64url
    /// JSON, `alg`, `typ` or `kid` not strings, `crit`, a key-bearing parameter, or any other
    /// parameter Baton never writes.
    pub(crate) fn parse(token: &str) -> Result<Self, &'static str> {
        let malformed = "malformed header";
        let encoded = token.split('.').next().ok_or(malformed)?;
        let json = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| malformed)?;
        let map: Map<String, Value> = serde_json::from_slice(&json).map_err(|_| malformed)?;
        let text = |name: &str| match map.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(malformed),
        };
        let header =
            Self { alg: text("alg")?.ok_or(malformed)?, typ: text("typ")?, kid: text("kid")? };
        if map.contains_key("crit") {
            return Err("crit header not supported");
        }
        if KEY_BEARING.iter().any(|p| map.contains_key(*p)) {
            return Err("header carries or points at a key (jku, jwk, x5u, x5c)");
        }
        if map.keys().any(|k| !WRITTEN.contains(&k.as_str())) {
            return Err("unexpected header parameter");
        }
        Ok(header)
    }
}

/// Three non-empty base64url segments and nothing else.
pub(crate) fn is_compact_jws(token: &str) -> bool {
    let mut parts = 0;
    for part in token.split('.') {
        parts += 1;
        let b64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if part.is_empty() || !part.bytes().all(b64url) {
            return false;
        }
    }
    parts == 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typ_names_one_profile_each() {
        for (typ, profile) in [
            ("at+jwt", Some(Profile::Access)),
            ("AT+JWT", Some(Profile::Access)),
            ("application/at+jwt", Some(Profile::Access)),
            ("rt+jwt", Some(Profile::Refresh)),
            ("JWT", Some(Profile::Legacy)),
            ("jwt", Some(Profile::Legacy)),
            ("application/jwt", Some(Profile::Legacy)),
            ("", None),
            ("at+jwt ", None),
            ("JOSE", None),
            ("dpop+jwt", None),
            ("application/", None),
        ] {
            assert_eq!(Profile::from_typ(typ), profile, "{typ:?}");
        }
        for kind in [TokenKind::Access, TokenKind::Refresh] {
            let p = Profile::of(kind);
            assert_eq!(Profile::from_typ(p.typ()), Some(p));
        }
    }

    fn header(json: &str) -> String {
        format!("{}.e30.c2ln", URL_SAFE_NO_PAD.encode(json))
    }

    #[test]
    fn only_the_parameters_baton_writes_are_read() {
        let ok = RawHeader::parse(&header(r#"{"alg":"ES256","typ":"at+jwt","kid":"k"}"#));
        let ok = ok.expect("valid header");
        assert_eq!(
            (ok.alg.as_str(), ok.typ.as_deref(), ok.kid.as_deref()),
            ("ES256", Some("at+jwt"), Some("k"))
        );
        for (json, reason) in [
            (r#"{"typ":"JWT"}"#, "malformed header"),
            (r#"{"alg":1}"#, "malformed header"),
            (r#"{"alg":"HS256","typ":null}"#, "malformed header"),
            (r#"["alg"]"#, "malformed header"),
            (r#"{"alg":"HS256","crit":["b64"]}"#, "crit header not supported"),
            (r#"{"alg":"HS256","cty":"JWT"}"#, "unexpected header parameter"),
            (r#"{"alg":"HS256","x5t":"abc"}"#, "unexpected header parameter"),
        ] {
            assert_eq!(RawHeader::parse(&header(json)).err(), Some(reason), "{json}");
        }
        for param in KEY_BEARING {
            let json = format!(r#"{{"alg":"HS256","kid":"k","{param}":null}}"#);
            let reason = RawHeader::parse(&header(&json)).expect_err("refused");
            assert!(reason.contains("jku, jwk, x5u, x5c"), "{param}: {reason}");
        }
    }
}
