//! Shared helpers: peer tools and small fixtures.

use std::path::PathBuf;
use std::process::Command;

/// The workspace root.
pub(crate) fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The pinned Python of `cargo xtask tools` (XTASK_PYTHON overrides). Fails when missing.
pub(crate) fn python() -> PathBuf {
    let path = std::env::var_os("XTASK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/tools/venv/bin/python"));
    assert!(
        path.exists(),
        "Python peer tool not found at {}: run `cargo xtask tools` (or set XTASK_PYTHON)",
        path.display()
    );
    path
}

/// Runs a Python script with arguments, returns stdout; panics with stderr on failure.
pub(crate) fn run_python(script: &str, args: &[&std::ffi::OsStr]) -> String {
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

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
