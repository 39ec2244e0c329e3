//! A real OpenID Provider on loopback (npm `oidc-provider`, pinned in
//! `xtask/node`) issues a token to our assertion, and refuses a replayed
//! `jti`, an expired assertion, a wrong audience and a scope the client may
//! not have; each refusal arrives as our typed error with the provider's
//! `error` code.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime};

use fapi_jwt_assert::{
    Advertised, Algorithm, AssertionOptions, AssertionSigner, Audience, Lookup, OAuthErrorCode,
    ProviderMetadata, SigningKey, SystemRandom, TokenCache, TokenError, TokenRequest,
    TokenResponse, UrlPolicy, discovery_url,
};

use test_support::oidc::OidcProvider as Provider;

use crate::support::fixture;

/// A minimal HTTP/1.0 exchange (no chunked encoding, connection closes).
fn http(port: u16, method: &str, path: &str, form: Option<&str>) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n"
    );
    if let Some(body) = form {
        req.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ));
    } else {
        req.push_str("\r\n");
    }
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("HTTP header end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, raw[split + 4..].to_vec())
}

fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").unwrap().1;
    &rest[rest.find('/').unwrap()..]
}

#[allow(clippy::disallowed_methods)] // a real server checks exp against its own clock
fn now() -> SystemTime {
    SystemTime::now()
}

#[test]
fn oidc_provider_issues_a_token_and_refuses_replay_expiry_and_wrong_audience() {
    let key = SigningKey::from_pem(&fixture("ec_p256_sec1.pem")).unwrap();
    let signer = AssertionSigner::new(key, "das-api-auth", AssertionOptions::default()).unwrap();
    let op = Provider::start(&signer.registration_jwk().to_json());
    let issuer = op.issuer();
    let rng = SystemRandom::new();

    // Discovery.
    let (status, body) = http(op.port(), "GET", path_of(&discovery_url(&issuer)), None);
    assert_eq!(status, 200);
    assert!(
        ProviderMetadata::from_json(&body, &issuer, UrlPolicy::HttpsOnly).is_err(),
        "http needs the loopback policy"
    );
    let meta = ProviderMetadata::from_json(&body, &issuer, UrlPolicy::AllowLoopbackHttp).unwrap();
    assert_eq!(meta.token_endpoint(), format!("{issuer}/token"));
    assert_eq!(meta.private_key_jwt(), Advertised::Yes);
    assert_eq!(meta.signing_algorithm(Algorithm::Es256), Advertised::Yes);
    assert_eq!(meta.client_credentials(), Advertised::Yes);
    let token_path = path_of(meta.token_endpoint()).to_owned();
    let scope = Some("das-api/das-access");
    // Sign a new assertion and build the request, as a client does per attempt.
    let request = |audience: &Audience, scope: Option<&str>, at: SystemTime| {
        TokenRequest::client_credentials(&meta, &signer, audience, scope, at, &rng).unwrap()
    };
    // POST it and read the answer with our parser.
    let exchange = |req: &TokenRequest| {
        let (status, body) = http(
            op.port(),
            "POST",
            &token_path,
            Some(req.body().expose_secret()),
        );
        TokenResponse::from_http(status, &body)
    };
    let refused = |req: &TokenRequest, want_status: u16, want: OAuthErrorCode| {
        let err = exchange(req).unwrap_err();
        match &err {
            TokenError::Rejected { status, error, .. } => {
                assert_eq!((*status, error), (want_status, &want), "{err}")
            }
            other => panic!("expected an OAuth error, got {other}"),
        }
        assert!(err.to_string().contains(want.as_str()), "{err}");
    };

    // A token for a fresh assertion.
    let requested_at = now();
    let req = request(&Audience::TokenEndpoint, scope, requested_at);
    let token = exchange(&req).unwrap();
    assert_eq!(token.expires_in, Some(3600));
    assert_eq!(token.scope.as_deref(), Some("das-api/das-access"));
    assert!(!token.access_token.expose_secret().is_empty());
    let mut cache = TokenCache::default();
    let generation = cache.store(token, requested_at);
    assert!(matches!(
        cache.lookup(requested_at + Duration::from_secs(3000)),
        Lookup::Usable { .. }
    ));
    assert!(cache.invalidate(generation));

    // The same assertion again: the jti was used.
    refused(&req, 401, OAuthErrorCode::InvalidClient);
    assert!(
        op.saw_grant_error("must only be used once"),
        "{:?}",
        op.log()
    );

    // An assertion that expired two minutes ago (beyond the 15 s tolerance).
    refused(
        &request(
            &Audience::TokenEndpoint,
            scope,
            now() - Duration::from_secs(180),
        ),
        401,
        OAuthErrorCode::InvalidClient,
    );
    assert!(op.saw_grant_error("jwt expired"), "{:?}", op.log());

    // aud = issuer is accepted; aud = issuer + "/" is not (exact match).
    assert!(
        exchange(&request(&Audience::Issuer, scope, now())).is_ok(),
        "aud = issuer"
    );
    refused(
        &request(&Audience::Custom(format!("{issuer}/")), scope, now()),
        401,
        OAuthErrorCode::InvalidClient,
    );

    // A scope the provider knows but the client may not have.
    refused(
        &request(&Audience::TokenEndpoint, Some("other-scope"), now()),
        400,
        OAuthErrorCode::InvalidScope,
    );
}
