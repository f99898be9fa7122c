//! The bcrypt adapter for the core's [`PasswordHasher`] port.

use baton_core::{HashError, Password, PasswordHash, PasswordHasher};

/// Lowest bcrypt cost the `bcrypt` crate accepts (tests use it for speed).
pub const MIN_COST: u32 = 4;
/// Highest bcrypt cost the `bcrypt` crate accepts.
pub const MAX_COST: u32 = 31;
/// bcrypt reads at most this many bytes of a password.
pub const MAX_INPUT_BYTES: usize = 72;

/// bcrypt at a configured cost, with a dummy hash of that cost so a
/// login for an unknown email does the same work as a wrong password (SPEC §5).
pub struct BcryptHasher {
    cost: u32,
    dummy: PasswordHash,
}

impl BcryptHasher {
    /// Builds the hasher and its dummy hash: a fixed salt and digest under the configured cost,
    /// so that verifying against it costs a full bcrypt run at `cost` and building it costs
    /// nothing (it used to be a bcrypt run at start-up: most of the time to ready).
    pub fn new(cost: u32) -> Result<Self, HashError> {
        // Salt and digest of a bcrypt hash of a random password nobody knows; a verification
        // costs what the cost field says, so the dummy needs no hashing at start-up.
        const SALT_AND_DIGEST: &str = "TzrJd9Y8aE2WMURiKLOKYucRz4IlhOW3HVxWWxMH4k1a.Zds2loBm";
        if !(MIN_COST..=MAX_COST).contains(&cost) {
            return Err(HashError(format!("bcrypt cost {cost} outside {MIN_COST}..={MAX_COST}")));
        }
        let dummy = format!("$2b${cost:02}${SALT_AND_DIGEST}");
        Ok(Self { cost, dummy: PasswordHash::new(dummy) })
    }

    /// The configured cost.
    pub fn cost(&self) -> u32 {
        self.cost
    }
}

impl PasswordHasher for BcryptHasher {
    fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        let bytes = password.expose().as_bytes();
        // bcrypt would silently ignore the tail; the core refuses such passwords already, and
        // this keeps the adapter honest on its own.
        if bytes.len() > MAX_INPUT_BYTES {
            return Err(HashError(format!("password longer than {MAX_INPUT_BYTES} bytes")));
        }
        bcrypt::hash(bytes, self.cost).map(PasswordHash::new).map_err(|e| HashError(e.to_string()))
    }

    fn verify(&self, attempt: &str, hash: &PasswordHash) -> Result<bool, HashError> {
        let bytes = attempt.as_bytes();
        if bytes.len() > MAX_INPUT_BYTES {
            // No stored password is that long, so this cannot match; truncating it could make
            // it match a password equal to its first 72 bytes. Do the same work anyway so the
            // answer takes as long as any other mismatch.
            let _ = bcrypt::verify(&bytes[..MAX_INPUT_BYTES], self.dummy.as_str());
            return Ok(false);
        }
        bcrypt::verify(bytes, hash.as_str()).map_err(|e| HashError(e.to_string()))
    }

    fn dummy_hash(&self) -> &PasswordHash {
        &self.dummy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher() -> BcryptHasher {
        BcryptHasher::new(MIN_COST).unwrap()
    }

    fn password(s: &str) -> Password {
        Password::new(s.to_owned()).unwrap()
    }

    #[test]
    fn hashes_and_verifies() {
        let h = hasher();
        let hash = h.hash(&password("correct horse")).unwrap();
        assert!(hash.as_str().starts_with("$2b$04$"));
        assert!(h.verify("correct horse", &hash).unwrap());
        assert!(!h.verify("correct horsE", &hash).unwrap());
        assert!(!h.verify("", &hash).unwrap());
    }

    #[test]
    fn salts_every_hash() {
        let h = hasher();
        let p = password("same password");
        assert_ne!(h.hash(&p).unwrap(), h.hash(&p).unwrap());
    }

    #[test]
    fn uses_all_72_bytes_and_never_truncates_longer_attempts() {
        let h = hasher();
        let max = "x".repeat(72);
        let hash = h.hash(&password(&max)).unwrap();
        assert!(h.verify(&max, &hash).unwrap());
        assert!(!h.verify(&"x".repeat(71), &hash).unwrap());
        // Same first 72 bytes plus a tail: plain bcrypt would say yes.
        assert!(!h.verify(&format!("{max}y"), &hash).unwrap());
        assert!(!h.verify(&"x".repeat(1_000), &hash).unwrap());
    }

    #[test]
    fn dummy_hash_has_the_configured_cost_and_matches_nothing_obvious() {
        let h = hasher();
        assert_eq!(h.cost(), MIN_COST);
        assert!(h.dummy_hash().as_str().starts_with("$2b$04$"));
        for attempt in ["", "password", "12345678"] {
            assert!(!h.verify(attempt, h.dummy_hash()).unwrap());
        }
    }

    #[test]
    fn a_corrupt_stored_hash_is_an_error_not_a_match() {
        let h = hasher();
        assert!(h.verify("whatever1", &PasswordHash::new("not-a-hash".into())).is_err());
    }

    #[test]
    fn refuses_a_cost_bcrypt_does_not_support() {
        assert!(BcryptHasher::new(3).is_err());
    }
}
