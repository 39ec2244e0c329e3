//! The client's error type, and the WIPO JSON error body.

use std::time::Duration;

use fapi_jwt_assert::{DiscoveryError, OAuthErrorCode, SignError, TokenError};
use http_transport::http::{Method, StatusCode};
use serde::Deserialize;

/// The error body WIPO's sister API (DAS, `das-api`) sends:
/// `{"error":{"code":"INVALID_INPUT_DATA","message":null,"details":[{"code":-7,"message":"…"}]}}`.
///
/// That HWS uses the same body is **inferred**; it is parsed when present and ignored
/// otherwise. Unknown members are ignored, codes are kept as text whether they came as strings
/// or numbers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct WipoError {
    /// `error.code`, for example `INVALID_INPUT_DATA`.
    pub code: Option<String>,
    /// `error.message`.
    pub message: Option<String>,
    /// `error.details`.
    pub details: Vec<WipoErrorDetail>,
}

/// One entry of `error.details`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct WipoErrorDetail {
    /// `code` (for example `-7`), as text.
    pub code: Option<String>,
    /// `message`.
    pub message: Option<String>,
}

#[derive(Deserialize)]
struct RawBody {
    error: RawError,
}

#[derive(Deserialize)]
struct RawError {
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<serde_json::Value>,
    #[serde(default)]
    details: Option<Vec<RawDetail>>,
}

#[derive(Deserialize)]
struct RawDetail {
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<serde_json::Value>,
}

fn text(value: Option<serde_json::Value>) -> Option<String> {
    match value? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

impl WipoError {
    /// Parses the body if it is a WIPO error object; `None` otherwise.
    pub fn parse(body: &[u8]) -> Option<Self> {
        let raw: RawBody = serde_json::from_slice(body).ok()?;
        Some(Self {
            code: text(raw.error.code),
            message: text(raw.error.message),
            details: raw
                .error
                .details
                .unwrap_or_default()
                .into_iter()
                .map(|d| WipoErrorDetail {
                    code: text(d.code),
                    message: text(d.message),
                })
                .collect(),
        })
    }
}

impl std::fmt::Display for WipoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "WIPO error {}",
            self.code.as_deref().unwrap_or("(no code)")
        )?;
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        for d in &self.details {
            write!(
                f,
                "; detail {}: {}",
                d.code.as_deref().unwrap_or("?"),
                d.message.as_deref().unwrap_or("")
            )?;
        }
        Ok(())
    }
}

/// Everything that can go wrong with an HWS call.
///
/// No message carries a token, an assertion, a key or a request URL's query: calls are
/// named by method and path template (`GET /request/{serviceRequestId}`). The wording is not
/// part of the API; match on the variants.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is incomplete or wrong.
    #[error("hague-client configuration: {reason}")]
    Config {
        /// What is wrong and how to fix it.
        reason: String,
    },

    /// HWS answered with a status that is not a success.
    #[error(
        "{method} {template} answered {status}{}: {excerpt}{}",
        wipo.as_ref().map(|w| format!(" ({w})")).unwrap_or_default(),
        status_hint(*status)
    )]
    Status {
        /// Method of the call.
        method: Method,
        /// Path template of the call.
        template: String,
        /// The status.
        status: StatusCode,
        /// The start of the body (at most 512 bytes, lossily decoded).
        excerpt: String,
        /// The WIPO JSON error body, when the reply is one.
        wipo: Option<Box<WipoError>>,
    },

    /// The token endpoint refused to issue a token, or answered something unusable.
    /// [`Error::oauth_error_code`] gives the RFC 6749 §5.2 `error` code.
    #[error("no access token: {source}{}", token_hint(source))]
    Token {
        /// The token error, with the provider's code.
        #[source]
        source: TokenError,
    },

    /// The provider's discovery document was refused, or its URL did not serve one
    /// (a 404: [`DiscoveryError::Status`]).
    #[error("{}{source}", discovery_at(url))]
    Discovery {
        /// Why.
        #[source]
        source: DiscoveryError,
        /// The discovery URL tried (`{issuer}/.well-known/openid-configuration`); empty
        /// when the token endpoint was given and discovery skipped.
        url: String,
    },

    /// The client assertion could not be signed.
    #[error("could not sign the client assertion: {source}")]
    Assertion {
        /// Why.
        #[source]
        source: SignError,
    },

    /// The package breaks the HWS package rules: it was **not** sent.
    #[error("the package is invalid and was not sent; fix these problems first:\n{report}")]
    PackageInvalid {
        /// Every problem found by `hague-package`.
        report: Box<hague_package::Report>,
    },

    /// The package could not be read for validation; it was not sent.
    #[error("the package could not be read for validation, it was not sent: {source}")]
    PackageUnreadable {
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// A reply from HWS was not understood. The raw body is kept.
    #[error(
        "the reply to {template} was not understood ({detail}); the raw body is kept in the error \
         (the HWS reply formats are not public: please report it)"
    )]
    UnexpectedReply {
        /// Path template of the call.
        template: String,
        /// What was missing or wrong.
        detail: String,
        /// The reply as received, lossily decoded.
        raw: String,
    },

    /// A timeout expired (connect, response head, or silence in a body). The
    /// transport's message names the host; [`Error::host`] gives it.
    #[error("{source}")]
    Timeout {
        /// The transport's error, which says which phase and which host.
        #[source]
        source: http_transport::Error,
    },

    /// The TLS handshake failed (unknown CA, wrong name, expired certificate).
    /// The transport's message names the host; [`Error::host`] gives it.
    #[error("{source}")]
    Tls {
        /// The transport's error.
        #[source]
        source: http_transport::Error,
    },

    /// `POST /request` failed after the package may have reached HWS. It was **not**
    /// retried. Check with WIPO (or wait for an import status) before sending it again.
    #[error(
        "the package with SHA-256 {package_sha256} may or may not have been received by HWS; \
         it was not sent again: check before resubmitting ({source})"
    )]
    MayHaveBeenReceived {
        /// SHA-256 of the package bytes, lowercase hex.
        package_sha256: String,
        /// The transport's error (boxed: it names the call and the host).
        #[source]
        source: Box<http_transport::Error>,
    },

    /// A wait for a processing status ended because the service request reached a final
    /// status (Registered, Abandoned or Cancelled) that is not one of those awaited: no
    /// other status can follow, so waiting longer is pointless.
    #[error(
        "the service request reached the final status {status} ({spanish}), not {awaited}: it cannot change any more, so the wait stopped",
        spanish = status.spanish_label()
    )]
    FinalStatus {
        /// The final status reached.
        status: st96_model::ProcessingStatus,
        /// The statuses that were awaited, as English labels joined by ` or `.
        awaited: String,
        /// The whole reply (raw body kept).
        reply: Box<st96_model::ServiceRequestStatus>,
    },

    /// A wait for an import ended because HWS reports the import as failed or refused
    /// (see `ImportStatus::is_failed`; the state values are **inferred**).
    #[error(
        "HWS reports the import as {state}: it will get no service request number; the reply was: {}",
        excerpt(&reply.raw)
    )]
    ImportFailed {
        /// The import state as sent.
        state: String,
        /// The whole reply (raw body kept).
        reply: Box<st96_model::ImportStatus>,
    },

    /// A wait helper reached its deadline before the target state.
    #[error(
        "gave up waiting after {waited:?} and {polls} poll(s): {what}; wait longer or check with WIPO; the last reply was: {}",
        last_raw.as_deref().map_or_else(|| "(none)".to_owned(), excerpt)
    )]
    DeadlineReached {
        /// What was awaited.
        what: String,
        /// Time spent.
        waited: Duration,
        /// Polls made.
        polls: u32,
        /// The last reply's raw body, if any.
        last_raw: Option<String>,
    },

    /// Another transport error (connect, body too large, I/O while writing a
    /// download...). A network error's message names the host; [`Error::host`] gives it.
    #[error("{source}")]
    Transport {
        /// The transport's error.
        #[source]
        source: http_transport::Error,
    },
}

/// `"OpenID discovery at URL failed: "`, or the words for a hand-given provider.
fn discovery_at(url: &str) -> String {
    if url.is_empty() {
        "the OpenID provider configuration is refused: ".to_owned()
    } else {
        format!("OpenID discovery at {url} failed: ")
    }
}

/// At most 512 characters of a raw reply, for a message.
fn excerpt(raw: &str) -> String {
    const MAX: usize = 512;
    let trimmed = raw.trim();
    match trimmed.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}… ({} bytes in all)", &trimmed[..cut], raw.len()),
        None if trimmed.is_empty() => "(empty)".to_owned(),
        None => trimmed.to_owned(),
    }
}

/// What WIPO's guide requires of a client, for hints after a refusal: the client id
/// registered with the scope WIPO gave, and calls from the registered IP address.
pub(crate) const REGISTRATION_HINT: &str = "check that the scope is the one WIPO gave with the client id, and that the request comes from the public IP address registered with WIPO (the guide: \"La petición debe provenir de la dirección IP autorizada\")";

/// After a 401 or 403 from the token endpoint: the scope and the registered IP address.
fn token_hint(source: &TokenError) -> String {
    let status = match source {
        TokenError::Rejected { status, .. } | TokenError::UnexpectedClientError { status } => {
            *status
        }
        _ => return String::new(),
    };
    if matches!(status, 401 | 403) {
        format!("; {REGISTRATION_HINT}")
    } else {
        String::new()
    }
}

fn status_hint(status: StatusCode) -> String {
    match status.as_u16() {
        401 => format!(" (the access token was refused twice: {REGISTRATION_HINT})"),
        403 => format!(" (the client is not allowed this operation: {REGISTRATION_HINT})"),
        404 => " (unknown identifier or path: check the id and the API base URL)".to_owned(),
        _ => String::new(),
    }
}

impl Error {
    /// The RFC 6749 §5.2 `error` code of a token error, if this is one.
    pub fn oauth_error_code(&self) -> Option<&OAuthErrorCode> {
        match self {
            Self::Token {
                source: TokenError::Rejected { error, .. },
            } => Some(error),
            _ => None,
        }
    }

    /// The HTTP status, for [`Error::Status`].
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The host a network error concerns (`name:port` as in the URL), when known.
    pub fn host(&self) -> Option<&str> {
        match self {
            Self::Timeout { source } | Self::Tls { source } | Self::Transport { source } => {
                source.host()
            }
            Self::MayHaveBeenReceived { source, .. } => source.host(),
            _ => None,
        }
    }

    /// Whether this is a timeout.
    pub fn is_timeout(&self) -> bool {
        match self {
            Self::Timeout { .. } => true,
            Self::MayHaveBeenReceived { source, .. } => source.is_timeout(),
            _ => false,
        }
    }
}

impl From<http_transport::Error> for Error {
    fn from(e: http_transport::Error) -> Self {
        use http_transport::Error as T;
        match e {
            T::Status {
                method,
                template,
                status,
                excerpt,
                ..
            } => {
                let wipo = WipoError::parse(excerpt.as_bytes()).map(Box::new);
                Self::Status {
                    method,
                    template,
                    status,
                    excerpt,
                    wipo,
                }
            }
            e @ T::Timeout { .. } => Self::Timeout { source: e },
            e @ T::Tls { .. } => Self::Tls { source: e },
            e => Self::Transport { source: e },
        }
    }
}
