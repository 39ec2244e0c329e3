//! The sandbox over https with its generated CA: trusted as an extra root, both real clients
//! work; without it, the TLS handshake fails.

use firmadoc_client::{Client, ClientConfig, Credentials, Environment};
use hague_client::{Config, Provider, SigningKey};
use http_transport::TransportConfig;
use sandbox::{Sandbox, SandboxConfig};

use crate::firmadoc::budget;

fn firmadoc(sb: &Sandbox, transport: TransportConfig) -> Client {
    let creds = sb.firmadoc_credentials();
    let mut config = ClientConfig::new(
        Environment::Custom(sb.firmadoc_url()),
        Credentials::new(creds.consumer_key.clone(), creds.expose_secret().to_owned()).unwrap(),
    );
    config.transport = transport;
    Client::new(config).unwrap()
}

#[tokio::test]
async fn https_with_the_sandbox_ca() {
    let mut config = SandboxConfig::default();
    config.tls = true;
    let sb = Sandbox::start(config).await.unwrap();
    assert!(sb.firmadoc_url().starts_with("https://127.0.0.1:"));
    let ca = sb.ca_pem().unwrap().to_owned();
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
    let trusted = TransportConfig::default()
        .add_root_certificate_pem(ca.as_bytes())
        .unwrap();

    assert_eq!(budget(&firmadoc(&sb, trusted.clone())).await, 1000);
    assert!(
        firmadoc(&sb, TransportConfig::default())
            .budget()
            .await
            .is_err()
    );

    let key = SigningKey::generate_p256().unwrap();
    sb.register_hws_client("tls-office", key.public_jwk().clone());
    let config = Config::new(
        sb.hws_api_url(),
        Provider::Discovery {
            issuer: sb.issuer(),
        },
        "tls-office",
        key,
    )
    .unwrap()
    .scope(Some(sandbox::DEFAULT_SCOPE.to_owned()))
    .transport(trusted);
    hague_client::Client::new(config)
        .unwrap()
        .ping()
        .await
        .unwrap();
    sb.shutdown().await;
}
