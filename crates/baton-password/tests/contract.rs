//! bcrypt against the core's `PasswordHasher` contract (the fake hasher of the core's tests
//! runs the same suite), on the hasher's own pool.

fn bcrypt_cost_4() -> baton_core::testing::contract::hasher::HasherSubject {
    let pool = baton_password::HashPool { threads: 2, wait: std::time::Duration::from_secs(30) };
    let hasher = baton_password::BcryptHasher::new(4, pool).expect("valid cost");
    baton_core::testing::contract::hasher::HasherSubject { hasher: std::sync::Arc::new(hasher) }
}

mod bcrypt_cost_4 {
    baton_core::hasher_contract!(crate::bcrypt_cost_4());
}
