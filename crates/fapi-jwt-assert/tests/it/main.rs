//! Integration tests of `fapi-jwt-assert`: one binary, several modules.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should stop loudly (clippy.toml allows it in #[test] fns)

mod assertion;
mod keys;
mod oidc_provider;
mod openssl_pyjwt;
mod support;
