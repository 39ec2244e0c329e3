//! The self-signed X.509 certificate that is sent to WIPO (HWS guide,
//! Appendix A). The X.509 encoding is done by `rcgen`, a well-kept crate,
//! rather than by hand.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls_pki_types::PrivatePkcs8KeyDer;

use crate::key::{KeyType, SigningKey};
use crate::random::RandomSource;

/// The validity of `openssl req -x509` without `-days`: 30 days.
pub const OPENSSL_DEFAULT_VALIDITY: Duration = Duration::from_secs(30 * 24 * 3600);

/// Why the certificate could not be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateError {
    /// The client name is empty.
    #[error(
        "the client name is empty; Appendix A uses e.g. `DAS`, giving CN `DAS private_key_jwt authentication`"
    )]
    EmptyClientName,
    /// The dates cannot be encoded.
    #[error(
        "the certificate dates are out of range (not before {not_before_secs} s after 1970, valid {validity_secs} s); check the clock and the validity"
    )]
    Dates {
        /// Seconds since 1970 of `not_before`, 0 if before 1970.
        not_before_secs: u64,
        /// The requested validity.
        validity_secs: u64,
    },
    /// The random source failed (serial number).
    #[error("the random source failed while choosing the certificate serial number")]
    RandomFailed,
    /// rcgen refused.
    #[error("the certificate could not be built: {0}")]
    Build(String),
}

impl SigningKey {
    /// A self-signed certificate for this key, as PEM, equivalent to the
    /// one Appendix A makes with `openssl req -x509 -new`: subject and
    /// issuer `CN=<client_name> private_key_jwt authentication`, signed with
    /// the key itself (ECDSA-SHA256, or RSA-SHA256 for RSA keys), with a
    /// random 20-byte serial number like OpenSSL's.
    ///
    /// Differences from OpenSSL's output: rcgen writes an X.509 v3
    /// certificate (OpenSSL writes v1 for Appendix A's configuration, which
    /// has no extensions section), and the validity is chosen here; pass
    /// [`OPENSSL_DEFAULT_VALIDITY`] to match OpenSSL's 30 days.
    pub fn self_signed_certificate(
        &self,
        client_name: &str,
        not_before: SystemTime,
        validity: Duration,
        rng: &dyn RandomSource,
    ) -> Result<String, CertificateError> {
        if client_name.trim().is_empty() {
            return Err(CertificateError::EmptyClientName);
        }
        let dates_err = || CertificateError::Dates {
            not_before_secs: not_before
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            validity_secs: validity.as_secs(),
        };
        let start = not_before
            .duration_since(UNIX_EPOCH)
            .map_err(|_| dates_err())?;
        let end = start.checked_add(validity).ok_or_else(dates_err)?;
        let to_time = |d: Duration| {
            i64::try_from(d.as_secs())
                .ok()
                .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
                .ok_or_else(dates_err)
        };

        let alg = match self.key_type() {
            KeyType::EcP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            KeyType::Rsa => &rcgen::PKCS_RSA_SHA256,
        };
        let der = PrivatePkcs8KeyDer::from(self.pkcs8_der());
        let key_pair = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&der, alg)
            .map_err(|e| CertificateError::Build(e.to_string()))?;

        let mut params = rcgen::CertificateParams::default();
        let mut dn = rcgen::DistinguishedName::new();
        dn.push(
            rcgen::DnType::CommonName,
            format!("{client_name} private_key_jwt authentication"),
        );
        params.distinguished_name = dn;
        params.not_before = to_time(start)?;
        params.not_after = to_time(end)?;
        let mut serial = [0u8; 20];
        rng.fill(&mut serial)
            .map_err(|_| CertificateError::RandomFailed)?;
        serial[0] &= 0x7f; // positive
        serial[0] |= 0x01; // and 20 bytes long, like OpenSSL's
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
        let cert = params
            .self_signed(&key_pair)
            .map_err(|e| CertificateError::Build(e.to_string()))?;
        Ok(cert.pem())
    }
}
