//! The client over real TLS: a local tokio-rustls server (token endpoint and API) with a CA
//! generated here by rcgen is trusted as an extra root, and refused without it.

use std::sync::Arc;

use hague_client::{Client, Config, Error, Provider, SigningKey, TransportConfig};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

fn ca() -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "hague-client test CA");
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// An HTTPS server on 127.0.0.1: `POST /token` gets a token, anything else `pong`.
async fn https_server(issuer: &CertifiedIssuer<'static, KeyPair>) -> String {
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
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let body = if buf.starts_with(b"POST /token ") {
                    crate::support::token_body("tls-token")
                } else {
                    "pong".to_owned()
                };
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(reply.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    url
}

fn config(url: &str, transport: TransportConfig) -> Config {
    Config::new(
        url,
        Provider::TokenEndpoint {
            issuer: url.to_owned(),
            token_endpoint: format!("{url}/token"),
        },
        "das-api-auth",
        SigningKey::generate_p256().unwrap(),
    )
    .unwrap()
    .transport(transport)
}

#[tokio::test]
async fn tls_with_the_test_ca_works_and_an_unknown_ca_is_refused() {
    let issuer = ca();
    let url = https_server(&issuer).await;

    let trusted = TransportConfig::default()
        .add_root_certificate_pem(issuer.pem().as_bytes())
        .unwrap();
    let client = Client::new(config(&url, trusted)).unwrap();
    client.ping().await.unwrap();
    assert_eq!(client.token_requests_sent(), 1);

    // Only the public roots: the token request's handshake is refused.
    let client = Client::new(config(&url, TransportConfig::default())).unwrap();
    let err = client.ping().await.unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
}
