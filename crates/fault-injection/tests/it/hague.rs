//! hague-client (API calls, with a well-behaved token endpoint beside the faulty API).

use std::time::{Duration, Instant};

use fault_injection::{FaultServer, refused_addr};
use hague_client::Error;
use http_transport::Error as T;

use crate::faults::{self, Row, assert_fault};
use crate::support::{self, Hague, hague, import_id, plan, within};

const STATUS_JSON: &[u8] = br#"{"importId":"IMP-42","importStatus":"PENDING"}"#;
const ROUTE: &str = "/request/import/IMP-42";

/// A client on `base` and one failing `import_status` through it; returns the client (for
/// a follow-up call), the error and how long the call took.
async fn status_error_at(base: &str) -> (Hague, Error, Duration) {
    let h = hague(base).await;
    let started = Instant::now();
    let err = within(h.client.import_status(&import_id()))
        .await
        .unwrap_err();
    (h, err, started.elapsed())
}

/// The fixture every fault row shares: a fault server answering with `plan()`, a client on
/// it, one `import_status` through it. Returns the server (for its request log), the
/// client (for a follow-up call) and the error.
async fn status_error(
    plan: impl Fn() -> fault_injection::Plan + Send + Sync + 'static,
) -> (FaultServer, Hague, Error) {
    let server = support::serve(plan).await;
    let (h, err, _) = status_error_at(&server.http_url()).await;
    (server, h, err)
}

/// Runs one shared fault row.
async fn row(row: &Row) {
    let server = support::serve(row.plan).await;
    let (_h, err, elapsed) = status_error_at(&server.http_url()).await;
    row.assert_call(&err, Some(row.hague_variant), elapsed);
}

/// A submission (POST) answered `code`: returned with that status, sent once.
async fn submission_answered_once(h: &Hague, server: &FaultServer, code: u16) {
    let err = within(h.client.submit(support::valid_package()))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(code), "{err:?}");
    assert_eq!(server.requests_to("/request"), 1);
}

#[tokio::test]
async fn hague_connection_refused() {
    let addr = refused_addr().await.unwrap();
    let (_h, err, _) = status_error_at(&format!("http://{addr}")).await;
    assert_fault(&err, Some("Transport"), |t| {
        matches!(t, T::Connect { attempts: 3, .. })
    });
}

#[tokio::test]
async fn hague_reset_mid_request() {
    let (server, h, err) = status_error(plan::reset_mid_request).await;
    assert_fault(&err, Some("Transport"), |t| matches!(t, T::Http { .. }));
    // A broken exchange is not a connect failure: the GET is not retried.
    assert_eq!(server.requests_to(ROUTE), 1);
    // The submission, reset before its body was read: it may have been received (the
    // transport cannot tell how much the server read), and it is not resent.
    let package = support::valid_package();
    let err = within(h.client.submit(package.clone())).await.unwrap_err();
    assert!(
        matches!(&err, Error::MayHaveBeenReceived { package_sha256, .. } if *package_sha256 == support::sha256sum(&package)),
        "{err:?}"
    );
    assert_eq!(server.requests_to("/request"), 1);
}

// The shared rows, one test each (the table is in `faults.rs`).
faults::row_tests!(
    row: hague_reset_mid_response_body, hague_stall_forever,
    hague_slow_drip, hague_truncated_chunked_body
);

#[tokio::test]
async fn hague_content_length_lies() {
    // Longer: the stream ends before the declared length.
    row(&faults::content_length_long(|| {
        plan::content_length_long("application/json", STATUS_JSON)
    }))
    .await;
    // Shorter: the client reads what was declared (it cannot know better); the cut JSON is
    // an `UnexpectedReply` that keeps the raw bytes.
    let (_short, _h, err) =
        status_error(|| plan::content_length_short("application/json", STATUS_JSON)).await;
    match err {
        Error::UnexpectedReply { raw, .. } => {
            assert_eq!(raw.as_bytes(), &STATUS_JSON[..STATUS_JSON.len() / 2]);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn hague_tls_handshake_failure() {
    let server = support::tls_alert_server().await;
    let (_h, err, _) = status_error_at(&server.https_url()).await;
    assert_fault(&err, Some("Tls"), |_| true);
}

#[tokio::test]
async fn hague_tls_wrong_name() {
    let (server, transport) = support::https_named("wrong.example", STATUS_JSON).await;
    let h = support::hague_with(&server.https_url(), transport).await;
    let err = within(h.client.import_status(&import_id()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("TLS handshake failed"), "{err}");
    assert_eq!(
        server.seen().len(),
        0,
        "no request may cross a refused handshake"
    );
}

#[tokio::test]
async fn hague_5xx_storm() {
    // A read: retried up to the policy's 3 attempts, then the typed status error.
    let (server, h, err) = status_error(|| plan::status(503)).await;
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err:?}");
    assert_eq!(
        server.requests_to(ROUTE),
        support::RETRY.max_attempts as usize
    );
    // The submission (POST): sent once, never retried.
    submission_answered_once(&h, &server, 503).await;
}

#[tokio::test]
async fn hague_429_retry_after() {
    let first = std::sync::atomic::AtomicBool::new(true);
    let server = FaultServer::http(move |seen, _| {
        if seen.method == "GET"
            && seen.route() == ROUTE
            && first.swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            plan::too_many("1")
        } else if seen.method == "GET" {
            plan::ok("application/json", STATUS_JSON)
        } else {
            plan::too_many("1")
        }
    })
    .await
    .unwrap();
    let h = hague(&server.http_url()).await;
    let started = Instant::now();
    let status = within(h.client.import_status(&import_id())).await.unwrap();
    assert_eq!(status.status.as_deref(), Some("PENDING"));
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After: 1 was not honoured"
    );
    assert_eq!(server.requests_to(ROUTE), 2);
    // A POST answered 429 is returned as is, not retried.
    submission_answered_once(&h, &server, 429).await;
}

#[tokio::test]
async fn hague_invalid_xml_or_json_in_200() {
    for (content_type, body) in [
        (
            "application/xml",
            &b"<ImportStatus><ImportId>IMP-42</ImportStatus>"[..],
        ),
        ("application/json", &b"{\"importId\": \"IMP-42\","[..]),
    ] {
        let (_server, _h, err) = status_error(move || plan::ok(content_type, body)).await;
        match err {
            Error::UnexpectedReply { raw, template, .. } => {
                assert_eq!(raw.as_bytes(), body);
                assert_eq!(template, "/request/import/{importId}");
            }
            other => panic!("{content_type}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn hague_wrong_content_type() {
    // Documented recovery: the content type is not checked, the body is sniffed (XML if it
    // starts with `<`, JSON if with `{` or `[`), so a well-formed status under a wrong
    // type is read.
    let server = support::serve(|| plan::ok("text/html", STATUS_JSON)).await;
    let h = hague(&server.http_url()).await;
    let status = within(h.client.import_status(&import_id())).await.unwrap();
    assert_eq!(status.import_id.as_deref(), Some("IMP-42"));
    // A captive portal's HTML page with a DOCTYPE: the status reader refuses any DOCTYPE
    // (no entity expansion), so it is `UnexpectedReply`, keeping the page.
    let portal = support::serve(|| plan::ok("text/html", plan::HTML_PAGE)).await;
    let h = hague(&portal.http_url()).await;
    match within(h.client.import_status(&import_id()))
        .await
        .unwrap_err()
    {
        Error::UnexpectedReply { raw, .. } => assert_eq!(raw.as_bytes(), plan::HTML_PAGE),
        other => panic!("{other:?}"),
    }
    // Well-formed markup without a DOCTYPE is read leniently (unknown formats are kept, not
    // refused): a status with no known field, and the raw page, so `status == None`.
    const BARE: &[u8] = b"<html><body><p>Please sign in</p></body></html>";
    let bare = support::serve(|| plan::ok("text/html", BARE)).await;
    let hb = hague(&bare.http_url()).await;
    let status = within(hb.client.import_status(&import_id())).await.unwrap();
    assert_eq!(status.raw.as_bytes(), BARE);
    assert_eq!((status.import_id, status.status), (None, None));
    // A 2xx to a submission is a success whatever its body (the package was accepted):
    // no import ID is found in either page, and the raw page is kept.
    let s = within(hb.client.submit(support::valid_package()))
        .await
        .unwrap();
    assert_eq!((s.import_id, s.reply.raw.as_bytes()), (None, BARE));
    let s = within(h.client.submit(support::valid_package()))
        .await
        .unwrap();
    assert_eq!(
        (s.import_id, s.reply.raw.as_bytes()),
        (None, plan::HTML_PAGE)
    );
}
