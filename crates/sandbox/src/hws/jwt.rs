//! Verification of `private_key_jwt` client assertions (RFC 7523 section 3) with ring:
//! ES256 (raw R‖S, RFC 7518 3.4), PS256 and RS256 against a registered public JWK.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fapi_jwt_assert::PublicJwk;
use serde::Deserialize;

/// The algorithms the token endpoint accepts, as advertised in discovery.
pub(crate) const ALGORITHMS: &[&str] = &["ES256", "PS256", "RS256"];

/// An assertion split into its parts, not yet verified.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) alg: String,
    pub(crate) claims: Claims,
    signing_input: String,
    signature: Vec<u8>,
}

/// The claims the sandbox checks. `aud` may be a string or an array (RFC 7519 4.1.3).
#[derive(Debug, Deserialize)]
pub(crate) struct Claims {
    pub(crate) iss: Option<String>,
    pub(crate) sub: Option<String>,
    #[serde(default, deserialize_with = "string_or_list")]
    pub(crate) aud: Vec<String>,
    pub(crate) exp: Option<f64>,
    pub(crate) iat: Option<f64>,
    pub(crate) nbf: Option<f64>,
    pub(crate) jti: Option<String>,
}

fn string_or_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Aud {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<Aud>::deserialize(d)? {
        None => Vec::new(),
        Some(Aud::One(s)) => vec![s],
        Some(Aud::Many(v)) => v,
    })
}

#[derive(Deserialize)]
struct Header {
    alg: Option<String>,
}

/// Splits and decodes a compact JWS; the error says what is malformed.
pub(crate) fn parse(assertion: &str) -> Result<Parsed, String> {
    let mut parts = assertion.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(
            "the client assertion is not a compact JWS (three base64url parts separated by dots)"
                .into(),
        );
    };
    let decode = |what: &str, part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| format!("the client assertion's {what} is not base64url without padding"))
    };
    let header: Header = serde_json::from_slice(&decode("header", h)?)
        .map_err(|_| "the client assertion's header is not a JSON object".to_owned())?;
    let claims: Claims = serde_json::from_slice(&decode("payload", p)?)
        .map_err(|e| format!("the client assertion's claims do not parse: {e}"))?;
    let alg = header
        .alg
        .ok_or_else(|| "the client assertion's header has no alg".to_owned())?;
    Ok(Parsed {
        alg,
        claims,
        signing_input: format!("{h}.{p}"),
        signature: decode("signature", s)?,
    })
}

impl Parsed {
    /// Checks the signature with `key`. The algorithm must be one of [`ALGORITHMS`] and
    /// fit the key type (no `none`, no HMAC, no algorithm confusion).
    pub(crate) fn verify_signature(&self, key: &PublicJwk) -> Result<(), String> {
        use ring::signature as sig;
        let input = self.signing_input.as_bytes();
        let bad = || {
            "the client assertion's signature does not verify with the registered key".to_owned()
        };
        let b64 = |v: &str| {
            URL_SAFE_NO_PAD
                .decode(v)
                .map_err(|_| "the registered JWK is not base64url".to_owned())
        };
        match (self.alg.as_str(), key) {
            ("ES256", PublicJwk::Ec { crv, x, y, .. }) if crv == "P-256" => {
                let mut point = vec![4u8];
                point.extend(b64(x)?);
                point.extend(b64(y)?);
                if self.signature.len() != 64 {
                    return Err(format!(
                        "an ES256 signature is 64 bytes (raw R||S, RFC 7518 3.4), this one has {}: a DER-encoded ECDSA signature is not accepted",
                        self.signature.len()
                    ));
                }
                sig::UnparsedPublicKey::new(&sig::ECDSA_P256_SHA256_FIXED, point)
                    .verify(input, &self.signature)
                    .map_err(|_| bad())
            }
            ("RS256" | "PS256", PublicJwk::Rsa { n, e, .. }) => {
                let params = if self.alg == "RS256" {
                    &sig::RSA_PKCS1_2048_8192_SHA256
                } else {
                    &sig::RSA_PSS_2048_8192_SHA256
                };
                sig::RsaPublicKeyComponents {
                    n: b64(n)?,
                    e: b64(e)?,
                }
                .verify(params, input, &self.signature)
                .map_err(|_| bad())
            }
            (alg, _) if !ALGORITHMS.contains(&alg) => Err(format!(
                "the algorithm {alg} is not accepted; use one of {}",
                ALGORITHMS.join(", ")
            )),
            (alg, _) => Err(format!(
                "the algorithm {alg} does not fit the registered key's type"
            )),
        }
    }
}

/// The DER prefix of a P-256 `SubjectPublicKeyInfo` (id-ecPublicKey, prime256v1), up to the
/// uncompressed point.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// The public JWK of a P-256 `-----BEGIN PUBLIC KEY-----` PEM, as the guide's Appendix A
/// writes it (`openssl ec -pubout`).
pub(crate) fn p256_public_pem_to_jwk(pem: &str) -> Result<PublicJwk, String> {
    use base64::engine::general_purpose::STANDARD;
    let body: String = pem
        .lines()
        .map(str::trim)
        .skip_while(|l| *l != "-----BEGIN PUBLIC KEY-----")
        .skip(1)
        .take_while(|l| *l != "-----END PUBLIC KEY-----")
        .collect();
    let der = STANDARD.decode(body.as_bytes()).map_err(|_| {
        "public_key_pem is not a PEM `PUBLIC KEY` (openssl ec -pubout writes one)".to_owned()
    })?;
    let point = der
        .strip_prefix(&P256_SPKI_PREFIX[..])
        .filter(|p| p.len() == 65 && p[0] == 4)
        .ok_or_else(|| "public_key_pem is not an uncompressed P-256 public key".to_owned())?;
    serde_json::from_value(serde_json::json!({
        "kty": "EC",
        "crv": "P-256",
        "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
        "y": URL_SAFE_NO_PAD.encode(&point[33..]),
    }))
    .map_err(|e| format!("cannot build the JWK: {e}"))
}
