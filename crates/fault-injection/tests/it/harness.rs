//! The fault server does what it says: a reset is a TCP reset, requests and connections
//! are counted, keep-alive works, and `response` frames bodies.

use fault_injection::{FaultServer, Plan, Step, response};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::within;

#[tokio::test]
async fn harness_reset_is_a_tcp_reset() {
    let server = FaultServer::http(|_, _| Plan::after_body(vec![Step::Reset]))
        .await
        .unwrap();
    let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
    tcp.write_all(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 16];
    let err = within(tcp.read(&mut buf)).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
}

#[tokio::test]
async fn harness_counts_and_keeps_alive() {
    let server = FaultServer::http(|seen, index| {
        Plan::reply(response(
            200,
            &[],
            format!("{index} {}", seen.route()).as_bytes(),
        ))
    })
    .await
    .unwrap();
    let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
    tcp.write_all(
        b"POST /a?q=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: a\r\n\r\n",
    )
    .await
    .unwrap();
    let mut got = Vec::new();
    while !got.ends_with(b"1 /b") {
        let mut buf = [0u8; 256];
        let n = within(tcp.read(&mut buf)).await.unwrap();
        assert_ne!(n, 0, "closed early: {}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(
        String::from_utf8(got).unwrap(),
        "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n0 /aHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n1 /b"
    );
    assert_eq!(server.connections(), 1);
    let seen = server.seen();
    assert_eq!(
        (
            seen[0].method.as_str(),
            seen[0].path.as_str(),
            seen[0].content_length
        ),
        ("POST", "/a?q=1", 3)
    );
    assert_eq!(server.requests_to("/b"), 1);
}
