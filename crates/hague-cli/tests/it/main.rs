//! Command-line tests: the `hague` binary against mockito on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bulletin;
mod doctor;
mod export;
mod failures;
mod hostile;
mod json_shapes;
mod keygen;
mod network;
mod package;
mod quickstart;
mod sandbox;
mod service;
mod support;
mod worklist;
