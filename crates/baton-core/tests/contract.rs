//! The fakes of `baton_core::testing` run the same contract suites as the real adapters, so
//! the core's own tests rest on ports that behave as the real ones do.

use std::sync::Arc;

use baton_core::testing::contract::StoreSubject;
use baton_core::testing::contract::hasher::HasherSubject;
use baton_core::testing::contract::issuer::IssuerSubject;
use baton_core::testing::{FakeHasher, FakeIssuer, MemStore};

fn memory() -> StoreSubject {
    StoreSubject::new(Arc::new(MemStore::default()), Arc::new(FakeIssuer::new("contract")))
}

fn issuers() -> IssuerSubject {
    let issuer = FakeIssuer::new("b");
    issuer.sign_with("a");
    let reordered = FakeIssuer::new("a");
    reordered.sign_with("b");
    IssuerSubject {
        issuer: Arc::new(issuer),
        reordered: Arc::new(reordered),
        stranger: Arc::new(FakeIssuer::new("c")),
    }
}

mod memory_store {
    baton_core::store_contract!(crate::memory());
}

mod fake_issuer {
    baton_core::issuer_contract!(crate::issuers());
}

mod fake_hasher {
    baton_core::hasher_contract!(baton_core::testing::contract::hasher::HasherSubject {
        hasher: std::sync::Arc::new(baton_core::testing::FakeHasher::default()),
    });
}

#[allow(dead_code)]
fn _uses(_: HasherSubject, _: FakeHasher) {}
