//! Shared helpers: peer tools and small fixtures.

use std::path::PathBuf;

/// The workspace root.
pub(crate) fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Runs a Python script with arguments, returns stdout; panics with stderr on failure.
pub(crate) use test_support::tools::run_python;

/// Deterministic pseudo-random bytes (xorshift), so image bodies do not compress.
pub(crate) fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// A fake JPEG: the JPEG signature followed by noise.
pub(crate) fn jpeg(len: usize, seed: u64) -> Vec<u8> {
    let mut v = b"\xff\xd8\xff\xe0\0\x10JFIF\0".to_vec();
    v.extend(noise(len, seed));
    v
}

/// Hex SHA-256.
pub(crate) fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
