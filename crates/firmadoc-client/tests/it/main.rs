//! Integration tests of `firmadoc-client`, in one binary.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure report

mod delivery;
mod endpoints;
mod load;
mod pg;
mod replicas;
mod stores;
mod support;
mod tolerant;
mod webhook;
