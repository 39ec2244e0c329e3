//! Files written through a temporary "part" file that is renamed when complete.
//!
//! The file is written by one blocking worker thread fed through a bounded channel of
//! `Bytes` chunks (no copy on the async side). The worker hashes each chunk (SHA-256)
//! and then writes it, so the chunk is read from another core once, by the hash, and
//! copied into the page cache from a warm cache. Every [`SYNC_EVERY`] bytes a helper
//! thread runs `fdatasync` on a second handle while the worker goes on writing, so
//! that the final `fsync` before the rename does not have to flush the whole file at
//! once: receiving, hashing and disk work overlap.
//!
//! A part file is either temporary (`.<name>.<random>.part`, removed on error or drop) or
//! kept (`.<name>.partial`, see [`crate::resume`]): a kept one survives an interruption,
//! flushed and synced, so that the next download can ask for the rest. A kept file that
//! resumes first hashes the bytes it already holds (read back on the worker thread, while
//! the network fills the channel), so the final SHA-256 is the whole file's.

use std::io::{Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use sha2::{Digest, Sha256};
use tempfile::TempPath;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::error::Error;
use crate::resume::{ResumePaths, split_target};

/// Write buffer of the worker: the hashed pieces are gathered into `write` calls of
/// this size.
const WRITE_BUFFER: usize = 256 * 1024;
/// Hash-then-write granularity: well within a core's L2 cache.
const PIECE: usize = 64 * 1024;
/// Chunks in flight between the network and the worker (hyper's chunks are at most
/// a few hundred KiB, so this bounds the memory held to a few MiB).
const CHANNEL_CHUNKS: usize = 16;
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

/// The blocking side: write through a buffer; every [`SYNC_EVERY`] bytes, ask the
/// syncer thread to `fdatasync` what was written so far (on a second handle, so that
/// writing goes on meanwhile); at the end, wait for it and `fsync` the file.
fn write_worker(
    file: std::fs::File,
    head: Option<(std::fs::File, u64)>,
    keep: bool,
    mut receiver: mpsc::Receiver<Message>,
) -> std::io::Result<[u8; 32]> {
    let mut hasher = Sha256::new();
    if let Some((reader, len)) = head {
        hash_prefix(reader, len, &mut hasher)?;
    }
    let syncer = Syncer::start(&file);
    let mut out = std::io::BufWriter::with_capacity(WRITE_BUFFER, file);
    let mut unsynced: u64 = 0;
    while let Some(message) = receiver.blocking_recv() {
        match message {
            Message::Chunk(chunk) => {
                // Hash then write a piece at a time, so that the piece is still in
                // the core's cache when it is copied into the page cache.
                for piece in chunk.chunks(PIECE) {
                    hasher.update(piece);
                    out.write_all(piece)?;
                }
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
                out.get_ref().sync_all()?;
                return Ok(hasher.finalize().into());
            }
        }
    }
    if keep {
        // Kept for a resume: what was received is on disk before the caller goes on.
        out.flush()?;
        if let Some(syncer) = syncer {
            syncer.finish()?;
        }
        out.get_ref().sync_data()?;
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::Interrupted,
        "the download stopped before it was complete",
    ))
}

/// Hashes the first `len` bytes of a partial file (the part a resume does not fetch).
fn hash_prefix(reader: std::fs::File, len: u64, hasher: &mut Sha256) -> std::io::Result<()> {
    let mut reader = reader.take(len);
    let mut buf = vec![0u8; WRITE_BUFFER];
    let mut read = 0u64;
    loop {
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
