//! Baton's [`PasswordHasher`] adapter: bcrypt at a configured cost (SPEC §5).
//!
//! Two rules beyond "hash and verify":
//! - **Never truncate.** bcrypt reads at most 72 bytes. The core refuses longer passwords at
//!   registration; here a longer *attempt* never matches (it could otherwise match a password
//!   equal to its first 72 bytes), after the same work as any other mismatch.
//! - **Unknown emails cost what wrong passwords cost.** [`BcryptHasher::dummy_hash`] is a
//!   valid hash at the configured cost that nothing matches; the core verifies unknown emails
//!   against it.
//!
//! bcrypt is CPU-bound (about a quarter of a core per check at cost 12); the server runs it on
//! its own bounded thread pool so that password checks never hold up token work.

#![warn(missing_docs)]

use baton_core::{HashError, Password, PasswordHash, PasswordHasher};

/// Lowest bcrypt cost the `bcrypt` crate accepts (tests use it for speed).
pub const MIN_COST: u32 = 4;
/// Highest bcrypt cost the `bcrypt` crate accepts.
pub const MAX_COST: u32 = 31;
/// bcrypt reads at most this many bytes of a password.
pub const MAX_INPUT_BYTES: usize = 72;

/// Salt and digest of a bcrypt hash of a random password nobody knows. With any cost field in
/// front it is a valid hash whose verification costs what the field says, so the dummy needs
/// no hashing at start-up (that used to be most of the time to ready).
const DUMMY_SALT_AND_DIGEST: &str = "TzrJd9Y8aE2WMURiKLOKYucRz4IlhOW3HVxWWxMH4k1a.Zds2loBm";

/// The configuration cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bcrypt cost {0} is outside {MIN_COST}..={MAX_COST}")]
pub struct CostOutOfRange(pub u32);

/// A password longer than bcrypt can take whole was given to `hash` (the core's policy
/// refuses such passwords first; this keeps the adapter honest on its own).
#[derive(Debug, thiserror::Error)]
#[error("password longer than {MAX_INPUT_BYTES} bytes: bcrypt would ignore the rest")]
struct TooLong;

/// bcrypt at a configured cost, with a dummy hash of that cost.
#[derive(Debug, Clone)]
pub struct BcryptHasher {
    cost: u32,
    dummy: PasswordHash,
}

impl BcryptHasher {
    /// A hasher at `cost` (4 to 31) and its dummy hash.
    pub fn new(cost: u32) -> Result<Self, CostOutOfRange> {
        if !(MIN_COST..=MAX_COST).contains(&cost) {
            return Err(CostOutOfRange(cost));
        }
        let dummy = PasswordHash::new(format!("$2b${cost:02}${DUMMY_SALT_AND_DIGEST}"));
        Ok(Self { cost, dummy })
    }

    /// The configured cost.
    pub fn cost(&self) -> u32 {
        self.cost
    }
}

impl PasswordHasher for BcryptHasher {
    fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        let bytes = password.expose().as_bytes();
        // Our own check rather than bcrypt's `non_truncating_hash`: that one also refuses
        // passwords of exactly 72 bytes (it counts the C string's terminator), which bcrypt
        // hashes whole and the policy allows. See docs/DECISIONS.md.
        if bytes.len() > MAX_INPUT_BYTES {
            return Err(HashError(Box::new(TooLong)));
        }
        bcrypt::hash(bytes, self.cost).map(PasswordHash::new).map_err(|e| HashError(Box::new(e)))
    }

    fn verify(&self, attempt: &str, hash: &PasswordHash) -> Result<bool, HashError> {
        let bytes = attempt.as_bytes();
        if bytes.len() > MAX_INPUT_BYTES {
            // No stored password is that long, so this cannot match; truncating could make it
            // match a password equal to its first 72 bytes. Do the same work anyway, so the
            // answer takes as long as any other mismatch.
            let _ = bcrypt::verify(&bytes[..MAX_INPUT_BYTES], self.dummy.as_str());
            return Ok(false);
        }
        bcrypt::verify(bytes, hash.as_str()).map_err(|e| HashError(Box::new(e)))
    }

    fn dummy_hash(&self) -> &PasswordHash {
        &self.dummy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_carry_the_configured_cost() {
        let h = BcryptHasher::new(MIN_COST).expect("valid cost");
        let hash = h.hash(&Password::new("correct horse".into()).expect("valid")).expect("hash");
        assert!(hash.as_str().starts_with("$2b$04$"), "{}", hash.as_str());
    }

    /// The timing rule without timing: the dummy is a readable hash with the very cost real
    /// hashes get, so verifying against it runs a full bcrypt at that cost, like a wrong
    /// password does.
    #[test]
    fn the_dummy_hash_has_the_cost_of_real_hashes_at_every_cost() {
        for cost in [MIN_COST, 10, 12] {
            let h = BcryptHasher::new(cost).expect("valid cost");
            let dummy: bcrypt::HashParts = h.dummy_hash().as_str().parse().expect("readable");
            assert_eq!(dummy.get_cost(), cost);
            assert_eq!(h.dummy_hash().as_str().len(), 60, "a full bcrypt hash");
        }
        let h = BcryptHasher::new(MIN_COST).expect("valid cost");
        let real = h.hash(&Password::new("whatever1".into()).expect("valid")).expect("hash");
        let real: bcrypt::HashParts = real.as_str().parse().expect("readable");
        let dummy: bcrypt::HashParts = h.dummy_hash().as_str().parse().expect("readable");
        assert_eq!(real.get_cost(), dummy.get_cost());
    }

    #[test]
    fn refuses_a_cost_bcrypt_does_not_support() {
        assert_eq!(BcryptHasher::new(3).unwrap_err(), CostOutOfRange(3));
        assert!(BcryptHasher::new(32).is_err());
        assert!(!CostOutOfRange(3).to_string().contains('\n'));
    }
}
