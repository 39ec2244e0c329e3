//! The crate's one integration-test binary. Every server is on loopback.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions panic on setup failures, as tests do"
)]

mod downloads;
mod host;
mod mock;
mod raw;
mod redaction;
mod resume;
mod support;
mod tls;
