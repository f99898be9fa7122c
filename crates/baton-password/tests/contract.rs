//! bcrypt against the core's `PasswordHasher` contract (the fake hasher of the core's tests
//! runs the same suite).

mod bcrypt_cost_4 {
    baton_core::hasher_contract!(baton_core::testing::contract::hasher::HasherSubject {
        hasher: std::sync::Arc::new(baton_password::BcryptHasher::new(4).expect("valid cost")),
    });
}
