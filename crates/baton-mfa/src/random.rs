//! The operating system's random bytes.

use baton_core::ports::RandomBytes;

/// [`RandomBytes`] from the operating system's CSPRNG (`getrandom`): what every TOTP secret
/// and recovery code is drawn from.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandomBytes;

impl RandomBytes for OsRandomBytes {
    fn fill(&self, dest: &mut [u8]) {
        // The port's contract: never hand back predictable bytes. An OS without a working
        // generator cannot run Baton safely at all.
        if let Err(e) = getrandom::fill(dest) {
            panic!("the operating system's random generator failed: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_every_byte_and_never_twice_the_same() {
        let (mut a, mut b) = ([0u8; 64], [0u8; 64]);
        OsRandomBytes.fill(&mut a);
        OsRandomBytes.fill(&mut b);
        assert_ne!(a, b);
        assert_ne!(a, [0u8; 64]);
    }
}
