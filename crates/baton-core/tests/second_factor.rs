//! The fakes of the second-factor ports pass the suites the real adapters (`baton-mfa`) pass,
//! so core tests written against them hold for the real ones.

use std::sync::Arc;

use baton_core::ports::SecretSealer;
use baton_core::testing::contract::sealing::SealerSubject;
use baton_core::testing::contract::totp::TotpSubject;
use baton_core::testing::{FakeSealer, RefTotp};

fn reference_engine() -> TotpSubject {
    TotpSubject { engine: Arc::new(RefTotp::new("Baton Test")), issuer: "Baton Test".into() }
}

fn fake_sealers() -> SealerSubject {
    SealerSubject {
        make: Box::new(|ids| Arc::new(FakeSealer::named(ids)) as Arc<dyn SecretSealer>),
    }
}

mod reference_totp {
    baton_core::totp_contract!(crate::reference_engine());
}

mod fake_sealer {
    baton_core::sealing_contract!(crate::fake_sealers());
}
