//! Files written through a temporary "part" file that is renamed when complete.
//!
//! The file is written by one blocking worker thread fed through a bounded channel of
//! `Bytes` chunks (no copy on the async side). The worker hashes each chunk (SHA-256)
//! and then writes it, so the chunk is read from another core once, by the hash, and
//! copied into the page cache from a warm cache. Every [`SYNC_EVERY`] bytes a helper
//! thread runs `fdatasync` on a second handle while the worker goes on writing, so
//! that the final `fsync` before the rename does not have to flush the whole file at
//! once: receiving, hashing and disk work overlap.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use sha2::{Digest, Sha256};
use tempfile::TempPath;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::error::Error;

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

/// A temporary file next to the target. Dropping it removes the temporary file;
/// only [`PartFile::commit`] renames it to the target.
#[derive(Debug)]
pub(crate) struct PartFile {
    temp: TempPath,
    sender: mpsc::Sender<Message>,
    worker: JoinHandle<std::io::Result<[u8; 32]>>,
    target: PathBuf,
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
        let name = target.file_name().ok_or_else(|| Error::InvalidRequest {
            reason: format!(
                "the download target {} has no file name; give a file path",
                target.display()
            ),
        })?;
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
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
        let worker = tokio::task::spawn_blocking(move || write_worker(file, receiver));
        Ok(Self {
            temp,
            sender,
            worker,
            target: target.to_path_buf(),
        })
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
            path: Some(self.temp.to_path_buf()),
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
                    path: Some(self.temp.to_path_buf()),
                    source,
                });
            }
            Err(join) => {
                return Err(Error::Io {
                    context: "writing the temporary download file",
                    path: Some(self.temp.to_path_buf()),
                    source: std::io::Error::other(join.to_string()),
                });
            }
        };
        let Self { temp, target, .. } = self;
        temp.persist(&target).map_err(|e| Error::Io {
            context: "renaming the temporary download file to the target",
            path: Some(target.clone()),
            source: e.error,
        })?;
        Ok(sha256)
    }
}

/// The blocking side: write through a buffer; every [`SYNC_EVERY`] bytes, ask the
/// syncer thread to `fdatasync` what was written so far (on a second handle, so that
/// writing goes on meanwhile); at the end, wait for it and `fsync` the file.
fn write_worker(
    file: std::fs::File,
    mut receiver: mpsc::Receiver<Message>,
) -> std::io::Result<[u8; 32]> {
    let mut hasher = Sha256::new();
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
    Err(std::io::Error::new(
        std::io::ErrorKind::Interrupted,
        "the download stopped before it was complete",
    ))
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
