//! No secret in Debug output, error messages or tracing spans.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use http_transport::http::{HeaderName, HeaderValue, header::AUTHORIZATION};
use http_transport::{Error, Request};
use tracing_subscriber::fmt::format::FmtSpan;

use crate::support::{raw_server, read_head, transport};

const TOKEN: &str = "eyJTOKENSECRET";
const SIGNATURE: &str = "SIGNATURESECRET";
const BODY: &str = "BODYSECRET";

fn secret_request(base: &str, method_post: bool, prefix: &'static str) -> Request {
    let url = format!("{base}{prefix}/1234?oauth_signature={SIGNATURE}");
    let template = format!("{prefix}/{{id}}");
    let request = if method_post {
        Request::post(&url, template, BODY).unwrap()
    } else {
        Request::get(&url, template).unwrap()
    };
    request
        .header(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {TOKEN}")).unwrap(),
        )
        .sensitive_header(
            HeaderName::from_static("x-client-assertion"),
            HeaderValue::from_static("ASSERTIONSECRET"),
        )
        .header(
            HeaderName::from_static("accept"),
            HeaderValue::from_static("application/json"),
        )
}

fn assert_no_secret(text: &str) {
    for secret in [TOKEN, SIGNATURE, BODY, "ASSERTIONSECRET"] {
        assert!(!text.contains(secret), "{secret} leaked in: {text}");
    }
}

#[test]
fn request_debug_redacts_sensitive_headers_and_the_query() {
    let request = secret_request("https://hws.example", true, "/request");
    let shown = format!("{request:?}");
    assert_no_secret(&shown);
    assert!(shown.contains("[redacted]"), "{shown}");
    assert!(
        shown.contains("\"accept\": \"application/json\""),
        "{shown}"
    );
    assert!(shown.contains("/request/{id}"), "{shown}");
    assert!(
        shown.contains("https://hws.example/request/1234?[redacted]"),
        "{shown}"
    );
    assert!(shown.contains("[10 bytes]"), "{shown}");
}

#[tokio::test]
async fn response_debug_redacts_cookies() {
    let mut server = mockito::Server::new_async().await;
    let _m = server
        .mock("GET", "/login")
        .with_header("set-cookie", "session=COOKIESECRET")
        .with_header("content-type", "application/json")
        .with_body("{}")
        .create_async()
        .await;
    let request = Request::get(&format!("{}/login", server.url()), "/login").unwrap();
    let response = transport().send(&request).await.unwrap();
    let shown = format!("{response:?}");
    assert!(!shown.contains("COOKIESECRET"), "{shown}");
    assert!(shown.contains("\"set-cookie\": \"[redacted]\""), "{shown}");
    assert!(shown.contains("application/json"), "{shown}");
}

#[tokio::test]
async fn errors_name_the_template_not_the_url() {
    let (addr, _) = raw_server(|mut s| async move {
        read_head(&mut s).await;
    })
    .await;
    let request = secret_request(&format!("http://{addr}"), true, "/request")
        .fingerprint("sha256-of-package");
    let err = transport().send(&request).await.unwrap_err();
    assert!(matches!(err, Error::MayHaveBeenReceived { .. }));
    let text = format!("{err} / {err:?}");
    assert_no_secret(&text);
    assert!(text.contains("POST /request/{id}"), "{text}");
    assert!(!text.contains("/request/1234"), "{text}");
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The whole binary's log. A global subscriber (rather than a scoped one) keeps
/// tracing's per-callsite interest cache stable while other tests run in parallel;
/// this test picks its own lines by their unique path template.
fn global_log() -> &'static Capture {
    static LOG: OnceLock<Capture> = OnceLock::new();
    LOG.get_or_init(|| {
        let capture = Capture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(FmtSpan::CLOSE)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        capture
    })
}

#[tokio::test]
async fn spans_carry_method_template_status_attempt_duration_and_no_secret() {
    let capture = global_log();
    let mut server = mockito::Server::new_async().await;
    let _busy = server
        .mock("GET", "/traced/1234")
        .match_query(mockito::Matcher::Any)
        .with_status(503)
        .with_header("retry-after", "0")
        .expect(1)
        .create_async()
        .await;
    let _ok = server
        .mock("GET", "/traced/1234")
        .match_query(mockito::Matcher::Any)
        .with_status(200)
        .with_body("{}")
        .create_async()
        .await;
    let _post = server
        .mock("POST", "/traced/1234")
        .match_query(mockito::Matcher::Any)
        .with_status(202)
        .create_async()
        .await;
    let transport = transport();
    let get = secret_request(&server.url(), false, "/traced");
    assert_eq!(transport.send(&get).await.unwrap().status(), 200);
    let post = secret_request(&server.url(), true, "/traced");
    assert_eq!(transport.send(&post).await.unwrap().status(), 202);

    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert_no_secret(&log);
    assert!(!log.contains("/traced/1234"), "concrete path logged: {log}");
    let ours: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("path_template=/traced/{id}"))
        .collect();
    let closes: Vec<&str> = ours
        .iter()
        .copied()
        .filter(|l| l.contains("close"))
        .collect();
    assert_eq!(closes.len(), 2, "one span per call: {log}");
    let get_line = closes[0];
    for field in [
        "http_call{",
        "method=GET",
        "attempt=2",
        "status=200",
        "duration_ms=",
    ] {
        assert!(get_line.contains(field), "{field} missing in {get_line}");
    }
    assert!(closes[1].contains("method=POST"), "{}", closes[1]);
    assert!(closes[1].contains("attempt=1"), "{}", closes[1]);
    assert!(closes[1].contains("status=202"), "{}", closes[1]);
    assert!(
        ours.iter()
            .any(|l| l.contains("retrying") && l.contains("wait_ms=0")),
        "the retry is logged: {log}"
    );
}
