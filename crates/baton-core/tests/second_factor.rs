//! The fakes of the second-factor ports pass the suites the real adapters (`baton-mfa`,
//! `baton-passkeys`) pass, so core tests written against them hold for the real ones.

use std::sync::Arc;

use baton_core::ports::SecretSealer;
use baton_core::testing::contract::passkeys::PasskeySubject;
use baton_core::testing::contract::sealing::SealerSubject;
use baton_core::testing::contract::totp::TotpSubject;
use baton_core::testing::{FakeAuthenticator, FakePasskeys, FakeSealer, RefTotp};
use std::sync::atomic::{AtomicU64, Ordering};

fn reference_engine() -> TotpSubject {
    TotpSubject { engine: Arc::new(RefTotp::new("Baton Test")), issuer: "Baton Test".into() }
}

fn fake_sealers() -> SealerSubject {
    SealerSubject {
        make: Box::new(|ids| Arc::new(FakeSealer::named(ids)) as Arc<dyn SecretSealer>),
    }
}

fn fake_passkeys() -> PasskeySubject {
    static DEVICES: AtomicU64 = AtomicU64::new(0);
    PasskeySubject {
        passkeys: Arc::new(FakePasskeys::default()),
        authenticator: Box::new(|| {
            Box::new(FakeAuthenticator::new(DEVICES.fetch_add(1, Ordering::SeqCst)))
        }),
    }
}

mod reference_totp {
    baton_core::totp_contract!(crate::reference_engine());
}

mod fake_sealer {
    baton_core::sealing_contract!(crate::fake_sealers());
}

mod fake_passkeys {
    baton_core::passkeys_contract!(crate::fake_passkeys());
}
