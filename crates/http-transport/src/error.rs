//! The transport's error type.

use std::path::PathBuf;
use std::time::Duration;

use http::{Method, StatusCode};

/// A boxed error from a lower layer (hyper, rustls, the OS), kept as the `source()`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Which phase of a call ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Opening the TCP connection ([`crate::Timeouts::connect`]).
    Connect,
    /// From sending the request until the response head (status and headers) arrived,
    /// TLS handshake included ([`crate::Timeouts::request`]).
    Response,
    /// No byte of the response body arrived for too long ([`crate::Timeouts::idle_read`]).
    IdleRead,
}

impl std::fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Connect => "connecting",
            Self::Response => "waiting for the response headers",
            Self::IdleRead => "waiting for more of the response body",
        })
    }
}

/// Everything that can go wrong in a call.
///
/// The messages name the request by its method and *path template* (for example
/// `GET /request/{id}`), never by its concrete URL, query string, headers or body,
/// because tokens and signatures travel there. The wording of the messages is not
/// part of the API; match on the variants.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be built or is refused before sending (bad URL, plain
    /// `http` without [`crate::TransportConfig::allow_plain_http`], ...).
    #[error("invalid request: {reason}; fix the URL or the request before sending it again")]
    InvalidRequest {
        /// What was wrong.
        reason: String,
    },

    /// The TLS configuration could not be built (for example an extra root certificate
    /// that does not parse).
    #[error("TLS configuration error: {reason}")]
    TlsConfig {
        /// What was wrong.
        reason: String,
    },

    /// No connection could be opened (DNS, refused, unreachable). The request was
    /// not sent.
    #[error(
        "could not connect to {host} for {method} {template} after {attempts} attempt(s): {}; \
         check the base URL, the network and that the server is up",
        causes(source.as_ref())
    )]
    Connect {
        /// Method of the request.
        method: Method,
        /// Path template of the request.
        template: String,
        /// The server, `host[:port]` as in the URL (the port only when it is not the
        /// scheme's default), never user information.
        host: String,
        /// How many attempts were made.
        attempts: u32,
        /// The underlying error.
        #[source]
        source: BoxError,
    },

    /// The TLS handshake failed: the server's certificate is not trusted, has the
    /// wrong name or expired, or the protocol could not be agreed. The request was
    /// not sent. Verification cannot be switched off; add the server's CA with
    /// [`crate::TransportConfig::add_root_certificate_pem`] if it is a test CA.
    #[error(
        "TLS handshake failed with {host} for {method} {template}: {}; if the server uses a \
         private or test CA, add it as an extra root certificate",
        causes(source.as_ref())
    )]
    Tls {
        /// Method of the request.
        method: Method,
        /// Path template of the request.
        template: String,
        /// The server, `host[:port]` as in the URL.
        host: String,
        /// The rustls error.
        #[source]
        source: BoxError,
    },

    /// A timeout expired.
    #[error(
        "timed out after {after:?} while {phase} for {method} {template} on {host}; raise the \
         timeout in the transport configuration if the server is known to be slow"
    )]
    Timeout {
        /// The server, `host[:port]` as in the URL.
        host: String,
        /// Which phase.
        phase: TimeoutPhase,
        /// The configured limit that was reached.
        after: Duration,
        /// Method of the request.
        method: Method,
        /// Path template of the request.
        template: String,
    },

    /// The response body is larger than the limit for bodies read into memory.
    #[error(
        "response body of {method} {template} is larger than the in-memory limit of {limit} \
         bytes{}; stream it to a file instead, or raise the limit",
        declared.map(|d| format!(" (Content-Length: {d})")).unwrap_or_default()
    )]
    BodyTooLarge {
        /// Method of the request.
        method: Method,
        /// Path template of the request.
        template: String,
        /// The configured limit.
        limit: u64,
        /// The size the server declared in `Content-Length`, if any.
        declared: Option<u64>,
    },

    /// The server answered with a status the caller does not accept.
    #[error("{method} {template} answered {status}: {excerpt}")]
    Status {
        /// Method of the request.
        method: Method,
        /// Path template of the request.
        template: String,
        /// The status.
        status: StatusCode,
        /// The start of the body, lossily decoded as UTF-8 (at most
        /// [`crate::STATUS_EXCERPT_LEN`] bytes).
        excerpt: String,
    },

    /// A non-idempotent request (a `POST`) failed after it may have reached the
    /// server. It was **not** retried: the submission may or may not have been
    /// received. Check on the server side (for example by listing submissions)
    /// before sending it again.
    #[error(
        "{method} {template} may or may not have been received by the server{}: {source}; \
         it was not retried automatically; check on the server before sending it again",
        fingerprint.as_deref().map(|f| format!(" (fingerprint {f})")).unwrap_or_default()
    )]
    MayHaveBeenReceived {
        /// Method of the request.
        method: Method,
        /// Path template of the request.
        template: String,
        /// The caller's fingerprint of what was sent (for example the SHA-256 of
        /// the package), from [`crate::Request::fingerprint`].
        fingerprint: Option<String>,
        /// What went wrong.
        #[source]
        source: Box<Self>,
    },

    /// The connection broke or the stream ended while the response body was read.
    #[error(
        "the response body of {method} {template} from {host} was cut after {received} bytes{}: \
         {}; nothing partial was kept, try again",
        expected.map(|e| format!(" of {e}")).unwrap_or_default(),
        causes(source.as_ref())
    )]
    BodyInterrupted {
        /// Method of the request.
        method: Method,
        /// Path template of the request.
        template: String,
        /// The server, `host[:port]` as in the URL.
        host: String,
        /// Bytes received before the cut.
        received: u64,
        /// Bytes announced by `Content-Length`, if any.
        expected: Option<u64>,
        /// The underlying error.
        #[source]
        source: BoxError,
    },

    /// The HTTP exchange failed for another reason (protocol error, connection
    /// closed before the response head).
    #[error("HTTP error from {host} for {method} {template}: {}", causes(source.as_ref()))]
    Http {
        /// Method of the request.
        method: Method,
        /// Path template of the request.
        template: String,
        /// The server, `host[:port]` as in the URL.
        host: String,
        /// The underlying error.
        #[source]
        source: BoxError,
    },

    /// Local I/O failed (writing a download, creating or renaming its temporary file).
    #[error("I/O error while {context}{}: {source}", path.as_ref().map(|p| format!(" ({})", p.display())).unwrap_or_default())]
    Io {
        /// What was being done.
        context: &'static str,
        /// The file concerned, if any.
        path: Option<PathBuf>,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

/// An error and its causes, joined with `: ` (hyper's own message, "client error
/// (Connect)", hides whether DNS or the connection failed). A cause whose text is
/// already in the line is skipped. Lower layers never print the URL.
fn causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut line = err.to_string();
    let mut current = err.source();
    while let Some(e) = current {
        let text = e.to_string();
        if !text.is_empty() && !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        current = e.source();
    }
    line
}

/// `host[:port]` of a request URI for messages: the port only when it is not the
/// scheme's default; never user information (which `http::Uri` keeps in the authority).
pub(crate) fn host_of(uri: &http::Uri) -> String {
    let Some(authority) = uri.authority() else {
        return String::new();
    };
    let default = match uri.scheme_str() {
        Some(s) if s.eq_ignore_ascii_case("https") => Some(443),
        Some(s) if s.eq_ignore_ascii_case("http") => Some(80),
        _ => None,
    };
    match authority.port_u16() {
        Some(port) if Some(port) != default => format!("{}:{port}", authority.host()),
        _ => authority.host().to_owned(),
    }
}

impl Error {
    /// The server a network error concerns (`host[:port]`, the port only when not
    /// the scheme's default), for [`Error::Connect`], [`Error::Tls`],
    /// [`Error::Timeout`], [`Error::BodyInterrupted`], [`Error::Http`] and
    /// [`Error::MayHaveBeenReceived`].
    pub fn host(&self) -> Option<&str> {
        match self {
            Self::Connect { host, .. }
            | Self::Tls { host, .. }
            | Self::Timeout { host, .. }
            | Self::BodyInterrupted { host, .. }
            | Self::Http { host, .. } => Some(host.as_str()).filter(|h| !h.is_empty()),
            Self::MayHaveBeenReceived { source, .. } => source.host(),
            _ => None,
        }
    }

    /// Whether this is a [`Error::Timeout`], directly or inside
    /// [`Error::MayHaveBeenReceived`].
    pub fn is_timeout(&self) -> bool {
        match self {
            Self::Timeout { .. } => true,
            Self::MayHaveBeenReceived { source, .. } => source.is_timeout(),
            _ => false,
        }
    }

    /// Whether this is a [`Error::Tls`] handshake failure.
    pub fn is_tls(&self) -> bool {
        matches!(self, Self::Tls { .. })
    }
}

/// Finds an error of type `T` in a source chain, looking inside `std::io::Error`
/// wrappers too (their `source()` skips the wrapped error itself).
pub(crate) fn find_in_chain<'a, T: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut current: Option<&'a (dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if let Some(inner) = io.get_ref() {
                let inner: &(dyn std::error::Error + 'static) = inner;
                if let Some(found) = find_in_chain::<T>(inner) {
                    return Some(found);
                }
            }
        }
        current = e.source();
    }
    None
}

/// Whether the chain holds an `io::Error` of kind `TimedOut`.
pub(crate) fn chain_has_timed_out(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                return true;
            }
            if let Some(inner) = io.get_ref() {
                if chain_has_timed_out(inner) {
                    return true;
                }
            }
        }
        current = e.source();
    }
    false
}
