//! Public keys as JWK (RFC 7517) and their RFC 7638 thumbprints.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// A public key as a JSON Web Key: what the authorization server registers
/// for the client (`jwks` in the client metadata).
///
/// Only the members RFC 7638 needs for the thumbprint are kept, plus the
/// optional `kid`, `alg` and `use`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kty")]
#[non_exhaustive]
pub enum PublicJwk {
    /// An elliptic-curve public key (`"kty":"EC"`).
    #[serde(rename = "EC")]
    Ec {
        /// Curve name; `P-256` for the keys this crate loads.
        crv: String,
        /// X coordinate, base64url without padding, 32 bytes for P-256.
        x: String,
        /// Y coordinate, base64url without padding, 32 bytes for P-256.
        y: String,
        /// Optional key id.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        kid: Option<String>,
        /// Optional algorithm.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        alg: Option<String>,
        /// Optional intended use (`sig`).
        #[serde(rename = "use", skip_serializing_if = "Option::is_none", default)]
        use_: Option<String>,
    },
    /// An RSA public key (`"kty":"RSA"`).
    #[serde(rename = "RSA")]
    Rsa {
        /// Modulus, base64url without padding, no leading zero.
        n: String,
        /// Public exponent, base64url without padding.
        e: String,
        /// Optional key id.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        kid: Option<String>,
        /// Optional algorithm.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        alg: Option<String>,
        /// Optional intended use (`sig`).
        #[serde(rename = "use", skip_serializing_if = "Option::is_none", default)]
        use_: Option<String>,
    },
}

impl PublicJwk {
    /// An EC P-256 key from its X and Y coordinates.
    pub(crate) fn p256(x: &[u8], y: &[u8]) -> Self {
        Self::Ec {
            crv: "P-256".to_owned(),
            x: URL_SAFE_NO_PAD.encode(x),
            y: URL_SAFE_NO_PAD.encode(y),
            kid: None,
            alg: None,
            use_: None,
        }
    }

    /// An RSA key from its unsigned big-endian modulus and exponent.
    pub(crate) fn rsa(n: &[u8], e: &[u8]) -> Self {
        Self::Rsa {
            n: URL_SAFE_NO_PAD.encode(n),
            e: URL_SAFE_NO_PAD.encode(e),
            kid: None,
            alg: None,
            use_: None,
        }
    }

    /// The RFC 7638 JWK thumbprint with SHA-256, base64url without padding.
    ///
    /// Only the required members take part, in lexicographic order and with
    /// no whitespace: `crv`, `kty`, `x`, `y` for EC; `e`, `kty`, `n` for RSA.
    /// The values are base64url strings, so they need no JSON escaping, but
    /// they are escaped anyway through `serde_json` to be safe with
    /// hand-written JWKs.
    pub fn thumbprint(&self) -> String {
        let canonical = match self {
            Self::Ec { crv, x, y, .. } => {
                format!(
                    r#"{{"crv":{},"kty":"EC","x":{},"y":{}}}"#,
                    json_str(crv),
                    json_str(x),
                    json_str(y)
                )
            }
            Self::Rsa { n, e, .. } => {
                format!(r#"{{"e":{},"kty":"RSA","n":{}}}"#, json_str(e), json_str(n))
            }
        };
        let digest = ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes());
        URL_SAFE_NO_PAD.encode(digest.as_ref())
    }

    /// The same key with `kid`, `alg` and `use` (`sig`) set, ready to be
    /// registered.
    #[must_use]
    pub fn with_metadata(
        mut self,
        key_id: Option<&str>,
        algorithm: Option<crate::Algorithm>,
    ) -> Self {
        let (kid, alg, use_) = match &mut self {
            Self::Ec { kid, alg, use_, .. } | Self::Rsa { kid, alg, use_, .. } => (kid, alg, use_),
        };
        *kid = key_id.map(str::to_owned);
        *alg = algorithm.map(|a| a.as_str().to_owned());
        *use_ = Some("sig".to_owned());
        self
    }

    /// The key as compact JSON.
    pub fn to_json(&self) -> String {
        // Serializing a struct of strings cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

fn json_str(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7638 section 3.1, the RSA example (the RFC 7517 A.1 key).
    #[test]
    fn rfc7638_rsa_example() {
        let jwk = PublicJwk::Rsa {
            n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw".to_owned(),
            e: "AQAB".to_owned(),
            kid: Some("2011-04-29".to_owned()),
            alg: Some("RS256".to_owned()),
            use_: None,
        };
        assert_eq!(
            jwk.thumbprint(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    /// The RFC 7515 A.3 key, thumbprint from `../shared/reference/fapi.md` 1.6
    /// (verified there with jose and an openssl pipeline).
    #[test]
    fn rfc7638_ec_vector_from_reference_notes() {
        let jwk: PublicJwk = serde_json::from_str(
            r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#,
        )
        .unwrap();
        assert_eq!(
            jwk.thumbprint(),
            "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U"
        );
        // kid/alg/use do not change the thumbprint.
        let with = jwk
            .clone()
            .with_metadata(Some("k1"), Some(crate::Algorithm::Es256));
        assert_eq!(with.thumbprint(), jwk.thumbprint());
        assert!(with.to_json().contains(r#""kid":"k1""#));
        assert!(with.to_json().contains(r#""use":"sig""#));
    }
}
