//! Server-side verification of a signed request (used by the sandbox and tests).

use subtle::ConstantTimeEq;

use crate::base_string::{
    join_base_string, normalize_method, normalize_parameters, parse_url, push_base_uri,
};
use crate::credentials::Credentials;
use crate::digest;
use crate::encode::form_pairs;
use crate::error::Error;
use crate::method::SignatureMethod;
use crate::request::{Body, Request};

/// Why a request was refused. Messages never include the received or
/// expected signature.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// The method or URL is unusable.
    #[error("the request itself is invalid: {0}")]
    Request(#[from] Error),
    /// A required OAuth parameter is missing.
    #[error("the OAuth parameter `{0}` is missing")]
    Missing(&'static str),
    /// An OAuth parameter appears twice (in one place or across query, header and body).
    #[error("the OAuth parameter `{0}` appears more than once")]
    Duplicate(String),
    /// The `Authorization: OAuth` header cannot be parsed.
    #[error("the Authorization header is not a valid OAuth header: {0}")]
    MalformedHeader(&'static str),
    /// `oauth_version` is present and not `1.0`.
    #[error("oauth_version must be 1.0 when present")]
    BadVersion,
    /// `oauth_timestamp` is not a whole number of seconds.
    #[error("oauth_timestamp is not a whole number of seconds since 1970")]
    BadTimestamp,
    /// The timestamp is outside the accepted window.
    #[error(
        "oauth_timestamp is {skew} s away from the server clock, more than the {window} s allowed: check the client's clock"
    )]
    TimestampOutOfWindow {
        /// Seconds between the request's timestamp and now.
        skew: u64,
        /// The allowed window.
        window: u64,
    },
    /// The signature method is not accepted.
    #[error("the signature method is not accepted here")]
    MethodNotAllowed(SignatureMethod),
    /// No credentials are known for the consumer key (and token).
    #[error("unknown consumer key")]
    UnknownConsumer,
    /// The signature does not match.
    #[error("the signature does not match: check the consumer secret, the URL and the parameters")]
    BadSignature,
    /// The nonce was seen before.
    #[error("the nonce was already used with this timestamp: the request is a replay")]
    Replayed,
}

/// The checks' settings.
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// The server's clock, in seconds since 1970 (injected).
    pub now: u64,
    /// How far, in seconds, a timestamp may be from `now` either way.
    pub window: u64,
    /// The signature methods accepted.
    pub methods: &'a [SignatureMethod],
}

impl VerifyOptions<'_> {
    /// A 300-second window, HMAC-SHA1 and HMAC-SHA256 accepted.
    #[must_use]
    pub const fn new(now: u64) -> Self {
        Self {
            now,
            window: 300,
            methods: &[SignatureMethod::HmacSha1, SignatureMethod::HmacSha256],
        }
    }
}

/// What a verified request proved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// The consumer key.
    pub consumer_key: String,
    /// The token, if one was sent.
    pub token: Option<String>,
    /// The signature method.
    pub method: SignatureMethod,
    /// The timestamp.
    pub timestamp: u64,
    /// The nonce.
    pub nonce: String,
}

/// Verifies a signed request.
///
/// `lookup(consumer_key, token)` returns the credentials to check against
/// (with the token secret when a token was sent). `fresh_nonce(&verified)`
/// is called only after the signature holds, and returns `false` for a
/// nonce seen before (keep nonces at least as long as the window).
///
/// # Errors
/// A [`VerifyError`] naming the first check that failed.
pub fn verify<L, N>(
    request: &Request<'_>,
    options: &VerifyOptions<'_>,
    lookup: L,
    fresh_nonce: N,
) -> Result<Verified, VerifyError>
where
    L: FnOnce(&str, Option<&str>) -> Option<Credentials>,
    N: FnOnce(&Verified) -> bool,
{
    let method = normalize_method(request.method())?;
    let url = parse_url(request.url())?;

    let mut params: Vec<(String, String)> = Vec::new();
    if let Some(q) = url.query() {
        params.extend(form_pairs(q.as_bytes()));
    }
    if let Body::Form(b) = request.body_kind() {
        params.extend(form_pairs(b));
    }
    if let Some(h) = request.authorization_header() {
        params.extend(parse_authorization(h)?);
    }

    let mut signature = None;
    let mut oauth = OauthFields::default();
    let mut signed: Vec<(String, String)> = Vec::with_capacity(params.len());
    for (k, v) in params {
        if k == "oauth_signature" {
            if signature.replace(v).is_some() {
                return Err(VerifyError::Duplicate(k));
            }
            continue;
        }
        if k.starts_with("oauth_") {
            oauth.set(&k, &v)?;
        }
        signed.push((k, v));
    }
    let signature = signature_as_sent(signature.ok_or(VerifyError::Missing("oauth_signature"))?);
    let consumer_key = oauth
        .consumer_key
        .ok_or(VerifyError::Missing("oauth_consumer_key"))?;
    let sig_method: SignatureMethod = oauth
        .signature_method
        .ok_or(VerifyError::Missing("oauth_signature_method"))?
        .parse()
        .map_err(VerifyError::Request)?;
    if !options.methods.contains(&sig_method) {
        return Err(VerifyError::MethodNotAllowed(sig_method));
    }
    if oauth.version.as_deref().is_some_and(|v| v != "1.0") {
        return Err(VerifyError::BadVersion);
    }
    let timestamp: u64 = oauth
        .timestamp
        .ok_or(VerifyError::Missing("oauth_timestamp"))?
        .parse()
        .map_err(|_| VerifyError::BadTimestamp)?;
    let nonce = oauth.nonce.ok_or(VerifyError::Missing("oauth_nonce"))?;
    let skew = timestamp.abs_diff(options.now);
    if skew > options.window {
        return Err(VerifyError::TimestampOutOfWindow {
            skew,
            window: options.window,
        });
    }
    let credentials =
        lookup(&consumer_key, oauth.token.as_deref()).ok_or(VerifyError::UnknownConsumer)?;

    let mut base_uri = String::new();
    push_base_uri(&mut base_uri, &url);
    let base = join_base_string(&method, &base_uri, &normalize_parameters(signed));
    let expected = digest::signature(sig_method, &credentials.signing_key(), &base);
    if !bool::from(expected.expose().as_bytes().ct_eq(signature.as_bytes())) {
        return Err(VerifyError::BadSignature);
    }
    let verified = Verified {
        consumer_key,
        token: oauth.token,
        method: sig_method,
        timestamp,
        nonce,
    };
    if fresh_nonce(&verified) {
        Ok(verified)
    } else {
        Err(VerifyError::Replayed)
    }
}

/// Reads `oauth_signature` back as the client computed it.
///
/// A signature is base64 (HMAC methods) or percent-encoded text (`PLAINTEXT`) and never
/// holds a space. Clients built like the FirmaDocumentos guide's Postman example leave
/// `+` and `/` raw in the query (`oauth_signature=+NwET4pY2AE+raoBlhHXj9xCDm0%3D`: only `=`
/// is escaped), and a form decoder turns that raw `+` into a space. Reading every space
/// back as `+` accepts that shape, `%2B` and a raw `+` alike; the comparison with the
/// expected signature still decides, so a wrong signature is refused as before.
fn signature_as_sent(decoded: String) -> String {
    if decoded.contains(' ') {
        decoded.replace(' ', "+")
    } else {
        decoded
    }
}

#[derive(Default)]
struct OauthFields {
    consumer_key: Option<String>,
    token: Option<String>,
    signature_method: Option<String>,
    timestamp: Option<String>,
    nonce: Option<String>,
    version: Option<String>,
}

impl OauthFields {
    fn set(&mut self, name: &str, value: &str) -> Result<(), VerifyError> {
        let slot = match name {
            "oauth_consumer_key" => &mut self.consumer_key,
            "oauth_token" => &mut self.token,
            "oauth_signature_method" => &mut self.signature_method,
            "oauth_timestamp" => &mut self.timestamp,
            "oauth_nonce" => &mut self.nonce,
            "oauth_version" => &mut self.version,
            _ => return Ok(()),
        };
        if slot.replace(value.to_owned()).is_some() {
            return Err(VerifyError::Duplicate(name.to_owned()));
        }
        Ok(())
    }
}

/// Parses `OAuth realm="x", oauth_name="percent-encoded value", ...`
/// (RFC 5849 section 3.5.1). `realm` is dropped; values are percent-decoded
/// (`+` stays `+`).
fn parse_authorization(header: &str) -> Result<Vec<(String, String)>, VerifyError> {
    let rest = header.trim();
    let Some(rest) = rest
        .get(..6)
        .filter(|p| p.eq_ignore_ascii_case("oauth "))
        .map(|_| &rest[6..])
    else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for part in rest.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (name, value) = part
            .split_once('=')
            .ok_or(VerifyError::MalformedHeader("a parameter has no `=`"))?;
        let value = value
            .trim()
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or(VerifyError::MalformedHeader(
                "a value is not in double quotes",
            ))?;
        let name = name.trim();
        if name == "realm" {
            continue;
        }
        let decoded = percent_encoding::percent_decode_str(value)
            .decode_utf8()
            .map_err(|_| {
                VerifyError::MalformedHeader("a value is not UTF-8 after percent-decoding")
            })?;
        out.push((name.to_owned(), decoded.into_owned()));
    }
    Ok(out)
}
