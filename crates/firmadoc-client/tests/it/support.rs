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

/// True when the request carries exactly the five FirmaDocumentos oauth
/// parameters plus a signature, and the signature verifies.
pub(crate) fn signed(base: String) -> impl Fn(&mockito::Request) -> bool + Send + Sync + 'static {
    test_support::oauth1::signed(base, KEY, SECRET)
}

/// Matches a `text/plain` body whose JSON equals `expected`, and a valid signature.
pub(crate) fn signed_json(
    base: String,
    expected: serde_json::Value,
) -> impl Fn(&mockito::Request) -> bool + Send + Sync + 'static {
    test_support::oauth1::signed_json(base, KEY, SECRET, expected)
}

pub(crate) use test_support::oauth1::path;
