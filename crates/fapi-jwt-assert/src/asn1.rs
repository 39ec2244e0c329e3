//! The DER side of key loading, on the RustCrypto crates (`der`, `spki`,
//! `pkcs8`): the object identifiers this crate tells apart and names, the
//! PKCS#8 wrapper that ring needs around SEC1 and PKCS#1 keys, the
//! `SubjectPublicKeyInfo` of a key, and a readable reason for a DER error.
//!
//! Every encoding is written into a buffer of the exact length, so the
//! private key bytes are never copied into a buffer that is not zeroized.

use const_oid::ObjectIdentifier as Oid;
use der::asn1::{AnyRef, BitStringRef, OctetStringRef};
use der::{Encode, ErrorKind, Tag};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

/// Object identifiers found in keys.
pub(crate) mod oid {
    use super::Oid;

    /// 1.2.840.10045.2.1 id-ecPublicKey
    pub(crate) const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    /// 1.2.840.10045.3.1.7 prime256v1 / secp256r1 / P-256
    pub(crate) const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    /// 1.3.132.0.34 secp384r1 / P-384
    pub(crate) const P384: Oid = Oid::new_unwrap("1.3.132.0.34");
    /// 1.3.132.0.35 secp521r1 / P-521
    pub(crate) const P521: Oid = Oid::new_unwrap("1.3.132.0.35");
    /// 1.3.132.0.10 secp256k1
    pub(crate) const SECP256K1: Oid = Oid::new_unwrap("1.3.132.0.10");
    /// 1.2.840.113549.1.1.1 rsaEncryption
    pub(crate) const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    /// 1.2.840.113549.1.1.10 id-RSASSA-PSS
    pub(crate) const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
    /// 1.3.101.112 Ed25519
    pub(crate) const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
    /// 1.3.101.113 Ed448
    pub(crate) const ED448: Oid = Oid::new_unwrap("1.3.101.113");

    /// A readable name for an OID found in a key, for error messages.
    pub(crate) fn name(oid: &Oid) -> String {
        let known = [
            (P256, "P-256 (prime256v1)"),
            (P384, "P-384 (secp384r1)"),
            (P521, "P-521 (secp521r1)"),
            (SECP256K1, "secp256k1"),
            (RSA_ENCRYPTION, "RSA"),
            (RSASSA_PSS, "RSASSA-PSS-restricted RSA"),
            (ED25519, "Ed25519"),
            (ED448, "Ed448"),
            (EC_PUBLIC_KEY, "EC"),
        ];
        known
            .iter()
            .find(|(k, _)| k == oid)
            .map_or_else(|| format!("OID {oid}"), |(_, name)| (*name).to_owned())
    }
}

/// An `AlgorithmIdentifier` whose parameters are `params` (tag and value).
fn algorithm(oid: Oid, params: AnyRef<'_>) -> AlgorithmIdentifierRef<'_> {
    AlgorithmIdentifierRef {
        oid,
        parameters: Some(params),
    }
}

/// Calls `f` with the `AlgorithmIdentifier` of an EC P-256 key
/// (id-ecPublicKey, namedCurve prime256v1).
fn with_ec_p256_algorithm<T>(
    f: impl FnOnce(AlgorithmIdentifierRef<'_>) -> der::Result<T>,
) -> der::Result<T> {
    let curve = AnyRef::new(Tag::ObjectIdentifier, oid::P256.as_bytes())?;
    f(algorithm(oid::EC_PUBLIC_KEY, curve))
}

/// The `AlgorithmIdentifier` of an RSA key (rsaEncryption, NULL).
fn rsa_algorithm() -> AlgorithmIdentifierRef<'static> {
    algorithm(oid::RSA_ENCRYPTION, AnyRef::NULL)
}

/// Encodes `value` into a zeroized buffer of exactly its length.
fn encode_secret(value: &impl Encode) -> der::Result<Zeroizing<Vec<u8>>> {
    let len = usize::try_from(value.encoded_len()?)?;
    let mut out = Zeroizing::new(vec![0u8; len]);
    let written = value.encode_to_slice(&mut out)?.len();
    out.truncate(written);
    Ok(out)
}

/// A PKCS#8 v1 `PrivateKeyInfo` around a SEC1 `ECPrivateKey` on P-256.
pub(crate) fn pkcs8_ec_p256(sec1: &[u8]) -> der::Result<Zeroizing<Vec<u8>>> {
    with_ec_p256_algorithm(|alg| {
        encode_secret(&pkcs8::PrivateKeyInfoRef::new(
            alg,
            OctetStringRef::new(sec1)?,
        ))
    })
}

/// A PKCS#8 v1 `PrivateKeyInfo` around a PKCS#1 `RSAPrivateKey`.
pub(crate) fn pkcs8_rsa(pkcs1: &[u8]) -> der::Result<Zeroizing<Vec<u8>>> {
    encode_secret(&pkcs8::PrivateKeyInfoRef::new(
        rsa_algorithm(),
        OctetStringRef::new(pkcs1)?,
    ))
}

/// The DER `SubjectPublicKeyInfo` of an EC P-256 public point (SEC1 encoded).
pub(crate) fn spki_ec_p256(point: &[u8]) -> der::Result<Vec<u8>> {
    with_ec_p256_algorithm(|algorithm| {
        spki_der(SubjectPublicKeyInfoRef {
            algorithm,
            subject_public_key: BitStringRef::from_bytes(point)?,
        })
    })
}

/// The DER `SubjectPublicKeyInfo` of an RSA public key (PKCS#1 `RSAPublicKey`).
pub(crate) fn spki_rsa(rsa_public_key: &[u8]) -> der::Result<Vec<u8>> {
    spki_der(SubjectPublicKeyInfoRef {
        algorithm: rsa_algorithm(),
        subject_public_key: BitStringRef::from_bytes(rsa_public_key)?,
    })
}

fn spki_der(spki: SubjectPublicKeyInfoRef<'_>) -> der::Result<Vec<u8>> {
    // A public key: no need to zeroize, but the same exact-length writer.
    encode_secret(&spki).map(|z| z.to_vec())
}

/// Bit length of an unsigned big-endian integer (leading zeros ignored).
pub(crate) fn bit_len(int: &[u8]) -> usize {
    let skip = int.iter().take_while(|&&b| b == 0).count();
    let int = &int[skip..];
    match int.first() {
        None => 0,
        Some(&b) => (int.len() - 1) * 8 + (8 - b.leading_zeros() as usize),
    }
}

/// What a DER decoding error means, in words for [`crate::KeyError::Malformed`].
pub(crate) fn describe(err: der::Error) -> &'static str {
    match err.kind() {
        ErrorKind::Incomplete { .. } => "the DER data is cut short",
        ErrorKind::TrailingData { .. } => "there are bytes after the end of the key",
        ErrorKind::Length { .. } | ErrorKind::Overlength | ErrorKind::Overflow => {
            "a DER length is wrong"
        }
        ErrorKind::IndefiniteLength => "a DER length is indefinite (BER, not DER)",
        ErrorKind::Noncanonical { .. } => "a field is not in canonical DER form",
        ErrorKind::TagUnexpected { .. }
        | ErrorKind::TagUnknown { .. }
        | ErrorKind::TagNumberInvalid
        | ErrorKind::TagModeUnknown => "a field is missing or has an unexpected type",
        ErrorKind::Value { tag: Tag::Integer } => {
            "an integer field (such as the version) has a value that is not allowed"
        }
        ErrorKind::Value { .. } => "a field has a value that is not allowed",
        ErrorKind::OidMalformed | ErrorKind::OidUnknown { .. } => {
            "an object identifier is malformed"
        }
        _ => "it is not valid DER",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_oids_and_falls_back_to_dotted_form() {
        assert_eq!(oid::name(&oid::P384), "P-384 (secp384r1)");
        assert_eq!(
            oid::name(&Oid::new_unwrap("1.2.840.113549")),
            "OID 1.2.840.113549"
        );
    }

    #[test]
    fn bit_length() {
        assert_eq!(bit_len(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bit_len(&[0x01]), 1);
        assert_eq!(bit_len(&[]), 0);
    }

    #[test]
    fn rsa_algorithm_identifier_is_the_rfc_8017_encoding() {
        // RFC 8017 A.1: rsaEncryption with NULL parameters.
        let der = encode_secret(&rsa_algorithm()).unwrap();
        assert_eq!(
            &der[..],
            &[
                0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05,
                0x00
            ]
        );
    }

    #[test]
    fn describes_truncation() {
        use der::Decode as _;
        let err = sec1::EcPrivateKey::from_der(&[0x30, 0x10, 0x02]).unwrap_err();
        assert_eq!(describe(err), "the DER data is cut short");
    }
}
