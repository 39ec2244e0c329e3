//! The signature itself (RFC 5849 sections 3.4.2 to 3.4.4).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};

use crate::method::SignatureMethod;
use crate::secret::Secret;

/// Base64 of `HMAC-<digest>(key, data)`. HMAC takes keys of any length, so
/// `new_from_slice` cannot fail; an empty string would never verify anyway.
macro_rules! hmac_b64 {
    ($digest:ty, $key:expr, $data:expr) => {{
        match <Hmac<$digest> as KeyInit>::new_from_slice($key.expose().as_bytes()) {
            Ok(mut mac) => {
                mac.update($data.as_bytes());
                STANDARD.encode(mac.finalize().into_bytes())
            }
            Err(_) => String::new(),
        }
    }};
}

/// Computes the `oauth_signature` value (not yet percent-encoded).
pub(crate) fn signature(method: SignatureMethod, key: &Secret, base_string: &str) -> Secret {
    match method {
        SignatureMethod::HmacSha1 => Secret::new(hmac_b64!(sha1::Sha1, key, base_string)),
        SignatureMethod::HmacSha256 => Secret::new(hmac_b64!(sha2::Sha256, key, base_string)),
        SignatureMethod::Plaintext => key.clone(),
    }
}

/// An HMAC keyed and fed the part of a base string before the nonce, so
/// that each nonce [`crate::Signer`] draws costs only the HMAC of the nonce
/// and what follows it (RFC 5849 sorts `oauth_nonce` before
/// `oauth_signature_method`, so that tail is short).
#[derive(Clone)]
pub(crate) enum PrefixedMac {
    /// HMAC-SHA1.
    Sha1(Hmac<sha1::Sha1>),
    /// HMAC-SHA256.
    Sha256(Hmac<sha2::Sha256>),
}

impl PrefixedMac {
    /// Keys the MAC and feeds it `prefix`; `None` for PLAINTEXT, whose
    /// signature does not depend on the nonce.
    pub(crate) fn new(method: SignatureMethod, key: &Secret, prefix: &str) -> Option<Self> {
        let key = key.expose().as_bytes();
        let mut mac = match method {
            SignatureMethod::HmacSha1 => Self::Sha1(Hmac::new_from_slice(key).ok()?),
            SignatureMethod::HmacSha256 => Self::Sha256(Hmac::new_from_slice(key).ok()?),
            SignatureMethod::Plaintext => return None,
        };
        mac.update(prefix.as_bytes());
        Some(mac)
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha1(m) => m.update(data),
            Self::Sha256(m) => m.update(data),
        }
    }

    /// The base64 signature of prefix + `nonce` + `suffix`, written into
    /// `out` (cleared first).
    pub(crate) fn finish_into(&self, nonce: &str, suffix: &str, out: &mut String) {
        let mut mac = self.clone();
        mac.update(nonce.as_bytes());
        mac.update(suffix.as_bytes());
        out.clear();
        match mac {
            Self::Sha1(m) => STANDARD.encode_string(m.finalize().into_bytes(), out),
            Self::Sha256(m) => STANDARD.encode_string(m.finalize().into_bytes(), out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// wiki.oauth.net TestCases "HMAC-SHA1" table (reference vector V5).
    #[test]
    fn wiki_hmac_sha1_table() {
        let k1 = Secret::new("cs&");
        let k2 = Secret::new("cs&ts");
        assert_eq!(
            signature(SignatureMethod::HmacSha1, &k1, "bs").expose(),
            "egQqG5AJep5sJ7anhXju1unge2I="
        );
        assert_eq!(
            signature(SignatureMethod::HmacSha1, &k2, "bs").expose(),
            "VZVjXceV7JgPq/dOTnNmEfO0Fv8="
        );
    }

    /// The prefixed MAC gives the signature of the whole base string.
    #[test]
    fn prefixed_mac_matches_the_whole() {
        let k = Secret::new("cs&ts");
        for method in [SignatureMethod::HmacSha1, SignatureMethod::HmacSha256] {
            let whole = signature(method, &k, "GET&a%3Db&oauth_nonce%3DXYZ%26tail");
            let mut out = String::new();
            PrefixedMac::new(method, &k, "GET&a%3Db&oauth_nonce%3D")
                .unwrap()
                .finish_into("XYZ", "%26tail", &mut out);
            assert_eq!(out, whole.expose());
        }
        assert!(PrefixedMac::new(SignatureMethod::Plaintext, &k, "x").is_none());
    }

    #[test]
    fn plaintext_is_the_key() {
        let k = Secret::new("a%20b&c");
        assert_eq!(
            signature(SignatureMethod::Plaintext, &k, "ignored").expose(),
            "a%20b&c"
        );
    }
}
