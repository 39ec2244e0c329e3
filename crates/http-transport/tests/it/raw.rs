//! Connection-level failures from tiny raw TCP servers: cut bodies, stalls, dropped
//! POSTs, refused connections.

use std::sync::atomic::Ordering;
use std::time::Duration;

use http_transport::{Error, Request, TimeoutPhase, Timeouts, Transport};
use tokio::io::AsyncWriteExt;

use crate::support::{config, raw_server, read_head, transport};

fn short_timeouts() -> Transport {
    Transport::new(config().timeouts(Timeouts {
        connect: Duration::from_secs(2),
        request: Duration::from_millis(400),
        idle_read: Duration::from_millis(300),
    }))
    .unwrap()
}

#[tokio::test]
async fn a_body_cut_short_is_an_error_in_memory_too() {
    let (addr, _) = raw_server(|mut s| async move {
        read_head(&mut s).await;
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789")
            .await;
        // Closing now: 10 of 1000 bytes.
    })
    .await;
    let request = Request::get(&format!("http://{addr}/status"), "/status").unwrap();
    match transport().send(&request).await {
        Err(Error::BodyInterrupted {
            received, expected, ..
        }) => {
            assert_eq!(expected, Some(1000));
            assert!(received <= 10);
        }
        other => panic!("expected BodyInterrupted, got {other:?}"),
    }
}

#[tokio::test]
async fn an_oversized_chunked_body_without_length_is_refused() {
    let (addr, _) = raw_server(|mut s| async move {
        read_head(&mut s).await;
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            .await;
        for _ in 0..10 {
            let _ = s.write_all(b"100\r\n").await;
            let _ = s.write_all(&[b'z'; 0x100]).await;
            let _ = s.write_all(b"\r\n").await;
        }
        let _ = s.write_all(b"0\r\n\r\n").await;
    })
    .await;
    let transport = Transport::new(config().max_body(1_000)).unwrap();
    let request = Request::get(&format!("http://{addr}/chunked"), "/chunked").unwrap();
    match transport.send(&request).await {
        Err(Error::BodyTooLarge {
            limit: 1_000,
            declared: None,
            ..
        }) => {}
        other => panic!("expected BodyTooLarge without a declared length, got {other:?}"),
    }
}

#[tokio::test]
async fn a_stalled_body_hits_the_idle_read_timeout() {
    let (addr, _) = raw_server(|mut s| async move {
        read_head(&mut s).await;
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst bytes")
            .await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let request = Request::get(&format!("http://{addr}/slow"), "/slow").unwrap();
    match short_timeouts().send(&request).await {
        Err(Error::Timeout {
            phase: TimeoutPhase::IdleRead,
            after,
            ..
        }) => {
            assert_eq!(after, Duration::from_millis(300));
        }
        other => panic!("expected an idle-read timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn a_post_whose_connection_drops_may_have_been_received_and_is_not_retried() {
    let (addr, connections) = raw_server(|mut s| async move {
        read_head(&mut s).await;
        // Read the request, then hang up without answering.
    })
    .await;
    let request = Request::post(&format!("http://{addr}/request"), "/request", "zip bytes")
        .unwrap()
        .fingerprint("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    let err = transport().send(&request).await.unwrap_err();
    match &err {
        Error::MayHaveBeenReceived {
            fingerprint,
            source,
            ..
        } => {
            assert_eq!(
                fingerprint.as_deref(),
                Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
            );
            assert!(matches!(**source, Error::Http { .. }), "{source:?}");
        }
        other => panic!("expected MayHaveBeenReceived, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("may or may not have been received"),
        "{message}"
    );
    assert!(message.contains("9f86d081"), "{message}");
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "a POST must not be retried"
    );
}

#[tokio::test]
async fn a_post_without_answer_in_time_may_have_been_received() {
    let (addr, connections) = raw_server(|mut s| async move {
        read_head(&mut s).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let request = Request::post(&format!("http://{addr}/request"), "/request", "zip").unwrap();
    match short_timeouts().send(&request).await {
        Err(Error::MayHaveBeenReceived {
            source,
            fingerprint: None,
            ..
        }) => assert!(matches!(
            *source,
            Error::Timeout {
                phase: TimeoutPhase::Response,
                ..
            }
        )),
        other => panic!("expected MayHaveBeenReceived, got {other:?}"),
    }
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_get_without_answer_in_time_is_a_response_timeout() {
    let (addr, connections) = raw_server(|mut s| async move {
        read_head(&mut s).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let request = Request::get(&format!("http://{addr}/ping"), "/ping").unwrap();
    let err = short_timeouts().send(&request).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                phase: TimeoutPhase::Response,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_timeout());
    // Timeouts after sending are not retried: the server may be processing it.
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

/// A port with nothing listening: bind, note the port, close.
async fn closed_port() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

#[tokio::test]
async fn connect_failures_are_retried_for_get_only() {
    let addr = closed_port().await;
    let get = Request::get(&format!("http://{addr}/ping"), "/ping").unwrap();
    match transport().send(&get).await {
        Err(Error::Connect { attempts, .. }) => assert_eq!(attempts, 3),
        other => panic!("expected Connect, got {other:?}"),
    }
    let post = Request::post(&format!("http://{addr}/request"), "/request", "x").unwrap();
    match transport().send(&post).await {
        // Not sent at all: a plain connect error, not "may have been received".
        Err(Error::Connect { attempts, .. }) => assert_eq!(attempts, 1),
        other => panic!("expected Connect, got {other:?}"),
    }
}
