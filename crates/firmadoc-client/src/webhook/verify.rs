//! Verification of the `ms-signature` header, framework-independent.
//!
//! The scheme is the ASP.NET WebHooks "Custom" one, which the guide's sample
//! receiver uses: `ms-signature: sha256=<hex>`, the HMAC-SHA256 of the exact
//! body bytes keyed with the UTF-8 bytes of the consumer secret. The header
//! value is split on `=` into exactly two trimmed parts, the first `sha256` in
//! any case, the second hex in any case; the MAC is compared in constant time.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};

/// The secret that keys webhook signatures: FirmaDocumentos uses the consumer
/// secret. `Debug` prints `[redacted]`.
#[derive(Clone)]
pub struct WebhookSecret(String);

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The secret lengths the ASP.NET WebHooks receiver accepts (characters).
pub const ASPNET_SECRET_LENGTHS: std::ops::RangeInclusive<usize> = 32..=128;

impl WebhookSecret {
    /// The secret that keys `ms-signature`: the consumer secret.
    ///
    /// ASP.NET's receiver (the guide's sample) wants 32 to 128 characters, but
    /// that is a rule of that receiver, not of the service, and the real
    /// consumer secret's length is not published: a secret of another length
    /// is accepted, with a `tracing::warn!` (see
    /// [`WebhookSecret::length_warning`]).
    ///
    /// # Errors
    /// [`Rejection::SecretLength`] only for an empty secret, which no
    /// service issues.
    pub fn new(secret: impl Into<String>) -> Result<Self, Rejection> {
        let secret = Self(secret.into());
        if secret.0.is_empty() {
            return Err(Rejection::SecretLength(0));
        }
        if let Some(warning) = secret.length_warning() {
            tracing::warn!("{warning}");
        }
        Ok(secret)
    }

    /// A warning when the secret is outside the 32 to 128 characters the
    /// ASP.NET WebHooks receiver accepts; `None` inside.
    #[must_use]
    pub fn length_warning(&self) -> Option<String> {
        let n = self.0.chars().count();
        (!ASPNET_SECRET_LENGTHS.contains(&n)).then(|| {
            format!(
                "the webhook secret has {n} characters, outside the 32 to 128 the ASP.NET WebHooks receiver of the guide's sample accepts; it is used anyway (FirmaDocumentos keys ms-signature with the consumer secret, whatever its length)"
            )
        })
    }

    /// The header value `sha256=<HEX>` (upper-case, as the ASP.NET sender
    /// writes it) for `body`: what a sender, or a test, puts in `ms-signature`.
    #[must_use]
    pub fn sign(&self, body: &[u8]) -> String {
        format!("sha256={}", hex::encode_upper(self.mac(body)))
    }

    fn mac(&self, body: &[u8]) -> Vec<u8> {
        match <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(self.0.as_bytes()) {
            Ok(mut mac) => {
                mac.update(body);
                mac.finalize().into_bytes().to_vec()
            }
            Err(_) => Vec::new(),
        }
    }
}

/// Why a delivery was refused. Nothing refused reaches the handler.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// The configured secret is empty (its length is given).
    #[error(
        "the webhook secret has {0} characters; give the consumer secret FirmaDocumentos issued"
    )]
    SecretLength(usize),
    /// Zero or several `ms-signature` headers.
    #[error("expecting exactly one 'ms-signature' header, found {0}")]
    HeaderCount(usize),
    /// Not `sha256=<value>`.
    #[error("invalid 'ms-signature' header value; expecting 'sha256=<hex>'")]
    HeaderFormat,
    /// The value is not hex.
    #[error("the 'ms-signature' header value is not valid hex")]
    NotHex,
    /// The MAC does not match the body.
    #[error(
        "the 'ms-signature' does not match the body: the delivery is forged or altered, or the secret is wrong"
    )]
    Mismatch,
    /// The body is not a delivery as the guide describes it. Not returned for
    /// a body whose signature holds (it is handed over untyped instead); kept
    /// for callers that read unverified bodies.
    #[error("the body is not a webhook delivery: {0}")]
    Payload(String),
    /// The echo handshake has no `echo` parameter.
    #[error("the verification request must carry an 'echo' query parameter, which is echoed back")]
    MissingEcho,
}

/// Verifies `body` against the `ms-signature` values found in the request
/// (give every value of that header name, in any case of the name).
///
/// # Errors
/// The [`Rejection`] that applies.
pub fn verify_signature<'a, I>(
    secret: &WebhookSecret,
    signature_headers: I,
    body: &[u8],
) -> Result<(), Rejection>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    let values: Vec<&[u8]> = signature_headers.into_iter().collect();
    let [value] = values.as_slice() else {
        return Err(Rejection::HeaderCount(values.len()));
    };
    let value = std::str::from_utf8(value).map_err(|_| Rejection::HeaderFormat)?;
    let parts: Vec<&str> = value.split('=').map(str::trim).collect();
    let [scheme, hex_mac] = parts.as_slice() else {
        return Err(Rejection::HeaderFormat);
    };
    if !scheme.eq_ignore_ascii_case("sha256") || hex_mac.is_empty() {
        return Err(Rejection::HeaderFormat);
    }
    let received = hex::decode(hex_mac).map_err(|_| Rejection::NotHex)?;
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.0.as_bytes())
        .map_err(|_| Rejection::Mismatch)?;
    mac.update(body);
    mac.verify_slice(&received).map_err(|_| Rejection::Mismatch)
}

/// Verifies a request given as an `http::HeaderMap` and the raw body.
///
/// # Errors
/// The [`Rejection`] that applies.
pub fn verify_headers(
    secret: &WebhookSecret,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Result<(), Rejection> {
    verify_signature(
        secret,
        headers
            .get_all("ms-signature")
            .iter()
            .map(http::HeaderValue::as_bytes),
        body,
    )
}

/// Verifies, then reads, a delivery. The body is read exactly as received,
/// never re-serialised before verification. Once the signature holds, the
/// body is never refused: one the model cannot type in full comes back with
/// [`firmadoc_model::WebhookDelivery::untyped`] set (reason and raw bytes),
/// see [`firmadoc_model::WebhookDelivery::from_verified_body`].
///
/// # Errors
/// The [`Rejection`] of the signature check.
pub fn verify_delivery(
    secret: &WebhookSecret,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Result<firmadoc_model::WebhookDelivery, Rejection> {
    verify_headers(secret, headers, body)?;
    Ok(firmadoc_model::WebhookDelivery::from_verified_body(body))
}

/// The echo handshake: the value of the `echo` query parameter, to answer
/// with status 200 and exactly that body.
///
/// # Errors
/// [`Rejection::MissingEcho`] when `echo` is absent or empty (answer 400).
pub fn echo(query: Option<&str>) -> Result<String, Rejection> {
    query
        .into_iter()
        .flat_map(|q| url::form_urlencoded::parse(q.as_bytes()))
        .find(|(k, _)| k == "echo")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
        .ok_or(Rejection::MissingEcho)
}
