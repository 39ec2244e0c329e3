//! Shared set-up: short timeouts, clients against the fault server, the fault plans, and
//! the checks that no file is left behind.

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use fault_injection::{FaultServer, Plan, Step, TestPki, response};
use http_transport::{RetryPolicy, Timeouts, TransportConfig};

/// The configured timeouts of every test: short, so the binary stays fast.
pub(crate) const TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_secs(1),
    request: Duration::from_millis(500),
    idle_read: Duration::from_millis(300),
};

/// The retry policy of every test: at most 3 attempts, short backoff, 5 s budget.
pub(crate) const RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    initial_backoff: Duration::from_millis(10),
    max_backoff: Duration::from_millis(50),
    max_total: Duration::from_secs(5),
};

/// The margin over the configured timeouts after which a test counts as hung.
pub(crate) const HANG_MARGIN: Duration = Duration::from_secs(8);

pub(crate) fn transport() -> TransportConfig {
    TransportConfig::default()
        .allow_plain_http(true)
        .timeouts(TIMEOUTS)
        .retry_policy(RETRY)
}

/// Runs `fut`, failing the test if it does not end within [`HANG_MARGIN`].
pub(crate) async fn within<T>(fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(HANG_MARGIN, fut)
        .await
        .expect("the call hung past the configured timeouts")
}

/// The call ended because `limit` (the configured timeout, summed over the calls made)
/// ran out: not before it, and not long after it (2 s of slack for a loaded machine).
pub(crate) fn ended_by_timeout(elapsed: Duration, limit: Duration) -> bool {
    elapsed >= limit && elapsed < limit + Duration::from_secs(2)
}

/// The directory holds nothing: no target and no temporary file.
pub(crate) fn assert_empty_dir(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        left.is_empty(),
        "files left after a failed download: {left:?}"
    );
}

pub(crate) fn token_server_script() -> impl Fn(&fault_injection::Seen, usize) -> Plan + Send + Sync
{
    |_, _| {
        Plan::reply(response(
            200,
            &[("Content-Type", "application/json")],
            br#"{"access_token":"fault-token","token_type":"Bearer","expires_in":3600}"#,
        ))
    }
}

/// A hague-client with its own (well-behaved) token endpoint and the API at `api_base`.
pub(crate) struct Hague {
    pub(crate) client: hague_client::Client,
    pub(crate) _token: FaultServer,
}

pub(crate) async fn hague_with(api_base: &str, transport: TransportConfig) -> Hague {
    let token = FaultServer::http(token_server_script()).await.unwrap();
    let config = hague_client::Config::new(
        api_base,
        hague_client::Provider::TokenEndpoint {
            issuer: token.http_url(),
            token_endpoint: format!("{}/token", token.http_url()),
        },
        "das-api-auth",
        hague_client::SigningKey::generate_p256().unwrap(),
    )
    .unwrap()
    .transport(transport);
    Hague {
        client: hague_client::Client::new(config).unwrap(),
        _token: token,
    }
}

pub(crate) async fn hague(api_base: &str) -> Hague {
    hague_with(api_base, transport()).await
}

pub(crate) fn import_id() -> hague_client::ImportId {
    hague_client::ImportId::new("IMP-42")
}

pub(crate) fn firmadoc_with(base: &str, transport: TransportConfig) -> firmadoc_client::Client {
    let mut config = firmadoc_client::ClientConfig::new(
        firmadoc_client::Environment::Custom(base.to_owned()),
        firmadoc_client::Credentials::new("fault-key", "fault-secret").unwrap(),
    );
    config.transport = transport;
    firmadoc_client::Client::new(config).unwrap()
}

pub(crate) fn firmadoc(base: &str) -> firmadoc_client::Client {
    firmadoc_with(base, transport())
}

pub(crate) fn envelope() -> firmadoc_client::model::EnvelopeCode {
    firmadoc_client::model::EnvelopeCode::parse("XJH29").unwrap()
}

pub(crate) fn week() -> hague_client::WeekId {
    "2024-W47".parse().unwrap()
}

/// A plain-HTTP fault server that answers every request with `plan()` (the one fixture the
/// fault tables share).
pub(crate) async fn serve(plan: impl Fn() -> Plan + Send + Sync + 'static) -> FaultServer {
    FaultServer::http(move |_, _| plan()).await.unwrap()
}

/// A server that answers the TLS ClientHello with a `handshake_failure` alert and closes.
pub(crate) async fn tls_alert_server() -> FaultServer {
    FaultServer::raw(vec![
        Step::Write(fault_injection::TLS_HANDSHAKE_FAILURE_ALERT.to_vec()),
        Step::Close,
    ])
    .await
    .unwrap()
}

/// An HTTPS fault server with a certificate for `name` (from a fresh test CA) answering
/// every request with `body` as JSON, and a transport trusting that CA.
pub(crate) async fn https_named(name: &str, body: &'static [u8]) -> (FaultServer, TransportConfig) {
    let pki = TestPki::new(&[name]).unwrap();
    let server = FaultServer::https(pki.server.clone(), move |_, _| {
        plan::ok("application/json", body)
    })
    .await
    .unwrap();
    let transport = transport()
        .add_root_certificate_pem(pki.ca_pem.as_bytes())
        .unwrap();
    (server, transport)
}

pub(crate) use test_support::hws::valid_package;
pub(crate) use test_support::tools::sha256sum;

/// The fault plans, one per fault of the issue; `ok` is the well-formed reply body of the
/// call under test (used where the fault lies about framing).
pub(crate) mod plan {
    use super::*;

    pub(crate) fn ok(content_type: &str, body: &[u8]) -> Plan {
        Plan::reply(response(200, &[("Content-Type", content_type)], body))
    }

    /// Resets as soon as the request head is read, before any request body.
    pub(crate) fn reset_mid_request() -> Plan {
        Plan {
            read_body: false,
            steps: vec![Step::Reset],
        }
    }

    /// Announces 1000 bytes, sends 10, then resets.
    pub(crate) fn reset_mid_body() -> Plan {
        Plan::after_body(vec![
            Step::Write(response(
                200,
                &[
                    ("Content-Type", "application/octet-stream"),
                    ("Content-Length", "1000"),
                ],
                b"0123456789",
            )),
            Step::Sleep(Duration::from_millis(50)),
            Step::Reset,
        ])
    }

    /// Reads the request and never answers.
    pub(crate) fn stall() -> Plan {
        Plan::after_body(vec![Step::Hang])
    }

    /// Sends the head at once, then the body one byte per second.
    pub(crate) fn drip() -> Plan {
        Plan::after_body(vec![
            Step::Write(response(
                200,
                &[
                    ("Content-Type", "application/octet-stream"),
                    ("Content-Length", "5"),
                ],
                b"",
            )),
            Step::Drip {
                bytes: b"abcde".to_vec(),
                every: Duration::from_secs(1),
            },
        ])
    }

    /// Drips the response head itself, one byte per second: the head has a total limit
    /// (the `request` timeout), not an idle one.
    pub(crate) fn drip_head() -> Plan {
        Plan::after_body(vec![Step::Drip {
            bytes: response(
                200,
                &[("Content-Type", "application/octet-stream")],
                b"abcde",
            ),
            every: Duration::from_secs(1),
        }])
    }

    /// A chunked body cut after its first chunk (no last `0` chunk), then closed.
    pub(crate) fn truncated_chunked() -> Plan {
        Plan::after_body(vec![
            Step::Write(response(
                200,
                &[
                    ("Content-Type", "application/octet-stream"),
                    ("Transfer-Encoding", "chunked"),
                ],
                b"5\r\nabcde\r\n",
            )),
            Step::Sleep(Duration::from_millis(20)),
            Step::Close,
        ])
    }

    /// `Content-Length` smaller than the body sent (the rest is sent anyway), then closed.
    pub(crate) fn content_length_short(content_type: &str, body: &[u8]) -> Plan {
        content_length_declared(content_type, body, body.len() / 2)
    }

    /// `Content-Length` larger than the body sent, then closed.
    pub(crate) fn content_length_long(content_type: &str, body: &[u8]) -> Plan {
        content_length_declared(content_type, body, body.len() + 100)
    }

    /// `body` sent whole under a `Content-Length` of `declared`, then closed.
    fn content_length_declared(content_type: &str, body: &[u8], declared: usize) -> Plan {
        let declared = declared.to_string();
        Plan::after_body(vec![
            Step::Write(response(
                200,
                &[
                    ("Content-Type", content_type),
                    ("Content-Length", &declared),
                ],
                body,
            )),
            Step::Close,
        ])
    }

    pub(crate) fn status(code: u16) -> Plan {
        Plan::reply(response(
            code,
            &[("Content-Type", "text/plain")],
            b"overloaded",
        ))
    }

    pub(crate) fn too_many(retry_after: &str) -> Plan {
        Plan::reply(response(
            429,
            &[("Content-Type", "text/plain"), ("Retry-After", retry_after)],
            b"slow down",
        ))
    }

    /// What a captive portal or a misrouted proxy sends.
    pub(crate) const HTML_PAGE: &[u8] =
        b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><p>Please sign in</p></body></html>";
}
