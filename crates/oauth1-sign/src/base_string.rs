//! The signature base string of RFC 5849 section 3.4.1, in its three parts.

use url::Url;

use crate::encode::{form_pairs, percent_encode_into};
use crate::error::Error;
use crate::request::Body;

/// Parses and checks a request URL: absolute, `http` or `https`, with a host
/// and a port from 1 to 65535.
pub(crate) fn parse_url(url: &str) -> Result<Url, Error> {
    let parsed = Url::parse(url).map_err(|e| match e {
        url::ParseError::InvalidPort => Error::PortOutOfRange,
        url::ParseError::EmptyHost => Error::MissingHost,
        other => Error::InvalidUrl {
            reason: other.to_string(),
        },
    })?;
    match parsed.scheme() {
        "http" | "https" => {}
        other => return Err(Error::UnsupportedScheme(other.to_owned())),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::MissingHost);
    }
    if parsed.port() == Some(0) {
        return Err(Error::PortOutOfRange);
    }
    Ok(parsed)
}

/// Checks that `method` is an HTTP token and returns it upper-cased.
pub(crate) fn normalize_method(method: &str) -> Result<String, Error> {
    let valid = !method.is_empty()
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if valid {
        Ok(method.to_ascii_uppercase())
    } else {
        Err(Error::InvalidMethod(method.to_owned()))
    }
}

/// Appends the base string URI (RFC 5849 section 3.4.1.2) of a parsed URL:
/// scheme and host lower-case (the URL parser does that), the port only when
/// it is not the scheme's default (80 for http, 443 for https), the path as
/// the URL serialises it, no query and no fragment.
pub(crate) fn push_base_uri(out: &mut String, url: &Url) {
    out.push_str(url.scheme());
    out.push_str("://");
    out.push_str(url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        out.push(':');
        out.push_str(&port.to_string());
    }
    let path = url.path();
    out.push_str(if path.is_empty() { "/" } else { path });
}

/// The base string URI of `url` (RFC 5849 section 3.4.1.2).
///
/// ```
/// assert_eq!(
///     oauth1_sign::base_string_uri("HTTP://EXAMPLE.COM:80/r%20v/X?id=123").unwrap(),
///     "http://example.com/r%20v/X"
/// );
/// ```
///
/// # Errors
/// The URL errors of [`Error`]: unparsable, not HTTP, no host, bad port.
pub fn base_string_uri(url: &str) -> Result<String, Error> {
    let parsed = parse_url(url)?;
    let mut out = String::with_capacity(url.len());
    push_base_uri(&mut out, &parsed);
    Ok(out)
}

/// The request parameters of RFC 5849 section 3.4.1.3.1 that come from the
/// request itself: the decoded query, then the form body if there is one.
pub(crate) fn request_params(url: &Url, body: Body<'_>) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = url
        .query()
        .map(|q| form_pairs(q.as_bytes()).collect())
        .unwrap_or_default();
    if let Body::Form(bytes) = body {
        params.extend(form_pairs(bytes));
    }
    params
}

/// Normalises parameters (RFC 5849 section 3.4.1.3.2): every name and value
/// percent-encoded, sorted by encoded name then encoded value in byte order,
/// duplicates kept, joined as `name=value` with `&`.
///
/// ```
/// let p = [("a", "x!y"), ("a", "x y"), ("c@", "")];
/// assert_eq!(oauth1_sign::normalize_parameters(p), "a=x%20y&a=x%21y&c%40=");
/// ```
pub fn normalize_parameters<I, K, V>(params: I) -> String
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut encoded: Vec<(String, String)> = params
        .into_iter()
        .map(|(k, v)| {
            let mut ek = String::new();
            percent_encode_into(&mut ek, k.as_ref());
            let mut ev = String::new();
            percent_encode_into(&mut ev, v.as_ref());
            (ek, ev)
        })
        .collect();
    encoded.sort_unstable();
    let mut out = String::with_capacity(encoded.iter().map(|(k, v)| k.len() + v.len() + 2).sum());
    for (i, (k, v)) in encoded.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Joins the three parts (RFC 5849 section 3.4.1.1):
/// `METHOD & enc(base string URI) & enc(normalized parameters)`.
pub(crate) fn join_base_string(method_upper: &str, base_uri: &str, normalized: &str) -> String {
    let mut out = String::with_capacity(
        method_upper.len() + 2 + base_uri.len() * 3 / 2 + normalized.len() * 3 / 2,
    );
    out.push_str(method_upper);
    out.push('&');
    percent_encode_into(&mut out, base_uri);
    out.push('&');
    percent_encode_into(&mut out, normalized);
    out
}

/// The signature base string for a method, a URL (whose query is part of the
/// parameters) and further parameters (the `oauth_*` set, a form body's).
/// `oauth_signature` and `realm` must not be among `extra`.
///
/// ```
/// // Reference vector V5: "Concatenate request elements".
/// let s = oauth1_sign::signature_base_string("GET", "http://example.com?n=v", [("", ""); 0]).unwrap();
/// assert_eq!(s, "GET&http%3A%2F%2Fexample.com%2F&n%3Dv");
/// ```
///
/// # Errors
/// An invalid method or URL.
pub fn signature_base_string<I, K, V>(method: &str, url: &str, extra: I) -> Result<String, Error>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let method = normalize_method(method)?;
    let parsed = parse_url(url)?;
    let mut params = request_params(&parsed, Body::None);
    params.extend(
        extra
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned())),
    );
    let mut uri = String::new();
    push_base_uri(&mut uri, &parsed);
    Ok(join_base_string(
        &method,
        &uri,
        &normalize_parameters(params),
    ))
}
