//! Integration tests of `oauth1-sign`, in one binary.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure report

mod differential;
mod errors;
mod fast_path;
mod properties;
mod redaction;
mod vectors;
mod verify;
