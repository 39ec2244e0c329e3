#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod b64;
mod base_string;
mod credentials;
mod digest;
mod encode;
mod endpoint;
mod error;
#[cfg(feature = "http")]
mod http;
mod method;
mod nonce;
mod options;
mod request;
mod secret;
mod sign;
mod signer;
mod verify;

pub use base_string::{base_string_uri, normalize_parameters, signature_base_string};
pub use credentials::{Credentials, Token};
pub use encode::{percent_encode, percent_encode_into};
pub use error::Error;
#[cfg(feature = "http")]
pub use http::{sign_http_request, verify_http_request};
pub use method::SignatureMethod;
pub use nonce::random_nonce;
pub use options::{Configure, SignatureShape, SigningOptions};
pub use request::{Body, Placement, Request};
pub use secret::Secret;
pub use sign::{Signed, SigningParams, sign};
pub use signer::{Signer, unix_time_now};
pub use verify::{Verified, VerifyError, VerifyOptions, verify};
