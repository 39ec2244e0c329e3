//! hague-client integration tests: mockito and small raw servers on loopback, and a real
//! OpenID Provider (npm `oidc-provider`) for the token path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod config;
mod errors;
mod operations;
mod provider;
mod support;
mod tls;
mod token;
mod week;
