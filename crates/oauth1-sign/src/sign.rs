//! The deterministic signer: every varying input is an argument.

use std::fmt;

use crate::base_string::{
    join_base_string, normalize_method, normalize_parameters, parse_url, push_base_uri,
    request_params,
};
use crate::credentials::Credentials;
use crate::digest;
use crate::encode::{is_unreserved, percent_encode_into};
use crate::error::Error;
use crate::method::SignatureMethod;
use crate::options::{Configure, SignatureShape, SigningOptions};
use crate::request::{Body, Placement, Request};
use crate::secret::Secret;

/// The per-request inputs of a signature, all injected so that signing is a
/// pure function: the timestamp (seconds since 1970) and the nonce come from
/// the caller. [`crate::Signer`] draws them from the system for you.
///
/// The options ([`SigningOptions`]) are set with the [`Configure`] setters.
/// Defaults: HMAC-SHA1, query placement, `oauth_version=1.0` included, no
/// realm, [`crate::SignatureShape::Unescaped`] (which, for one signature with
/// a given nonce, writes the signature as RFC 5849 does: only
/// [`crate::Signer`] draws nonces).
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    options: SigningOptions,
    timestamp: u64,
    nonce: &'a str,
    realm: Option<&'a str>,
}

impl<'a> SigningParams<'a> {
    /// HMAC-SHA1 in the query string with `oauth_version=1.0`: the
    /// FirmaDocumentos shape.
    #[must_use]
    pub const fn new(timestamp: u64, nonce: &'a str) -> Self {
        Self {
            options: SigningOptions::new(),
            timestamp,
            nonce,
            realm: None,
        }
    }

    /// The options.
    #[must_use]
    pub const fn options(&self) -> &SigningOptions {
        &self.options
    }

    /// Sets the `realm` of the `Authorization` header (never signed).
    #[must_use]
    pub const fn realm(mut self, realm: &'a str) -> Self {
        self.realm = Some(realm);
        self
    }
}

impl Configure for SigningParams<'_> {
    fn options_mut(&mut self) -> &mut SigningOptions {
        &mut self.options
    }
}

/// A signed request: where to send it and what to send.
///
/// `Debug` hides the signature.
#[derive(Clone)]
pub struct Signed {
    placement: Placement,
    url: String,
    authorization: Option<String>,
    body: Option<Vec<u8>>,
    signature: Secret,
    base_string: String,
}

impl Signed {
    /// The URL to send: with the `oauth_*` parameters appended to the query
    /// for [`Placement::Query`], otherwise the request URL (fragment removed).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL, owned.
    #[must_use]
    pub fn into_url(self) -> String {
        self.url
    }

    /// The `Authorization` header value for [`Placement::Header`].
    #[must_use]
    pub fn authorization(&self) -> Option<&str> {
        self.authorization.as_deref()
    }

    /// The new form body for [`Placement::Form`].
    #[must_use]
    pub fn form_body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// The signature, before percent-encoding.
    #[must_use]
    pub fn signature(&self) -> &Secret {
        &self.signature
    }

    /// The signature base string that was signed (it holds no secret).
    #[must_use]
    pub fn base_string(&self) -> &str {
        &self.base_string
    }

    /// The placement used.
    #[must_use]
    pub fn placement(&self) -> Placement {
        self.placement
    }

    /// A signed request from its parts ([`crate::Signer`]'s prepared
    /// endpoints): `text` is the URL for [`Placement::Query`], else the
    /// header or the form body, and `url` the URL to send then.
    pub(crate) fn from_parts(
        placement: Placement,
        url: Option<String>,
        text: String,
        signature: Secret,
        base_string: String,
    ) -> Self {
        let (url, authorization, body) = match (placement, url) {
            (Placement::Query, _) | (_, None) => (text, None, None),
            (Placement::Header, Some(url)) => (url, Some(text), None),
            (Placement::Form, Some(url)) => (url, None, Some(text.into_bytes())),
        };
        Self {
            placement,
            url,
            authorization,
            body,
            signature,
            base_string,
        }
    }

    /// Whether the signature needs percent-escapes in a URL (holds `+` or `/`).
    #[must_use]
    pub fn signature_needs_escaping(&self) -> bool {
        self.signature
            .expose()
            .bytes()
            .any(|b| b == b'+' || b == b'/')
    }
}

impl fmt::Debug for Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut encoded = String::new();
        percent_encode_into(&mut encoded, self.signature.expose());
        let hide = |s: &str| {
            if encoded.is_empty() {
                s.to_owned()
            } else {
                s.replace(&encoded, "[redacted]")
            }
        };
        f.debug_struct("Signed")
            .field("placement", &self.placement)
            .field("url", &hide(&self.url))
            .field("authorization", &self.authorization.as_deref().map(hide))
            .field(
                "body",
                &self
                    .body
                    .as_ref()
                    .map(|b| hide(&String::from_utf8_lossy(b))),
            )
            .field("signature", &self.signature)
            .field("base_string", &self.base_string)
            .finish()
    }
}

/// Signs `request` with `credentials`.
///
/// ```
/// use oauth1_sign::{sign, Body, Credentials, Request, SigningParams};
/// // Reference vector V9 (FirmaDocumentos-shaped, secret `secret`).
/// let creds = Credentials::new("XXXXXXXXXXXXXXXXXXXXX", "secret")?;
/// let req = Request::new("POST", "https://apitest.firmadocumentos.es/send/Template").body(Body::Opaque);
/// let signed = sign(&req, &creds, &SigningParams::new(1588868100, "s8xbzILkavi"))?;
/// assert_eq!(signed.signature().expose(), "krEVKpqDd355DQZ91pjUNwsL5H0=");
/// assert!(signed.url().ends_with("&oauth_signature=krEVKpqDd355DQZ91pjUNwsL5H0%3D"));
/// # Ok::<(), oauth1_sign::Error>(())
/// ```
///
/// # Errors
/// An invalid method, URL or nonce; `oauth_*` parameters already present; a
/// form placement on a body that is not a form.
pub fn sign(
    request: &Request<'_>,
    credentials: &Credentials,
    params: &SigningParams<'_>,
) -> Result<Signed, Error> {
    sign_parts(request, credentials, params, true)
}

/// [`sign`], or, without `hmac`, everything but the HMAC (an HMAC signature
/// is left empty): what [`crate::Signer`] prepares a request from.
pub(crate) fn sign_parts(
    request: &Request<'_>,
    credentials: &Credentials,
    params: &SigningParams<'_>,
    hmac: bool,
) -> Result<Signed, Error> {
    let method = normalize_method(request.method())?;
    let url = parse_url(request.url())?;
    if params.nonce.is_empty() || !params.nonce.bytes().all(is_unreserved) {
        return Err(Error::InvalidNonce);
    }
    reject_oauth_params(&url, request)?;
    let SigningOptions {
        method: sig_method,
        placement,
        version,
        shape,
    } = params.options;
    if placement == Placement::Form && matches!(request.body_kind(), Body::Opaque) {
        return Err(Error::FormPlacementNeedsForm);
    }

    let timestamp = params.timestamp.to_string();
    let mut oauth: Vec<(&'static str, &str)> = Vec::with_capacity(7);
    oauth.push(("oauth_consumer_key", credentials.consumer_key()));
    if let Some(t) = credentials.token() {
        oauth.push(("oauth_token", &t.token));
    }
    oauth.push(("oauth_signature_method", sig_method.as_str()));
    oauth.push(("oauth_timestamp", &timestamp));
    oauth.push(("oauth_nonce", params.nonce));
    if version {
        oauth.push(("oauth_version", "1.0"));
    }

    let request_params = request_params(&url, request.body_kind());
    let normalized = normalize_parameters(
        request_params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain(oauth.iter().copied()),
    );
    let mut base_uri = String::with_capacity(request.url().len());
    push_base_uri(&mut base_uri, &url);
    let base_string = join_base_string(&method, &base_uri, &normalized);
    let signature = if hmac || sig_method == SignatureMethod::Plaintext {
        digest::signature(sig_method, &credentials.signing_key(), &base_string)
    } else {
        Secret::new("")
    };

    let mut out_url = url;
    out_url.set_fragment(None);
    let mut signed = Signed {
        placement,
        url: String::from(out_url.as_str()),
        authorization: None,
        body: None,
        signature,
        base_string,
    };
    let sig = signed.signature.expose().to_owned();
    match placement {
        Placement::Query => {
            let sep = match out_url.query() {
                None => "?",
                Some(q) if q.is_empty() || q.ends_with('&') => "",
                Some(_) => "&",
            };
            signed.url.push_str(sep);
            push_pairs(&mut signed.url, &oauth, &sig, "&", false, shape);
        }
        Placement::Header => {
            let mut h = String::from("OAuth ");
            if let Some(realm) = params.realm {
                h.push_str("realm=\"");
                percent_encode_into(&mut h, realm);
                h.push_str("\", ");
            }
            push_pairs(&mut h, &oauth, &sig, ", ", true, SignatureShape::Rfc);
            signed.authorization = Some(h);
        }
        Placement::Form => {
            let mut body = match request.body_kind() {
                Body::Form(b) => String::from_utf8_lossy(b).into_owned(),
                Body::None | Body::Opaque => String::new(),
            };
            if !body.is_empty() && !body.ends_with('&') {
                body.push('&');
            }
            push_pairs(&mut body, &oauth, &sig, "&", false, SignatureShape::Rfc);
            signed.body = Some(body.into_bytes());
        }
    }
    Ok(signed)
}

/// Writes `name=value` pairs (values percent-encoded, quoted for a header),
/// then the signature in `shape`.
fn push_pairs(
    out: &mut String,
    oauth: &[(&'static str, &str)],
    sig: &str,
    sep: &str,
    quoted: bool,
    shape: SignatureShape,
) {
    let q = if quoted { "\"" } else { "" };
    for &(name, value) in oauth {
        if name != "oauth_consumer_key" {
            out.push_str(sep);
        }
        out.push_str(name);
        out.push('=');
        out.push_str(q);
        percent_encode_into(out, value);
        out.push_str(q);
    }
    out.push_str(sep);
    out.push_str("oauth_signature=");
    out.push_str(q);
    shape.push_signature(out, sig);
    out.push_str(q);
}

fn reject_oauth_params(url: &url::Url, request: &Request<'_>) -> Result<(), Error> {
    if let Some((name, _)) = url.query_pairs().find(|(k, _)| k.starts_with("oauth_")) {
        return Err(Error::AlreadySigned(name.into_owned(), "URL query"));
    }
    if let Body::Form(b) = request.body_kind()
        && let Some((name, _)) =
            url::form_urlencoded::parse(b).find(|(k, _)| k.starts_with("oauth_"))
    {
        return Err(Error::AlreadySigned(name.into_owned(), "form body"));
    }
    if let Some(h) = request.authorization_header()
        && h.trim_start()
            .get(..6)
            .is_some_and(|p| p.eq_ignore_ascii_case("oauth "))
    {
        return Err(Error::AlreadySigned("Authorization".to_owned(), "headers"));
    }
    Ok(())
}
