//! A mockito server whose mocks check the OAuth signature (the matchers of
//! `test-support`, shared with firmadoc-cli), the query matched by parameter,
//! never as part of the path.

use firmadoc_client::{Client, ClientConfig, Credentials, Environment};

pub(crate) const KEY: &str = "test-consumer-key";
pub(crate) const SECRET: &str = "test-consumer-secret-0123456789abcdef";

pub(crate) fn creds() -> Credentials {
    Credentials::new(KEY, SECRET).unwrap()
}

pub(crate) fn client(server: &mockito::Server) -> Client {
    let mut config = ClientConfig::new(Environment::Custom(server.url()), creds());
    config.transport = config.transport.allow_plain_http(true);
    Client::new(config).unwrap()
}

test_support::oauth1_matchers!(KEY, SECRET);

pub(crate) use test_support::oauth1::path;
