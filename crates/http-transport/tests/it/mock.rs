//! Retries, POST handling and body limits against mockito on loopback.

use std::sync::Arc;
use std::time::{Duration, Instant, UNIX_EPOCH};

use http_transport::http::StatusCode;
use http_transport::{Error, FixedClock, Request, Transport};

use crate::support::{config, transport};

#[tokio::test]
async fn get_is_retried_on_503_honouring_retry_after_seconds() {
    let mut server = mockito::Server::new_async().await;
    let unavailable = test_support::mock::unavailable(&mut server, "GET", "/request/42", "1")
        .expect(1)
        .create_async()
        .await;
    let ok = server
        .mock("GET", "/request/42")
        .with_status(200)
        .with_body("done")
        .expect(1)
        .create_async()
        .await;
    let request = Request::get(&format!("{}/request/42", server.url()), "/request/{id}").unwrap();
    let started = Instant::now();
    let response = transport().send(&request).await.unwrap();
    let waited = started.elapsed();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body().as_ref(), b"done");
    assert_eq!(response.attempts(), 2);
    // The configured backoff is 20 ms; only Retry-After explains a wait of 1 s.
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
    unavailable.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn retry_after_http_date_is_resolved_against_the_injected_clock() {
    let mut server = mockito::Server::new_async().await;
    // RFC 9110 §5.6.7 date = 784111777 s; the clock is 1 s before it.
    let unavailable = server
        .mock("GET", "/bulletin")
        .with_status(429)
        .with_header("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT")
        .expect(1)
        .create_async()
        .await;
    let ok = server
        .mock("GET", "/bulletin")
        .with_status(200)
        .expect(1)
        .create_async()
        .await;
    let clock = FixedClock(UNIX_EPOCH + Duration::from_secs(784_111_776));
    let transport = Transport::new(config().clock(Arc::new(clock))).unwrap();
    let request = Request::get(&format!("{}/bulletin", server.url()), "/bulletin").unwrap();
    let started = Instant::now();
    let response = transport.send(&request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_secs(1));
    unavailable.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn retries_stop_at_max_attempts_and_return_the_last_response() {
    let mut server = mockito::Server::new_async().await;
    let busy = server
        .mock("GET", "/ping")
        .with_status(502)
        .with_body("upstream down")
        .expect(3)
        .create_async()
        .await;
    let request = Request::get(&format!("{}/ping", server.url()), "/ping").unwrap();
    let response = transport().send(&request).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(response.attempts(), 3);
    match response.error_for_status() {
        Err(Error::Status {
            status,
            excerpt,
            template,
            ..
        }) => {
            assert_eq!(status, StatusCode::BAD_GATEWAY);
            assert_eq!(excerpt, "upstream down");
            assert_eq!(template, "/ping");
        }
        other => panic!("expected a status error, got {other:?}"),
    }
    busy.assert_async().await;
}

#[tokio::test]
async fn a_post_is_never_retried_even_on_503() {
    let mut server = mockito::Server::new_async().await;
    let post = test_support::mock::unavailable(&mut server, "POST", "/request", "0")
        .expect(1)
        .create_async()
        .await;
    let request = Request::post(
        &format!("{}/request", server.url()),
        "/request",
        "package bytes",
    )
    .unwrap()
    .fingerprint("sha256:abc");
    let response = transport().send(&request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.attempts(), 1);
    post.assert_async().await;
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let mut server = mockito::Server::new_async().await;
    let not_found = server
        .mock("GET", "/request/9")
        .with_status(404)
        .expect(1)
        .create_async()
        .await;
    let request = Request::get(&format!("{}/request/9", server.url()), "/request/{id}").unwrap();
    let response = transport().send(&request).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    not_found.assert_async().await;
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let mut server = mockito::Server::new_async().await;
    let _big = server
        .mock("GET", "/big")
        .with_status(200)
        .with_body(vec![b'x'; 2_000])
        .create_async()
        .await;
    let _fits = server
        .mock("GET", "/fits")
        .with_status(200)
        .with_body(vec![b'y'; 1_000])
        .create_async()
        .await;
    let transport = Transport::new(config().max_body(1_000)).unwrap();
    let big = Request::get(&format!("{}/big", server.url()), "/big").unwrap();
    match transport.send(&big).await {
        Err(Error::BodyTooLarge {
            limit, declared, ..
        }) => {
            assert_eq!(limit, 1_000);
            assert_eq!(declared, Some(2_000));
        }
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }
    let fits = Request::get(&format!("{}/fits", server.url()), "/fits").unwrap();
    assert_eq!(transport.send(&fits).await.unwrap().body().len(), 1_000);
}

#[tokio::test]
async fn plain_http_is_refused_unless_allowed() {
    let server = mockito::Server::new_async().await;
    let transport = Transport::new(http_transport::TransportConfig::default()).unwrap();
    let request = Request::get(&format!("{}/x", server.url()), "/x").unwrap();
    assert!(matches!(
        transport.send(&request).await,
        Err(Error::InvalidRequest { .. })
    ));
}
