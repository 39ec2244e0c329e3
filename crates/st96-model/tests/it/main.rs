//! Integration tests for st96-model (one binary; see docs/contributing.md).

mod builders;
mod bulletin;
mod common;
mod office;
mod props;
mod status;
mod synth;
