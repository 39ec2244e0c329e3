//! X.509 certificates: subject, issuer, validity, and when to warn before expiry.

use std::time::{Duration, SystemTime};

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;
use x509_cert::der::Decode as _;

use super::Status;

/// Warn this long before a certificate expires: 30 days, the validity of the
/// certificate OpenSSL makes by default (the HWS guide's Appendix A), so a
/// fresh one is flagged at once.
pub const EXPIRY_WARNING: Duration = Duration::from_secs(30 * 24 * 3600);

/// What the doctors show of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// The subject, RFC 4514 text (`CN=127.0.0.1`).
    pub subject: String,
    /// The issuer.
    pub issuer: String,
    /// Start of validity.
    pub not_before: SystemTime,
    /// End of validity.
    pub not_after: SystemTime,
}

impl CertificateInfo {
    /// Reads a DER certificate.
    ///
    /// # Errors
    /// Why it is not an X.509 certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, String> {
        let cert = x509_cert::Certificate::from_der(der)
            .map_err(|e| format!("not an X.509 certificate: {e}"))?;
        let tbs = cert.tbs_certificate();
        Ok(Self {
            subject: tbs.subject().to_string(),
            issuer: tbs.issuer().to_string(),
            not_before: tbs.validity().not_before.to_system_time(),
            not_after: tbs.validity().not_after.to_system_time(),
        })
    }

    /// The validity's end as an HTTP date (`Sun, 06 Dec 2026 04:00:00 GMT`).
    #[must_use]
    pub fn not_after_text(&self) -> String {
        httpdate::fmt_http_date(self.not_after)
    }

    /// The validity's start as an HTTP date.
    #[must_use]
    pub fn not_before_text(&self) -> String {
        httpdate::fmt_http_date(self.not_before)
    }
}

/// Every certificate of a PEM document, in order.
///
/// # Errors
/// When a block does not parse or there is none.
pub fn pem_certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("a PEM certificate block does not parse: {e}"))?;
    if certs.is_empty() {
        return Err("no `-----BEGIN CERTIFICATE-----` block".to_owned());
    }
    Ok(certs)
}

/// Whether a certificate is fine at `now`: `Failed` once expired (or not yet
/// valid), `Warning` within `warn_within` of its end; with a sentence.
#[must_use]
pub fn expiry_status(
    info: &CertificateInfo,
    now: SystemTime,
    warn_within: Duration,
) -> (Status, String) {
    if now < info.not_before {
        return (
            Status::Failed,
            format!(
                "not valid before {} (check this machine's clock)",
                info.not_before_text()
            ),
        );
    }
    match info.not_after.duration_since(now) {
        Err(e) => (
            Status::Failed,
            format!(
                "expired {} day(s) ago, on {}",
                e.duration().as_secs() / 86_400,
                info.not_after_text()
            ),
        ),
        Ok(left) => {
            let text = format!(
                "expires in {} day(s), on {}",
                left.as_secs() / 86_400,
                info.not_after_text()
            );
            if left < warn_within {
                (Status::Warning, text)
            } else {
                (Status::Ok, text)
            }
        }
    }
}
