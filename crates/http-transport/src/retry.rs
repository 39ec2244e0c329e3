//! The retry policy, as a pure function of what happened.
//!
//! [`RetryPolicy::decide`] takes the request method, the outcome of the last attempt,
//! the number of attempts made, the time spent so far, the current wall-clock time
//! (for `Retry-After` dates) and a [`Jitter`] source, and answers [`Decision`]. It does
//! no I/O and reads no clock, so every case is unit-tested deterministically.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, Method, StatusCode, header::RETRY_AFTER};

/// A source of randomness for backoff jitter: a fraction in `[0.0, 1.0]`.
///
/// Injected so that tests are deterministic; [`RandomJitter`] is the default.
pub trait Jitter: Send + Sync + std::fmt::Debug {
    /// A fraction in `[0.0, 1.0]`. Values outside are clamped.
    fn fraction(&self) -> f64;
}

/// Jitter drawn from the operating system's random source (`getrandom`).
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomJitter;

impl Jitter for RandomJitter {
    fn fraction(&self) -> f64 {
        // If the OS source fails, fall back to the full (un-jittered) delay: still a
        // valid, only less spread, backoff.
        getrandom::u32().map_or(1.0, |v| f64::from(v) / f64::from(u32::MAX))
    }
}

/// A fixed jitter fraction, for tests and for callers that want no randomness.
#[derive(Debug, Clone, Copy)]
pub struct FixedJitter(pub f64);

impl Jitter for FixedJitter {
    fn fraction(&self) -> f64 {
        self.0
    }
}

/// What the last attempt produced, as far as the retry decision is concerned.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Outcome<'a> {
    /// No connection could be opened: the request was not sent.
    ConnectFailed,
    /// The server answered with this status and headers.
    Response {
        /// The status.
        status: StatusCode,
        /// The response headers (for `Retry-After`).
        headers: &'a HeaderMap,
    },
    /// Any other failure (timeout, connection cut after sending, TLS...). Never retried:
    /// the request may have been processed, or retrying would not help.
    OtherFailure,
}

/// Why the policy answered [`Decision::Stop`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// The outcome is not one that is retried (a success, a 4xx other than 429, a
    /// 500, a timeout...).
    NotRetryable,
    /// The method is not idempotent (`POST`, `PATCH`...): never retried automatically.
    NotIdempotent,
    /// [`RetryPolicy::max_attempts`] attempts were made.
    AttemptsExhausted,
    /// Waiting for the next attempt would go past [`RetryPolicy::max_total`].
    TimeBudgetExhausted,
}

/// The policy's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// Do not try again; hand the last outcome to the caller.
    Stop(StopReason),
}

/// When and how often idempotent requests are retried.
///
/// * Only idempotent methods (RFC 9110 §9.2.2: `GET`, `HEAD`, `PUT`, `DELETE`,
///   `OPTIONS`, `TRACE`) are retried, and only after a connect failure or a
///   `429`, `502`, `503` or `504` response.
/// * The wait before retry *n* (1-based) is `base = min(max_backoff, initial_backoff × 2^(n-1))`,
///   spread by "equal jitter": `base/2 + fraction × base/2`.
/// * A `Retry-After` header on the response (delay in seconds, or an HTTP-date)
///   replaces the computed backoff, without jitter, as RFC 9110 §10.2.3 asks.
/// * No retry is started once `max_attempts` attempts were made, or if the wait
///   would end past `max_total` after the first attempt started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, the first included. `1` disables retries.
    pub max_attempts: u32,
    /// The base wait before the first retry.
    pub initial_backoff: Duration,
    /// The largest computed wait (a `Retry-After` may ask for more, within `max_total`).
    pub max_backoff: Duration,
    /// The time budget for all attempts and waits together.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_total: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Decides whether to retry after an attempt.
    ///
    /// `attempts_made` counts the attempts already made (1 after the first one);
    /// `elapsed` is the time since the first attempt started; `now` is the current
    /// wall-clock time, used only to resolve a `Retry-After` HTTP-date.
    pub fn decide(
        &self,
        method: &Method,
        outcome: Outcome<'_>,
        attempts_made: u32,
        elapsed: Duration,
        now: SystemTime,
        jitter: &dyn Jitter,
    ) -> Decision {
        let retry_after = match outcome {
            Outcome::ConnectFailed => None,
            Outcome::Response { status, headers } => {
                if !is_retryable_status(status) {
                    return Decision::Stop(StopReason::NotRetryable);
                }
                retry_after(headers, now)
            }
            Outcome::OtherFailure => return Decision::Stop(StopReason::NotRetryable),
        };
        if !method.is_idempotent() {
            return Decision::Stop(StopReason::NotIdempotent);
        }
        if attempts_made >= self.max_attempts {
            return Decision::Stop(StopReason::AttemptsExhausted);
        }
        let wait = retry_after.unwrap_or_else(|| self.backoff(attempts_made, jitter));
        match elapsed.checked_add(wait) {
            Some(end) if end <= self.max_total => Decision::RetryAfter(wait),
            _ => Decision::Stop(StopReason::TimeBudgetExhausted),
        }
    }

    /// The jittered backoff before retry number `retry` (1-based).
    pub fn backoff(&self, retry: u32, jitter: &dyn Jitter) -> Duration {
        let exponent = retry.saturating_sub(1).min(31);
        let base = self
            .initial_backoff
            .checked_mul(1u32 << exponent)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff);
        let fraction = jitter.fraction();
        let fraction = if fraction.is_nan() {
            1.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        let half = base / 2;
        half + half.mul_f64(fraction)
    }
}

/// The statuses that are retried for idempotent requests: 429, 502, 503, 504.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
}

/// Reads `Retry-After` (RFC 9110 §10.2.3): a number of seconds, or an HTTP-date
/// (IMF-fixdate, or the obsolete RFC 850 and asctime forms) turned into a delay from
/// `now`. A date in the past means "now" (zero). An unparseable value is ignored.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Very long digit strings saturate rather than fail.
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use std::time::UNIX_EPOCH;

    /// RFC 9110 §5.6.7: "Sun, 06 Nov 1994 08:49:37 GMT" is 784111777 s after the epoch.
    const NOV_1994: u64 = 784_111_777;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn headers(retry_after: Option<&'static str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(v) = retry_after {
            h.insert(RETRY_AFTER, HeaderValue::from_static(v));
        }
        h
    }

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(8),
            max_total: Duration::from_secs(60),
        }
    }

    fn decide_status(method: Method, status: u16, h: &HeaderMap, attempts: u32) -> Decision {
        policy().decide(
            &method,
            Outcome::Response {
                status: StatusCode::from_u16(status).unwrap(),
                headers: h,
            },
            attempts,
            Duration::ZERO,
            at(NOV_1994),
            &FixedJitter(1.0),
        )
    }

    #[test]
    fn retries_exactly_the_listed_statuses_for_get() {
        let h = headers(None);
        for status in [429, 502, 503, 504] {
            assert_eq!(
                decide_status(Method::GET, status, &h, 1),
                Decision::RetryAfter(Duration::from_secs(1)),
                "{status}"
            );
        }
        for status in [
            200, 201, 204, 301, 400, 401, 403, 404, 408, 409, 500, 501, 505,
        ] {
            assert_eq!(
                decide_status(Method::GET, status, &h, 1),
                Decision::Stop(StopReason::NotRetryable),
                "{status}"
            );
        }
    }

    #[test]
    fn never_retries_non_idempotent_methods() {
        let h = headers(Some("1"));
        for method in [Method::POST, Method::PATCH, Method::CONNECT] {
            assert_eq!(
                decide_status(method.clone(), 503, &h, 1),
                Decision::Stop(StopReason::NotIdempotent)
            );
            let d = policy().decide(
                &method,
                Outcome::ConnectFailed,
                1,
                Duration::ZERO,
                at(0),
                &FixedJitter(0.5),
            );
            assert_eq!(d, Decision::Stop(StopReason::NotIdempotent));
        }
        for method in [
            Method::GET,
            Method::HEAD,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ] {
            assert!(matches!(
                decide_status(method, 503, &h, 1),
                Decision::RetryAfter(_)
            ));
        }
    }

    #[test]
    fn connect_failures_retry_other_failures_do_not() {
        let p = policy();
        let j = FixedJitter(0.0);
        let connect = p.decide(
            &Method::GET,
            Outcome::ConnectFailed,
            1,
            Duration::ZERO,
            at(0),
            &j,
        );
        assert_eq!(connect, Decision::RetryAfter(Duration::from_millis(500)));
        let other = p.decide(
            &Method::GET,
            Outcome::OtherFailure,
            1,
            Duration::ZERO,
            at(0),
            &j,
        );
        assert_eq!(other, Decision::Stop(StopReason::NotRetryable));
    }

    #[test]
    fn exponential_backoff_with_equal_jitter_and_cap() {
        let p = policy();
        // Full jitter fraction 1.0: the whole base; 0.0: half of it.
        let full: Vec<u64> = (1..=6)
            .map(|n| p.backoff(n, &FixedJitter(1.0)).as_millis() as u64)
            .collect();
        assert_eq!(full, [1000, 2000, 4000, 8000, 8000, 8000]);
        let half: Vec<u64> = (1..=4)
            .map(|n| p.backoff(n, &FixedJitter(0.0)).as_millis() as u64)
            .collect();
        assert_eq!(half, [500, 1000, 2000, 4000]);
        assert_eq!(
            p.backoff(3, &FixedJitter(0.25)),
            Duration::from_millis(2500)
        );
        // Out-of-range and NaN jitter are clamped, never panic.
        assert_eq!(p.backoff(1, &FixedJitter(7.0)), Duration::from_secs(1));
        assert_eq!(p.backoff(1, &FixedJitter(-1.0)), Duration::from_millis(500));
        assert_eq!(p.backoff(1, &FixedJitter(f64::NAN)), Duration::from_secs(1));
        assert_eq!(
            p.backoff(u32::MAX, &FixedJitter(1.0)),
            Duration::from_secs(8)
        );
    }

    #[test]
    fn retry_after_seconds_replaces_backoff() {
        let h = headers(Some("120"));
        assert_eq!(
            decide_status(Method::GET, 503, &h, 1),
            Decision::Stop(StopReason::TimeBudgetExhausted),
            "120 s is past the 60 s budget"
        );
        let h = headers(Some("7"));
        assert_eq!(
            decide_status(Method::GET, 429, &h, 1),
            Decision::RetryAfter(Duration::from_secs(7))
        );
    }

    #[test]
    fn retry_after_http_date_in_all_three_forms() {
        // RFC 9110 §5.6.7: the same instant in IMF-fixdate, RFC 850 and asctime forms.
        for value in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            let mut h = HeaderMap::new();
            h.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
            assert_eq!(
                retry_after(&h, at(NOV_1994 - 30)),
                Some(Duration::from_secs(30)),
                "{value}"
            );
            // A date in the past means now.
            assert_eq!(retry_after(&h, at(NOV_1994 + 5)), Some(Duration::ZERO));
        }
        // RFC 9110 §10.2.3 example.
        let h = headers(Some("Fri, 31 Dec 1999 23:59:59 GMT"));
        assert_eq!(
            retry_after(&h, at(946_684_799 - 10)),
            Some(Duration::from_secs(10))
        );
    }

    #[test]
    fn unparseable_retry_after_falls_back_to_backoff() {
        for bad in ["soon", "-5", "1.5", "", "Sun, 32 Nov 1994 08:49:37 GMT"] {
            let mut h = HeaderMap::new();
            h.insert(RETRY_AFTER, HeaderValue::from_str(bad).unwrap());
            assert_eq!(retry_after(&h, at(0)), None, "{bad:?}");
            assert_eq!(
                decide_status(Method::GET, 503, &h, 2),
                Decision::RetryAfter(Duration::from_secs(2))
            );
        }
        let h = headers(Some("99999999999999999999999999"));
        assert_eq!(
            decide_status(Method::GET, 503, &h, 1),
            Decision::Stop(StopReason::TimeBudgetExhausted)
        );
    }

    #[test]
    fn caps_attempts_and_total_time() {
        let h = headers(None);
        assert!(matches!(
            decide_status(Method::GET, 503, &h, 4),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            decide_status(Method::GET, 503, &h, 5),
            Decision::Stop(StopReason::AttemptsExhausted)
        );
        let p = policy();
        let j = FixedJitter(1.0);
        // 58 s spent, next wait 2 s: exactly on budget is allowed, 1 ms more is not.
        let ok = p.decide(
            &Method::GET,
            Outcome::ConnectFailed,
            2,
            Duration::from_secs(58),
            at(0),
            &j,
        );
        assert_eq!(ok, Decision::RetryAfter(Duration::from_secs(2)));
        let late = p.decide(
            &Method::GET,
            Outcome::ConnectFailed,
            2,
            Duration::from_millis(58_001),
            at(0),
            &j,
        );
        assert_eq!(late, Decision::Stop(StopReason::TimeBudgetExhausted));
        assert_eq!(
            RetryPolicy::never().decide(
                &Method::GET,
                Outcome::ConnectFailed,
                1,
                Duration::ZERO,
                at(0),
                &j
            ),
            Decision::Stop(StopReason::AttemptsExhausted)
        );
    }

    #[test]
    fn random_jitter_stays_in_range() {
        for _ in 0..1000 {
            let f = RandomJitter.fraction();
            assert!((0.0..=1.0).contains(&f));
        }
    }
}
