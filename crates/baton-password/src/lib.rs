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
//! bcrypt is CPU-bound (about a quarter of a core per check at cost 12), so the hasher runs it
//! on a bounded pool of its own ([`HashPool`]): at most `threads` computations at once on
//! tokio's blocking threads, so password checks never stall an async worker nor take the
//! threads other work needs. A call that finds the pool full for `wait` answers
//! [`HashError::Busy`] (503 with `Retry-After`, never 500); [`BcryptHasher::load`] feeds the
//! metrics gauges. The hasher needs a tokio runtime with its time driver (actix's has one).

#![warn(missing_docs)]

mod pool;

use std::time::Duration;

use baton_core::{HashError, Password, PasswordHash, PasswordHasher};
use pool::{BlockingPool, RunError};

pub use pool::Load;

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

/// The hasher's pool: how many bcrypt computations run at once (`passwords.threads`, one per
/// core by default in the server) and how long a call waits for room before it is
/// [`HashError::Busy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashPool {
    /// Computations at once; 0 is taken as 1.
    pub threads: usize,
    /// Longest wait for room.
    pub wait: Duration,
}

/// bcrypt at a configured cost, with a dummy hash of that cost, on a pool of its own. Cheap
/// to clone: clones share the pool.
#[derive(Debug, Clone)]
pub struct BcryptHasher {
    cost: u32,
    dummy: PasswordHash,
    pool: BlockingPool,
}

impl BcryptHasher {
    /// A hasher at `cost` (4 to 31) and its dummy hash, computing on a pool sized by `pool`.
    pub fn new(cost: u32, pool: HashPool) -> Result<Self, CostOutOfRange> {
        if !(MIN_COST..=MAX_COST).contains(&cost) {
            return Err(CostOutOfRange(cost));
        }
        let dummy = PasswordHash::new(format!("$2b${cost:02}${DUMMY_SALT_AND_DIGEST}"));
        Ok(Self { cost, dummy, pool: BlockingPool::new(pool.threads, pool.wait) })
    }

    /// The configured cost.
    pub fn cost(&self) -> u32 {
        self.cost
    }

    /// How many calls wait for the pool and how many compute now, for the metrics gauges.
    pub fn load(&self) -> Load {
        self.pool.load()
    }

    /// Runs one bcrypt computation on the pool.
    async fn compute<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        match self.pool.run(work).await {
            Ok(result) => result,
            Err(RunError::Full(_)) => {
                tracing::warn!(load = ?self.load(), "password hashing pool full");
                Err(HashError::Busy)
            }
            Err(RunError::Panicked(panicked)) => Err(HashError::failed(panicked)),
        }
    }
}

#[async_trait::async_trait]
impl PasswordHasher for BcryptHasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        // Our own check rather than bcrypt's `non_truncating_hash`: that one also refuses
        // passwords of exactly 72 bytes (it counts the C string's terminator), which bcrypt
        // hashes whole and the policy allows. See docs/DECISIONS.md.
        if password.expose().len() > MAX_INPUT_BYTES {
            return Err(HashError::failed(TooLong));
        }
        let (password, cost) = (password.clone(), self.cost);
        self.compute(move || {
            bcrypt::hash(password.expose().as_bytes(), cost)
                .map(PasswordHash::new)
                .map_err(HashError::failed)
        })
        .await
    }

    async fn verify(&self, attempt: &str, hash: &PasswordHash) -> Result<bool, HashError> {
        let (attempt, hash, dummy) = (attempt.to_owned(), hash.clone(), self.dummy.clone());
        self.compute(move || {
            let bytes = attempt.as_bytes();
            if bytes.len() > MAX_INPUT_BYTES {
                // No stored password is that long, so this cannot match; truncating could make
                // it match a password equal to its first 72 bytes. Do the same work anyway, so
                // the answer takes as long as any other mismatch.
                let _ = bcrypt::verify(&bytes[..MAX_INPUT_BYTES], dummy.as_str());
                return Ok(false);
            }
            bcrypt::verify(bytes, hash.as_str()).map_err(HashError::failed)
        })
        .await
    }

    fn dummy_hash(&self) -> &PasswordHash {
        &self.dummy
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Barrier};

    fn hasher(cost: u32) -> BcryptHasher {
        BcryptHasher::new(cost, HashPool { threads: 2, wait: Duration::from_secs(30) })
            .expect("valid cost")
    }

    #[tokio::test]
    async fn hashes_carry_the_configured_cost() {
        let h = hasher(MIN_COST);
        let password = Password::new("correct horse".into()).expect("valid");
        let hash = h.hash(&password).await.expect("hash");
        assert!(hash.as_str().starts_with("$2b$04$"), "{}", hash.as_str());
    }

    /// The timing rule without timing: the dummy is a readable hash with the very cost real
    /// hashes get, so verifying against it runs a full bcrypt at that cost, like a wrong
    /// password does.
    #[tokio::test]
    async fn the_dummy_hash_has_the_cost_of_real_hashes_at_every_cost() {
        for cost in [MIN_COST, 10, 12] {
            let h = hasher(cost);
            let dummy: bcrypt::HashParts = h.dummy_hash().as_str().parse().expect("readable");
            assert_eq!(dummy.get_cost(), cost);
            assert_eq!(h.dummy_hash().as_str().len(), 60, "a full bcrypt hash");
        }
        let h = hasher(MIN_COST);
        let password = Password::new("whatever1".into()).expect("valid");
        let real = h.hash(&password).await.expect("hash");
        let real: bcrypt::HashParts = real.as_str().parse().expect("readable");
        let dummy: bcrypt::HashParts = h.dummy_hash().as_str().parse().expect("readable");
        assert_eq!(real.get_cost(), dummy.get_cost());
    }

    #[test]
    fn refuses_a_cost_bcrypt_does_not_support() {
        let pool = HashPool { threads: 1, wait: Duration::from_secs(1) };
        assert_eq!(BcryptHasher::new(3, pool).unwrap_err(), CostOutOfRange(3));
        assert!(BcryptHasher::new(32, pool).is_err());
        assert!(!CostOutOfRange(3).to_string().contains('\n'));
    }

    /// With every thread of the pool taken for longer than the wait, a check is `Busy` (not a
    /// failure, not a mismatch) and runs no bcrypt; the load shows who waits and who runs.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_pool_is_busy_and_checks_nothing() {
        let h =
            BcryptHasher::new(MIN_COST, HashPool { threads: 1, wait: Duration::from_millis(50) })
                .expect("valid cost");
        let (started, release) = (Arc::new(Barrier::new(2)), Arc::new(Barrier::new(2)));
        let (s, r) = (started.clone(), release.clone());
        let holder = tokio::spawn({
            let h = h.clone();
            async move {
                h.compute(move || {
                    s.wait();
                    r.wait();
                    Ok(())
                })
                .await
            }
        });
        tokio::task::spawn_blocking(move || started.wait()).await.expect("joins");
        assert_eq!(h.load(), Load { waiting: 0, running: 1 });
        let dummy = h.dummy_hash().clone();
        assert!(matches!(h.verify("any password", &dummy).await, Err(HashError::Busy)));
        let password = Password::new("correct horse".into()).expect("valid");
        assert!(matches!(h.hash(&password).await, Err(HashError::Busy)));
        tokio::task::spawn_blocking(move || release.wait()).await.expect("joins");
        holder.await.expect("joins").expect("ran");
        assert!(!h.verify("any password", &dummy).await.expect("room again"));
        assert_eq!(h.load(), Load::default());
    }
}
