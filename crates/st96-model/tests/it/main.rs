//! Integration tests for st96-model (one binary; see docs/contributing.md).

// Test helpers outside #[test] functions unwrap too: a failure there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod builders;
mod bulletin;
mod common;
mod deadline;
mod lxml;
mod office;
mod props;
mod status;
mod synth;
