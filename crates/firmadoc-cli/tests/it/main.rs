//! Integration tests of the `firmadoc` binary, run against mockito on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure report

mod config;
mod doctor;
mod failures;
mod hostile;
mod json_shapes;
mod network;
mod operations;
mod sandbox;
mod support;
mod untyped_json;
mod webhook;
