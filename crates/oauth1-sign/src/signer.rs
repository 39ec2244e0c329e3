//! The convenience layer: credentials and options held once, the nonce drawn
//! from the operating system's random source and the time from its clock.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::credentials::Credentials;
use crate::digest::PrefixedMac;
use crate::encode::is_unreserved;
use crate::error::Error;
use crate::options::{Configure, SignatureShape, SigningOptions};
use crate::request::Request;
use crate::secret::Secret;
use crate::sign::{Signed, SigningParams, sign};

/// How many nonces [`Signer`] draws at most for [`SignatureShape::Unescaped`].
/// Each draw succeeds with probability about 0.44, so 64 draws all failing
/// has probability below 10^-16; the RFC encoding is used then.
const MAX_DRAWS: usize = 64;

/// Signs requests with fixed credentials and options.
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
#[derive(Debug, Clone)]
pub struct Signer {
    credentials: Credentials,
    options: SigningOptions,
}

impl Configure for Signer {
    fn options_mut(&mut self) -> &mut SigningOptions {
        &mut self.options
    }
}

impl Signer {
    /// HMAC-SHA1, query placement, `oauth_version=1.0`,
    /// [`SignatureShape::Unescaped`]: the FirmaDocumentos shape. Change any of
    /// them with the [`Configure`] setters.
    #[must_use]
    pub const fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            options: SigningOptions::new(),
        }
    }

    /// Replaces every option at once.
    #[must_use]
    pub const fn with_options(mut self, options: SigningOptions) -> Self {
        self.options = options;
        self
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
    /// With [`SignatureShape::Unescaped`], nonces are drawn until the
    /// signature holds no `+` or `/`. The first draw is a full [`sign`]; each
    /// further draw only finishes an HMAC already fed the base string up to
    /// the nonce, then the nonce and the signature are swapped into the
    /// first result.
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
        let first = next_nonce()?;
        let params = SigningParams::new(timestamp, &first).with_options(self.options);
        let signed = sign(request, &self.credentials, &params)?;
        if self.options.shape != SignatureShape::Unescaped || !signed.signature_needs_escaping() {
            return Ok(signed);
        }
        let Some(at) = nonce_position(signed.base_string(), &first) else {
            // Not reached for a base string this crate built; redraw in full.
            return self.redraw_in_full(request, timestamp, next_nonce, signed);
        };
        let (prefix, rest) = signed.base_string().split_at(at);
        let suffix = rest.get(first.len()..).unwrap_or_default().to_owned();
        let Some(mac) =
            PrefixedMac::new(self.options.method, &self.credentials.signing_key(), prefix)
        else {
            return Ok(signed); // PLAINTEXT: the nonce does not change the signature
        };
        let prefix = prefix.to_owned();
        let mut sig = String::with_capacity(44);
        for _ in 1..MAX_DRAWS {
            let nonce = next_nonce()?;
            if nonce.is_empty() || !nonce.bytes().all(is_unreserved) {
                return Err(Error::InvalidNonce);
            }
            mac.finish_into(&nonce, &suffix, &mut sig);
            if !needs_escaping(&sig) {
                let base_string = format!("{prefix}{nonce}{suffix}");
                return Ok(signed.with_nonce(&first, &nonce, Secret::new(sig), base_string));
            }
        }
        Ok(signed)
    }

    fn redraw_in_full<F>(
        &self,
        request: &Request<'_>,
        timestamp: u64,
        mut next_nonce: F,
        mut signed: Signed,
    ) -> Result<Signed, Error>
    where
        F: FnMut() -> Result<String, Error>,
    {
        for _ in 1..MAX_DRAWS {
            if !signed.signature_needs_escaping() {
                break;
            }
            let nonce = next_nonce()?;
            let params = SigningParams::new(timestamp, &nonce).with_options(self.options);
            signed = sign(request, &self.credentials, &params)?;
        }
        Ok(signed)
    }

    /// Signs now. The first nonce is 128 bits from the operating system;
    /// when [`SignatureShape::Unescaped`] asks for more, each next one is the
    /// previous plus one (as a 128-bit number), which keeps them distinct and
    /// as unpredictable as the first at the cost of one system call.
    ///
    /// # Errors
    /// The errors of [`sign`]; [`Error::Random`] or [`Error::Clock`] if the
    /// system cannot give a nonce or the time.
    pub fn sign_now(&self, request: &Request<'_>) -> Result<Signed, Error> {
        let mut seed: Option<u128> = None;
        self.sign_with(request, unix_time_now()?, || {
            let next = match seed {
                None => u128::from_le_bytes(random_bytes()?),
                Some(previous) => previous.wrapping_add(1),
            };
            seed = Some(next);
            Ok(URL_SAFE_NO_PAD.encode(next.to_le_bytes()))
        })
    }
}

/// Where `nonce` starts in `base_string`: right after the `oauth_nonce%3D`
/// that follows the parameters' `&` (`%26`) or starts them (`&`).
fn nonce_position(base_string: &str, nonce: &str) -> Option<usize> {
    const KEY: &str = "oauth_nonce%3D";
    base_string.match_indices(KEY).find_map(|(at, _)| {
        let before = &base_string[..at];
        let start = at + KEY.len();
        let led = before.ends_with("%26") || before.ends_with('&');
        (led && base_string[start..].starts_with(nonce)).then_some(start)
    })
}

fn needs_escaping(sig: &str) -> bool {
    sig.bytes().any(|b| b == b'+' || b == b'/')
}

fn random_bytes() -> Result<[u8; 16], Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::Random(e.to_string()))?;
    Ok(bytes)
}

/// A nonce of 128 random bits from the operating system, as 22 URL-safe
/// base64 characters (all RFC 3986 unreserved, so no server mangles them).
///
/// # Errors
/// [`Error::Random`] if the system random source fails.
pub fn random_nonce() -> Result<String, Error> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes()?))
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
