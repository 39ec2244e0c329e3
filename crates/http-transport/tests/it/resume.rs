//! Resumed downloads: an interrupted download keeps `.<name>.partial` with the server's
//! validator; the next one asks for the rest with `Range` + `If-Range`, or starts over
//! (and says why) when the server ignores the range or the file changed.

use std::sync::{Arc, Mutex};

use http_transport::{Error, Request, Restart};
use tokio::io::AsyncWriteExt;

use crate::support::{entries, raw_server, read_head, transport};

/// FIPS 180-2 appendix B.3: SHA-256 of one million 'a'.
const MILLION_A_SHA256: &str = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
const SIZE: usize = 1_000_000;

/// How the test server behaves for one request.
#[derive(Clone)]
struct Behaviour {
    /// The `ETag` sent (none when empty); the body is `fill` repeated.
    etag: &'static str,
    fill: u8,
    /// Whether `Range` (with a matching `If-Range`) is honoured.
    ranges: bool,
    /// Close the connection after this many body bytes.
    cut: Option<usize>,
    /// Answer 416 to any ranged request.
    unsatisfiable: bool,
}

const WHOLE: Behaviour = Behaviour {
    etag: "\"v1\"",
    fill: b'a',
    ranges: true,
    cut: None,
    unsatisfiable: false,
};

/// A server that answers request `i` with `plan[i]` (the last one repeats) and records
/// every request head.
async fn server(plan: Vec<Behaviour>) -> (String, Arc<Mutex<Vec<String>>>) {
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    let plan = Arc::new(plan);
    let (addr, _) = raw_server(move |mut s| {
        let (heads, plan) = (heads.clone(), plan.clone());
        async move {
            let head = read_head(&mut s).await;
            let index = {
                let mut h = heads.lock().unwrap();
                h.push(head.clone());
                h.len() - 1
            };
            let b = plan[index.min(plan.len() - 1)].clone();
            let header = |name: &str| {
                head.lines().find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                })
            };
            let start: Option<usize> = header("range")
                .and_then(|r| r.strip_prefix("bytes=")?.strip_suffix('-')?.parse().ok());
            let etag = if b.etag.is_empty() {
                String::new()
            } else {
                format!("ETag: {}\r\n", b.etag)
            };
            let reply = if b.unsatisfiable && start.is_some() {
                format!(
                    "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{SIZE}\r\nContent-Length: 0\r\n\r\n"
                )
                .into_bytes()
            } else {
                let honoured = start.filter(|_| b.ranges && header("if-range").as_deref() == Some(b.etag));
                let from = honoured.unwrap_or(0);
                let mut r = match honoured {
                    Some(s) => format!(
                        "HTTP/1.1 206 Partial Content\r\n{etag}Content-Range: bytes {s}-{}/{SIZE}\r\nContent-Length: {}\r\n\r\n",
                        SIZE - 1,
                        SIZE - s
                    ),
                    None => format!("HTTP/1.1 200 OK\r\n{etag}Content-Length: {SIZE}\r\n\r\n"),
                }
                .into_bytes();
                let body = SIZE - from;
                r.extend(std::iter::repeat_n(b.fill, b.cut.map_or(body, |c| c.min(body))));
                r
            };
            let _ = s.write_all(&reply).await;
            let _ = s.shutdown().await;
        }
    })
    .await;
    (format!("http://{addr}/publication/bulletin/202447"), seen)
}

fn request(url: &str) -> Request {
    Request::get(url, "/publication/bulletin/{weekId}").unwrap()
}

/// A cut first attempt: checks what it leaves (the partial file, never the target).
async fn cut_attempt(url: &str, target: &std::path::Path) {
    let err = transport()
        .download_to_file(&request(url), target, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, Error::BodyInterrupted { .. }), "{err:?}");
    let dir = target.parent().unwrap();
    assert_eq!(
        entries(dir),
        [".bulletin.zip.partial", ".bulletin.zip.partial.meta"]
    );
    assert_eq!(
        std::fs::metadata(dir.join(".bulletin.zip.partial"))
            .unwrap()
            .len(),
        400_000
    );
}

/// A first download cut at 400,000 bytes, then a second one answered by `second`:
/// the second download's result, the directory, and the request heads.
async fn cut_then(
    second: Behaviour,
) -> (
    http_transport::Download,
    tempfile::TempDir,
    Arc<Mutex<Vec<String>>>,
) {
    let cut = Behaviour {
        cut: Some(400_000),
        ..WHOLE
    };
    let (url, heads) = server(vec![cut, second]).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("bulletin.zip");
    cut_attempt(&url, &target).await;
    let d = transport()
        .download_to_file(&request(&url), &target, |_| {})
        .await
        .unwrap();
    (d, dir, heads)
}

#[tokio::test]
async fn a_cut_download_resumes_with_range_and_if_range_and_hashes_the_whole_file() {
    let cut = Behaviour {
        cut: Some(400_000),
        ..WHOLE
    };
    let (url, heads) = server(vec![cut, WHOLE]).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("bulletin.zip");
    cut_attempt(&url, &target).await;
    let mut first_progress = None;
    let d = transport()
        .download_to_file(&request(&url), &target, |p| {
            first_progress.get_or_insert((p.received, p.total));
        })
        .await
        .unwrap();
    assert_eq!(
        (d.resumed_from, d.transferred, d.bytes, d.restart),
        (400_000, 600_000, SIZE as u64, None)
    );
    assert_eq!(d.sha256_hex(), MILLION_A_SHA256);
    assert_eq!(first_progress, Some((400_000, Some(SIZE as u64))));
    assert_eq!(std::fs::read(&target).unwrap(), vec![b'a'; SIZE]);
    assert_eq!(entries(dir.path()), ["bulletin.zip"]);
    let second = heads.lock().unwrap()[1].to_ascii_lowercase();
    assert!(second.contains("range: bytes=400000-\r\n"), "{second}");
    assert!(second.contains("if-range: \"v1\"\r\n"), "{second}");
}

#[tokio::test]
async fn a_server_that_ignores_the_range_gets_a_full_restart() {
    let (d, dir, _) = cut_then(Behaviour {
        ranges: false,
        ..WHOLE
    })
    .await;
    assert_eq!(
        (d.resumed_from, d.transferred, d.restart),
        (0, SIZE as u64, Some(Restart::RangeIgnored))
    );
    assert_eq!(d.sha256_hex(), MILLION_A_SHA256);
    assert_eq!(entries(dir.path()), ["bulletin.zip"]);
}

#[tokio::test]
async fn a_changed_file_is_fetched_whole_again() {
    let (d, dir, _) = cut_then(Behaviour {
        etag: "\"v2\"",
        fill: b'b',
        ..WHOLE
    })
    .await;
    assert_eq!(
        (d.resumed_from, d.transferred, d.restart),
        (0, SIZE as u64, Some(Restart::ValidatorChanged))
    );
    // Nothing of the old content survives.
    assert_eq!(
        std::fs::read(dir.path().join("bulletin.zip")).unwrap(),
        vec![b'b'; SIZE]
    );
}

#[tokio::test]
async fn a_416_drops_the_partial_file_and_asks_for_the_whole() {
    let (d, _dir, heads) = cut_then(Behaviour {
        unsatisfiable: true,
        ..WHOLE
    })
    .await;
    assert_eq!(d.restart, Some(Restart::RangeNotSatisfiable));
    assert_eq!(d.sha256_hex(), MILLION_A_SHA256);
    let heads = heads.lock().unwrap();
    assert_eq!(heads.len(), 3);
    assert!(!heads[2].to_ascii_lowercase().contains("range:"));
}

#[tokio::test]
async fn without_a_validator_nothing_is_kept_and_nothing_is_asked() {
    let cut = Behaviour {
        etag: "",
        cut: Some(400_000),
        ..WHOLE
    };
    let (url, heads) = server(vec![cut, Behaviour { etag: "", ..WHOLE }]).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("bulletin.zip");
    let err = transport()
        .download_to_file(&request(&url), &target, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, Error::BodyInterrupted { .. }), "{err:?}");
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
    let d = transport()
        .download_to_file(&request(&url), &target, |_| {})
        .await
        .unwrap();
    assert_eq!((d.resumed_from, d.restart), (0, None));
    assert!(
        !heads.lock().unwrap()[1]
            .to_ascii_lowercase()
            .contains("range:")
    );
}

#[tokio::test]
async fn resuming_can_be_turned_off() {
    let cut = Behaviour {
        cut: Some(400_000),
        ..WHOLE
    };
    let (url, _) = server(vec![cut]).await;
    let dir = tempfile::tempdir().unwrap();
    let t =
        http_transport::Transport::new(crate::support::config().resume_downloads(false)).unwrap();
    let target = dir.path().join("bulletin.zip");
    assert!(
        t.download_to_file(&request(&url), &target, |_| {})
            .await
            .is_err()
    );
    assert!(entries(dir.path()).is_empty());
}

#[tokio::test]
async fn only_a_regular_file_is_replaced() {
    let (url, heads) = server(vec![WHOLE]).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("bulletin.zip");
    std::fs::create_dir(&target).unwrap();
    let err = transport()
        .download_to_file(&request(&url), &target, |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { reason } if reason.contains("not a regular file")),
        "{err:?}"
    );
    assert!(heads.lock().unwrap().is_empty(), "nothing was asked");
    // A regular file there is replaced.
    std::fs::remove_dir(&target).unwrap();
    std::fs::write(&target, b"old").unwrap();
    let d = transport()
        .download_to_file(&request(&url), &target, |_| {})
        .await
        .unwrap();
    assert_eq!(d.sha256_hex(), MILLION_A_SHA256);
}
