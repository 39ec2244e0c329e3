//! Typed errors. None carries a secret: no consumer secret, no signature,
//! no signed URL.

use http::StatusCode;

/// What can go wrong in a FirmaDocumentos call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 401: the service refused the OAuth signature.
    #[error(
        "FirmaDocumentos refused the authentication (401) for {operation}. Usual causes: the machine's clock is off \
         (OAuth timestamps must be within minutes of the server's), a wrong consumer secret, or credentials for the \
         other environment (test and production have their own)"
    )]
    Authentication {
        /// The operation, as a path template (`/send/Sending`).
        operation: &'static str,
    },
    /// 418: the service refused the request and said why.
    #[error("FirmaDocumentos refused {operation} (418): {message}")]
    Service {
        /// The operation.
        operation: &'static str,
        /// The text the service returned.
        message: String,
    },
    /// Any other unexpected status.
    #[error("FirmaDocumentos answered {status} to {operation}: {excerpt}")]
    Status {
        /// The operation.
        operation: &'static str,
        /// The status.
        status: StatusCode,
        /// The beginning of the body (at most 512 bytes).
        excerpt: String,
    },
    /// The reply could not be understood; the raw body is kept. Raised only by
    /// [`crate::Reply::into_typed`], when the caller asks for it: the client
    /// itself returns an untyped 2xx reply as [`crate::Reply::Raw`].
    #[error(
        "the reply to {operation} is not what the guide describes ({reason}); the raw body is kept in the error"
    )]
    Reply {
        /// The operation.
        operation: &'static str,
        /// What did not parse.
        reason: String,
        /// The raw body.
        raw: bytes::Bytes,
    },
    /// The request was refused by the model's rules before anything was sent.
    #[error(transparent)]
    Model(#[from] firmadoc_model::ModelError),
    /// A sending or recipient code is malformed.
    #[error(transparent)]
    Code(#[from] firmadoc_model::CodeError),
    /// Signing failed (a bad base URL, an empty consumer key).
    #[error("cannot sign the request: {0}")]
    Signing(#[from] oauth1_sign::Error),
    /// The network, TLS, a timeout, a body limit.
    #[error(transparent)]
    Transport(#[from] http_transport::Error),
    /// Configuration is missing or invalid.
    #[error("{0}")]
    Config(String),
    /// The downloaded document does not match the sending detail's `CodHash`
    /// ("para verificar la integridad del documento"), or the detail gave no
    /// hash to check against. Nothing was written.
    #[error(
        "the document of {code} fails its integrity check: {reason}; nothing was written (download it again, and if it persists the document was altered or the service is inconsistent)"
    )]
    Integrity {
        /// The sending or recipient code.
        code: String,
        /// What did not match.
        reason: String,
    },
    /// Writing a downloaded document failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The target path.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl Error {
    /// The process exit code the command-line tool uses for this error
    /// (2 usage/config, 3 authentication, 4 service, 5 invalid input, 6 network).
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Config(_) => 2,
            Self::Authentication { .. } => 3,
            Self::Service { .. }
            | Self::Status { .. }
            | Self::Reply { .. }
            | Self::Integrity { .. } => 4,
            Self::Model(_) | Self::Code(_) | Self::Signing(_) | Self::Io { .. } => 5,
            Self::Transport(_) => 6,
        }
    }
}
