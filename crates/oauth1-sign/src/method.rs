//! Signature methods.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// The `oauth_signature_method` values this crate signs and verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureMethod {
    /// `HMAC-SHA1` (RFC 5849 section 3.4.2), what FirmaDocumentos uses.
    HmacSha1,
    /// `HMAC-SHA256`: not in RFC 5849, but widely deployed with the same rules.
    HmacSha256,
    /// `PLAINTEXT` (RFC 5849 section 3.4.4): the key itself. Only over TLS.
    Plaintext,
}

impl SignatureMethod {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::HmacSha1 => "HMAC-SHA1",
            Self::HmacSha256 => "HMAC-SHA256",
            Self::Plaintext => "PLAINTEXT",
        }
    }
}

impl fmt::Display for SignatureMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SignatureMethod {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "HMAC-SHA1" => Ok(Self::HmacSha1),
            "HMAC-SHA256" => Ok(Self::HmacSha256),
            "PLAINTEXT" => Ok(Self::Plaintext),
            other => Err(Error::UnsupportedSignatureMethod(other.to_owned())),
        }
    }
}
