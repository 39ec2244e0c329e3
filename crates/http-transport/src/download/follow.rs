//! The SHA-256 of a resumed download, on its own thread.
//!
//! The whole file must be hashed in order, and the kept bytes come first: they are read
//! back from the part file while the new bytes are already being received and written.
//! The writer then offers each written block; a block is hashed from memory when the
//! thread has caught up with it, and when the thread is behind (its queue is full) the
//! writer recycles the block at once, and the thread later reads that stretch back from
//! the file. So receiving never waits for the hash, memory stays bounded, and the digest
//! is that of the file's bytes in order.

use std::io::ErrorKind;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, OnceLock};

use sha2::{Digest, Sha256};
use tokio::sync::mpsc::UnboundedSender;

use super::block::{ALIGN, Block};

/// Blocks waiting to be hashed from memory.
const QUEUE: usize = 2;

/// The hashing thread of a resumed download.
pub(crate) struct Follower {
    sender: SyncSender<Block>,
    /// The file's final length, set by [`Follower::finish`] before the channel closes.
    end: Arc<OnceLock<u64>>,
    cancelled: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<std::io::Result<[u8; 32]>>,
}

impl Follower {
    /// Starts hashing the part file from its first byte; `kept` bytes are there already. Blocks hashed are returned through `free`.
    pub(crate) fn start(
        reader: Reader,
        kept: u64,
        free: UnboundedSender<Block>,
    ) -> std::io::Result<Self> {
        let (sender, received) = sync_channel(QUEUE);
        let end = Arc::new(OnceLock::new());
        let cancelled = Arc::new(AtomicBool::new(false));
        let (len, stop) = (Arc::clone(&end), Arc::clone(&cancelled));
        let thread = std::thread::Builder::new()
            .name("http-transport-sha256".into())
            .spawn(move || follow(reader, kept, &received, &len, &free, &stop))?;
        Ok(Self {
            sender,
            end,
            cancelled,
            thread,
        })
    }

    /// Offers a written block: `Ok(None)` if queued for hashing, `Ok(Some(block))` handed
    /// back when the thread is behind (it reads that stretch from the file later), and
    /// `Err(block)` if the thread has stopped ([`Follower::finish`] says why).
    pub(crate) fn offer(&self, block: Block) -> Result<Option<Block>, Block> {
        match self.sender.try_send(block) {
            Ok(()) => Ok(None),
            Err(TrySendError::Full(b)) => Ok(Some(b)),
            Err(TrySendError::Disconnected(b)) => Err(b),
        }
    }

    /// Hashes up to `len` (the file's length), and returns the digest or the thread's
    /// error (a panic is an error too, never a hang).
    pub(crate) fn finish(self, len: u64) -> std::io::Result<[u8; 32]> {
        let _ = self.end.set(len);
        drop(self.sender);
        join(self.thread)
    }

    /// Stops the thread early (the download was interrupted) and waits for it.
    pub(crate) fn cancel(self) {
        self.cancelled.store(true, Ordering::Relaxed);
        drop(self.sender);
        let _ = join(self.thread);
    }
}

fn join(thread: std::thread::JoinHandle<std::io::Result<[u8; 32]>>) -> std::io::Result<[u8; 32]> {
    thread.join().unwrap_or_else(|_| {
        Err(std::io::Error::other(
            "the SHA-256 thread panicked; the download was not completed",
        ))
    })
}

/// The part file, read back: with direct I/O where it works (the disk writes straight into
/// the buffer, and the bytes are touched once, by the hash), else through the page cache.
pub(crate) struct Reader {
    file: std::fs::File,
    direct: Option<std::fs::File>,
}

impl Reader {
    /// Opens `path` for reading (and for direct reads where offered).
    pub(crate) fn open(path: &std::path::Path) -> std::io::Result<Self> {
        Ok(Self {
            file: std::fs::File::open(path)?,
            direct: super::block::open_direct(path, false),
        })
    }

    /// A reader on `file` through the page cache only.
    #[cfg(test)]
    pub(crate) fn buffered(file: std::fs::File) -> Self {
        Self { file, direct: None }
    }

    /// Reads the file's bytes from `at` into the page-aligned `buf`, giving the bytes read
    /// (a slice of `buf`; empty at the end of the file).
    fn read<'b>(&mut self, buf: &'b mut [u8], at: u64, want: usize) -> std::io::Result<&'b [u8]> {
        if let Some(mut direct) = self.direct.as_ref() {
            // Whole pages around the wanted bytes, read at a page-aligned offset.
            let skip = (at % ALIGN as u64) as usize;
            let len = (skip + want).div_ceil(ALIGN) * ALIGN;
            let len = len.min(buf.len() / ALIGN * ALIGN);
            let read = direct
                .seek(SeekFrom::Start(at - skip as u64))
                .and_then(|_| direct.read(&mut buf[..len]));
            match read {
                Ok(n) => {
                    let end = n.min(skip + want);
                    return Ok(buf.get(skip..end).unwrap_or_default());
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => return Ok(&buf[..0]),
                // `EINVAL`: not on this file system; through the page cache from now on.
                Err(e) if e.kind() == ErrorKind::InvalidInput => self.direct = None,
                Err(e) => return Err(e),
            }
        }
        let want = want.min(buf.len());
        let mut file = &self.file;
        file.seek(SeekFrom::Start(at))?;
        let n = file.read(&mut buf[..want])?;
        Ok(&buf[..n])
    }
}

fn follow(
    mut file: Reader,
    kept: u64,
    received: &Receiver<Block>,
    end: &OnceLock<u64>,
    free: &UnboundedSender<Block>,
    cancelled: &AtomicBool,
) -> std::io::Result<[u8; 32]> {
    let mut hasher = Sha256::new();
    let mut scratch = Block::new(0);
    let buf = scratch.scratch();
    let mut hashed = 0u64;
    hash_file(&mut file, &mut hashed, kept, &mut hasher, buf, cancelled)?;
    while let Ok(block) = received.recv() {
        let (from, data) = (block.offset(), block.data());
        hash_file(&mut file, &mut hashed, from, &mut hasher, buf, cancelled)?;
        // Only the part not hashed yet (blocks come in file order, so all of it).
        let skip = usize::try_from(hashed - from).unwrap_or(usize::MAX);
        if let Some(rest) = data.get(skip..) {
            hasher.update(rest);
            hashed += rest.len() as u64;
        }
        let _ = free.send(block);
    }
    // The channel closed: after `finish` (the length is set), or on an interruption.
    match end.get() {
        Some(&len) if !cancelled.load(Ordering::Relaxed) => {
            hash_file(&mut file, &mut hashed, len, &mut hasher, buf, cancelled)?;
            Ok(hasher.finalize().into())
        }
        _ => Err(std::io::Error::new(
            ErrorKind::Interrupted,
            "the download stopped before it was complete",
        )),
    }
}

/// Hashes the file's bytes from `*hashed` up to `to`, read back from the file.
fn hash_file(
    file: &mut Reader,
    hashed: &mut u64,
    to: u64,
    hasher: &mut Sha256,
    buf: &mut [u8],
    cancelled: &AtomicBool,
) -> std::io::Result<()> {
    while *hashed < to {
        if cancelled.load(Ordering::Relaxed) {
            return Err(std::io::Error::new(
                ErrorKind::Interrupted,
                "the download stopped before the kept bytes were hashed",
            ));
        }
        let want = usize::try_from(to - *hashed).map_or(buf.len(), |w| w.min(buf.len()));
        let read = match file.read(buf, *hashed, want) {
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            other => other?,
        };
        if read.is_empty() {
            return Err(std::io::Error::new(
                ErrorKind::UnexpectedEof,
                format!(
                    "the partial download file holds {} bytes, {to} expected",
                    *hashed
                ),
            ));
        }
        hasher.update(read);
        *hashed += read.len() as u64;
    }
    Ok(())
}
