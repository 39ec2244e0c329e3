//! Helpers of these tests: an independent JWS verifier built on ring and
//! fixture loading. The peer tools' locations and the oidc-provider launcher
//! are shared with other crates' tests in `test-support`.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fapi_jwt_assert::PublicJwk;
use ring::signature::{self, UnparsedPublicKey};

/// Reads a fixture from `tests/data`.
pub(crate) fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

pub(crate) use test_support::tools::run_python;

/// Decoded parts of a compact JWS.
pub(crate) struct Jws {
    pub(crate) header: serde_json::Value,
    pub(crate) claims: serde_json::Value,
    pub(crate) signature: Vec<u8>,
}

/// Splits and decodes a compact JWS without checking it.
pub(crate) fn decode(jws: &str) -> Jws {
    let parts: Vec<&str> = jws.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS has three parts");
    let header = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    Jws {
        header,
        claims,
        signature,
    }
}

/// Verifies a compact JWS with ring against a public JWK, choosing the
/// algorithm from the header. Returns whether the signature is valid.
pub(crate) fn verify(jws: &str, jwk: &PublicJwk) -> bool {
    let Some((signing_input, sig_b64)) = jws.rsplit_once('.') else {
        return false;
    };
    let Ok(sig) = URL_SAFE_NO_PAD.decode(sig_b64) else {
        return false;
    };
    let header: serde_json::Value = jws
        .split('.')
        .next()
        .and_then(|h| URL_SAFE_NO_PAD.decode(h).ok())
        .and_then(|h| serde_json::from_slice(&h).ok())
        .unwrap_or_default();
    let alg = header["alg"].as_str().unwrap_or_default().to_owned();
    let json: serde_json::Value = serde_json::from_str(&jwk.to_json()).unwrap();
    let field = |name: &str| {
        URL_SAFE_NO_PAD
            .decode(json[name].as_str().unwrap())
            .unwrap()
    };
    match alg.as_str() {
        "ES256" => {
            let mut point = vec![0x04];
            point.extend(field("x"));
            point.extend(field("y"));
            UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                .verify(signing_input.as_bytes(), &sig)
                .is_ok()
        }
        "PS256" | "RS256" => {
            let params = if alg == "PS256" {
                &signature::RSA_PSS_2048_8192_SHA256
            } else {
                &signature::RSA_PKCS1_2048_8192_SHA256
            };
            signature::RsaPublicKeyComponents {
                n: field("n"),
                e: field("e"),
            }
            .verify(params, signing_input.as_bytes(), &sig)
            .is_ok()
        }
        _ => false,
    }
}

/// A fresh directory under the system temp dir.
pub(crate) fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "fapi-jwt-assert-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
