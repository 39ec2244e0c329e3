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
