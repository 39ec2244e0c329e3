//! Optional TLS: a certificate authority generated at start with rcgen, and one server
//! certificate it signs for `127.0.0.1` and `localhost`. Clients trust the CA's PEM
//! ([`crate::Sandbox::ca_pem`]) as an extra root.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// The acceptor both servers use, and the CA certificate in PEM.
#[derive(Clone)]
pub(crate) struct Tls {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) ca_pem: String,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("ca_pem", &self.ca_pem)
            .finish_non_exhaustive()
    }
}

/// A new CA and server certificate; the keys live only in memory.
pub(crate) fn generate() -> Result<Tls, String> {
    let err = |what: &str, e: &dyn std::fmt::Display| format!("{what}: {e}");
    let mut ca =
        CertificateParams::new(Vec::<String>::new()).map_err(|e| err("CA parameters", &e))?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "hague-firmadoc sandbox CA (test only)");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().map_err(|e| err("CA key", &e))?;
    let issuer = CertifiedIssuer::self_signed(ca, ca_key).map_err(|e| err("CA certificate", &e))?;

    let key = KeyPair::generate().map_err(|e| err("server key", &e))?;
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .map_err(|e| err("server parameters", &e))?;
    params
        .distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    let cert = params
        .signed_by(&key, &issuer)
        .map_err(|e| err("server certificate", &e))?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| err("TLS versions", &e))?
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .map_err(|e| err("TLS configuration", &e))?;
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_pem: issuer.pem(),
    })
}
