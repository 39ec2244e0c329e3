//! Polling helpers: wait for a service request number, or for a processing status.

use std::time::Duration;

use st96_model::{ImportStatus, ProcessingStatus, ServiceRequestStatus};
use tokio::time::Instant;

use crate::client::{Client, ImportId};
use crate::error::Error;

/// How to poll: an exponential backoff between polls, and a deadline.
///
/// The wait before poll *n* (from the second) is `min(max_interval, initial × factor^(n-2))`,
/// shortened so as not to pass the deadline. There is no jitter: one office polls a handful
/// of ids, not enough to synchronise a herd.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct PollPolicy {
    /// The first wait (default 5 s).
    pub initial_interval: Duration,
    /// The largest wait (default 5 min).
    pub max_interval: Duration,
    /// The growth factor (default 2.0; values below 1 count as 1).
    pub factor: f64,
    /// How long to wait in total (default 1 h).
    pub deadline: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self {
            initial_interval: Duration::from_secs(5),
            max_interval: Duration::from_secs(300),
            factor: 2.0,
            deadline: Duration::from_secs(3600),
        }
    }
}

impl PollPolicy {
    /// A policy with this deadline and the default intervals.
    pub fn with_deadline(deadline: Duration) -> Self {
        Self {
            deadline,
            ..Self::default()
        }
    }

    /// Sets the intervals.
    #[must_use]
    pub fn intervals(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_interval = initial;
        self.max_interval = max;
        self
    }

    /// The wait after poll number `polls` (1-based).
    pub fn interval(&self, polls: u32) -> Duration {
        let factor = if self.factor.is_finite() {
            self.factor.max(1.0)
        } else {
            1.0
        };
        let exponent = i32::try_from(polls.saturating_sub(1).min(64)).unwrap_or(64);
        let secs = self.initial_interval.as_secs_f64() * factor.powi(exponent);
        if !secs.is_finite() || secs >= self.max_interval.as_secs_f64() {
            self.max_interval
        } else {
            Duration::from_secs_f64(secs)
        }
    }
}

impl Client {
    /// Polls [`Client::import_status`] until the reply carries a service request number,
    /// and returns that reply. An import that HWS reports as failed or refused
    /// ([`ImportStatus::is_failed`], **inferred** values) ends the wait at once.
    ///
    /// # Errors
    /// [`Error::ImportFailed`] with the reply, [`Error::DeadlineReached`] with the last raw
    /// reply, or the first error of a poll (the transport already retries connect failures,
    /// 429 and 5xx gateway errors).
    pub async fn wait_for_service_request(
        &self,
        id: &ImportId,
        policy: PollPolicy,
    ) -> Result<ImportStatus, Error> {
        self.wait_for_import(id, policy, |s| s.service_request_number.is_some())
            .await
    }

    /// Polls [`Client::import_status`] until `done` accepts the reply, and returns it. A reply
    /// that `done` does not accept and that reads as a failed import
    /// ([`ImportStatus::is_failed`]) ends the wait with [`Error::ImportFailed`]; to stop on
    /// other import states of your own, accept them in `done`.
    ///
    /// # Errors
    /// As [`Client::wait_for_service_request`].
    pub async fn wait_for_import(
        &self,
        id: &ImportId,
        policy: PollPolicy,
        done: impl Fn(&ImportStatus) -> bool,
    ) -> Result<ImportStatus, Error> {
        poll(
            policy,
            || self.import_status(id),
            |s: &ImportStatus| {
                if done(s) {
                    Ok(true)
                } else if s.is_failed() {
                    Err(Error::ImportFailed {
                        state: s.status.clone().unwrap_or_default(),
                        reply: Box::new(s.clone()),
                    })
                } else {
                    Ok(false)
                }
            },
            |s: &ImportStatus| s.raw.clone(),
            "the import to reach the awaited state",
        )
        .await
    }

    /// Polls [`Client::request_status`] until the processing status is one of `targets`,
    /// and returns that reply. A final status (Registered, Abandoned, Cancelled:
    /// [`ProcessingStatus::is_final`]) that is not a target ends the wait at once, since no
    /// other status can follow it.
    ///
    /// # Errors
    /// [`Error::FinalStatus`] with the status and the reply, [`Error::DeadlineReached`] with
    /// the last raw reply, or the first error of a poll.
    pub async fn wait_for_status(
        &self,
        service_request_id: &str,
        targets: &[ProcessingStatus],
        policy: PollPolicy,
    ) -> Result<ServiceRequestStatus, Error> {
        poll(
            policy,
            || self.request_status(service_request_id),
            |s: &ServiceRequestStatus| match &s.processing_status {
                Some(p) if targets.contains(p) => Ok(true),
                Some(p) if p.is_final() => Err(Error::FinalStatus {
                    status: p.clone(),
                    awaited: targets
                        .iter()
                        .map(ProcessingStatus::label)
                        .collect::<Vec<_>>()
                        .join(" or "),
                    reply: Box::new(s.clone()),
                }),
                _ => Ok(false),
            },
            |s: &ServiceRequestStatus| s.raw.clone(),
            "the service request to reach the target status",
        )
        .await
    }
}

async fn poll<T, F, Fut>(
    policy: PollPolicy,
    mut call: F,
    done: impl Fn(&T) -> Result<bool, Error>,
    raw: impl Fn(&T) -> String,
    what: &str,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let started = Instant::now();
    let deadline = started + policy.deadline;
    let mut polls: u32 = 0;
    loop {
        let reply = call().await?;
        polls += 1;
        if done(&reply)? {
            return Ok(reply);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(Error::DeadlineReached {
                what: what.to_owned(),
                waited: now - started,
                polls,
                last_raw: Some(raw(&reply)),
            });
        }
        let wait = policy.interval(polls).min(deadline - now);
        tracing::debug!(
            polls,
            wait_ms = wait.as_millis() as u64,
            "not yet; polling again"
        );
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_grow_and_cap() {
        let p = PollPolicy::default().intervals(Duration::from_secs(1), Duration::from_secs(10));
        assert_eq!(p.interval(1), Duration::from_secs(1));
        assert_eq!(p.interval(2), Duration::from_secs(2));
        assert_eq!(p.interval(4), Duration::from_secs(8));
        assert_eq!(p.interval(5), Duration::from_secs(10));
        assert_eq!(p.interval(u32::MAX), Duration::from_secs(10));
    }
}
