//! A very small DER reader and writer: just enough to tell key formats apart,
//! name the curve or algorithm that was found, and wrap SEC1 and PKCS#1 keys
//! into PKCS#8 for ring.
//!
//! It never panics on malformed input: every read is bounds-checked and
//! returns `None` when the bytes are not what is expected.

/// DER tags used here.
pub(crate) mod tag {
    pub(crate) const INTEGER: u8 = 0x02;
    pub(crate) const BIT_STRING: u8 = 0x03;
    pub(crate) const OCTET_STRING: u8 = 0x04;
    pub(crate) const NULL: u8 = 0x05;
    pub(crate) const OID: u8 = 0x06;
    pub(crate) const SEQUENCE: u8 = 0x30;
    pub(crate) const CONTEXT_0: u8 = 0xa0;
    pub(crate) const CONTEXT_1: u8 = 0xa1;
}

/// Object identifiers (DER content bytes, without tag and length).
pub(crate) mod oid {
    /// 1.2.840.10045.2.1 id-ecPublicKey
    pub(crate) const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// 1.2.840.10045.3.1.7 prime256v1 / secp256r1 / P-256
    pub(crate) const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    /// 1.3.132.0.34 secp384r1 / P-384
    pub(crate) const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
    /// 1.3.132.0.35 secp521r1 / P-521
    pub(crate) const P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
    /// 1.3.132.0.10 secp256k1
    pub(crate) const SECP256K1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x0a];
    /// 1.2.840.113549.1.1.1 rsaEncryption
    pub(crate) const RSA_ENCRYPTION: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// 1.2.840.113549.1.1.10 id-RSASSA-PSS
    pub(crate) const RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    /// 1.3.101.112 Ed25519
    pub(crate) const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    /// 1.3.101.113 Ed448
    pub(crate) const ED448: &[u8] = &[0x2b, 0x65, 0x71];

    /// A readable name for an OID found in a key, for error messages.
    pub(crate) fn name(oid: &[u8]) -> String {
        match oid {
            P256 => "P-256 (prime256v1)".to_owned(),
            P384 => "P-384 (secp384r1)".to_owned(),
            P521 => "P-521 (secp521r1)".to_owned(),
            SECP256K1 => "secp256k1".to_owned(),
            RSA_ENCRYPTION => "RSA".to_owned(),
            RSASSA_PSS => "RSASSA-PSS-restricted RSA".to_owned(),
            ED25519 => "Ed25519".to_owned(),
            ED448 => "Ed448".to_owned(),
            EC_PUBLIC_KEY => "EC".to_owned(),
            other => format!("OID {}", dotted(other)),
        }
    }

    /// Dotted-decimal form of an OID, best effort.
    fn dotted(oid: &[u8]) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut value: u64 = 0;
        for &b in oid {
            value = (value << 7) | u64::from(b & 0x7f);
            if b & 0x80 == 0 {
                if parts.is_empty() {
                    let (first, second) = if value < 80 {
                        (value / 40, value % 40)
                    } else {
                        (2, value - 80)
                    };
                    parts.push(first.to_string());
                    parts.push(second.to_string());
                } else {
                    parts.push(value.to_string());
                }
                value = 0;
            }
        }
        parts.join(".")
    }
}

/// A cursor over DER bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Reads one TLV and returns (tag, value).
    pub(crate) fn any(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, rest) = self.rest.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || rest.len() < n {
                return None;
            }
            let mut len = 0usize;
            for &b in &rest[..n] {
                len = (len << 8) | usize::from(b);
            }
            rest = &rest[n..];
            len
        };
        if rest.len() < len {
            return None;
        }
        let (value, after) = rest.split_at(len);
        self.rest = after;
        Some((tag, value))
    }

    /// Reads one TLV that must carry `want`.
    pub(crate) fn expect(&mut self, want: u8) -> Option<&'a [u8]> {
        match self.any()? {
            (tag, value) if tag == want => Some(value),
            _ => None,
        }
    }
}

/// Appends a DER length.
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Appends a TLV.
pub(crate) fn push_tlv(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    push_len(out, value.len());
    out.extend_from_slice(value);
}

/// Builds a PKCS#8 v1 `PrivateKeyInfo` around an inner private key.
///
/// `algorithm` is the already-encoded `AlgorithmIdentifier` content (OID and
/// parameters).
pub(crate) fn pkcs8_v1(algorithm: &[u8], private_key: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(private_key.len() + algorithm.len() + 16);
    push_tlv(&mut body, tag::INTEGER, &[0]);
    push_tlv(&mut body, tag::SEQUENCE, algorithm);
    push_tlv(&mut body, tag::OCTET_STRING, private_key);
    let mut out = Vec::with_capacity(body.len() + 4);
    push_tlv(&mut out, tag::SEQUENCE, &body);
    zeroize::Zeroize::zeroize(&mut body);
    out
}

/// `AlgorithmIdentifier` content for an EC P-256 key.
pub(crate) fn ec_p256_algorithm() -> Vec<u8> {
    let mut alg = Vec::with_capacity(19);
    push_tlv(&mut alg, tag::OID, oid::EC_PUBLIC_KEY);
    push_tlv(&mut alg, tag::OID, oid::P256);
    alg
}

/// `AlgorithmIdentifier` content for an RSA key.
pub(crate) fn rsa_algorithm() -> Vec<u8> {
    let mut alg = Vec::with_capacity(13);
    push_tlv(&mut alg, tag::OID, oid::RSA_ENCRYPTION);
    push_tlv(&mut alg, tag::NULL, &[]);
    alg
}

/// Strips the sign-padding zero from a DER INTEGER's content.
pub(crate) fn unsigned(int: &[u8]) -> &[u8] {
    let skip = int.iter().take_while(|&&b| b == 0).count();
    &int[skip..]
}

/// Bit length of an unsigned big-endian integer.
pub(crate) fn bit_len(int: &[u8]) -> usize {
    let int = unsigned(int);
    match int.first() {
        None => 0,
        Some(&b) => (int.len() - 1) * 8 + (8 - b.leading_zeros() as usize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_long_lengths_and_rejects_truncation() {
        let mut v = Vec::new();
        push_tlv(&mut v, tag::OCTET_STRING, &[7u8; 300]);
        assert_eq!(&v[..4], &[0x04, 0x82, 0x01, 0x2c]);
        let mut r = Reader::new(&v);
        assert_eq!(r.expect(tag::OCTET_STRING).map(<[u8]>::len), Some(300));
        assert!(r.is_empty());
        let mut r = Reader::new(&v[..100]);
        assert!(r.any().is_none());
    }

    #[test]
    fn names_oids() {
        assert_eq!(oid::name(oid::P384), "P-384 (secp384r1)");
        // 1.2.840.113549 encodes as 2a 86 48 86 f7 0d
        assert_eq!(
            oid::name(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d]),
            "OID 1.2.840.113549"
        );
    }

    #[test]
    fn bit_length() {
        assert_eq!(bit_len(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bit_len(&[0x01]), 1);
        assert_eq!(bit_len(&[]), 0);
    }
}
