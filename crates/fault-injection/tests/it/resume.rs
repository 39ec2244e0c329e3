//! A 256 MiB bulletin download cut at about half, then fetched again with
//! `hague_client::Client::bulletin`: the second fetch must move only the missing half (± one
//! buffer) and end with the SHA-256 of the whole file; if the file changed between the two
//! fetches, the second one must start over.
//!
//! The server streams deterministic data (1 MiB blocks of a fixed pattern, each stamped with
//! its index and the file's version), honours `Range` with a matching `If-Range` (strong
//! `ETag` `"v{version}"`), and counts the body bytes it writes per request. The reference
//! SHA-256 is coreutils `sha256sum` over the same generated stream.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::{self, week};

/// The file's size.
const SIZE: u64 = 256 << 20;
/// Generated in blocks of this size.
const BLOCK: usize = 1 << 20;
/// The server writes at most this much at a time: the "buffer" of the ± one buffer.
const WRITE: usize = 64 << 10;
/// Where the first fetch is cut (about half).
const CUT: u64 = SIZE / 2 + 12_345;

/// The generator: block `k` of version `v` is the pattern with its first 16 bytes replaced
/// by `k` and `v` (little-endian).
struct Data {
    pattern: Vec<u8>,
}

impl Data {
    fn new() -> Self {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let pattern = (0..BLOCK / 8)
            .flat_map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x.to_le_bytes()
            })
            .collect();
        Self { pattern }
    }

    /// The bytes of `[from, SIZE)` of version `v`, as slices to write in order.
    fn each(&self, v: u64, from: u64, mut f: impl FnMut(&[u8]) -> bool) {
        let mut at = from;
        let mut stamp = [0u8; 16];
        while at < SIZE {
            let block = at / BLOCK as u64;
            stamp[..8].copy_from_slice(&block.to_le_bytes());
            stamp[8..].copy_from_slice(&v.to_le_bytes());
            let offset = (at % BLOCK as u64) as usize;
            let piece: &[u8] = if offset < 16 {
                &stamp[offset..]
            } else {
                let end = (offset + WRITE).min(BLOCK);
                &self.pattern[offset..end]
            };
            if !f(piece) {
                return;
            }
            at += piece.len() as u64;
        }
    }

    /// `sha256sum` of version `v`, streamed through coreutils.
    fn sha256sum(&self, v: u64) -> String {
        use std::io::Write as _;
        use std::process::{Command, Stdio};
        let mut child = Command::new("sha256sum")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("sha256sum (coreutils) is needed");
        let mut stdin = child.stdin.take().unwrap();
        self.each(v, 0, |p| stdin.write_all(p).is_ok());
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        String::from_utf8(out.stdout).unwrap()[..64].to_owned()
    }
}

/// The server's shared state.
#[derive(Default)]
struct State {
    /// The file's version (its `ETag` is `"v{version}"`).
    version: AtomicU64,
    /// Cut the next response after this many body bytes (0: no cut). One-shot.
    cut: AtomicU64,
    /// Per request: (status, `Range` start asked, body bytes written).
    log: Mutex<Vec<(u16, Option<u64>, u64)>>,
}

async fn serve(data: Arc<Data>, state: Arc<State>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let (data, state) = (data.clone(), state.clone());
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match s.read(&mut byte).await {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
                let header = |name: &str| {
                    head.lines().find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        (k == name).then(|| v.trim().to_owned())
                    })
                };
                let version = state.version.load(Ordering::SeqCst);
                let etag = format!("\"v{version}\"");
                let asked: Option<u64> = header("range")
                    .and_then(|r| r.strip_prefix("bytes=")?.strip_suffix('-')?.parse().ok());
                let from = asked
                    .filter(|_| header("if-range").as_deref() == Some(etag.as_str()))
                    .filter(|s| *s < SIZE);
                let (status, reply) = match from {
                    Some(start) => (
                        206,
                        format!(
                            "HTTP/1.1 206 Partial Content\r\nETag: {etag}\r\nContent-Type: application/zip\r\nContent-Range: bytes {start}-{}/{SIZE}\r\nContent-Length: {}\r\n\r\n",
                            SIZE - 1,
                            SIZE - start
                        ),
                    ),
                    None => (
                        200,
                        format!(
                            "HTTP/1.1 200 OK\r\nETag: {etag}\r\nContent-Type: application/zip\r\nAccept-Ranges: bytes\r\nContent-Length: {SIZE}\r\n\r\n"
                        ),
                    ),
                };
                if s.write_all(reply.as_bytes()).await.is_err() {
                    return;
                }
                let cut = state.cut.swap(0, Ordering::SeqCst);
                let limit = if cut == 0 { u64::MAX } else { cut };
                let mut written = 0u64;
                // The generator is synchronous: hand its slices over a small channel.
                let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(8);
                let producer = std::thread::spawn({
                    let data = data.clone();
                    move || {
                        let mut sent = 0u64;
                        data.each(version, from.unwrap_or(0), |p| {
                            let p = &p[..p.len().min((limit - sent) as usize)];
                            sent += p.len() as u64;
                            !p.is_empty() && tx.blocking_send(p.to_vec()).is_ok() && sent < limit
                        });
                    }
                });
                while let Some(piece) = rx.recv().await {
                    if s.write_all(&piece).await.is_err() {
                        break;
                    }
                    written += piece.len() as u64;
                }
                drop(rx);
                let _ = producer.join();
                let _ = s.shutdown().await;
                state.log.lock().unwrap().push((status, asked, written));
            });
        }
    });
    format!("http://{addr}")
}

/// The first fetch, cut after [`CUT`] bytes: an error, the partial file kept beside the
/// target, no target.
async fn cut_fetch(client: &hague_client::Client, target: &std::path::Path, state: &State) {
    state.cut.store(CUT, Ordering::SeqCst);
    let err = client.bulletin(week(), target, |_| {}).await.unwrap_err();
    assert!(
        matches!(
            err,
            hague_client::Error::Transport {
                source: http_transport::Error::BodyInterrupted { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!target.exists());
    let partial = target.with_file_name(".bulletin-202447.zip.partial");
    assert_eq!(std::fs::metadata(&partial).unwrap().len(), CUT);
}

/// The server, a client, and the first fetch done (cut).
struct Cut {
    data: Arc<Data>,
    state: Arc<State>,
    hague: support::Hague,
    dir: tempfile::TempDir,
    target: std::path::PathBuf,
}

impl Cut {
    /// Fetches the bulletin into the target once more; returns the download and the
    /// server's log of fetches.
    async fn fetch_again(&self) -> (http_transport::Download, Vec<(u16, Option<u64>, u64)>) {
        let d = self
            .hague
            .client
            .bulletin(week(), &self.target, |_| {})
            .await
            .unwrap();
        let log = self.state.log.lock().unwrap().clone();
        (d, log)
    }
}

async fn cut() -> Cut {
    let data = Arc::new(Data::new());
    let state = Arc::new(State::default());
    let base = serve(data.clone(), state.clone()).await;
    let hague = support::hague_with(&base, long_timeouts()).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("bulletin-202447.zip");
    cut_fetch(&hague.client, &target, &state).await;
    Cut {
        data,
        state,
        hague,
        dir,
        target,
    }
}

fn long_timeouts() -> http_transport::TransportConfig {
    support::transport().timeouts(http_transport::Timeouts {
        connect: std::time::Duration::from_secs(5),
        request: std::time::Duration::from_secs(20),
        idle_read: std::time::Duration::from_secs(20),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_256_mib_bulletin_cut_at_half_resumes_with_only_the_missing_half() {
    let cut = cut().await;
    let (d, log) = cut.fetch_again().await;
    let Cut {
        data, dir, target, ..
    } = cut;
    assert_eq!(log.len(), 2, "{log:?}");
    let (status, asked, moved) = log[1];
    assert_eq!((status, asked), (206, Some(CUT)));
    let missing = SIZE - CUT;
    assert!(
        moved.abs_diff(missing) <= WRITE as u64,
        "the second fetch moved {moved} bytes; {missing} were missing"
    );
    assert_eq!(
        (d.resumed_from, d.transferred, d.bytes, d.restart),
        (CUT, missing, SIZE, None)
    );
    assert_eq!(d.sha256_hex(), data.sha256sum(0));
    assert_eq!(std::fs::metadata(&target).unwrap().len(), SIZE);
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "only the target is left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_changed_between_the_fetches_is_fetched_whole_again() {
    let cut = cut().await;
    cut.state.version.store(1, Ordering::SeqCst);
    let (d, log) = cut.fetch_again().await;
    let data = cut.data;
    let (status, asked, moved) = log[1];
    assert_eq!((status, asked, moved), (200, Some(CUT), SIZE), "{log:?}");
    assert_eq!(
        (d.resumed_from, d.transferred, d.restart),
        (0, SIZE, Some(http_transport::Restart::ValidatorChanged))
    );
    let new = data.sha256sum(1);
    assert_ne!(new, data.sha256sum(0));
    assert_eq!(d.sha256_hex(), new);
}
