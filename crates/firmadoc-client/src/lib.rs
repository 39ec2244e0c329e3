#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod client;
mod config;
mod decode;
mod error;
mod reply;
pub mod webhook;

pub use client::Client;
pub use config::{ClientConfig, Environment, env};
pub use error::Error;
pub use reply::{Download, Reply, Written};

// The model and signer types the client speaks, re-exported for convenience.
pub use firmadoc_model as model;
pub use oauth1_sign::{Credentials, SignatureShape};
