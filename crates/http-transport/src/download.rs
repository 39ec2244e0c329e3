//! Files written through a temporary "part" file that is renamed when complete.
//!
//! Three threads share the work, so that receiving, writing and hashing overlap on
//! separate cores: the async task only hands each `Bytes` chunk to a bounded channel (no
//! copy); a blocking writer thread writes it to the part file and passes a clone of the
//! same `Bytes` (a reference count, not a copy) to a dedicated hashing thread
//! ([`Hasher`]) through a second bounded channel; the hashing thread computes the
//! SHA-256 in order. Every [`SYNC_EVERY`] bytes a helper thread runs `fdatasync` on a
//! second handle while the writer goes on, so that the final `fsync` before the rename
//! does not have to flush the whole file at once.
//!
//! A part file is either temporary (`.<name>.<random>.part`, removed on error or drop) or
//! kept (`.<name>.partial`, see [`crate::resume`]): a kept one survives an interruption,
//! flushed and synced, so that the next download can ask for the rest. A kept file that
//! resumes has the bytes it already holds hashed first, on the hashing thread (read back
//! through its own handle), while the writer appends the new bytes; the new chunks then
//! follow in order, so the final SHA-256 is the whole file's. A hashing thread that fails
//! or panics is reported as an [`Error::Io`] (its channel closes, so nothing waits on it).

use std::io::{Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use sha2::{Digest, Sha256};
use tempfile::TempPath;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::error::Error;
use crate::resume::{ResumePaths, split_target};

/// Read buffer for hashing the bytes a resumed download keeps.
const READ_BUFFER: usize = 256 * 1024;
/// Chunks in flight between the network and the writer (hyper's chunks are at most
/// a few hundred KiB, so this bounds the memory held to a few MiB).
const CHANNEL_CHUNKS: usize = 16;
/// Chunks written but not yet hashed (same bound: the writer waits when the hashing
/// thread is this far behind, e.g. while it hashes a resumed file's kept bytes).
const HASH_CHUNKS: usize = 32;
/// Data synced to disk on the way, so that the final sync is short.
const SYNC_EVERY: u64 = 64 * 1024 * 1024;

enum Message {
    Chunk(Bytes),
    /// All chunks were sent: sync and report. A channel closed without it means the
    /// download failed or was dropped, and the worker stops without syncing.
    Finish,
}

/// A part file next to the target. Dropping a temporary one removes it; a kept one
/// stays for a resume. Only [`PartFile::commit`] renames it to the target.
#[derive(Debug)]
pub(crate) struct PartFile {
    kind: Kind,
    sender: mpsc::Sender<Message>,
    worker: JoinHandle<std::io::Result<[u8; 32]>>,
    target: PathBuf,
}

#[derive(Debug)]
enum Kind {
    Temp(TempPath),
    Kept(ResumePaths),
}

impl Kind {
    fn path(&self) -> PathBuf {
        match self {
            Self::Temp(t) => t.to_path_buf(),
            Self::Kept(p) => p.partial.clone(),
        }
    }
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Chunk(c) => write!(f, "Chunk([{} bytes])", c.len()),
            Self::Finish => f.write_str("Finish"),
        }
    }
}

impl PartFile {
    /// Creates `.<name>.<random>.part` in the target's directory and starts the
    /// worker that writes it.
    pub(crate) fn create(target: &Path) -> Result<Self, Error> {
        let (dir, name) = split_target(target)?;
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(name);
        prefix.push(".");
        let named = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".part")
            .tempfile_in(dir)
            .map_err(|source| Error::Io {
                context: "creating the temporary download file",
                path: Some(dir.to_path_buf()),
                source,
            })?;
        let (file, temp) = named.into_parts();
        let (sender, receiver) = mpsc::channel(CHANNEL_CHUNKS);
        let worker = tokio::task::spawn_blocking(move || write_worker(file, None, false, receiver));
        Ok(Self {
            kind: Kind::Temp(temp),
            sender,
            worker,
            target: target.to_path_buf(),
        })
    }

    /// Opens the kept part file `paths.partial`: truncated when `prefix` is 0, else
    /// appended to after its first `prefix` bytes (which the worker hashes first).
    pub(crate) fn create_kept(
        target: &Path,
        paths: ResumePaths,
        prefix: u64,
    ) -> Result<Self, Error> {
        let io = |context, source| Error::Io {
            context,
            path: Some(paths.partial.clone()),
            source,
        };
        if std::fs::symlink_metadata(&paths.partial).is_ok_and(|m| !m.is_file()) {
            return Err(Error::InvalidRequest {
                reason: format!(
                    "{} exists and is not a regular file: remove it to download {}",
                    paths.partial.display(),
                    target.display()
                ),
            });
        }
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(prefix == 0)
            .open(&paths.partial)
            .map_err(|e| io("opening the partial download file", e))?;
        let head = if prefix > 0 {
            file.set_len(prefix)
                .and_then(|()| file.seek(std::io::SeekFrom::Start(prefix)))
                .map_err(|e| io("positioning the partial download file", e))?;
            let reader = std::fs::File::open(&paths.partial)
                .map_err(|e| io("reading the partial download file", e))?;
            Some((reader, prefix))
        } else {
            None
        };
        let (sender, receiver) = mpsc::channel(CHANNEL_CHUNKS);
        let worker = tokio::task::spawn_blocking(move || write_worker(file, head, true, receiver));
        Ok(Self {
            kind: Kind::Kept(paths),
            sender,
            worker,
            target: target.to_path_buf(),
        })
    }

    /// Stops after a failure: a kept file is flushed and synced before this returns, so
    /// that its length is the bytes received (the next download resumes from there).
    pub(crate) async fn abandon(self) {
        let Self { sender, worker, .. } = self;
        drop(sender);
        let _ = worker.await;
    }

    /// Hands a chunk to the worker (waits while the worker is behind).
    pub(crate) async fn write(&mut self, chunk: Bytes) -> Result<(), Error> {
        if self.sender.send(Message::Chunk(chunk)).await.is_err() {
            // The worker stopped: it failed; its error says why.
            return Err(self.worker_error().await);
        }
        Ok(())
    }

    async fn worker_error(&mut self) -> Error {
        let source = match (&mut self.worker).await {
            Ok(Err(e)) => e,
            Ok(Ok(_)) => std::io::Error::other("the file writer stopped early"),
            Err(join) => std::io::Error::other(join.to_string()),
        };
        Error::Io {
            context: "writing the temporary download file",
            path: Some(self.kind.path()),
            source,
        }
    }

    /// Waits for every chunk to be written and synced to disk, then renames the
    /// temporary file to the target (replacing an existing file atomically on the
    /// same file system). Returns the SHA-256 of what was written.
    pub(crate) async fn commit(mut self) -> Result<[u8; 32], Error> {
        if self.sender.send(Message::Finish).await.is_err() {
            return Err(self.worker_error().await);
        }
        let sha256 = match (&mut self.worker).await {
            Ok(Ok(sha256)) => sha256,
            Ok(Err(source)) => {
                return Err(Error::Io {
                    context: "writing and syncing the temporary download file",
                    path: Some(self.kind.path()),
                    source,
                });
            }
            Err(join) => {
                return Err(Error::Io {
                    context: "writing the temporary download file",
                    path: Some(self.kind.path()),
                    source: std::io::Error::other(join.to_string()),
                });
            }
        };
        let Self { kind, target, .. } = self;
        let renamed = match kind {
            Kind::Temp(temp) => temp.persist(&target).map_err(|e| e.error),
            Kind::Kept(paths) => std::fs::rename(&paths.partial, &target).map(|()| {
                let _ = std::fs::remove_file(&paths.meta);
            }),
        };
        renamed.map_err(|source| Error::Io {
            context: "renaming the temporary download file to the target",
            path: Some(target.clone()),
            source,
        })?;
        Ok(sha256)
    }
}

/// The blocking side: pass each chunk to the hashing thread and write it; every
/// [`SYNC_EVERY`] bytes, ask the syncer thread to `fdatasync` what was written so far
/// (on a second handle, so that writing goes on meanwhile); at the end, wait for it,
/// `fsync` the file and collect the hash.
fn write_worker(
    file: std::fs::File,
    head: Option<(std::fs::File, u64)>,
    keep: bool,
    mut receiver: mpsc::Receiver<Message>,
) -> std::io::Result<[u8; 32]> {
    let mut hasher = Some(Hasher::start(head)?);
    let syncer = Syncer::start(&file);
    // No user-space buffer: hyper's chunks average hundreds of KiB here, so each chunk
    // goes to the kernel as it is (a `BufWriter` would copy every byte once more).
    let mut out = file;
    let mut unsynced: u64 = 0;
    while let Some(message) = receiver.blocking_recv() {
        match message {
            Message::Chunk(chunk) => {
                // Hand the chunk over first, so that hashing runs while this thread
                // copies the same bytes into the page cache.
                let fed = hasher.as_ref().is_some_and(|h| h.feed(chunk.clone()));
                if !fed {
                    // The hashing thread stopped: its error says why.
                    return Err(hasher.take().map_or_else(
                        || std::io::Error::other("the hashing thread stopped early"),
                        |h| match h.finish() {
                            Ok(_) => std::io::Error::other("the hashing thread stopped early"),
                            Err(e) => e,
                        },
                    ));
                }
                out.write_all(&chunk)?;
                unsynced += chunk.len() as u64;
                if unsynced >= SYNC_EVERY {
                    if let Some(syncer) = &syncer {
                        out.flush()?;
                        if syncer.request() {
                            unsynced = 0;
                        }
                    }
                }
            }
            Message::Finish => {
                out.flush()?;
                if let Some(syncer) = syncer {
                    syncer.finish()?;
                }
                out.sync_all()?;
                return match hasher.take() {
                    Some(h) => h.finish(),
                    None => Err(std::io::Error::other("the hashing thread stopped early")),
                };
            }
        }
    }
    // Interrupted: the hash of a partial body is of no use; stop the hashing thread
    // without waiting for it to read a kept prefix to the end.
    if let Some(h) = hasher.take() {
        h.cancel();
    }
    if keep {
        // Kept for a resume: what was received is on disk before the caller goes on.
        out.flush()?;
        if let Some(syncer) = syncer {
            syncer.finish()?;
        }
        out.sync_data()?;
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::Interrupted,
        "the download stopped before it was complete",
    ))
}

/// The dedicated SHA-256 thread: hashes the kept prefix of a resumed file (if any), then
/// every chunk it is fed, in order.
struct Hasher {
    chunks: std::sync::mpsc::SyncSender<Bytes>,
    cancelled: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<std::io::Result<[u8; 32]>>,
}

impl Hasher {
    /// Starts the thread; `head` is a reader on the part file and the number of bytes
    /// it already holds (hashed before the first chunk).
    fn start(head: Option<(std::fs::File, u64)>) -> std::io::Result<Self> {
        let (chunks, received) = std::sync::mpsc::sync_channel::<Bytes>(HASH_CHUNKS);
        let cancelled = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&cancelled);
        let thread = std::thread::Builder::new()
            .name("http-transport-sha256".into())
            .spawn(move || {
                let mut hasher = Sha256::new();
                if let Some((reader, len)) = head {
                    hash_prefix(reader, len, &mut hasher, &stop)?;
                }
                while let Ok(chunk) = received.recv() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    hasher.update(&chunk);
                }
                Ok(hasher.finalize().into())
            })?;
        Ok(Self {
            chunks,
            cancelled,
            thread,
        })
    }

    /// Queues a chunk (waits while the thread is [`HASH_CHUNKS`] behind); `false` if
    /// the thread has stopped (failed or panicked).
    fn feed(&self, chunk: Bytes) -> bool {
        self.chunks.send(chunk).is_ok()
    }

    /// Closes the channel, waits for the last chunk to be hashed, and returns the
    /// digest, or the thread's error (a panic is an error too, never a hang).
    fn finish(self) -> std::io::Result<[u8; 32]> {
        drop(self.chunks);
        self.thread.join().unwrap_or_else(|_| {
            Err(std::io::Error::other(
                "the SHA-256 thread panicked; the download was not completed",
            ))
        })
    }

    /// Stops the thread early (the download was interrupted) and waits for it: it
    /// drops the chunks still queued and stops reading a kept prefix.
    fn cancel(self) {
        self.cancelled.store(true, Ordering::Relaxed);
        let _ = self.finish();
    }
}

/// Hashes the first `len` bytes of a partial file (the part a resume does not fetch).
fn hash_prefix(
    reader: std::fs::File,
    len: u64,
    hasher: &mut Sha256,
    cancelled: &AtomicBool,
) -> std::io::Result<()> {
    let mut reader = reader.take(len);
    let mut buf = vec![0u8; READ_BUFFER];
    let mut read = 0u64;
    loop {
        if cancelled.load(Ordering::Relaxed) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "the download stopped before the kept bytes were hashed",
            ));
        }
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        read += n as u64;
    }
    if read == len {
        Ok(())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!("the partial download file holds {read} bytes, {len} expected"),
        ))
    }
}

/// A helper thread that runs `fdatasync` on request, on its own handle to the file.
struct Syncer {
    requests: std::sync::mpsc::SyncSender<()>,
    thread: std::thread::JoinHandle<std::io::Result<()>>,
}

impl Syncer {
    /// Starts the thread; `None` (and so only the final sync) if that fails.
    fn start(file: &std::fs::File) -> Option<Self> {
        let handle = file.try_clone().ok()?;
        let (requests, received) = std::sync::mpsc::sync_channel::<()>(0);
        let thread = std::thread::Builder::new()
            .name("http-transport-sync".into())
            .spawn(move || {
                while received.recv().is_ok() {
                    handle.sync_data()?;
                }
                Ok(())
            })
            .ok()?;
        Some(Self { requests, thread })
    }

    /// Asks for a sync; `false` if one is still running (then nothing is queued).
    fn request(&self) -> bool {
        self.requests.try_send(()).is_ok()
    }

    /// Waits for a running sync and reports its error, if any.
    fn finish(self) -> std::io::Result<()> {
        drop(self.requests);
        self.thread
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the sync thread panicked")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        file: std::fs::File,
        head: Option<(std::fs::File, u64)>,
        chunks: &[&[u8]],
    ) -> std::io::Result<[u8; 32]> {
        let (sender, receiver) = mpsc::channel(CHANNEL_CHUNKS);
        let worker = std::thread::spawn(move || write_worker(file, head, true, receiver));
        for c in chunks {
            if sender
                .blocking_send(Message::Chunk(Bytes::copy_from_slice(c)))
                .is_err()
            {
                break;
            }
        }
        let _ = sender.blocking_send(Message::Finish);
        drop(sender);
        worker.join().unwrap()
    }

    #[test]
    fn kept_prefix_then_new_chunks_hash_as_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"hello ").unwrap();
        let mut file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.seek(std::io::SeekFrom::Start(6)).unwrap();
        let reader = std::fs::File::open(&path).unwrap();
        let digest = run(file, Some((reader, 6)), &[b"wor", b"ld"]).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"hello world");
        assert_eq!(digest, <[u8; 32]>::from(Sha256::digest(b"hello world")));
    }

    #[test]
    fn a_failing_hashing_thread_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let short = dir.path().join("short");
        std::fs::write(&short, b"abc").unwrap();
        let file = std::fs::File::create(&path).unwrap();
        let reader = std::fs::File::open(&short).unwrap();
        // The kept prefix claims 10 bytes but the file holds 3: the hashing thread fails
        // while many more chunks than both channels hold are still coming.
        let chunk = [7u8; 1024];
        let chunks = vec![&chunk[..]; 4 * (CHANNEL_CHUNKS + HASH_CHUNKS)];
        let err = run(file, Some((reader, 10)), &chunks).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof, "{err}");
        assert!(
            err.to_string().contains("10 bytes expected")
                || err.to_string().contains("10 expected"),
            "{err}"
        );
    }
}
