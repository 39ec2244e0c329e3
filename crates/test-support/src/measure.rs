//! What the benchmarks measure about their own process on Linux: CPU time and
//! peak resident memory, read from `/proc/self`. A benchmark runs each reader
//! in a child process so that the peak is that reader's alone.
//!
//! On a system without `/proc` both read 0 (a benchmark then prints 0, never a
//! made-up figure).
//!
//! ```
//! # use std::time::Duration;
//! let mut latencies = vec![Duration::from_millis(3), Duration::from_millis(1)];
//! assert_eq!(test_support::measure::p99(&mut latencies), Duration::from_millis(3));
//! let cpu = test_support::measure::cpu_seconds();
//! let peak = test_support::measure::peak_rss_kb();
//! assert!(cpu >= 0.0);
//! # let _ = peak;
//! ```

/// CPU seconds (user + system) of this process so far, from `/proc/self/stat`
/// (100 ticks a second).
pub fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1;
            let f: Vec<&str> = after.split_whitespace().collect();
            let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
            Some(ticks as f64 / 100.0)
        })
        .unwrap_or(0.0)
}

/// The peak resident memory of this process so far (`VmHWM`), in KiB.
pub fn peak_rss_kb() -> u64 {
    status_kb("VmHWM")
}

/// The current resident memory of this process (`VmRSS`), in KiB.
pub fn rss_kb() -> u64 {
    status_kb("VmRSS")
}

/// A `kB` field of `/proc/self/status` (`VmHWM`, `VmRSS`, ...); 0 when absent.
pub fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.strip_prefix(field).is_some_and(|r| r.starts_with(':')))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// The 99th percentile of `latencies` (sorted in place; the nearest rank
/// below, so the largest of fewer than 100), or zero when there are none.
pub fn p99(latencies: &mut [std::time::Duration]) -> std::time::Duration {
    latencies.sort_unstable();
    let i = (latencies.len() * 99 / 100).min(latencies.len().saturating_sub(1));
    latencies.get(i).copied().unwrap_or_default()
}
