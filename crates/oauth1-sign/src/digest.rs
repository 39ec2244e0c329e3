//! The signature itself (RFC 5849 sections 3.4.2 to 3.4.4).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};

use crate::b64;
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

/// An HMAC state that can be resumed: keyed once (the key pads hashed), fed
/// the fixed start of a base string once, then cloned for each signature and
/// each nonce drawn, so that a signature costs only the HMAC of what follows
/// the fixed start (see [`crate::Signer`]).
#[derive(Clone)]
pub(crate) enum PrefixedMac {
    /// HMAC-SHA1.
    Sha1(Hmac<sha1::Sha1>),
    /// HMAC-SHA256.
    Sha256(Hmac<sha2::Sha256>),
}

/// Room for the base64 of the longest MAC (SHA-256: 44 characters).
pub(crate) type Base64Buf = [u8; 44];

impl PrefixedMac {
    /// The MAC keyed with `key`, nothing fed yet; `None` for PLAINTEXT,
    /// whose signature is the key itself.
    pub(crate) fn keyed(method: SignatureMethod, key: &Secret) -> Option<Self> {
        let key = key.expose().as_bytes();
        match method {
            SignatureMethod::HmacSha1 => Hmac::new_from_slice(key).ok().map(Self::Sha1),
            SignatureMethod::HmacSha256 => Hmac::new_from_slice(key).ok().map(Self::Sha256),
            SignatureMethod::Plaintext => None,
        }
    }

    /// Feeds `data`.
    pub(crate) fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha1(m) => m.update(data),
            Self::Sha256(m) => m.update(data),
        }
    }

    /// The MAC of everything fed.
    pub(crate) fn finish(self) -> MacBytes {
        let mut out = MacBytes::default();
        let bytes: &[u8] = match self {
            Self::Sha1(m) => &m.finalize().into_bytes(),
            Self::Sha256(m) => &m.finalize().into_bytes(),
        };
        out.len = bytes.len().min(out.bytes.len());
        out.bytes[..out.len].copy_from_slice(&bytes[..out.len]);
        out
    }
}

/// A MAC's bytes, on the stack (SHA-1: 20, SHA-256: 32).
#[derive(Default)]
pub(crate) struct MacBytes {
    bytes: [u8; 32],
    len: usize,
}

impl MacBytes {
    /// The bytes.
    pub(crate) fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    /// Standard base64 with padding, into `out`.
    pub(crate) fn base64<'o>(&self, out: &'o mut Base64Buf) -> &'o str {
        b64::encode(b64::STANDARD, self.as_slice(), true, out)
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

    /// A MAC resumed after a fed prefix gives the signature of the whole.
    #[test]
    fn prefixed_mac_matches_the_whole() {
        let k = Secret::new("cs&ts");
        for method in [SignatureMethod::HmacSha1, SignatureMethod::HmacSha256] {
            let whole = signature(method, &k, "GET&a%3Db&oauth_nonce%3DXYZ%26tail");
            let mut prefixed = PrefixedMac::keyed(method, &k).unwrap();
            prefixed.update(b"GET&a%3Db&oauth_nonce%3D");
            let mut resumed = prefixed.clone();
            resumed.update(b"XYZ");
            resumed.update(b"%26tail");
            let mut buf = [0; 44];
            assert_eq!(resumed.finish().base64(&mut buf), whole.expose());
        }
        assert!(PrefixedMac::keyed(SignatureMethod::Plaintext, &k).is_none());
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
