#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod body;
mod client;
mod clock;
mod config;
mod download;
mod error;
mod probe;
mod request;
mod resume;
mod retry;
mod tls;

pub use body::Progress;
pub use client::{Download, Transport};
pub use clock::{Clock, FixedClock, SystemClock};
pub use config::{DEFAULT_MAX_BODY, Roots, Timeouts, TransportConfig};
pub use error::{BoxError, Error, TimeoutPhase};
pub use probe::{TlsFailure, TlsPeer, probe_tls};
pub use request::{Request, Response, STATUS_EXCERPT_LEN};
pub use resume::Restart;
pub use retry::{
    Decision, FixedJitter, Jitter, Outcome, RandomJitter, RetryPolicy, StopReason,
    is_retryable_status, retry_after,
};

// Re-exported so that callers build requests with the same `http` version.
pub use http;
