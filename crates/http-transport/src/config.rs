//! Transport configuration.

use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::clock::{Clock, SystemClock};
use crate::error::Error;
use crate::retry::{Jitter, RandomJitter, RetryPolicy};

/// Default limit for bodies read into memory: 16 MiB.
pub const DEFAULT_MAX_BODY: u64 = 16 * 1024 * 1024;

/// The timeouts of a call. Each one is configurable; none is infinite by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Opening the TCP connection (per address tried). Default 10 s.
    pub connect: Duration,
    /// From sending the request until the response head arrived, including the TLS
    /// handshake and the wait for a pooled connection. Default 60 s.
    pub request: Duration,
    /// The longest silence allowed between two pieces of the response body. It is
    /// reset by every chunk, so a long download is fine as long as bytes keep
    /// coming. Default 30 s.
    pub idle_read: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            request: Duration::from_secs(60),
            idle_read: Duration::from_secs(30),
        }
    }
}

/// Which built-in root certificates are trusted (extra roots are added on top).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Roots {
    /// The Mozilla set compiled in from `webpki-roots` (feature `webpki-roots`, on by
    /// default).
    #[cfg(feature = "webpki-roots")]
    WebPki,
    /// The operating system's store, read by `rustls-native-certs` (feature
    /// `native-roots`).
    #[cfg(feature = "native-roots")]
    Native,
    /// No built-in root: only the extra roots given with
    /// [`TransportConfig::add_root_certificate_pem`] / [`TransportConfig::add_root_certificate_der`]
    /// are trusted. Useful for a sandbox with its own CA.
    ExtraOnly,
}

#[allow(clippy::derivable_impls)] // the default depends on the enabled features
impl Default for Roots {
    fn default() -> Self {
        #[cfg(feature = "webpki-roots")]
        {
            Self::WebPki
        }
        #[cfg(all(not(feature = "webpki-roots"), feature = "native-roots"))]
        {
            Self::Native
        }
        #[cfg(all(not(feature = "webpki-roots"), not(feature = "native-roots")))]
        {
            Self::ExtraOnly
        }
    }
}

/// Everything a [`crate::Transport`] needs. Built with chained setters:
///
/// ```
/// use std::time::Duration;
/// use http_transport::{TransportConfig, Timeouts};
///
/// let config = TransportConfig::default()
///     .timeouts(Timeouts { connect: Duration::from_secs(5), ..Timeouts::default() })
///     .max_body(1024 * 1024);
/// # let _ = config;
/// ```
///
/// There is deliberately no setting that turns certificate verification off.
#[derive(Clone)]
pub struct TransportConfig {
    pub(crate) timeouts: Timeouts,
    pub(crate) max_body: u64,
    pub(crate) roots: Roots,
    pub(crate) extra_roots: Vec<CertificateDer<'static>>,
    pub(crate) allow_plain_http: bool,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: Option<String>,
    pub(crate) pool_max_idle_per_host: usize,
    pub(crate) pool_idle_timeout: Duration,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) jitter: Arc<dyn Jitter>,
    pub(crate) resume_downloads: bool,
}

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            timeouts: Timeouts::default(),
            max_body: DEFAULT_MAX_BODY,
            roots: Roots::default(),
            extra_roots: Vec::new(),
            allow_plain_http: false,
            retry: RetryPolicy::default(),
            user_agent: Some(concat!("http-transport/", env!("CARGO_PKG_VERSION")).to_owned()),
            pool_max_idle_per_host: 8,
            pool_idle_timeout: Duration::from_secs(60),
            clock: Arc::new(SystemClock),
            jitter: Arc::new(RandomJitter),
            resume_downloads: true,
        }
    }
}

impl std::fmt::Debug for TransportConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportConfig")
            .field("timeouts", &self.timeouts)
            .field("max_body", &self.max_body)
            .field("roots", &self.roots)
            .field(
                "extra_roots",
                &format_args!("[{} certificate(s)]", self.extra_roots.len()),
            )
            .field("allow_plain_http", &self.allow_plain_http)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field("pool_max_idle_per_host", &self.pool_max_idle_per_host)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("clock", &self.clock)
            .field("jitter", &self.jitter)
            .field("resume_downloads", &self.resume_downloads)
            .finish()
    }
}

impl TransportConfig {
    /// Sets the timeouts.
    #[must_use]
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Sets the limit, in bytes, for response bodies read into memory
    /// ([`crate::Transport::send`]). Streaming downloads are not limited.
    #[must_use]
    pub fn max_body(mut self, bytes: u64) -> Self {
        self.max_body = bytes;
        self
    }

    /// Chooses the built-in root certificates.
    #[must_use]
    pub fn roots(mut self, roots: Roots) -> Self {
        self.roots = roots;
        self
    }

    /// Adds every certificate found in a PEM document as a trusted root, on top of
    /// the built-in ones (for a test or sandbox CA).
    ///
    /// # Errors
    /// [`Error::TlsConfig`] if the PEM holds no certificate or one does not parse.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Result<Self, Error> {
        let mut found = 0usize;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| Error::TlsConfig {
                reason: format!("an extra root certificate PEM block does not parse: {e}"),
            })?;
            self.extra_roots.push(cert);
            found += 1;
        }
        if found == 0 {
            return Err(Error::TlsConfig {
                reason: "the extra root PEM holds no `-----BEGIN CERTIFICATE-----` block".into(),
            });
        }
        Ok(self)
    }

    /// Adds one DER-encoded certificate as a trusted root. It is checked when the
    /// transport is built.
    #[must_use]
    pub fn add_root_certificate_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.extra_roots.push(CertificateDer::from(der.into()));
        self
    }

    /// Allows plain `http://` URLs. Off by default: every request must use `https`.
    /// Meant for tests against a local mock server.
    #[must_use]
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.allow_plain_http = allow;
        self
    }

    /// Sets the retry policy for idempotent requests.
    #[must_use]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets the `User-Agent` header added to requests that have none (`None` adds none).
    #[must_use]
    pub fn user_agent(mut self, user_agent: Option<String>) -> Self {
        self.user_agent = user_agent;
        self
    }

    /// Sets how many idle connections per host the pool keeps (default 8), and how long.
    #[must_use]
    pub fn pool(mut self, max_idle_per_host: usize, idle_timeout: Duration) -> Self {
        self.pool_max_idle_per_host = max_idle_per_host;
        self.pool_idle_timeout = idle_timeout;
        self
    }

    /// Injects the wall clock (used for `Retry-After` HTTP-dates).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Injects the jitter source of the retry backoff.
    #[must_use]
    pub fn jitter(mut self, jitter: Arc<dyn Jitter>) -> Self {
        self.jitter = jitter;
        self
    }

    /// Whether [`crate::Transport::download_to_file`] keeps an interrupted download's
    /// partial file (when the server sent an `ETag` or `Last-Modified`) and resumes it with
    /// `Range` + `If-Range` on the next download to the same target. On by default; off,
    /// every download starts from the first byte and an interrupted one leaves nothing.
    #[must_use]
    pub fn resume_downloads(mut self, resume: bool) -> Self {
        self.resume_downloads = resume;
        self
    }

    /// The configured timeouts.
    pub fn get_timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// The configured retry policy.
    pub fn get_retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// The built-in root certificates trusted (extra roots come on top).
    pub fn get_roots(&self) -> Roots {
        self.roots
    }

    /// How many extra root certificates were added (a sandbox or private CA).
    pub fn extra_root_count(&self) -> usize {
        self.extra_roots.len()
    }

    /// Whether plain `http://` URLs are allowed.
    pub fn get_allow_plain_http(&self) -> bool {
        self.allow_plain_http
    }
}
