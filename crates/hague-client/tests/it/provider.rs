//! The end-to-end token path against a real OpenID Provider (npm `oidc-provider`, pinned in
//! `xtask/node`): discovery, a `private_key_jwt` client_credentials grant issued to our
//! client over loopback http, the token used on an API call, and a refusal (unregistered
//! key) arriving with its RFC 6749 code.

use fapi_jwt_assert::{AssertionOptions, AssertionSigner};
use hague_client::{Client, Config, OAuthErrorCode, Provider, SigningKey};

use test_support::oidc::OidcProvider as Op;

use crate::support::transport;

fn config(api: &str, issuer: String, key: SigningKey) -> Config {
    Config::new(api, Provider::Discovery { issuer }, "das-api-auth", key)
        .unwrap()
        .scope(Some("das-api/das-access".into()))
        .transport(transport())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_provider_issues_a_token_that_the_client_uses() {
    let pem = SigningKey::generate_p256().unwrap().to_pkcs8_pem();
    let key = SigningKey::from_pem(pem.expose_secret()).unwrap();
    // The JWK to register, as the signer the client builds will sign (no kid, ES256).
    let jwk = AssertionSigner::new(
        SigningKey::from_pem(pem.expose_secret()).unwrap(),
        "das-api-auth",
        AssertionOptions::default(),
    )
    .unwrap()
    .registration_jwk()
    .to_json();
    let op = Op::start(&jwk);

    let mut api = mockito::Server::new_async().await;
    // oidc-provider's opaque access tokens are 43 base64url characters.
    let ping = api
        .mock("GET", "/pingMe")
        .match_header(
            "authorization",
            mockito::Matcher::Regex("^Bearer [A-Za-z0-9_-]{43}$".into()),
        )
        .with_body("pong")
        .expect(2)
        .create_async()
        .await;
    let client = Client::new(config(&api.url(), op.issuer(), key)).unwrap();
    client.ping().await.unwrap();
    client.ping().await.unwrap();
    ping.assert_async().await;
    assert_eq!(client.token_requests_sent(), 1);

    // A key the provider does not know: the grant is refused with `invalid_client`.
    let stranger = Client::new(config(
        &api.url(),
        op.issuer(),
        SigningKey::generate_p256().unwrap(),
    ))
    .unwrap();
    let err = stranger.ping().await.unwrap_err();
    assert_eq!(
        err.oauth_error_code(),
        Some(&OAuthErrorCode::InvalidClient),
        "{err:?}"
    );

    // A scope the client may not have: `invalid_scope`.
    let greedy = Client::new(
        config(
            &api.url(),
            op.issuer(),
            SigningKey::from_pem(pem.expose_secret()).unwrap(),
        )
        .scope(Some("other-scope".into())),
    )
    .unwrap();
    let err = greedy.ping().await.unwrap_err();
    assert_eq!(
        err.oauth_error_code(),
        Some(&OAuthErrorCode::InvalidScope),
        "{err:?}"
    );
}
