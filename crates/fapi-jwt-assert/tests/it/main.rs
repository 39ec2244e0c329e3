//! Integration tests of `fapi-jwt-assert`: one binary, several modules.

mod assertion;
mod keys;
mod oidc_provider;
mod openssl_pyjwt;
mod support;
