//! The request and response types.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use http::header::{AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION, SET_COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};

use crate::error::Error;

/// How many bytes of an error body [`Error::Status`] keeps.
pub const STATUS_EXCERPT_LEN: usize = 512;

/// A request to send: method, absolute URL, *path template*, headers and body.
///
/// The path template (for example `/request/{id}`) names the request in logs, spans
/// and errors, instead of the concrete URL whose path or query may carry identifiers
/// or signatures. Headers set with [`Request::sensitive_header`], and always
/// `Authorization`, `Proxy-Authorization` and `Cookie`, are marked sensitive:
/// `Debug` prints `[redacted]` for them, and the query string is never printed.
#[derive(Clone)]
pub struct Request {
    method: Method,
    uri: Uri,
    template: Cow<'static, str>,
    headers: HeaderMap,
    body: Bytes,
    fingerprint: Option<String>,
}

impl Request {
    /// A request for `url` (absolute, `https://...`), named by `template` in logs.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] if the URL does not parse or is not absolute.
    pub fn new(
        method: Method,
        url: &str,
        template: impl Into<Cow<'static, str>>,
    ) -> Result<Self, Error> {
        let template = template.into();
        let uri: Uri = url.parse().map_err(|e| Error::InvalidRequest {
            // The URL itself is not echoed: its query may hold a signature.
            reason: format!("the URL for {method} {template} does not parse: {e}"),
        })?;
        if uri.scheme().is_none() || uri.authority().is_none() {
            return Err(Error::InvalidRequest {
                reason: format!(
                    "the URL for {method} {template} is not absolute (scheme://host/path)"
                ),
            });
        }
        Ok(Self {
            method,
            uri,
            template,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            fingerprint: None,
        })
    }

    /// A `GET` request.
    ///
    /// # Errors
    /// As [`Request::new`].
    pub fn get(url: &str, template: impl Into<Cow<'static, str>>) -> Result<Self, Error> {
        Self::new(Method::GET, url, template)
    }

    /// A `POST` request with a body.
    ///
    /// # Errors
    /// As [`Request::new`].
    pub fn post(
        url: &str,
        template: impl Into<Cow<'static, str>>,
        body: impl Into<Bytes>,
    ) -> Result<Self, Error> {
        Ok(Self::new(Method::POST, url, template)?.body(body))
    }

    /// Sets a header (replacing any value of that name). `Authorization`,
    /// `Proxy-Authorization` and `Cookie` are marked sensitive automatically.
    #[must_use]
    pub fn header(mut self, name: HeaderName, mut value: HeaderValue) -> Self {
        if is_always_sensitive(&name) {
            value.set_sensitive(true);
        }
        self.headers.insert(name, value);
        self
    }

    /// Sets a header whose value is a secret (a token, a signature...). It is never
    /// printed by `Debug`, logged or put in an error.
    #[must_use]
    pub fn sensitive_header(mut self, name: HeaderName, mut value: HeaderValue) -> Self {
        value.set_sensitive(true);
        self.headers.insert(name, value);
        self
    }

    /// Sets the body.
    #[must_use]
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// Attaches a fingerprint of what is sent (for example the SHA-256 of a package).
    /// If a non-idempotent request fails after it may have reached the server, the
    /// [`Error::MayHaveBeenReceived`] carries it so that the caller can check on the
    /// server side whether that very content arrived.
    #[must_use]
    pub fn fingerprint(mut self, fingerprint: impl Into<String>) -> Self {
        self.fingerprint = Some(fingerprint.into());
        self
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The concrete URL.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The path template that names the request in logs and errors.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    pub fn body_bytes(&self) -> &Bytes {
        &self.body
    }

    /// The fingerprint, if one was attached.
    pub fn get_fingerprint(&self) -> Option<&str> {
        self.fingerprint.as_deref()
    }
}

fn is_always_sensitive(name: &HeaderName) -> bool {
    name == AUTHORIZATION || name == PROXY_AUTHORIZATION || name == COOKIE
}

/// Prints the URL without its query string.
struct UrlWithoutQuery<'a>(&'a Uri);

impl fmt::Debug for UrlWithoutQuery<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(scheme) = self.0.scheme_str() {
            write!(f, "{scheme}://")?;
        }
        if let Some(authority) = self.0.authority() {
            // Userinfo (user:password@) is not printed either.
            write!(f, "{}", authority.as_str().rsplit('@').next().unwrap_or(""))?;
        }
        f.write_str(self.0.path())?;
        if self.0.query().is_some() {
            f.write_str("?[redacted]")?;
        }
        Ok(())
    }
}

/// Prints header names, and values only when they are not sensitive.
pub(crate) struct RedactedHeaders<'a>(pub(crate) &'a HeaderMap);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if value.is_sensitive() || is_always_sensitive(name) || name == SET_COOKIE {
                map.entry(&name.as_str(), &"[redacted]");
            } else {
                map.entry(&name.as_str(), &value.to_str().unwrap_or("[non-ASCII]"));
            }
        }
        map.finish()
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("template", &self.template)
            .field("url", &UrlWithoutQuery(&self.uri))
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

/// A response whose body was read into memory (within the configured limit).
#[derive(Clone)]
pub struct Response {
    pub(crate) method: Method,
    pub(crate) template: String,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) attempts: u32,
}

impl Response {
    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Takes the body.
    pub fn into_body(self) -> Bytes {
        self.body
    }

    /// How many attempts were made (1 if there was no retry).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Turns a non-2xx response into [`Error::Status`] with an excerpt of the body.
    ///
    /// # Errors
    /// [`Error::Status`] if the status is not a success.
    pub fn error_for_status(self) -> Result<Self, Error> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(Error::Status {
                method: self.method,
                template: self.template,
                status: self.status,
                excerpt: excerpt(&self.body),
            })
        }
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("method", &self.method)
            .field("template", &self.template)
            .field("status", &self.status)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .field("attempts", &self.attempts)
            .finish()
    }
}

/// The start of a body, lossily decoded, cut at a character boundary.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(STATUS_EXCERPT_LEN)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if body.len() > STATUS_EXCERPT_LEN {
        text.push('…');
    }
    text
}
