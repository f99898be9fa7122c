//! The adapters of this crate pass the core's contract suites: the TOTP engine against RFC
//! 6238's vectors and an independent HOTP, the sealer for rotation, binding and tampering.

use std::sync::Arc;

use baton_core::ports::SecretSealer;
use baton_core::testing::contract::sealing::SealerSubject;
use baton_core::testing::contract::totp::TotpSubject;
use baton_mfa::{AesGcmSealer, TotpRs};
use sha2::{Digest, Sha256};

fn engine() -> TotpSubject {
    let engine = TotpRs::new("Baton Test").expect("a valid issuer");
    TotpSubject { engine: Arc::new(engine), issuer: "Baton Test".into() }
}

fn sealers() -> SealerSubject {
    // Each key name stands for fixed key material, as a configuration would hold it.
    let key = |name: &str| -> [u8; 32] { Sha256::digest(name.as_bytes()).into() };
    SealerSubject {
        make: Box::new(move |names| {
            let keys: Vec<[u8; 32]> = names.iter().map(|n| key(n)).collect();
            Arc::new(AesGcmSealer::new(&keys).expect("valid keys")) as Arc<dyn SecretSealer>
        }),
    }
}

mod totp_rs {
    baton_core::totp_contract!(crate::engine());
}

mod aes_gcm {
    baton_core::sealing_contract!(crate::sealers());
}
