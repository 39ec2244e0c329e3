//! The convenience layer: credentials and options held once, the nonce drawn
//! from the operating system's random source and the time from its clock.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::credentials::Credentials;
use crate::error::Error;
use crate::method::SignatureMethod;
use crate::request::{Placement, Request};
use crate::sign::{Signed, SigningParams, sign};

/// How many nonces [`Signer`] draws at most when asked to avoid a signature
/// that needs escaping. Each draw succeeds with probability about 0.44, so
/// 64 draws all failing has probability below 10^-16.
const MAX_DRAWS: usize = 64;

/// Signs requests with fixed credentials and options.
///
/// ```
/// use oauth1_sign::{Body, Credentials, Request, Signer};
/// let signer = Signer::new(Credentials::new("key", "secret")?);
/// let req = Request::new("GET", "https://apitest.firmadocumentos.es/admin/Budget").body(Body::None);
/// let signed = signer.sign_now(&req)?;
/// assert!(signed.url().contains("oauth_nonce="));
/// # Ok::<(), oauth1_sign::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Signer {
    credentials: Credentials,
    method: SignatureMethod,
    placement: Placement,
    version: bool,
    avoid_escaped_signature: bool,
}

impl Signer {
    /// HMAC-SHA1, query placement, `oauth_version=1.0`: the FirmaDocumentos shape.
    #[must_use]
    pub const fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            method: SignatureMethod::HmacSha1,
            placement: Placement::Query,
            version: true,
            avoid_escaped_signature: false,
        }
    }

    /// Chooses the signature method.
    #[must_use]
    pub const fn method(mut self, method: SignatureMethod) -> Self {
        self.method = method;
        self
    }

    /// Chooses the placement.
    #[must_use]
    pub const fn placement(mut self, placement: Placement) -> Self {
        self.placement = placement;
        self
    }

    /// Whether to send `oauth_version=1.0` (default `true`).
    #[must_use]
    pub const fn version(mut self, include: bool) -> Self {
        self.version = include;
        self
    }

    /// Draws a new nonce until the signature holds no `+` or `/`, so that it
    /// reads the same under every query decoder (see the crate docs on the
    /// raw `+` in the FirmaDocumentos guide). Off by default.
    #[must_use]
    pub const fn avoid_escaped_signature(mut self, on: bool) -> Self {
        self.avoid_escaped_signature = on;
        self
    }

    /// The credentials.
    #[must_use]
    pub const fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Signs at a given time with nonces from `next_nonce`: deterministic.
    ///
    /// # Errors
    /// The errors of [`sign`], or of `next_nonce`.
    pub fn sign_with<F>(
        &self,
        request: &Request<'_>,
        timestamp: u64,
        mut next_nonce: F,
    ) -> Result<Signed, Error>
    where
        F: FnMut() -> Result<String, Error>,
    {
        let mut draws = 0;
        loop {
            let nonce = next_nonce()?;
            let params = SigningParams::new(timestamp, &nonce)
                .method(self.method)
                .placement(self.placement)
                .version(self.version);
            let signed = sign(request, &self.credentials, &params)?;
            draws += 1;
            if !self.avoid_escaped_signature
                || !signed.signature_needs_escaping()
                || draws >= MAX_DRAWS
            {
                return Ok(signed);
            }
        }
    }

    /// Signs now, with a fresh 128-bit nonce from the operating system.
    ///
    /// # Errors
    /// The errors of [`sign`]; [`Error::Random`] or [`Error::Clock`] if the
    /// system cannot give a nonce or the time.
    pub fn sign_now(&self, request: &Request<'_>) -> Result<Signed, Error> {
        self.sign_with(request, unix_time_now()?, random_nonce)
    }
}

/// A nonce of 128 random bits from the operating system, as 22 URL-safe
/// base64 characters (all RFC 3986 unreserved, so no server mangles them).
///
/// # Errors
/// [`Error::Random`] if the system random source fails.
pub fn random_nonce() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::Random(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Seconds since 1970 by the system clock.
///
/// # Errors
/// [`Error::Clock`] if the clock reads before 1970.
#[allow(clippy::disallowed_methods)] // the one place that reads the clock
pub fn unix_time_now() -> Result<u64, Error> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| Error::Clock)
}
