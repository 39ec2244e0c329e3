//! The convenience layer: credentials and options held once, the nonce drawn
//! from a PRF seeded by the operating system and the time from its clock,
//! and each request's fixed parts prepared once ([`Endpoint`]).

use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use crate::credentials::Credentials;
use crate::digest::PrefixedMac;
use crate::endpoint::{Endpoint, split_segment};
use crate::error::Error;
use crate::method::SignatureMethod;
use crate::nonce::{NonceSource, Stem};
use crate::options::{Configure, SigningOptions};
use crate::request::{Body, Request};
use crate::sign::Signed;

/// How many prepared requests a [`Signer`] keeps (least recently used
/// dropped first).
const ENDPOINTS: usize = 32;

/// Signs requests with fixed credentials and options.
///
/// A `Signer` prepares each request it signs once (method, URL, body kind
/// and options: the base string up to the nonce, fed to an HMAC already
/// keyed, and the URL up to the timestamp) and keeps the last 32, so that
/// signing the same endpoint again costs little more than one HMAC of the
/// hundred bytes that follow the nonce. URLs that differ only in a plain
/// last segment (`/send/Sending/{code}`) share one prepared request from the
/// second such URL on. Requests with a form body or an
/// `Authorization` header are prepared anew each time. Clones share the
/// prepared requests and the nonce source.
///
/// ```
/// use oauth1_sign::{Body, Configure as _, Credentials, Request, SignatureShape, Signer};
/// let signer = Signer::new(Credentials::new("key", "secret")?);
/// let req = Request::new("GET", "https://apitest.firmadocumentos.es/admin/Budget").body(Body::None);
/// let signed = signer.sign_now(&req)?;
/// assert!(signed.url().contains("oauth_nonce="));
/// // The default shape never leaves a `+` or `/` in the signature.
/// assert!(!signed.signature_needs_escaping());
/// let guide = signer.clone().signature_shape(SignatureShape::Guide);
/// assert!(!guide.sign_now(&req)?.url().contains("%2B"));
/// # Ok::<(), oauth1_sign::Error>(())
/// ```
#[derive(Clone)]
pub struct Signer {
    credentials: Credentials,
    options: SigningOptions,
    shared: Arc<Shared>,
}

/// What clones of a [`Signer`] share.
#[derive(Default)]
struct Shared {
    nonces: OnceLock<NonceSource>,
    /// The HMAC keyed with the credentials' key, per method.
    sha1: OnceLock<Option<PrefixedMac>>,
    sha256: OnceLock<Option<PrefixedMac>>,
    /// Most recently used first.
    endpoints: Mutex<Vec<Arc<Endpoint>>>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let prepared = self
            .shared
            .endpoints
            .lock()
            .map_or(0, |endpoints| endpoints.len());
        f.debug_struct("Signer")
            .field("credentials", &self.credentials)
            .field("options", &self.options)
            .field("prepared_requests", &prepared)
            .finish_non_exhaustive()
    }
}

impl Configure for Signer {
    fn options_mut(&mut self) -> &mut SigningOptions {
        &mut self.options
    }
}

impl Signer {
    /// HMAC-SHA1, query placement, `oauth_version=1.0`,
    /// [`crate::SignatureShape::Unescaped`]: the FirmaDocumentos shape.
    /// Change any of them with the [`Configure`] setters.
    #[must_use]
    pub fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            options: SigningOptions::new(),
            shared: Arc::default(),
        }
    }

    /// The options.
    #[must_use]
    pub const fn options(&self) -> &SigningOptions {
        &self.options
    }

    /// The credentials.
    #[must_use]
    pub const fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Signs at a given time with nonces from `next_nonce`: deterministic.
    ///
    /// With [`crate::SignatureShape::Unescaped`], nonces are drawn until
    /// the signature holds no `+` or `/` (at most 64, then the last is
    /// written RFC-encoded). The result is byte for byte what [`crate::sign`]
    /// gives with the last nonce drawn.
    ///
    /// # Errors
    /// The errors of [`crate::sign`], or of `next_nonce`.
    pub fn sign_with<F>(
        &self,
        request: &Request<'_>,
        timestamp: u64,
        mut next_nonce: F,
    ) -> Result<Signed, Error>
    where
        F: FnMut() -> Result<String, Error>,
    {
        let (endpoint, segment) = self.endpoint(request)?;
        endpoint.sign(segment, timestamp, "", |_| next_nonce())
    }

    /// Signs now: the timestamp from the system clock, the nonce from the
    /// signer's nonce source, a SHA-256 pseudo-random function keyed once
    /// with 512 bits from the operating system, fed a counter and the clock
    /// in nanoseconds (so no system call per signature). The nonce is
    /// 22 URL-safe base64 characters: 21 from the PRF (126 bits), and one
    /// that numbers the draws of [`crate::SignatureShape::Unescaped`], so a
    /// redraw changes only the last character. Nonces are unpredictable
    /// without the key, and unique: the counter never repeats within a
    /// source (clones share it), sources have independent keys, and a
    /// forked child that inherits a source still reads another clock.
    ///
    /// # Errors
    /// The errors of [`crate::sign`]; [`Error::Random`] if the operating
    /// system cannot seed the nonce source (first call only) or
    /// [`Error::Clock`] if the clock reads before 1970.
    pub fn sign_now(&self, request: &Request<'_>) -> Result<Signed, Error> {
        let now = since_epoch()?;
        let (endpoint, segment) = self.endpoint(request)?;
        let stem = self.nonces()?.next(now.as_nanos());
        endpoint.sign(segment, now.as_secs(), stem.as_str(), |draw| {
            Ok(Stem::tail(draw))
        })
    }

    fn nonces(&self) -> Result<&NonceSource, Error> {
        if let Some(source) = self.shared.nonces.get() {
            return Ok(source);
        }
        let source = NonceSource::from_os()?;
        Ok(self.shared.nonces.get_or_init(|| source))
    }

    /// The HMAC keyed with the credentials, kept once per method.
    fn keyed(&self, method: SignatureMethod) -> Option<PrefixedMac> {
        let cell = match method {
            SignatureMethod::HmacSha1 => &self.shared.sha1,
            SignatureMethod::HmacSha256 => &self.shared.sha256,
            SignatureMethod::Plaintext => return None,
        };
        cell.get_or_init(|| PrefixedMac::keyed(method, &self.credentials.signing_key()))
            .clone()
    }

    /// The prepared request, from the cache or made now, and the URL's last
    /// segment when it may vary ([`split_segment`]).
    fn endpoint<'r>(&self, request: &Request<'r>) -> Result<(Arc<Endpoint>, &'r str), Error> {
        let cached = request.authorization_header().is_none()
            && !matches!(request.body_kind(), Body::Form(_));
        let split = split_segment(request.url());
        let (prefix, segment) = (split.map(|(p, _)| p), split.map_or("", |(_, s)| s));
        let lookup = |endpoints: &mut Vec<Arc<Endpoint>>| {
            let at = endpoints
                .iter()
                .position(|e| e.serves(request, prefix, &self.options))?;
            endpoints[..=at].rotate_right(1);
            endpoints.first().map(Arc::clone)
        };
        if cached && let Some(found) = lookup(&mut self.endpoints()) {
            return Ok((found, segment));
        }
        // A URL is prepared for itself; once a second URL differs from it in
        // the last segment only (another sending's code), for them all: the
        // HMAC then resumes before that segment, which costs a little more.
        let varying = cached
            && prefix.is_some()
            && self.endpoints().iter().any(|e| e.exact_prefix() == prefix);
        let keyed = self.keyed(self.options.method);
        let endpoint = Arc::new(Endpoint::prepare(
            request,
            &self.credentials,
            self.options,
            keyed,
            split.map(|(_, s)| s).filter(|_| varying),
        )?);
        if cached {
            let mut endpoints = self.endpoints();
            if lookup(&mut endpoints).is_none() {
                if varying {
                    // The URLs prepared for themselves are served by this one now.
                    endpoints.retain(|e| e.exact_prefix() != prefix || !e.same_kind(&endpoint));
                }
                endpoints.insert(0, Arc::clone(&endpoint));
                endpoints.truncate(ENDPOINTS);
            }
        }
        Ok((endpoint, segment))
    }

    fn endpoints(&self) -> MutexGuard<'_, Vec<Arc<Endpoint>>> {
        self.shared
            .endpoints
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// The system clock since 1970.
#[allow(clippy::disallowed_methods)] // the one place that reads the clock
fn since_epoch() -> Result<Duration, Error> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| Error::Clock)
}

/// Seconds since 1970 by the system clock.
///
/// # Errors
/// [`Error::Clock`] if the clock reads before 1970.
pub fn unix_time_now() -> Result<u64, Error> {
    since_epoch().map(|d| d.as_secs())
}
