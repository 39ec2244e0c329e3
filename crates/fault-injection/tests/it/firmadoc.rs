//! firmadoc-client: reads (`GET /send/Trace/{cod}` written with `trace_to_file`,
//! `GET /admin/Budget`) and a write (`POST /webhooks/Test/{evento}`, never retried).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fault_injection::{FaultServer, refused_addr};
use firmadoc_client::Error;
use firmadoc_client::model::WebhookEvent;
use http_transport::Error as T;

use crate::faults::{self, Row, assert_fault};
use crate::support::{self, assert_empty_dir, envelope, firmadoc, plan, within};

const TRACE: &str = "/send/Trace/XJH29";
/// `"%PDF-1.7\n"` in base64, as a JSON string (what the service sends for a document).
const TRACE_JSON: &[u8] = b"\"JVBERi0xLjcK\"";

/// Calls `trace_to_file` into a fresh directory; on error, checks that nothing is left there.
async fn trace(client: &firmadoc_client::Client) -> Result<(tempfile::TempDir, PathBuf), Error> {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("trace.pdf");
    match within(client.trace_to_file(&envelope(), &target)).await {
        Ok(_) => Ok((dir, target)),
        Err(e) => {
            assert_empty_dir(dir.path());
            Err(e)
        }
    }
}

/// The fixture every fault row shares: a fault server answering with `plan()`, a client on
/// it, one `trace_to_file` through it (which must fail and leave nothing behind).
async fn trace_error(
    plan: impl Fn() -> fault_injection::Plan + Send + Sync + 'static,
) -> (FaultServer, firmadoc_client::Client, Error) {
    let server = support::serve(plan).await;
    let client = firmadoc(&server.http_url());
    let err = trace(&client).await.unwrap_err();
    (server, client, err)
}

/// Runs one shared fault row.
async fn row(row: &Row) {
    let server = support::serve(row.plan).await;
    let client = firmadoc(&server.http_url());
    let started = Instant::now();
    let err = trace(&client).await.unwrap_err();
    row.assert_call(&err, Some("Transport"), started.elapsed());
}

/// A write (`POST /webhooks/Test/F`) answered `code`: a `Status` error, sent once.
async fn webhook_answered_once(client: &firmadoc_client::Client, server: &FaultServer, code: u16) {
    let err = within(client.test_webhook(WebhookEvent::Signed))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Status { status, .. } if status.as_u16() == code),
        "{err:?}"
    );
    assert_eq!(server.requests_to("/webhooks/Test/F"), 1);
}

#[tokio::test]
async fn firmadoc_connection_refused() {
    let addr = refused_addr().await.unwrap();
    let client = firmadoc(&format!("http://{addr}"));
    let err = trace(&client).await.unwrap_err();
    assert_fault(&err, Some("Transport"), |t| matches!(t, T::Connect { .. }));
}

#[tokio::test]
async fn firmadoc_reset_mid_request() {
    let (server, client, err) = trace_error(plan::reset_mid_request).await;
    assert_fault(&err, Some("Transport"), |t| matches!(t, T::Http { .. }));
    assert_eq!(server.requests_to(TRACE), 1);
    // A write cut while its body may be on the wire: it may have been received, not resent.
    let err = within(client.test_webhook(WebhookEvent::Signed))
        .await
        .unwrap_err();
    assert_fault(&err, Some("Transport"), |t| {
        matches!(t, T::MayHaveBeenReceived { .. })
    });
    assert_eq!(server.requests_to("/webhooks/Test/F"), 1);
}

// The shared rows, one test each (the table is in `faults.rs`).
faults::row_tests!(
    row: firmadoc_reset_mid_response_body, firmadoc_stall_forever,
    firmadoc_slow_drip, firmadoc_truncated_chunked_body
);

#[tokio::test]
async fn firmadoc_content_length_lies() {
    let short =
        FaultServer::http(|_, _| plan::content_length_short("application/json", TRACE_JSON))
            .await
            .unwrap();
    let client = firmadoc(&short.http_url());
    // A 2xx is never a failure: the half that arrived is not base64, so it is
    // written unchanged (and reported as such), never presented as decoded.
    let (_dir, path) = trace(&client).await.unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        &TRACE_JSON[..TRACE_JSON.len() / 2]
    );
    row(&faults::content_length_long(|| {
        plan::content_length_long("application/json", TRACE_JSON)
    }))
    .await;
}

#[tokio::test]
async fn firmadoc_tls_handshake_failure() {
    let server = support::tls_alert_server().await;
    let client = firmadoc(&server.https_url());
    let err = trace(&client).await.unwrap_err();
    assert_fault(&err, Some("Transport"), |t| matches!(t, T::Tls { .. }));
}

#[tokio::test]
async fn firmadoc_tls_wrong_name() {
    let (server, transport) = support::https_named("wrong.example", TRACE_JSON).await;
    let client = support::firmadoc_with(&server.https_url(), transport);
    let err = trace(&client).await.unwrap_err();
    assert_fault(&err, Some("Transport"), |t| matches!(t, T::Tls { .. }));
    assert_eq!(server.seen().len(), 0);
}

/// The same server name with the right certificate works: the wrong-name test fails for the
/// name, not for the set-up.
#[tokio::test]
async fn firmadoc_tls_right_name_control() {
    let (server, transport) = support::https_named("127.0.0.1", TRACE_JSON).await;
    let client = support::firmadoc_with(&server.https_url(), transport);
    let (_dir, target) = trace(&client).await.unwrap();
    assert_eq!(std::fs::read(target).unwrap(), b"%PDF-1.7\n");
}

#[tokio::test]
async fn firmadoc_5xx_storm() {
    let (server, client, err) = trace_error(|| plan::status(503)).await;
    assert!(
        matches!(err, Error::Status { status, .. } if status.as_u16() == 503),
        "{err:?}"
    );
    let tries: Vec<_> = server
        .seen()
        .into_iter()
        .filter(|s| s.route() == TRACE)
        .collect();
    assert_eq!(tries.len(), support::RETRY.max_attempts as usize);
    // Every retry is signed anew (a fresh nonce, so a different query string).
    assert_ne!(tries[0].path, tries[1].path);
    // A write is sent once.
    webhook_answered_once(&client, &server, 503).await;
}

#[tokio::test]
async fn firmadoc_429_retry_after() {
    let first = std::sync::atomic::AtomicBool::new(true);
    let server = FaultServer::http(move |seen, _| {
        if seen.method == "GET" && !first.swap(false, std::sync::atomic::Ordering::SeqCst) {
            plan::ok("application/json", TRACE_JSON)
        } else {
            plan::too_many("1")
        }
    })
    .await
    .unwrap();
    let client = firmadoc(&server.http_url());
    let started = Instant::now();
    let (_dir, target) = trace(&client).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After: 1 was not honoured"
    );
    assert_eq!(std::fs::read(target).unwrap(), b"%PDF-1.7\n");
    assert_eq!(server.requests_to(TRACE), 2);
    webhook_answered_once(&client, &server, 429).await;
}

#[tokio::test]
async fn firmadoc_invalid_json_in_200() {
    let server = support::serve(|| plan::ok("application/json", b"{\"Budget\": ")).await;
    let client = firmadoc(&server.http_url());
    // After a 2xx the reply is kept raw, never turned into an error.
    let budget = within(client.budget()).await.unwrap();
    assert!(budget.typed().is_none());
    assert_eq!(&budget.raw().unwrap()[..], b"{\"Budget\": ");
    let (_dir, path) = trace(&client).await.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"{\"Budget\": ");
}

#[tokio::test]
async fn firmadoc_wrong_content_type() {
    // Documented recovery: the content type is not checked; a body that parses is used.
    let server = support::serve(|| plan::ok("text/html", b"250")).await;
    let client = firmadoc(&server.http_url());
    let budget = within(client.budget()).await.unwrap();
    assert_eq!(budget.typed().map(|b| b.0), Some(250));
    // An HTML page where a document was expected: a 2xx, so written unchanged (not base64), never an error.
    let portal = support::serve(|| plan::ok("text/html", plan::HTML_PAGE)).await;
    let client = firmadoc(&portal.http_url());
    let (_dir, path) = trace(&client).await.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), plan::HTML_PAGE);
}
