//! Real TLS against a local tokio-rustls server whose CA is generated here by rcgen.

use std::net::SocketAddr;
use std::sync::Arc;

use http_transport::http::StatusCode;
use http_transport::{Error, Request, Roots, Transport, TransportConfig};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::AsyncWriteExt;
use tokio_rustls::TlsAcceptor;

use crate::support::{raw_server, read_head};

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// A server on 127.0.0.1 with a certificate for `127.0.0.1` issued by `issuer`.
async fn tls_server(issuer: &CertifiedIssuer<'static, KeyPair>) -> SocketAddr {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    let cert = params.signed_by(&key, issuer).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let (addr, _) = raw_server(move |tcp| {
        let acceptor = acceptor.clone();
        async move {
            // A refused handshake is the client's doing: nothing to serve then.
            if let Ok(mut tls) = acceptor.accept(tcp).await {
                read_head(&mut tls).await;
                let _ = tls
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
                    .await;
                let _ = tls.shutdown().await;
            }
        }
    })
    .await;
    addr
}

#[tokio::test]
async fn the_extra_root_is_trusted_and_an_unknown_ca_is_refused() {
    let test_ca = ca("http-transport test CA");
    let other_ca = ca("some other CA");
    let addr = tls_server(&test_ca).await;
    let request = Request::get(&format!("https://{addr}/ping"), "/ping").unwrap();

    // Trusted: the test CA added on top of the webpki roots (PEM)...
    let trusting = Transport::new(
        TransportConfig::default()
            .add_root_certificate_pem(test_ca.pem().as_bytes())
            .unwrap(),
    )
    .unwrap();
    let response = trusting.send(&request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body().as_ref(), b"hello");

    // ... or as the only root (DER).
    let only = Transport::new(
        TransportConfig::default()
            .roots(Roots::ExtraOnly)
            .add_root_certificate_der(test_ca.der().to_vec()),
    )
    .unwrap();
    assert_eq!(only.send(&request).await.unwrap().status(), StatusCode::OK);

    // Refused: the webpki roots alone do not know the test CA.
    let default = Transport::new(TransportConfig::default()).unwrap();
    let err = default.send(&request).await.unwrap_err();
    assert!(err.is_tls(), "expected a TLS error, got {err:?}");
    let tls_error = format!("{:?}", err);
    assert!(tls_error.contains("UnknownIssuer"), "{tls_error}");

    // Refused: another CA as the only root.
    let wrong = Transport::new(
        TransportConfig::default()
            .roots(Roots::ExtraOnly)
            .add_root_certificate_pem(other_ca.pem().as_bytes())
            .unwrap(),
    )
    .unwrap();
    let err = wrong.send(&request).await.unwrap_err();
    assert!(
        matches!(err, Error::Tls { .. }),
        "expected Error::Tls, got {err:?}"
    );
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused() {
    let test_ca = ca("http-transport test CA");
    let addr = tls_server(&test_ca).await;
    // The certificate names 127.0.0.1, not localhost.
    let request =
        Request::get(&format!("https://localhost:{}/ping", addr.port()), "/ping").unwrap();
    let transport = Transport::new(
        TransportConfig::default()
            .roots(Roots::ExtraOnly)
            .add_root_certificate_pem(test_ca.pem().as_bytes())
            .unwrap(),
    )
    .unwrap();
    match transport.send(&request).await {
        // localhost may resolve to ::1 first, where nothing listens: then the
        // connection to 127.0.0.1 follows and fails in the handshake.
        Err(Error::Tls { .. }) => {}
        other => panic!("expected Error::Tls, got {other:?}"),
    }
}

#[test]
fn bad_extra_roots_are_configuration_errors() {
    let not_pem = TransportConfig::default().add_root_certificate_pem(b"not a certificate");
    assert!(matches!(not_pem, Err(Error::TlsConfig { .. })));
    let garbage_der = Transport::new(
        TransportConfig::default()
            .roots(Roots::ExtraOnly)
            .add_root_certificate_der(vec![0x30, 0x03, 0x02, 0x01, 0x00]),
    );
    assert!(matches!(garbage_der, Err(Error::TlsConfig { .. })));
    let no_roots = Transport::new(TransportConfig::default().roots(Roots::ExtraOnly));
    assert!(matches!(no_roots, Err(Error::TlsConfig { .. })));
}
