//! Files written through a temporary "part" file that is renamed when complete.
//!
//! The network task does the per-byte work while each chunk is still in its cache: it
//! hashes the chunk (SHA-256) as it arrives and copies it into a page-aligned [`Block`] of
//! [`block::BLOCK`] bytes; full blocks go over a bounded channel to a blocking writer thread
//! ([`Writer`]), which writes them (whole pages with direct I/O where the file system takes
//! it) and hands them back for reuse, so that no memory is allocated per chunk and at most
//! [`BLOCKS`] blocks exist. Before the rename the file is synced.
//!
//! A part file is either temporary (`.<name>.<random>.part`, removed on error or drop) or
//! kept (`.<name>.partial`, see [`crate::resume`]): a kept one survives an interruption,
//! written up to the last byte received and synced, so that the next download can ask for
//! the rest. A kept file that resumes cannot be hashed as the bytes arrive (its kept bytes
//! come first): a hashing thread ([`Follower`]) reads them back while the new bytes are
//! received and written, then hashes the written blocks in order, reading back from the
//! file whatever it fell behind on. A hashing thread that fails or panics is reported as an
//! [`Error::Io`] (never a hang).

mod block;
mod follow;
mod writer;

use std::path::{Path, PathBuf};

use bytes::Bytes;
use sha2::{Digest, Sha256};
use tempfile::TempPath;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use self::block::Block;
use self::block::open_direct;
use self::follow::{Follower, Reader};
use self::writer::{Message, Writer};
use crate::error::Error;
use crate::resume::{ResumePaths, split_target};

/// Blocks in existence at most: one filling, the others queued, being written or hashed.
const BLOCKS: usize = 6;

/// A part file next to the target. Dropping a temporary one removes it; a kept one
/// stays for a resume. Only [`PartFile::commit`] renames it to the target.
#[derive(Debug)]
pub(crate) struct PartFile {
    kind: Kind,
    /// The block being filled and the channel to the writer.
    out: Outbox,
    /// Blocks written and free for reuse.
    free: mpsc::UnboundedReceiver<Block>,
    /// Blocks allocated so far (at most [`BLOCKS`]).
    allocated: usize,
    /// Bytes of the file handed over so far (kept ones included).
    len: u64,
    /// The running SHA-256 of a fresh file (a resumed one is hashed by the writer's
    /// [`Follower`]).
    hasher: Option<Sha256>,
    worker: JoinHandle<std::io::Result<Option<[u8; 32]>>>,
    target: PathBuf,
}

/// The block being filled and the writer's channel. Dropped with the download (a
/// cancelled future: the caller stopped waiting), it hands the bytes received so far to the
/// writer, which writes them and, for a kept file, syncs them: an interruption keeps every
/// byte received, whatever way it comes.
#[derive(Debug)]
struct Outbox {
    sender: mpsc::Sender<Message>,
    block: Option<Block>,
}

impl Drop for Outbox {
    fn drop(&mut self) {
        if let Some(block) = self.block.take() {
            // At most BLOCKS blocks exist and this one is not in the channel, so there is
            // room unless the writer is gone (then there is nothing left to write to).
            let _ = self.sender.try_send(Message::Block(block));
        }
    }
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
        let direct = open_direct(&temp, true);
        Ok(Self::start(Kind::Temp(temp), file, direct, 0, None, target))
    }

    /// Opens the kept part file `paths.partial`: truncated when `prefix` is 0, else
    /// appended to after its first `prefix` bytes (which a hashing thread reads back).
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
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(prefix == 0)
            .open(&paths.partial)
            .map_err(|e| io("opening the partial download file", e))?;
        let head = if prefix > 0 {
            file.set_len(prefix)
                .map_err(|e| io("positioning the partial download file", e))?;
            let reader = Reader::open(&paths.partial)
                .map_err(|e| io("reading the partial download file", e))?;
            Some(reader)
        } else {
            None
        };
        let direct = open_direct(&paths.partial, true);
        Ok(Self::start(
            Kind::Kept(paths),
            file,
            direct,
            prefix,
            head,
            target,
        ))
    }

    /// Starts the writer thread on `file` (which holds `len` bytes); with `head` (a reader
    /// on the file), the file is hashed by a [`Follower`], else as the bytes arrive.
    fn start(
        kind: Kind,
        file: std::fs::File,
        direct: Option<std::fs::File>,
        len: u64,
        head: Option<Reader>,
        target: &Path,
    ) -> Self {
        let (sender, receiver) = mpsc::channel(BLOCKS);
        let (free_sender, free) = mpsc::unbounded_channel();
        let keep = matches!(kind, Kind::Kept(_));
        let hasher = head.is_none().then(Sha256::new);
        let worker = tokio::task::spawn_blocking(move || {
            let follower = match head {
                Some(reader) => Some(Follower::start(reader, len, free_sender.clone())?),
                None => None,
            };
            Writer::new(file, direct, len, follower, free_sender, keep).run(receiver)
        });
        Self {
            kind,
            out: Outbox {
                sender,
                block: None,
            },
            free,
            allocated: 0,
            len,
            hasher,
            worker,
            target: target.to_path_buf(),
        }
    }

    /// Stops after a failure: the bytes received so far are written, and a kept file is
    /// synced before this returns, so that its length is the bytes received (the next
    /// download resumes from there).
    pub(crate) async fn abandon(mut self) {
        if let Some(block) = self.out.block.take() {
            let _ = self.out.sender.send(Message::Block(block)).await;
        }
        let Self { out, worker, .. } = self;
        drop(out);
        let _ = worker.await;
    }

    /// Hashes a chunk (a fresh file) and copies it into blocks; sends each full block to
    /// the writer (waits while every block is in use).
    pub(crate) async fn write(&mut self, chunk: Bytes) -> Result<(), Error> {
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&chunk);
        }
        let mut data = &chunk[..];
        while !data.is_empty() {
            let block = match self.out.block.take() {
                Some(block) => block,
                None => self.free_block().await?,
            };
            let block = self.out.block.insert(block);
            let n = block.fill(data);
            data = &data[n..];
            self.len += n as u64;
            if block.is_full() {
                if let Some(full) = self.out.block.take() {
                    self.send(Message::Block(full)).await?;
                }
            }
        }
        Ok(())
    }

    /// A block for the next bytes: a written one back from the writer, a new one while
    /// fewer than [`BLOCKS`] exist, or else the next one the writer gives back.
    async fn free_block(&mut self) -> Result<Block, Error> {
        let reuse = match self.free.try_recv() {
            Ok(block) => Some(block),
            Err(_) if self.allocated < BLOCKS => {
                self.allocated += 1;
                return Ok(Block::new(self.len));
            }
            Err(_) => self.free.recv().await,
        };
        match reuse {
            Some(mut block) => {
                block.reset(self.len);
                Ok(block)
            }
            // The writer stopped (every sender of blocks is gone): it failed.
            None => Err(self.worker_error().await),
        }
    }

    async fn send(&mut self, message: Message) -> Result<(), Error> {
        if self.out.sender.send(message).await.is_err() {
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
        if let Some(block) = self.out.block.take() {
            self.send(Message::Block(block)).await?;
        }
        self.send(Message::Finish).await?;
        let followed = match (&mut self.worker).await {
            Ok(Ok(digest)) => digest,
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
        let Self {
            kind,
            target,
            hasher,
            ..
        } = self;
        let sha256 = match (hasher, followed) {
            (Some(hasher), _) => hasher.finalize().into(),
            (None, Some(digest)) => digest,
            (None, None) => {
                return Err(Error::Io {
                    context: "hashing the download",
                    path: Some(kind.path()),
                    source: std::io::Error::other("the hashing thread gave no digest"),
                });
            }
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic bytes that differ from page to page.
    fn body(len: usize) -> Vec<u8> {
        (0..len)
            .map(|i| (i % 251) as u8 ^ (i >> 12) as u8)
            .collect()
    }

    fn paths(dir: &Path) -> (PathBuf, ResumePaths) {
        let target = dir.join("f.zip");
        let paths = ResumePaths::new(&target).unwrap();
        (target, paths)
    }

    /// Writes `data` in uneven chunks (as the network gives them).
    async fn feed(part: &mut PartFile, data: &[u8]) -> Result<(), Error> {
        for chunk in data.chunks(300_001) {
            part.write(Bytes::copy_from_slice(chunk)).await?;
        }
        Ok(())
    }

    /// Feeds `rest`, commits, and checks that the target holds `whole` with its digest.
    async fn complete(mut part: PartFile, rest: &[u8], target: &Path, whole: &[u8]) {
        feed(&mut part, rest).await.unwrap();
        let digest = part.commit().await.unwrap();
        assert_eq!(std::fs::read(target).unwrap(), whole);
        assert_eq!(digest, <[u8; 32]>::from(Sha256::digest(whole)));
    }

    #[tokio::test]
    async fn a_fresh_file_spanning_many_blocks_is_written_and_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("f.zip");
        let data = body(3 * block::BLOCK * BLOCKS / 2 + 12_345);
        let part = PartFile::create(&target).unwrap();
        complete(part, &data, &target, &data).await;
    }

    #[tokio::test]
    async fn an_unaligned_kept_prefix_then_new_bytes_hash_as_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let (target, paths) = paths(dir.path());
        let data = body(2 * block::BLOCK * BLOCKS + 777);
        for kept in [6, 4096, block::BLOCK + 12_345] {
            std::fs::write(&paths.partial, &data[..kept]).unwrap();
            let part = PartFile::create_kept(&target, paths.clone(), kept as u64).unwrap();
            complete(part, &data[kept..], &target, &data).await;
        }
    }

    #[tokio::test]
    async fn without_direct_io_everything_goes_through_the_page_cache() {
        let dir = tempfile::tempdir().unwrap();
        let (target, paths) = paths(dir.path());
        let data = body(2 * block::BLOCK + 4_321);
        let kept = 12_345;
        std::fs::write(&paths.partial, &data[..kept]).unwrap();
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&paths.partial)
            .unwrap();
        let reader = Reader::buffered(std::fs::File::open(&paths.partial).unwrap());
        let head = Some(reader);
        let part = PartFile::start(Kind::Kept(paths), file, None, kept as u64, head, &target);
        complete(part, &data[kept..], &target, &data).await;
    }

    #[tokio::test]
    async fn an_abandoned_kept_file_holds_every_byte_received() {
        let dir = tempfile::tempdir().unwrap();
        let (target, paths) = paths(dir.path());
        let data = body(block::BLOCK + 5_000);
        let mut part = PartFile::create_kept(&target, paths.clone(), 0).unwrap();
        feed(&mut part, &data).await.unwrap();
        part.abandon().await;
        assert_eq!(std::fs::read(&paths.partial).unwrap(), data);
        assert!(!target.exists());
    }

    #[tokio::test]
    async fn a_dropped_kept_download_still_writes_every_byte_received() {
        let dir = tempfile::tempdir().unwrap();
        let (target, paths) = paths(dir.path());
        // Less than one block: without the hand-over on drop nothing would reach the file.
        let data = body(block::BLOCK / 2 + 77);
        let mut part = PartFile::create_kept(&target, paths.clone(), 0).unwrap();
        feed(&mut part, &data).await.unwrap();
        drop(part); // a cancelled download: no abandon, no commit
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::fs::metadata(&paths.partial).map_or(0, |m| m.len()) < data.len() as u64
            && std::time::Instant::now() < deadline
        {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(std::fs::read(&paths.partial).unwrap(), data);
        assert!(!target.exists());
    }

    #[tokio::test]
    async fn a_failing_hashing_thread_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let (target, paths) = paths(dir.path());
        let short = dir.path().join("short");
        std::fs::write(&short, b"abc").unwrap();
        let file = std::fs::File::create(&paths.partial).unwrap();
        let reader = Reader::buffered(std::fs::File::open(&short).unwrap());
        // The kept prefix claims 10 bytes but the file read back holds 3: the hashing
        // thread fails while far more bytes than all the blocks hold are still coming.
        let mut part = PartFile::start(Kind::Kept(paths), file, None, 10, Some(reader), &target);
        let data = body(4 * block::BLOCK * BLOCKS);
        let result = match feed(&mut part, &data).await {
            Ok(()) => part.commit().await.map(|_| ()),
            Err(e) => Err(e),
        };
        let err = result.unwrap_err();
        let Error::Io { source, .. } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(source.kind(), std::io::ErrorKind::UnexpectedEof, "{err}");
        assert!(source.to_string().contains("10 expected"), "{err}");
        assert!(!target.exists());
    }
}
