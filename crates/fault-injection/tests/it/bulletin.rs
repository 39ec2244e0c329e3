//! The bulletin download, by both paths: `hague_client::Client::bulletin` (to a file) and
//! `http_transport::Transport::download_to_file`. After every failure, the target's
//! directory must hold neither the target nor a temporary part file.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fault_injection::{FaultServer, Step, TestPki, refused_addr};
use http_transport::{Download, Error as T, Request, Transport, TransportConfig};

use crate::faults::{self, Row, assert_fault};
use crate::support::{self, assert_empty_dir, plan, week, within};

const ROUTE: &str = "/publication/bulletin/202447";
const TEMPLATE: &str = "/publication/bulletin/{weekId}";
/// Stand-in bulletin bytes (the start of a ZIP local header, then filler).
const ZIP: &[u8] = b"PK\x03\x04bulletin bytes of week 47";

/// Both downloads with the bytes found at the target, and the directories.
type Downloads = (
    (Download, Vec<u8>),
    (Download, Vec<u8>),
    (tempfile::TempDir, tempfile::TempDir),
);

/// What each path did.
struct Both {
    hague: Result<(Download, PathBuf), hague_client::Error>,
    transport: Result<(Download, PathBuf), T>,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    /// Whether a part file was seen in the directory during the download (hague, transport):
    /// proof that "nothing left" means "cleaned up", not "never written".
    saw_part: (bool, bool),
}

/// A progress callback that notes whether `dir` holds a `.part` file.
fn watch_part(
    dir: &std::path::Path,
    saw: &std::cell::Cell<bool>,
) -> impl FnMut(http_transport::Progress) {
    move |_| {
        let part = std::fs::read_dir(dir)
            .unwrap()
            .any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".part"));
        saw.set(saw.get() || part);
    }
}

impl Both {
    /// What each path ended in (the download or the error), for a failure message.
    fn outcome(&self) -> String {
        format!(
            "{:?} / {:?}",
            self.hague.as_ref().map(|d| &d.0),
            self.transport.as_ref().map(|d| &d.0)
        )
    }

    /// Both failed; returns the errors. The directories are checked empty.
    fn errors(self) -> (hague_client::Error, T) {
        let outcome = self.outcome();
        let (Err(h), Err(t)) = (self.hague, self.transport) else {
            panic!("expected two errors, got {outcome}")
        };
        assert_empty_dir(self._dirs.0.path());
        assert_empty_dir(self._dirs.1.path());
        (h, t)
    }

    fn downloads(self) -> Downloads {
        let outcome = self.outcome();
        let (Ok(h), Ok(t)) = (self.hague, self.transport) else {
            panic!("expected two downloads, got {outcome}")
        };
        let hb = std::fs::read(&h.1).unwrap();
        let tb = std::fs::read(&t.1).unwrap();
        // Only the target: no part file left beside it.
        for dir in [&self._dirs.0, &self._dirs.1] {
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        }
        ((h.0, hb), (t.0, tb), self._dirs)
    }
}

async fn both(base: &str) -> Both {
    both_with(base, support::transport()).await
}

async fn both_with(base: &str, config: TransportConfig) -> Both {
    let h = support::hague_with(base, config.clone()).await;
    let (hd, td) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let target = hd.path().join("bulletin-202447.zip");
    let saw = (std::cell::Cell::new(false), std::cell::Cell::new(false));
    let hague = within(
        h.client
            .bulletin(week(), &target, watch_part(hd.path(), &saw.0)),
    )
    .await
    .map(|d| (d, target));
    let transport = Transport::new(config).unwrap();
    let target = td.path().join("bulletin-202447.zip");
    let request = Request::get(&format!("{base}{ROUTE}"), TEMPLATE).unwrap();
    let transport =
        within(transport.download_to_file(&request, &target, watch_part(td.path(), &saw.1)))
            .await
            .map(|d| (d, target));
    Both {
        hague,
        transport,
        _dirs: (hd, td),
        saw_part: (saw.0.get(), saw.1.get()),
    }
}

/// The fixture every fault row shares: a fault server answering with `plan()`, and both
/// downloads through it. The server is returned for its request log.
async fn served(
    plan: impl Fn() -> fault_injection::Plan + Send + Sync + 'static,
) -> (FaultServer, Both) {
    let server = support::serve(plan).await;
    let both = both(&server.http_url()).await;
    (server, both)
}

/// Asserts that both downloads failed with a transport error `expect` accepts (in any
/// hague-client variant).
fn assert_both(h: &hague_client::Error, t: &T, expect: fn(&T) -> bool) {
    assert_fault(h, None, expect);
    assert_fault(t, None, expect);
}

/// Runs one shared fault row through both downloads; returns whether each saw its part
/// file during the download.
async fn row(row: &Row) -> (bool, bool) {
    let (_server, both) = served(row.plan).await;
    let saw_part = both.saw_part;
    let (h, t) = both.errors();
    assert_both(&h, &t, row.expect);
    saw_part
}

#[tokio::test]
async fn bulletin_connection_refused() {
    let addr = refused_addr().await.unwrap();
    let (h, t) = both(&format!("http://{addr}")).await.errors();
    assert_both(&h, &t, |e| matches!(e, T::Connect { attempts: 3, .. }));
}

#[tokio::test]
async fn bulletin_reset_mid_request() {
    let (server, both) = served(plan::reset_mid_request).await;
    let (h, t) = both.errors();
    assert_both(&h, &t, |e| matches!(e, T::Http { .. }));
    assert_eq!(
        server.requests_to(ROUTE),
        2,
        "one request per path, none retried"
    );
}

#[tokio::test]
async fn bulletin_reset_mid_response_body() {
    assert_eq!(
        row(&faults::RESET_MID_BODY).await,
        (true, true),
        "the part file existed during the download"
    );
}

#[tokio::test]
async fn bulletin_stall_forever() {
    let server = FaultServer::http(|_, _| plan::stall()).await.unwrap();
    let started = Instant::now();
    let (h, t) = both(&server.http_url()).await.errors();
    assert!(h.is_timeout(), "{h:?}");
    assert_both(&h, &t, faults::STALL.expect);
    assert!(
        support::ended_by_timeout(started.elapsed(), support::TIMEOUTS.request * 2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn bulletin_slow_drip() {
    // Dripping the body: the idle-read timeout; dripping the head: the `request` timeout.
    for drip in [&faults::DRIP_BODY, &faults::DRIP_HEAD] {
        row(drip).await;
    }
}

/// The idle-read timeout is between chunks, not a total: a drip faster than it completes.
/// A caller who wants a total deadline wraps the call in `tokio::time::timeout`.
#[tokio::test]
async fn bulletin_drip_faster_than_idle_read_completes() {
    let server = FaultServer::http(|_, _| {
        fault_injection::Plan::after_body(vec![
            Step::Write(fault_injection::response(
                200,
                &[("Content-Length", "6")],
                b"",
            )),
            Step::Drip {
                bytes: b"PK\x03\x04ok".to_vec(),
                every: Duration::from_millis(50),
            },
        ])
    })
    .await
    .unwrap();
    let ((hd, hb), (td, tb), _dirs) = both(&server.http_url()).await.downloads();
    assert_eq!((hd.bytes, td.bytes), (6, 6));
    assert_eq!(
        (hb.as_slice(), tb.as_slice()),
        (&b"PK\x03\x04ok"[..], &b"PK\x03\x04ok"[..])
    );
}

#[tokio::test]
async fn bulletin_truncated_chunked_body() {
    assert_eq!(
        row(&faults::TRUNCATED_CHUNKED).await,
        (true, true),
        "the part file existed during the download"
    );
}

#[tokio::test]
async fn bulletin_content_length_lies() {
    // Longer than sent: the cut is detected, nothing is kept.
    let (_long, both) = served(|| plan::content_length_long("application/zip", ZIP)).await;
    let (h, t) = both.errors();
    assert_both(&h, &t, |e| matches!(e, T::BodyInterrupted { .. }));
    // Shorter than sent: HTTP/1.1 framing is the declared length, so the client keeps
    // exactly the declared bytes and reports their count and SHA-256 (checked here against
    // coreutils `sha256sum`); the excess is never read as body. Comparing the SHA-256 with
    // the publisher's is how a caller detects it.
    let (_short, both) = served(|| plan::content_length_short("application/zip", ZIP)).await;
    let ((hd, hb), (td, tb), _dirs) = both.downloads();
    let declared = &ZIP[..ZIP.len() / 2];
    assert_eq!((hb.as_slice(), tb.as_slice()), (declared, declared));
    assert_eq!(hd.sha256_hex(), support::sha256sum(declared));
    assert_eq!(td.sha256_hex(), support::sha256sum(declared));
}

#[tokio::test]
async fn bulletin_tls_handshake_failure() {
    let server = support::tls_alert_server().await;
    let (h, t) = both(&server.https_url()).await.errors();
    assert!(matches!(h, hague_client::Error::Tls { .. }), "{h:?}");
    assert!(t.is_tls(), "{t:?}");
}

#[tokio::test]
async fn bulletin_tls_wrong_name() {
    let pki = TestPki::new(&["wrong.example"]).unwrap();
    let server = FaultServer::https(pki.server.clone(), |_, _| plan::ok("application/zip", ZIP))
        .await
        .unwrap();
    let config = support::transport()
        .add_root_certificate_pem(pki.ca_pem.as_bytes())
        .unwrap();
    let (h, t) = both_with(&server.https_url(), config).await.errors();
    assert!(matches!(h, hague_client::Error::Tls { .. }), "{h:?}");
    assert!(t.is_tls(), "{t:?}");
    assert_eq!(server.seen().len(), 0);
}

#[tokio::test]
async fn bulletin_5xx_storm() {
    let (server, both) = served(|| plan::status(502)).await;
    let (h, t) = both.errors();
    assert_eq!(h.status().map(|s| s.as_u16()), Some(502), "{h:?}");
    assert!(
        matches!(t, T::Status { status, .. } if status.as_u16() == 502),
        "{t:?}"
    );
    // Three attempts per path, as the policy says.
    assert_eq!(
        server.requests_to(ROUTE),
        2 * support::RETRY.max_attempts as usize
    );
}

#[tokio::test]
async fn bulletin_429_retry_after() {
    let server = FaultServer::http(|_, index| {
        // Requests 0 and 2 are each path's first attempt.
        if index % 2 == 0 {
            plan::too_many("1")
        } else {
            plan::ok("application/zip", ZIP)
        }
    })
    .await
    .unwrap();
    let started = Instant::now();
    let ((hd, hb), (td, tb), _dirs) = both(&server.http_url()).await.downloads();
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "Retry-After: 1 was not honoured twice"
    );
    assert_eq!((hb.as_slice(), tb.as_slice()), (ZIP, ZIP));
    assert_eq!((hd.attempts, td.attempts), (2, 2));
    assert_eq!(hd.sha256_hex(), support::sha256sum(ZIP));
}

#[tokio::test]
async fn bulletin_invalid_xml_in_200() {
    // The download does not look inside the bulletin: the bytes are stored complete, with
    // their SHA-256. Reading them is `st96-model`'s `BulletinReader`, which gives a typed
    // error on broken XML.
    const BROKEN: &[u8] = b"<dgn:HagueBulletin xmlns:dgn=\"http://www.wipo.int/standards/XMLSchema/ST96/Design\"><dgn:HagueRegistrationBag><dgn:HagueRegistration></dgn:Oops>";
    let (_server, both) = served(|| plan::ok("application/xml", BROKEN)).await;
    let ((_, hb), (_, tb), _dirs) = both.downloads();
    assert_eq!((hb.as_slice(), tb.as_slice()), (BROKEN, BROKEN));
    let results: Vec<_> = st96_model::BulletinReader::new(hb.as_slice()).collect();
    assert!(
        results.iter().any(Result::is_err),
        "broken XML must give a typed error: {results:?}"
    );
}

#[tokio::test]
async fn bulletin_wrong_content_type() {
    // Documented behaviour: neither path checks the content type; the file is stored and
    // the response headers come back in `Download::headers` for the caller to check.
    let (_server, both) = served(|| plan::ok("text/html", plan::HTML_PAGE)).await;
    let ((hd, hb), (td, _), _dirs) = both.downloads();
    assert_eq!(hb, plan::HTML_PAGE);
    for d in [&hd, &td] {
        assert_eq!(d.headers.get("content-type").unwrap(), "text/html");
    }
}
