//! Shared helpers: a plain-http transport and one-call requests.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::{HeaderName, HeaderValue, Method};
use http_transport::{Request, Transport, TransportConfig};
use sandbox::{ManualClock, Sandbox, SandboxConfig};

pub(crate) fn transport() -> Transport {
    Transport::new(TransportConfig::default().allow_plain_http(true)).unwrap()
}

pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: bytes::Bytes,
}

impl Answer {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

pub(crate) async fn call(
    method: Method,
    url: &str,
    headers: &[(&'static str, &str)],
    body: impl Into<bytes::Bytes>,
) -> Answer {
    let mut req = Request::new(method, url, "test").unwrap().body(body);
    for (k, v) in headers {
        req = req.header(
            HeaderName::from_static(k),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    let r = transport().send(&req).await.unwrap();
    Answer {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        body: r.into_body(),
    }
}

/// The real time now (tests that drive the real clients use it).
#[allow(clippy::disallowed_methods)]
pub(crate) fn wall_clock() -> SystemTime {
    SystemTime::now()
}

/// A sandbox on a manual clock set to the real time, so that real clients signing with
/// the system clock agree with it until the test moves it.
pub(crate) async fn manual_sandbox() -> (Sandbox, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(wall_clock()));
    let mut config = SandboxConfig::default();
    config.clock = clock.clone();
    config.webhook_retry_delays = vec![Duration::from_millis(50), Duration::from_millis(100)];
    (Sandbox::start(config).await.unwrap(), clock)
}

/// The pinned Python of `cargo xtask tools` (oauthlib, PyJWT), or `XTASK_PYTHON`.
pub(crate) use test_support::tools::{python, run_python};

/// A minimal PDF the FirmaDocumentos tests send.
pub(crate) const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
/// The PNG signature and a little more: what a signature image must start with.
pub(crate) const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-signature";

/// [`PDF`] in base64, as the JSON bodies carry it.
pub(crate) fn base64_pdf() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(PDF)
}
