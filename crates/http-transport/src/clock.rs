//! The injected wall clock.

use std::time::SystemTime;

/// A source of the current wall-clock time.
///
/// The transport reads it only to turn a `Retry-After` HTTP-date into a delay; it is
/// injected so that tests can fix it. Durations (timeouts, elapsed time) come from
/// tokio's monotonic clock instead.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock (the convenience layer: it is the only place that reads it).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place allowed to read the clock
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock stopped at a fixed time, for tests.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub SystemTime);

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}
