//! Random bytes, for secrets the core makes itself (TOTP secrets, recovery codes).

/// Fills buffers with unpredictable bytes from a cryptographically secure generator: every
/// TOTP secret and recovery code comes from it, so a predictable source would let anyone
/// compute them. A port (rather than a `rand` call) so core tests run on a fixed sequence
/// (`testing::SeqBytes`); in production the operating system's generator (`baton-mfa`'s
/// `OsRandomBytes`).
pub trait RandomBytes: Send + Sync {
    /// Overwrites all of `dest` with random bytes. MUST NOT fail silently: a generator that
    /// cannot deliver panics rather than hand back predictable bytes.
    fn fill(&self, dest: &mut [u8]);
}
