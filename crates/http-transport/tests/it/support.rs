//! Helpers: a test configuration and tiny raw TCP servers.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http_transport::{FixedJitter, RetryPolicy, Timeouts, Transport, TransportConfig};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

/// Plain http allowed (mock servers), no jitter, short waits.
pub(crate) fn config() -> TransportConfig {
    TransportConfig::default()
        .allow_plain_http(true)
        .jitter(Arc::new(FixedJitter(0.0)))
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(100),
            max_total: Duration::from_secs(20),
        })
        .timeouts(Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(5),
            idle_read: Duration::from_secs(5),
        })
}

pub(crate) fn transport() -> Transport {
    Transport::new(config()).unwrap()
}

/// A raw server: every accepted connection is handed to `handle`. Returns the
/// address and a counter of accepted connections.
pub(crate) async fn raw_server<F, Fut>(handle: F) -> (SocketAddr, Arc<AtomicUsize>)
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(handle(stream));
        }
    });
    (addr, count)
}

/// Reads a request head (up to the blank line) and returns it.
pub(crate) async fn read_head<S: tokio::io::AsyncRead + Unpin>(stream: &mut S) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(0) | Err(_) => break,
            Ok(_) => buf.push(byte[0]),
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// Lists a directory's entries (to prove no partial file is left behind).
pub(crate) fn entries(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
