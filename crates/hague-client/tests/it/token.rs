//! The token: single flight, refresh on expiry, one retry on 401, discovery, token errors.

use std::time::Duration;

use hague_client::{Client, Config, OAuthErrorCode, Provider, SigningKey};

use crate::support::{TestClock, client, config, token_mock, transport};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_calls_make_one_token_request() {
    let mut server = mockito::Server::new_async().await;
    let token = server
        .mock("POST", "/token")
        .with_status(200)
        .with_header("content-type", "application/json")
        // Slow enough that every call is waiting while the one refresh is in flight.
        .with_chunked_body(|w| {
            std::thread::sleep(Duration::from_millis(300));
            w.write_all(crate::support::token_body("tok-shared").as_bytes())
        })
        .expect(1)
        .create_async()
        .await;
    let api = server
        .mock("GET", "/request/SR-1")
        .match_header("authorization", "Bearer tok-shared")
        .with_body(r#"{"processingStatus":"Registered"}"#)
        .expect(200)
        .create_async()
        .await;
    let client = client(&server);
    let calls = (0..200).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.request_status("SR-1").await })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
    token.assert_async().await;
    api.assert_async().await;
    assert_eq!(client.token_requests_sent(), 1);
}

#[tokio::test]
async fn an_expired_token_is_refreshed() {
    let mut server = mockito::Server::new_async().await;
    let first = token_mock(&mut server, "tok-1", 1).await;
    let second = token_mock(&mut server, "tok-2", 1).await;
    let with_first = server
        .mock("GET", "/pingMe")
        .match_header("authorization", "Bearer tok-1")
        .expect(2)
        .create_async()
        .await;
    let with_second = server
        .mock("GET", "/pingMe")
        .match_header("authorization", "Bearer tok-2")
        .expect(1)
        .create_async()
        .await;
    let clock = TestClock::new();
    let client = Client::new(config(&server.url(), &server.url()).clock(clock.clone())).unwrap();
    client.ping().await.unwrap();
    // expires_in 3600, refresh margin 30 s: still usable 3569 s later...
    clock.advance(Duration::from_secs(3569));
    client.ping().await.unwrap();
    assert_eq!(client.token_requests_sent(), 1);
    // ...and refreshed inside the margin.
    clock.advance(Duration::from_secs(2));
    client.ping().await.unwrap();
    assert_eq!(client.token_requests_sent(), 2);
    first.assert_async().await;
    second.assert_async().await;
    with_first.assert_async().await;
    with_second.assert_async().await;
}

#[tokio::test]
async fn a_401_is_retried_once_with_a_new_token() {
    let mut server = mockito::Server::new_async().await;
    let _t1 = token_mock(&mut server, "tok-old", 1).await;
    let _t2 = token_mock(&mut server, "tok-new", 1).await;
    let refused = server
        .mock("GET", "/request/SR-1")
        .match_header("authorization", "Bearer tok-old")
        .with_status(401)
        .with_body(r#"{"error":"invalid_token"}"#)
        .expect(1)
        .create_async()
        .await;
    let accepted = server
        .mock("GET", "/request/SR-1")
        .match_header("authorization", "Bearer tok-new")
        .with_body(r#"{"processingStatus":"Registered"}"#)
        .expect(1)
        .create_async()
        .await;
    let client = client(&server);
    client.request_status("SR-1").await.unwrap();
    refused.assert_async().await;
    accepted.assert_async().await;
    assert_eq!(client.token_requests_sent(), 2);
}

#[tokio::test]
async fn a_second_401_is_an_error_and_no_more_is_tried() {
    let mut server = mockito::Server::new_async().await;
    let _t1 = token_mock(&mut server, "tok-a", 1).await;
    let _t2 = token_mock(&mut server, "tok-b", 1).await;
    let refused = server
        .mock("GET", "/publication/bulletin/202447")
        .with_status(401)
        .with_body("no")
        .expect(2)
        .create_async()
        .await;
    let client = client(&server);
    let dir = crate::support::tempdir();
    let target = dir.path().join("b.zip");
    let err = client
        .bulletin("202447".parse().unwrap(), &target, |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err:?}");
    refused.assert_async().await;
    assert_eq!(client.token_requests_sent(), 2);
    assert!(!target.exists());
    // Same for a call read into memory: the cached tok-b is refused, dropped, and one new
    // token is fetched for the single retry.
    let t3 = token_mock(&mut server, "tok-c", 1).await;
    let ping = server
        .mock("GET", "/pingMe")
        .with_status(401)
        .expect(2)
        .create_async()
        .await;
    let err = client.ping().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    ping.assert_async().await;
    t3.assert_async().await;
    assert_eq!(client.token_requests_sent(), 3);
}

#[tokio::test]
async fn discovery_finds_the_token_endpoint() {
    let mut server = mockito::Server::new_async().await;
    let issuer = server.url();
    let discovery = server
        .mock("GET", "/.well-known/openid-configuration")
        .with_header("content-type", "application/json")
        .with_body(format!(
            r#"{{"issuer":"{issuer}","token_endpoint":"{issuer}/token",
            "token_endpoint_auth_methods_supported":["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported":["ES256"]}}"#
        ))
        .expect(1)
        .create_async()
        .await;
    let _token = token_mock(&mut server, "tok", 1).await;
    let _ping = server.mock("GET", "/pingMe").create_async().await;
    let config = Config::new(
        issuer.clone(),
        Provider::Discovery { issuer },
        "das-api-auth",
        SigningKey::generate_p256().unwrap(),
    )
    .unwrap()
    .scope(Some("das-api/das-access".into()))
    .transport(transport());
    let client = Client::new(config).unwrap();
    client.ping().await.unwrap();
    client.ping().await.unwrap();
    discovery.assert_async().await;
}

#[tokio::test]
async fn a_refused_token_request_carries_the_rfc6749_code() {
    let mut server = mockito::Server::new_async().await;
    let _token = server
        .mock("POST", "/token")
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(
            r#"{"error":"invalid_client","error_description":"client authentication failed"}"#,
        )
        .create_async()
        .await;
    let api = server.mock("GET", "/pingMe").expect(0).create_async().await;
    let err = client(&server).ping().await.unwrap_err();
    assert_eq!(
        err.oauth_error_code(),
        Some(&OAuthErrorCode::InvalidClient),
        "{err:?}"
    );
    assert!(err.to_string().contains("invalid_client"));
    api.assert_async().await;
}

#[tokio::test]
async fn secrets_never_appear_in_debug_or_errors() {
    let mut server = mockito::Server::new_async().await;
    let _token = token_mock(&mut server, "SECRET-TOKEN-VALUE", 1).await;
    let _api = server
        .mock("GET", "/request/SR-1")
        .with_status(500)
        .with_body("internal")
        .create_async()
        .await;
    let key = SigningKey::generate_p256().unwrap();
    let pem = key.to_pkcs8_pem();
    let pem_body = pem.expose_secret().lines().nth(1).unwrap().to_owned();
    let config = Config::new(
        server.url(),
        Provider::TokenEndpoint {
            issuer: server.url(),
            token_endpoint: format!("{}/token", server.url()),
        },
        "das-api-auth",
        key,
    )
    .unwrap()
    .scope(Some("das-api/das-access".into()))
    .transport(transport());
    let shown = format!("{config:?}");
    assert!(!shown.contains(&pem_body), "{shown}");
    let client = Client::new(config).unwrap();
    let err = client.request_status("SR-1").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    for text in [format!("{client:?}"), format!("{err:?}"), err.to_string()] {
        assert!(!text.contains("SECRET-TOKEN-VALUE"), "{text}");
        assert!(!text.contains(&pem_body), "{text}");
        // A signed assertion starts with its (public) header and a dot.
        assert!(
            !text.contains("eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9."),
            "an assertion leaked: {text}"
        );
    }
}

#[tokio::test]
async fn a_token_that_cannot_go_in_a_header_is_a_token_error() {
    let mut server = mockito::Server::new_async().await;
    let _token = server
        .mock("POST", "/token")
        .with_header("content-type", "application/json")
        .with_body(r#"{"access_token":"bad\ntoken","token_type":"Bearer","expires_in":3600}"#)
        .create_async()
        .await;
    let err = client(&server).ping().await.unwrap_err();
    assert!(
        matches!(
            err,
            hague_client::Error::Token {
                source: fapi_jwt_assert::TokenError::MalformedResponse { .. }
            }
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains("bad"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_expiring_token_is_refreshed_once_for_many_concurrent_calls() {
    let mut server = mockito::Server::new_async().await;
    let first = token_mock(&mut server, "tok-1", 1).await;
    let second = server
        .mock("POST", "/token")
        .with_header("content-type", "application/json")
        .with_chunked_body(|w| {
            std::thread::sleep(Duration::from_millis(200));
            w.write_all(crate::support::token_body("tok-2").as_bytes())
        })
        .expect(1)
        .create_async()
        .await;
    let api = server
        .mock("GET", "/pingMe")
        .match_header("authorization", "Bearer tok-2")
        .expect(100)
        .create_async()
        .await;
    let _old = server
        .mock("GET", "/pingMe")
        .match_header("authorization", "Bearer tok-1")
        .expect(1)
        .create_async()
        .await;
    let clock = TestClock::new();
    let client = Client::new(config(&server.url(), &server.url()).clock(clock.clone())).unwrap();
    client.ping().await.unwrap();
    clock.advance(Duration::from_secs(3590)); // inside the 30 s refresh margin
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.ping().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    first.assert_async().await;
    second.assert_async().await;
    api.assert_async().await;
    assert_eq!(client.token_requests_sent(), 2);
}

#[tokio::test]
async fn a_401_on_submit_sends_the_package_once_more_with_a_new_token() {
    let mut server = mockito::Server::new_async().await;
    let _t1 = token_mock(&mut server, "tok-old", 1).await;
    let _t2 = token_mock(&mut server, "tok-new", 1).await;
    let refused = server
        .mock("POST", "/request")
        .match_header("authorization", "Bearer tok-old")
        .with_status(401)
        .expect(1)
        .create_async()
        .await;
    let accepted = server
        .mock("POST", "/request")
        .match_header("authorization", "Bearer tok-new")
        .with_status(201)
        .with_body("<ImportStatus><ImportIdentifier>IMP-77</ImportIdentifier></ImportStatus>")
        .expect(1)
        .create_async()
        .await;
    let id = client(&server)
        .submit(crate::support::valid_package())
        .await
        .unwrap();
    assert_eq!(id.import_id.unwrap().as_str(), "IMP-77");
    refused.assert_async().await;
    accepted.assert_async().await;
}
