#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod asn1;
mod assertion;
mod cache;
mod cert;
mod discovery;
mod jwk;
mod key;
mod pem;
mod random;
mod secret;
mod token;

pub use assertion::{
    AssertionOptions, AssertionSigner, ClientAssertion, ConfigError, DEFAULT_LIFETIME, JTI_BYTES,
    KeyId, MAX_LIFETIME, SignError,
};
pub use cache::{CachePolicy, FetchReason, Lookup, TokenCache};
pub use cert::{CertificateError, OPENSSL_DEFAULT_VALIDITY};
pub use discovery::{
    Advertised, DiscoveryError, ProviderMetadata, UrlPolicy, WELL_KNOWN_PATH, discovery_url,
};
pub use jwk::PublicJwk;
pub use key::{Algorithm, KeyError, KeyType, SigningKey};
pub use secret::SecretString;
pub use token::{
    AccessToken, Audience, FORM_CONTENT_TYPE, JWT_BEARER_ASSERTION_TYPE, OAuthErrorCode,
    TokenError, TokenRequest, TokenResponse,
};

pub use random::{RandomError, RandomSource};
/// ring's system random source, which implements [`RandomSource`].
pub use ring::rand::SystemRandom;
