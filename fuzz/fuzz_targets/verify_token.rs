//! Token verification must refuse any input without panicking, for both token kinds, and
//! accept only what it signed itself.
#![no_main]

use baton_core::{TokenIssuer, TokenKind};
use baton_jwt::{HmacIssuer, JwtConfig, SigningKey};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use time::OffsetDateTime;

fn issuer() -> &'static HmacIssuer {
    static ISSUER: OnceLock<HmacIssuer> = OnceLock::new();
    ISSUER.get_or_init(|| {
        let keys = vec![
            SigningKey::new("k2", b"fuzzing-secret-number-two-32-bytes!!".to_vec()),
            SigningKey::new("k1", b"fuzzing-secret-number-one-32-bytes!!".to_vec()),
        ];
        HmacIssuer::new(JwtConfig::new("baton", "baton-api", keys)).expect("valid fuzz config")
    })
}

fuzz_target!(|data: &[u8]| {
    let token = String::from_utf8_lossy(data);
    let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("valid instant");
    for kind in [TokenKind::Access, TokenKind::Refresh] {
        if let Ok(claims) = issuer().verify(&token, kind, now) {
            // Anything accepted must be exactly what the issuer itself would sign.
            assert_eq!(claims.kind, kind);
            let resigned = issuer().sign(&claims).expect("re-sign accepted claims");
            assert!(issuer().verify(&resigned, kind, now).is_ok());
        }
    }
});
