//! The request to sign or verify: a neutral view of borrowed parts.

/// The body of a request, as far as signing cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Body<'a> {
    /// No body.
    #[default]
    None,
    /// An `application/x-www-form-urlencoded` body: its parameters are signed.
    Form(&'a [u8]),
    /// Any other body (JSON, `text/plain`, binary): it is not signed
    /// (RFC 5849 section 3.4.1.3.1). FirmaDocumentos' JSON goes here.
    Opaque,
}

impl<'a> Body<'a> {
    /// Classifies a body by its `Content-Type`: only
    /// `application/x-www-form-urlencoded` (any case, any parameters such as
    /// `; charset=utf-8`) is a signed form.
    #[must_use]
    pub fn from_content_type(content_type: Option<&str>, bytes: &'a [u8]) -> Self {
        let is_form = content_type
            .and_then(|ct| ct.split(';').next())
            .is_some_and(|mime| {
                mime.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        match (is_form, bytes.is_empty()) {
            (true, _) => Self::Form(bytes),
            (false, true) => Self::None,
            (false, false) => Self::Opaque,
        }
    }
}

/// The parts of an HTTP request that OAuth 1.0 signs.
///
/// ```
/// use oauth1_sign::{Body, Request};
/// let r = Request::new("post", "https://apitest.firmadocumentos.es/send/Template")
///     .body(Body::Opaque);
/// assert_eq!(r.method(), "post");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    method: &'a str,
    url: &'a str,
    body: Body<'a>,
    authorization: Option<&'a str>,
}

impl<'a> Request<'a> {
    /// A request with no body.
    #[must_use]
    pub const fn new(method: &'a str, url: &'a str) -> Self {
        Self {
            method,
            url,
            body: Body::None,
            authorization: None,
        }
    }

    /// Sets the body.
    #[must_use]
    pub const fn body(mut self, body: Body<'a>) -> Self {
        self.body = body;
        self
    }

    /// Sets the received `Authorization` header (used by verification only).
    #[must_use]
    pub const fn authorization(mut self, header: &'a str) -> Self {
        self.authorization = Some(header);
        self
    }

    /// The method as given.
    #[must_use]
    pub const fn method(&self) -> &'a str {
        self.method
    }

    /// The URL as given.
    #[must_use]
    pub const fn url(&self) -> &'a str {
        self.url
    }

    /// The body.
    #[must_use]
    pub const fn body_kind(&self) -> Body<'a> {
        self.body
    }

    /// The `Authorization` header, if set.
    #[must_use]
    pub const fn authorization_header(&self) -> Option<&'a str> {
        self.authorization
    }
}

/// Where the `oauth_*` parameters go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Placement {
    /// Appended to the URL's query string, as FirmaDocumentos expects.
    #[default]
    Query,
    /// In an `Authorization: OAuth ...` header (RFC 5849 section 3.5.1).
    Header,
    /// Appended to an `application/x-www-form-urlencoded` body (section 3.5.2).
    Form,
}
