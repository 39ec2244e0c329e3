//! The client over real TLS: a local tokio-rustls server (token endpoint and API) with a CA
//! from test-support (rcgen) is trusted as an extra root, and refused without it.

use hague_client::{Client, Config, Error, Provider, SigningKey, TransportConfig};
use test_support::tls::TestCa;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// An HTTPS server on 127.0.0.1: `POST /token` gets a token, anything else `pong`.
async fn https_server(ca: &TestCa) -> String {
    let acceptor = ca.acceptor("127.0.0.1");
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
    let issuer = TestCa::new("hague-client test CA");
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
