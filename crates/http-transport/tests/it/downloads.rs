//! Streaming downloads: to a file through a part file, or to a writer.

use std::time::Duration;

use http_transport::http::StatusCode;
use http_transport::{Error, Progress, Request, TimeoutPhase, Timeouts, Transport};
use tokio::io::AsyncWriteExt;

use crate::support::{config, entries, raw_server, read_head, transport};

/// FIPS 180-2 appendix B.3: SHA-256 of one million 'a'.
const MILLION_A_SHA256: &str = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
/// FIPS 180-2 appendix B.1: SHA-256 of "abc".
const ABC_SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

#[tokio::test]
async fn a_file_download_is_complete_hashed_and_reported() {
    let mut server = mockito::Server::new_async().await;
    let _m = server
        .mock("GET", "/publication/bulletin/202447")
        .with_status(200)
        .with_header("content-type", "application/zip")
        .with_body(vec![b'a'; 1_000_000])
        .create_async()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("bulletin-202447.zip");
    let request = Request::get(
        &format!("{}/publication/bulletin/202447", server.url()),
        "/publication/bulletin/{week}",
    )
    .unwrap();
    let mut seen: Vec<Progress> = Vec::new();
    let download = transport()
        .download_to_file(&request, &target, |p| seen.push(p))
        .await
        .unwrap();
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.bytes, 1_000_000);
    assert_eq!(download.sha256_hex(), MILLION_A_SHA256);
    assert_eq!(std::fs::read(&target).unwrap(), vec![b'a'; 1_000_000]);
    assert_eq!(
        entries(dir.path()),
        ["bulletin-202447.zip"],
        "no part file left"
    );
    // Progress starts at 0, never goes back, and ends at the announced total.
    let first = seen.first().unwrap();
    let last = seen.last().unwrap();
    assert_eq!((first.received, first.total), (0, Some(1_000_000)));
    assert_eq!((last.received, last.total), (1_000_000, Some(1_000_000)));
    assert!(seen.windows(2).all(|w| w[0].received <= w[1].received));
}

#[tokio::test]
async fn a_writer_download_gets_the_bytes_and_their_sha256() {
    let mut server = mockito::Server::new_async().await;
    let _m = server
        .mock("GET", "/copy")
        .with_body("abc")
        .create_async()
        .await;
    let request = Request::get(&format!("{}/copy", server.url()), "/copy").unwrap();
    let mut sink: Vec<u8> = Vec::new();
    let download = transport()
        .download_to_writer(&request, &mut sink, |_| {})
        .await
        .unwrap();
    assert_eq!(sink, b"abc");
    assert_eq!(download.bytes, 3);
    assert_eq!(download.sha256_hex(), ABC_SHA256);
}

#[tokio::test]
async fn a_download_cut_mid_body_leaves_no_file_at_the_target() {
    let (addr, _) = raw_server(|mut s| async move {
        read_head(&mut s).await;
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n")
            .await;
        // 2 MB of the announced 5 MB, then the connection closes.
        let chunk = vec![b'b'; 64 * 1024];
        for _ in 0..32 {
            let _ = s.write_all(&chunk).await;
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("bulletin.zip");
    let request = Request::get(&format!("http://{addr}/bulletin"), "/bulletin").unwrap();
    let mut last = 0;
    match transport()
        .download_to_file(&request, &target, |p| last = p.received)
        .await
    {
        Err(Error::BodyInterrupted {
            expected, received, ..
        }) => {
            assert_eq!(expected, Some(5_000_000));
            assert!(received < 5_000_000);
        }
        other => panic!("expected BodyInterrupted, got {other:?}"),
    }
    assert!(last > 0, "some bytes had arrived before the cut");
    assert!(!target.exists(), "nothing at the target path");
    assert!(
        entries(dir.path()).is_empty(),
        "the part file was removed: {:?}",
        entries(dir.path())
    );
}

#[tokio::test]
async fn a_failed_download_leaves_an_existing_target_untouched() {
    let (addr, _) = raw_server(|mut s| async move {
        read_head(&mut s).await;
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nnew but short")
            .await;
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("copy.zip");
    std::fs::write(&target, b"previous complete copy").unwrap();
    let request = Request::get(&format!("http://{addr}/copy"), "/copy").unwrap();
    let result = transport()
        .download_to_file(&request, &target, |_| {})
        .await;
    assert!(
        matches!(result, Err(Error::BodyInterrupted { .. })),
        "{result:?}"
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"previous complete copy");
    assert_eq!(entries(dir.path()), ["copy.zip"]);
}

#[tokio::test]
async fn a_stalled_download_times_out_and_leaves_no_file() {
    let (addr, _) = raw_server(|mut s| async move {
        read_head(&mut s).await;
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
            .await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let transport = Transport::new(config().timeouts(Timeouts {
        idle_read: Duration::from_millis(300),
        ..Timeouts::default()
    }))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("slow.zip");
    let request = Request::get(&format!("http://{addr}/slow"), "/slow").unwrap();
    let err = transport
        .download_to_file(&request, &target, |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                phase: TimeoutPhase::IdleRead,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(entries(dir.path()).is_empty());
}

#[tokio::test]
async fn an_error_status_gives_an_excerpt_and_creates_no_file() {
    let mut server = mockito::Server::new_async().await;
    let body = format!(
        "{{\"error\":{{\"code\":\"NotFound\"}}}}{}",
        "x".repeat(2000)
    );
    let _m = server
        .mock("GET", "/publication/bulletin/202453")
        .with_status(404)
        .with_body(body)
        .create_async()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("b.zip");
    let request = Request::get(
        &format!("{}/publication/bulletin/202453", server.url()),
        "/publication/bulletin/{week}",
    )
    .unwrap();
    match transport()
        .download_to_file(&request, &target, |_| {})
        .await
    {
        Err(Error::Status {
            status, excerpt, ..
        }) => {
            assert_eq!(status, StatusCode::NOT_FOUND);
            assert!(excerpt.starts_with("{\"error\":{\"code\":\"NotFound\"}}"));
            assert!(excerpt.len() <= http_transport::STATUS_EXCERPT_LEN + '…'.len_utf8());
        }
        other => panic!("expected a status error, got {other:?}"),
    }
    assert!(entries(dir.path()).is_empty());
}

#[tokio::test]
async fn the_part_file_sits_next_to_the_target_and_goes_when_the_download_is_dropped() {
    let (addr, _) = raw_server(|mut s| async move {
        read_head(&mut s).await;
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst")
            .await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("bulletin.zip");
    let request = Request::get(&format!("http://{addr}/bulletin"), "/bulletin").unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let task = {
        let target = target.clone();
        tokio::spawn(async move {
            let _ = transport()
                .download_to_file(&request, &target, move |p| {
                    let _ = tx.send(p.received);
                })
                .await;
        })
    };
    // Wait until the first bytes were handed over.
    while rx.recv().await.unwrap() == 0 {}
    let during = entries(dir.path());
    assert_eq!(during.len(), 1, "{during:?}");
    assert!(
        during[0].starts_with(".bulletin.zip.") && during[0].ends_with(".part"),
        "{during:?}"
    );
    assert!(!target.exists());
    task.abort();
    let _ = task.await;
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
}

#[tokio::test]
async fn an_unusable_target_is_a_clear_error() {
    let mut server = mockito::Server::new_async().await;
    let _m = server
        .mock("GET", "/copy")
        .with_body("abc")
        .create_async()
        .await;
    let request = Request::get(&format!("{}/copy", server.url()), "/copy").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let missing_dir = dir.path().join("no-such-dir").join("copy.zip");
    match transport()
        .download_to_file(&request, &missing_dir, |_| {})
        .await
    {
        Err(Error::Io { path, .. }) => {
            assert_eq!(
                path.as_deref(),
                Some(dir.path().join("no-such-dir").as_path())
            );
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
    let no_name = std::path::Path::new("/");
    assert!(matches!(
        transport()
            .download_to_file(&request, no_name, |_| {})
            .await,
        Err(Error::InvalidRequest { .. })
    ));
}
