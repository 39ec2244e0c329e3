//! Shared helpers: a client against a mock server, a settable clock, packages, raw servers.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use hague_client::{Client, Config, Provider, SigningKey, TransportConfig};
use http_transport::{Clock, RetryPolicy, Timeouts};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A clock the test moves by hand.
#[derive(Debug)]
pub(crate) struct TestClock(Mutex<SystemTime>);

impl TestClock {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self(Mutex::new(
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_763_000_000),
        )))
    }
    pub(crate) fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

/// A transport configuration for loopback tests: plain http, fast retries.
pub(crate) fn transport() -> TransportConfig {
    TransportConfig::default()
        .allow_plain_http(true)
        .timeouts(Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(10),
            idle_read: Duration::from_secs(5),
        })
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
            max_total: Duration::from_secs(10),
        })
}

/// A configuration with an explicit token endpoint at `{token_base}/token` and the API at
/// `api_base`.
pub(crate) fn config(api_base: &str, token_base: &str) -> Config {
    Config::new(
        api_base,
        Provider::TokenEndpoint {
            issuer: token_base.to_owned(),
            token_endpoint: format!("{token_base}/token"),
        },
        "das-api-auth",
        SigningKey::generate_p256().unwrap(),
    )
    .unwrap()
    .scope(Some("das-api/das-access".to_owned()))
    .transport(transport())
}

pub(crate) fn client(server: &mockito::ServerGuard) -> Client {
    Client::new(config(&server.url(), &server.url())).unwrap()
}

pub(crate) fn token_body(token: &str) -> String {
    format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":3600}}"#)
}

/// A token endpoint mock answering `token` (exactly `hits` times).
pub(crate) async fn token_mock(
    server: &mut mockito::ServerGuard,
    token: &str,
    hits: usize,
) -> mockito::Mock {
    server
        .mock("POST", "/token")
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_header("authorization", mockito::Matcher::Missing)
        .match_body(mockito::Matcher::AllOf(vec![
            mockito::Matcher::Regex("grant_type=client_credentials".into()),
            mockito::Matcher::Regex("scope=das-api%2Fdas-access".into()),
            mockito::Matcher::Regex(
                "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
                    .into(),
            ),
            mockito::Matcher::Regex("client_assertion=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+".into()),
        ]))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(token_body(token))
        .expect(hits)
        .create_async()
        .await
}

pub(crate) use test_support::hws::valid_package;
pub(crate) use test_support::tools::sha256sum;

/// A raw HTTP/1.1 server on loopback: for each connection it reads the request head (and
/// `Content-Length` bytes of body), then writes `reply` and closes. Returns the base URL.
/// `reply` may be a truncated response, or empty (close without answering).
pub(crate) async fn raw_server(reply: Vec<u8>) -> (String, Arc<Mutex<u32>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(Mutex::new(0u32));
    let seen = Arc::clone(&count);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            *seen.lock().unwrap() += 1;
            let reply = reply.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                // Read the head, then the body it announces.
                loop {
                    let Ok(n) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                        let len: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .map(|v| v.trim().parse().unwrap())
                            .unwrap_or(0);
                        while buf.len() < end + 4 + len {
                            let Ok(n) = socket.read(&mut chunk).await else {
                                return;
                            };
                            if n == 0 {
                                break;
                            }
                            buf.extend_from_slice(&chunk[..n]);
                        }
                        break;
                    }
                }
                let _ = socket.write_all(&reply).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, count)
}

/// A fresh temporary directory.
pub(crate) fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}
