//! Typed errors. Their messages never contain a secret or a signature.

/// What can go wrong while preparing or signing a request.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The URL could not be parsed.
    #[error(
        "the URL cannot be parsed ({reason}); give an absolute http:// or https:// URL such as https://apitest.firmadocumentos.es/admin/Budget"
    )]
    InvalidUrl {
        /// Why the parser refused it.
        reason: String,
    },
    /// The port is outside 1..=65535.
    #[error(
        "the URL's port is out of range: use a port from 1 to 65535, or none for the scheme's default"
    )]
    PortOutOfRange,
    /// The scheme is neither `http` nor `https`.
    #[error(
        "the URL's scheme `{0}` is not HTTP: OAuth 1.0 signs only http:// and https:// requests"
    )]
    UnsupportedScheme(String),
    /// The URL has no host.
    #[error(
        "the URL has no host: give an absolute URL such as https://api.firmadocumentos.es/send/Sending"
    )]
    MissingHost,
    /// The HTTP method is empty or not an HTTP token.
    #[error("the HTTP method {0:?} is not valid: use a method name such as GET or POST")]
    InvalidMethod(String),
    /// The request already carries `oauth_*` parameters.
    #[error(
        "the request already carries the OAuth parameter `{0}` in its {1}: remove it; the signer adds every oauth_* parameter itself"
    )]
    AlreadySigned(String, &'static str),
    /// The consumer key is empty.
    #[error("the consumer key is empty: set it to the Consumer Key the service issued you")]
    EmptyConsumerKey,
    /// The nonce is empty or holds characters outside the RFC 3986 unreserved set.
    #[error(
        "the nonce must be non-empty and use only A-Z a-z 0-9 - . _ ~ (servers insert it unencoded)"
    )]
    InvalidNonce,
    /// An `oauth_signature_method` value this crate does not know.
    #[error("the signature method `{0}` is not supported: use HMAC-SHA1, HMAC-SHA256 or PLAINTEXT")]
    UnsupportedSignatureMethod(String),
    /// Form placement was asked for a body that is not a form.
    #[error(
        "the OAuth parameters can go in the body only when it is application/x-www-form-urlencoded: use query or header placement for this body"
    )]
    FormPlacementNeedsForm,
    /// The random source failed.
    #[error("the system random source failed ({0}); cannot draw a nonce")]
    Random(String),
    /// The system clock is before 1970.
    #[error(
        "the system clock reads a time before 1970; set the clock, OAuth timestamps are seconds since the epoch"
    )]
    Clock,
    /// A signature shape name this crate does not know.
    #[error("the signature shape `{0}` is not known: use rfc, guide or unescaped")]
    UnknownSignatureShape(String),
}
