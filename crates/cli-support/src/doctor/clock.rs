//! The machine's clock against the servers' `Date` headers.

use std::time::{Duration, Instant, SystemTime};

use serde_json::json;

use super::Step;
use crate::exit::ExitStatus;

/// When a clock difference is a warning and when a failure, and why (each tool
/// documents its own: OAuth 1.0 timestamps, JWT `exp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockThresholds {
    /// A difference of at least this is a warning.
    pub warn: Duration,
    /// A difference of at least this fails the step.
    pub fail: Duration,
    /// What depends on the clock, for the hint.
    pub why: &'static str,
}

/// One server's `Date`, and the machine's clock when the answer arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateSample {
    /// Which server (`API 127.0.0.1:8443`).
    pub server: String,
    /// Its `Date` header, or why there is none.
    pub date: Result<SystemTime, String>,
    /// The machine's clock when the answer arrived.
    pub local: SystemTime,
}

/// `server - local` in whole seconds: positive when the machine is behind.
fn skew(server: SystemTime, local: SystemTime) -> i64 {
    match server.duration_since(local) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// The `clock` step: the largest difference between the machine's clock and a
/// server's `Date` (which has a one-second resolution, so a second or two is
/// noise), against `thresholds`. No `Date` at all is a warning.
#[must_use]
pub fn clock_step(samples: &[DateSample], thresholds: ClockThresholds) -> Step {
    let mut worst: Option<(i64, &DateSample)> = None;
    let mut lines = Vec::new();
    let mut json_samples = Vec::new();
    for s in samples {
        match &s.date {
            Ok(date) => {
                let k = skew(*date, s.local);
                lines.push(format!(
                    "{}: Date {} / this machine {} ({})",
                    s.server,
                    httpdate::fmt_http_date(*date),
                    httpdate::fmt_http_date(s.local),
                    describe(k)
                ));
                json_samples.push(json!({"server": s.server, "date": httpdate::fmt_http_date(*date), "skew_seconds": k}));
                if worst.is_none_or(|(w, _)| k.unsigned_abs() > w.unsigned_abs()) {
                    worst = Some((k, s));
                }
            }
            Err(e) => {
                lines.push(format!("{}: no Date ({e})", s.server));
                json_samples.push(json!({"server": s.server, "date": null, "error": e}));
            }
        }
    }
    let limits = format!(
        "warning from {} s, failure from {} s",
        thresholds.warn.as_secs(),
        thresholds.fail.as_secs()
    );
    let step = match worst {
        None => Step::warning(
            "clock",
            "no server sent a Date header: the clock cannot be compared",
            format!(
                "make sure this machine's clock is synchronised (NTP): {}",
                thresholds.why
            ),
        ),
        Some((k, s)) => {
            let abs = Duration::from_secs(k.unsigned_abs());
            let summary = format!("{} ({})", describe(k), s.server);
            let hint = format!(
                "synchronise this machine's clock (NTP: `timedatectl set-ntp true`, or `chronyc makestep`): {}",
                thresholds.why
            );
            if abs >= thresholds.fail {
                Step::failed("clock", ExitStatus::Authentication, summary, hint)
            } else if abs >= thresholds.warn {
                Step::warning("clock", summary, hint)
            } else {
                Step::ok("clock", summary)
            }
            .detail("skew_seconds", k)
        }
    };
    step.lines(lines)
        .line(limits)
        .detail("samples", json_samples)
        .detail("warn_seconds", thresholds.warn.as_secs())
        .detail("fail_seconds", thresholds.fail.as_secs())
}

fn describe(k: i64) -> String {
    match k {
        0 => "this machine's clock agrees with the server's".to_owned(),
        k if k > 0 => format!("this machine's clock is {k} s behind the server's"),
        k => format!(
            "this machine's clock is {} s ahead of the server's",
            k.unsigned_abs()
        ),
    }
}

/// A wall clock that reads `start` when made and then moves with the
/// monotonic clock: the injected time of a tool's `run`, ticking, so that a
/// test can shift the doctor's clock (and the assertions it signs) by hand.
#[derive(Debug, Clone, Copy)]
pub struct StartedClock {
    start: SystemTime,
    at: Instant,
}

impl StartedClock {
    /// A clock that reads `start` now.
    #[must_use]
    pub fn new(start: SystemTime) -> Self {
        Self {
            start,
            at: Instant::now(),
        }
    }
}

impl http_transport::Clock for StartedClock {
    fn now(&self) -> SystemTime {
        self.start + self.at.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Status;

    const T: ClockThresholds = ClockThresholds {
        warn: Duration::from_secs(5),
        fail: Duration::from_secs(60),
        why: "test",
    };

    fn sample(offset: i64) -> DateSample {
        let local = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let date = if offset >= 0 {
            local + Duration::from_secs(offset.unsigned_abs())
        } else {
            local - Duration::from_secs(offset.unsigned_abs())
        };
        DateSample {
            server: "s".into(),
            date: Ok(date),
            local,
        }
    }

    #[test]
    fn thresholds() {
        assert_eq!(clock_step(&[sample(1)], T).status(), Status::Ok);
        assert_eq!(clock_step(&[sample(-5)], T).status(), Status::Warning);
        let failed = clock_step(&[sample(0), sample(-600)], T);
        assert_eq!(failed.status(), Status::Failed);
        assert!(
            failed.summary().contains("600 s ahead"),
            "{}",
            failed.summary()
        );
        let behind = clock_step(&[sample(600)], T);
        assert!(
            behind.summary().contains("600 s behind"),
            "{}",
            behind.summary()
        );
        let none = clock_step(
            &[DateSample {
                server: "s".into(),
                date: Err("none".into()),
                local: SystemTime::UNIX_EPOCH,
            }],
            T,
        );
        assert_eq!(none.status(), Status::Warning);
    }

    #[test]
    fn started_clock_ticks_from_the_injected_time() {
        use http_transport::Clock as _;
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        let c = StartedClock::new(start);
        let now = c.now();
        assert!(now >= start && now < start + Duration::from_secs(5));
    }
}
