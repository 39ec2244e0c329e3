#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod client;
mod config;
mod error;
mod token;
mod wait;
mod week;

pub use client::{Client, ImportId, PACKAGE_CONTENT_TYPE, PING_PATH, Publication, Submission};
pub use config::{
    Config, Preset, Provider, WIPO_DEV_ISSUER, WIPO_EXAMPLE_CLIENT_ID, WIPO_EXAMPLE_SCOPE,
};
pub use error::{Error, WipoError, WipoErrorDetail};
pub use token::TokenInfo;
pub use wait::PollPolicy;
pub use week::{WeekId, WeekIdError, iso_weeks_in_year};

// Re-exported so that callers use the same versions.
pub use fapi_jwt_assert::{
    AccessToken, AssertionOptions, Audience, CachePolicy, KeyId, OAuthErrorCode, SigningKey,
};
pub use hague_package::ValidationOptions;
pub use http_transport::{Download, Progress, Restart, TransportConfig};
pub use st96_model::{ImportStatus, ProcessingStatus, ServiceRequestStatus};
