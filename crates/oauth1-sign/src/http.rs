//! Helpers for [`http::Request`] (feature `http`).

use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};

use crate::credentials::Credentials;
use crate::error::Error;
use crate::request::{Body, Placement, Request};
use crate::sign::{SigningParams, sign};
use crate::verify::{Verified, VerifyError, VerifyOptions, verify};

fn body_of<B: AsRef<[u8]>>(req: &http::Request<B>) -> Body<'_> {
    let ct = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    Body::from_content_type(ct, req.body().as_ref())
}

/// Signs an `http::Request` whose URI is absolute, in place: the URI gains the
/// `oauth_*` query (query placement), or an `Authorization` header marked
/// sensitive is set (header placement), or the form body is replaced (form
/// placement). The body is classified by its `Content-Type`.
///
/// # Errors
/// The errors of [`sign`], and [`Error::InvalidUrl`] if the signed URL is not
/// a valid `http::Uri`.
pub fn sign_http_request(
    req: &mut http::Request<Vec<u8>>,
    credentials: &Credentials,
    params: &SigningParams<'_>,
) -> Result<(), Error> {
    let uri = req.uri().to_string();
    let method = req.method().as_str().to_owned();
    let auth = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut view = Request::new(&method, &uri).body(body_of(req));
    if let Some(a) = auth.as_deref() {
        view = view.authorization(a);
    }
    let signed = sign(&view, credentials, params)?;
    match signed.placement() {
        Placement::Header => {
            let mut value = HeaderValue::from_str(signed.authorization().unwrap_or_default())
                .map_err(|e| Error::InvalidUrl {
                    reason: e.to_string(),
                })?;
            value.set_sensitive(true);
            req.headers_mut().insert(AUTHORIZATION, value);
        }
        Placement::Form => {
            *req.body_mut() = signed.form_body().unwrap_or_default().to_vec();
        }
        Placement::Query => {
            *req.uri_mut() =
                signed
                    .url()
                    .parse()
                    .map_err(|e: http::uri::InvalidUri| Error::InvalidUrl {
                        reason: e.to_string(),
                    })?;
        }
    }
    Ok(())
}

/// Verifies a signed `http::Request` whose URI is absolute (see [`verify`]).
///
/// # Errors
/// See [`verify`].
pub fn verify_http_request<B, L, N>(
    req: &http::Request<B>,
    options: &VerifyOptions<'_>,
    lookup: L,
    fresh_nonce: N,
) -> Result<Verified, VerifyError>
where
    B: AsRef<[u8]>,
    L: FnOnce(&str, Option<&str>) -> Option<Credentials>,
    N: FnOnce(&Verified) -> bool,
{
    let uri = req.uri().to_string();
    let mut view = Request::new(req.method().as_str(), &uri).body(body_of(req));
    let auth = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if let Some(a) = auth {
        view = view.authorization(a);
    }
    verify(&view, options, lookup, fresh_nonce)
}
