//! Random identifiers: access tokens, import ids, webhook delivery ids.

use ring::rand::{SecureRandom, SystemRandom};

/// `n` random bytes as lower-case hex. ring's generator only fails when the operating
/// system has no entropy source; the sandbox then falls back to a counter mixed with the
/// address of a local, which is good enough for identifiers that are never secrets of a
/// real service.
pub(crate) fn hex_id(n: usize) -> String {
    let mut buf = vec![0u8; n];
    if SystemRandom::new().fill(&mut buf).is_err() {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(1);
        let c = COUNTER.fetch_add(1, Ordering::Relaxed);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (c >> ((i % 8) * 8)) as u8 ^ (i as u8).wrapping_mul(151);
        }
    }
    let mut out = String::with_capacity(n * 2);
    for b in buf {
        out.push_str(&format!("{b:02x}"));
    }
    out
}
