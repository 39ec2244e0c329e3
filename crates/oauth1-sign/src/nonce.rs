//! Nonces: 128 bits from the operating system ([`random_nonce`]), or, for
//! [`crate::Signer::sign_now`], from a keyed pseudo-random function seeded
//! once from the operating system, so that a signature costs no system call.
//!
//! A [`NonceSource`] holds a 512-bit key drawn from the operating system and
//! a 64-bit counter. The nonce of a signature is derived from
//! `SHA-256(key ‖ counter ‖ nanoseconds since 1970)`: the key fills exactly
//! the first block, whose compressed state is kept, so a nonce costs one
//! compression of a single fixed-length block (no length extension applies).
//!
//! - **unpredictable**: this is the keyed construction (NMAC) whose security
//!   HMAC's own proof rests on: the state after the secret key block is a
//!   secret, pseudo-random chaining value, and SHA-256's compression function
//!   keyed by its chaining value is a PRF; the key never leaves the process
//!   (it is not in `Debug`);
//! - **unique**: the counter never repeats within a source (shared by every
//!   clone of a [`crate::Signer`]), so no two signatures of one source feed
//!   the PRF the same input; two sources have independent 512-bit keys; a
//!   forked child process that inherits a source (key and counter) still
//!   differs from its parent by the nanosecond clock reading, which is also
//!   fed to the PRF.
//!
//! A nonce is 22 URL-safe base64 characters: a 20-character stem (120 PRF
//! bits), then one more PRF character (6 bits), then one character that
//! counts the draws of [`crate::SignatureShape::Unescaped`] (0 to 63), so a
//! redraw changes only the last character and the HMAC of the signature
//! resumes right after the first 21. Every character is RFC 3986 unreserved.

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

use crate::b64::{self, URL_SAFE as ALPHABET};
use crate::error::Error;

/// Fills `N` bytes from the operating system's random source.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| Error::Random(e.to_string()))?;
    Ok(bytes)
}

/// A nonce of 128 random bits from the operating system, as 22 URL-safe
/// base64 characters (all RFC 3986 unreserved, so no server mangles them).
///
/// # Errors
/// [`Error::Random`] if the system random source fails.
pub fn random_nonce() -> Result<String, Error> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<16>()?))
}

/// A keyed PRF and a counter: one nonce stem per signature, no system call.
pub(crate) struct NonceSource {
    /// SHA-256 after the 64-byte key block.
    prf: Sha256,
    counter: AtomicU64,
}

impl std::fmt::Debug for NonceSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NonceSource([redacted])")
    }
}

impl NonceSource {
    /// A source keyed with 512 bits from the operating system.
    pub(crate) fn from_os() -> Result<Self, Error> {
        Ok(Self::from_key(&random_bytes::<64>()?))
    }

    /// A source with a given key (one SHA-256 block).
    pub(crate) fn from_key(key: &[u8; 64]) -> Self {
        Self {
            prf: Sha256::new_with_prefix(key),
            counter: AtomicU64::new(0),
        }
    }

    /// The next stem; `nanos` is the clock reading of the signature.
    pub(crate) fn next(&self, nanos: u128) -> Stem {
        let count = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut prf = self.prf.clone();
        prf.update(count.to_le_bytes());
        prf.update(nanos.to_le_bytes());
        let out = prf.finalize();
        let mut text = [b'A'; 21];
        // 15 bytes are exactly 20 base64 characters.
        b64::encode(
            ALPHABET,
            out.get(..15).unwrap_or_default(),
            false,
            &mut text,
        );
        text[20] = ALPHABET[usize::from(out.get(15).copied().unwrap_or(0) >> 2)];
        Stem { text }
    }
}

/// The first 21 characters of a nonce; [`Stem::tail`] gives the last one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stem {
    text: [u8; 21],
}

impl Stem {
    /// The 21 characters.
    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.text).unwrap_or_default()
    }

    /// The last character for draw number `draw` (taken modulo 64).
    pub(crate) fn tail(draw: usize) -> Tail {
        Tail([ALPHABET[draw % 64]])
    }
}

/// The one character that differs between draws.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tail([u8; 1]);

impl AsRef<str> for Tail {
    fn as_ref(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::is_unreserved;

    #[test]
    fn stems_are_unreserved_distinct_and_keyed() {
        let a = NonceSource::from_key(&[1; 64]);
        let b = NonceSource::from_key(&[2; 64]);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            // The same clock reading every time: the counter alone separates them.
            let s = a.next(42);
            assert_eq!(s.as_str().len(), 21);
            assert!(s.as_str().bytes().all(is_unreserved));
            assert!(seen.insert(s.as_str().to_owned()));
        }
        // Another key, same inputs: other stems.
        assert!(!seen.contains(b.next(42).as_str()));
        // Same key and counter, another clock reading (a forked child): other stems.
        let c = NonceSource::from_key(&[1; 64]);
        assert!(!seen.contains(c.next(43).as_str()));
        assert!(seen.contains(c.next(42).as_str()));
        let tails: std::collections::HashSet<_> =
            (0..64).map(|d| Stem::tail(d).as_ref().to_owned()).collect();
        assert_eq!(tails.len(), 64);
    }
}
