//! The sandbox's integration tests: one binary (see docs/contributing.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bulletin;
mod common;
mod firmadoc;
mod firmadoc_events;
mod firmadoc_guide;
mod firmadoc_rules;
mod guide;
mod hws;
mod pyjwt;
mod tls;
