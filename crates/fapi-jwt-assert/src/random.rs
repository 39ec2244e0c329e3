//! The injected random source.
//!
//! ring's `SecureRandom` trait is sealed, so a test cannot implement it.
//! This crate therefore takes its own [`RandomSource`] for the values it
//! chooses itself (the `jti`, the certificate serial number), implemented
//! for ring's [`SystemRandom`](ring::rand::SystemRandom). The ECDSA and
//! RSA-PSS signing nonces, and key generation, always use ring's
//! `SystemRandom`: ring accepts no other source, and a predictable ECDSA
//! nonce would leak the private key.

/// A source of random bytes.
pub trait RandomSource {
    /// Fills `dest` with random bytes.
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError>;
}

/// The random source failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, thiserror::Error)]
#[error("the random source failed")]
#[non_exhaustive]
pub struct RandomError;

impl RandomError {
    /// A failure, for implementations of [`RandomSource`].
    pub fn new() -> Self {
        Self
    }
}

impl RandomSource for ring::rand::SystemRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        ring::rand::SecureRandom::fill(self, dest).map_err(|_| RandomError)
    }
}
