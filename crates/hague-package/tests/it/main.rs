//! Integration tests of hague-package (one binary, several modules).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

mod build;
mod bulletin;
mod corpus;
mod independent;
mod names;
mod package;
mod report;
mod support;
