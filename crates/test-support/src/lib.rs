#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Test scaffolding: a failure here should stop the test loudly, with a message.
#![allow(clippy::panic)]

#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "hws")]
pub mod hws;
pub mod measure;
#[cfg(feature = "mock")]
pub mod mock;
#[cfg(feature = "oauth1")]
pub mod oauth1;
#[cfg(feature = "oidc")]
pub mod oidc;
#[cfg(feature = "sandbox")]
pub mod sandbox;
#[cfg(feature = "tls")]
pub mod tls;
pub mod tools;
