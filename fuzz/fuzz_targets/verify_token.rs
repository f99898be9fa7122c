//! Token verification must refuse any input without panicking, for both token kinds, and
//! accept only what it signed itself.
#![no_main]

use baton_core::{TokenIssuer, TokenKind};
use baton_fuzz::{issuer, now};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let token = String::from_utf8_lossy(data);
    for kind in [TokenKind::Access, TokenKind::Refresh] {
        if let Ok(claims) = issuer().verify(&token, kind, now()) {
            // Anything accepted must be exactly what the issuer itself would sign.
            assert_eq!(claims.kind, kind);
            let resigned = issuer().sign(&claims).expect("re-sign accepted claims");
            assert!(issuer().verify(&resigned, kind, now()).is_ok());
        }
    }
});
