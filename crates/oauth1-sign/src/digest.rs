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

    #[test]
    fn plaintext_is_the_key() {
        let k = Secret::new("a%20b&c");
        assert_eq!(
            signature(SignatureMethod::Plaintext, &k, "ignored").expose(),
            "a%20b&c"
        );
    }
}
