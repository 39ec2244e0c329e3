//! A test certificate authority made by rcgen, and TLS acceptors for
//! loopback HTTPS servers whose certificates it issues: trust it as an extra
//! root and the handshake succeeds; trust another CA and it is refused.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// A self-signed CA, made fresh for a test.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa").finish_non_exhaustive()
    }
}

impl TestCa {
    /// A CA whose subject is `CN=<common_name>`.
    ///
    /// # Panics
    /// When rcgen fails (it does not, for these parameters).
    pub fn new(common_name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new())
            .unwrap_or_else(|e| panic!("CA parameters: {e}"));
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().unwrap_or_else(|e| panic!("CA key: {e}"));
        let issuer = CertifiedIssuer::self_signed(params, key)
            .unwrap_or_else(|e| panic!("CA certificate: {e}"));
        Self { issuer }
    }

    /// The CA certificate as PEM.
    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// The CA certificate as DER.
    pub fn der(&self) -> Vec<u8> {
        self.issuer.der().to_vec()
    }

    /// A rustls server configuration (ring) with a certificate for `host`
    /// (a DNS name or an IP address such as `127.0.0.1`) issued by this CA.
    ///
    /// # Panics
    /// When rcgen or rustls refuse (they do not, for a valid host).
    pub fn server_config(&self, host: &str) -> Arc<rustls::ServerConfig> {
        let key = KeyPair::generate().unwrap_or_else(|e| panic!("server key: {e}"));
        let mut params = CertificateParams::new(vec![host.to_owned()])
            .unwrap_or_else(|e| panic!("server certificate parameters: {e}"));
        params.distinguished_name.push(DnType::CommonName, host);
        let cert = params
            .signed_by(&key, &self.issuer)
            .unwrap_or_else(|e| panic!("server certificate: {e}"));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap_or_else(|e| panic!("protocol versions: {e}"))
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .unwrap_or_else(|e| panic!("server configuration: {e}"));
        Arc::new(config)
    }

    /// A TLS acceptor for `host`, see [`TestCa::server_config`].
    pub fn acceptor(&self, host: &str) -> TlsAcceptor {
        TlsAcceptor::from(self.server_config(host))
    }
}
