//! Configuration from variables, and presets.

use std::collections::HashMap;

use hague_client::{Config, Error, Preset, Provider, SigningKey, WIPO_DEV_ISSUER};

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

fn pem() -> String {
    SigningKey::generate_p256()
        .unwrap()
        .to_pkcs8_pem()
        .expose_secret()
        .to_owned()
}

#[test]
fn the_wipo_dev_preset_from_variables() {
    let pem = pem();
    let config = Config::from_vars(vars(&[
        ("HAGUE_PRESET", "wipo-dev"),
        ("HAGUE_API_BASE_URL", "https://hws.example/api/"),
        ("HAGUE_CLIENT_ID", "office-xy"),
        ("HAGUE_PRIVATE_KEY", &pem),
    ]))
    .unwrap();
    assert_eq!(config.api_base(), "https://hws.example/api");
    assert_eq!(
        config.provider(),
        &Provider::Discovery {
            issuer: "https://logindev.wipo.int/am/oauth2".into()
        }
    );
    assert_eq!(config.get_scope(), Some("das-api/das-access"));
    assert_eq!(config.client_id(), "office-xy");
    assert_eq!(Preset::WipoDevelopment.issuer(), WIPO_DEV_ISSUER);
}

#[test]
fn explicit_token_endpoint_key_file_and_empty_scope() {
    let dir = crate::support::tempdir();
    let key = dir.path().join("key.pem");
    std::fs::write(&key, pem()).unwrap();
    let config = Config::from_vars(vars(&[
        ("HAGUE_API_BASE_URL", "https://hws.example"),
        ("HAGUE_ISSUER", "https://idp.example"),
        ("HAGUE_TOKEN_ENDPOINT", "https://idp.example:443/token"),
        ("HAGUE_CLIENT_ID", "c"),
        ("HAGUE_SCOPE", ""),
        ("HAGUE_PRIVATE_KEY_FILE", key.to_str().unwrap()),
    ]))
    .unwrap();
    assert_eq!(
        config.provider(),
        &Provider::TokenEndpoint {
            issuer: "https://idp.example".into(),
            token_endpoint: "https://idp.example:443/token".into()
        }
    );
    assert_eq!(config.get_scope(), None);
}

#[test]
fn missing_or_wrong_variables_are_named() {
    let pem = pem();
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[], "HAGUE_API_BASE_URL"),
        (&[("HAGUE_API_BASE_URL", "https://a")], "HAGUE_CLIENT_ID"),
        (
            &[
                ("HAGUE_API_BASE_URL", "https://a"),
                ("HAGUE_CLIENT_ID", "c"),
            ],
            "HAGUE_PRIVATE_KEY",
        ),
        (
            &[
                ("HAGUE_API_BASE_URL", "https://a"),
                ("HAGUE_CLIENT_ID", "c"),
                ("HAGUE_PRIVATE_KEY", &pem),
            ],
            "HAGUE_ISSUER",
        ),
        (&[("HAGUE_PRESET", "prod")], "HAGUE_PRESET"),
        (
            &[
                ("HAGUE_API_BASE_URL", "https://a"),
                ("HAGUE_CLIENT_ID", "c"),
                (
                    "HAGUE_PRIVATE_KEY",
                    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                ),
            ],
            "private key",
        ),
        (
            &[
                ("HAGUE_API_BASE_URL", "hws.example"),
                ("HAGUE_ISSUER", "https://i"),
                ("HAGUE_CLIENT_ID", "c"),
                ("HAGUE_PRIVATE_KEY", &pem),
            ],
            "API base URL",
        ),
    ];
    for (pairs, needle) in cases {
        let err = Config::from_vars(vars(pairs)).unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        assert!(
            err.to_string().contains(needle),
            "{err} should name {needle}"
        );
        assert!(!err.to_string().contains("AAAA"));
    }
}

#[test]
fn assertion_options_default_to_the_guides_shape_and_come_from_variables() {
    use hague_client::{AssertionOptions, Audience, KeyId};
    let pem = pem();
    let base = [
        ("HAGUE_ISSUER", "https://login.example/am/oauth2"),
        ("HAGUE_API_BASE_URL", "https://hws.example/api"),
        ("HAGUE_CLIENT_ID", "office-xy"),
        ("HAGUE_PRIVATE_KEY", pem.as_str()),
    ];
    let config = Config::from_vars(vars(&base)).unwrap();
    let options = config.get_assertion_options();
    assert_eq!(options.typ.as_deref(), Some("JWT"));
    assert_eq!(options.key_id, KeyId::None);
    assert_eq!(options, &AssertionOptions::default());
    assert_eq!(config.get_audience(), &Audience::TokenEndpoint);

    let mut all = base.to_vec();
    all.extend([
        ("HAGUE_ASSERTION_LIFETIME", "30"),
        ("HAGUE_ASSERTION_KID", "thumbprint"),
        ("HAGUE_ASSERTION_TYP", "none"),
        ("HAGUE_AUDIENCE", "issuer"),
    ]);
    let config = Config::from_vars(vars(&all)).unwrap();
    let options = config.get_assertion_options();
    assert_eq!(options.lifetime, std::time::Duration::from_secs(30));
    assert_eq!(options.key_id, KeyId::Thumbprint);
    assert_eq!(options.typ, None);
    assert_eq!(config.get_audience(), &Audience::Issuer);

    for bad in ["0", "301", "ten"] {
        let mut v = base.to_vec();
        v.push(("HAGUE_ASSERTION_LIFETIME", bad));
        let err = Config::from_vars(vars(&v)).unwrap_err().to_string();
        assert!(err.contains("HAGUE_ASSERTION_LIFETIME"), "{err}");
    }
}

/// The options reach the wire: the token request's assertion carries the configured
/// header and lifetime.
#[tokio::test]
async fn assertion_options_are_what_the_client_signs() {
    use base64::Engine as _;
    use hague_client::{AssertionOptions, KeyId};
    let mut server = mockito::Server::new_async().await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let record = seen.clone();
    let _token = server
        .mock("POST", "/token")
        .match_request(move |r| {
            let body = r.utf8_lossy_body().unwrap_or_default().into_owned();
            record.lock().unwrap().push(body);
            true
        })
        .with_body(crate::support::token_body("tok"))
        .create_async()
        .await;
    let _ping = server.mock("GET", "/pingMe").create_async().await;
    let config = crate::support::config(&server.url(), &server.url()).assertion_options(
        AssertionOptions::default()
            .with_key_id(KeyId::Custom("office-key-1".into()))
            .with_typ(Some("client-authentication+jwt"))
            .with_lifetime(std::time::Duration::from_secs(20)),
    );
    hague_client::Client::new(config)
        .unwrap()
        .ping()
        .await
        .unwrap();
    let body = seen.lock().unwrap().first().cloned().unwrap();
    let jwt = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "client_assertion")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let part = |i: usize| -> serde_json::Value {
        let b64 = jwt.split('.').nth(i).unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(b64)
                .unwrap(),
        )
        .unwrap()
    };
    let (header, claims) = (part(0), part(1));
    assert_eq!(header["kid"], "office-key-1");
    assert_eq!(header["typ"], "client-authentication+jwt");
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        20
    );
    assert_eq!(claims["aud"], format!("{}/token", server.url()));
}
