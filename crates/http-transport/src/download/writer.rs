//! The blocking side of a part file: writes the blocks the network task fills, in order.
//!
//! Whole pages go to the disk with direct I/O (`O_DIRECT`, Linux) where the file system
//! takes it: no copy into the page cache, no dirty pages to flush at the end, and the disk
//! works while the next block fills. The bytes of a partial first or last page, and every
//! byte where direct I/O is refused (another system, a file system without it), go through
//! the page cache as usual, with an `fdatasync` every [`SYNC_EVERY`] bytes on a helper
//! thread so that the final `fsync` is short. Each written block goes back to the network
//! task (or, for a resumed download, to the hashing thread first: [`Follower`]).

use std::fs::File;
use std::io::{IoSlice, Seek as _, SeekFrom, Write as _};

use tokio::sync::mpsc;

use super::block::Block;
use super::follow::Follower;

/// Whole blocks written at most in one (vectored) write.
const BATCH: usize = 4;
/// Bytes written through the page cache between two background syncs.
const SYNC_EVERY: u64 = 64 * 1024 * 1024;

/// What the network task sends.
#[derive(Debug)]
pub(crate) enum Message {
    /// The next bytes of the file.
    Block(Block),
    /// All blocks were sent: sync and report. A channel closed without it means the
    /// download failed or was dropped: the writer stops (and syncs a kept file).
    Finish,
}

/// Writes `data` at offset `at` (portable: a seek, then the write).
fn write_at(mut file: &File, data: &[u8], at: u64) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(at))?;
    file.write_all(data)
}

/// Writes all of `slices` at offset `at` (a seek, then vectored writes).
fn write_vectored_at(
    mut file: &File,
    mut slices: &mut [IoSlice<'_>],
    at: u64,
) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(at))?;
    while !slices.is_empty() {
        match file.write_vectored(slices) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut slices, n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn order_error(offset: u64, len: u64) -> std::io::Error {
    std::io::Error::other(format!(
        "internal error: a block for offset {offset} came while the file holds {len} bytes"
    ))
}

/// The writer thread's state.
pub(crate) struct Writer {
    /// The part file, through the page cache.
    file: File,
    /// The same file opened for direct I/O, while the file system takes it.
    direct: Option<File>,
    /// Bytes of the file so far (the kept ones included).
    len: u64,
    /// Bytes written through the page cache since the last background sync.
    unsynced: u64,
    syncer: Option<Syncer>,
    /// The hashing thread of a resumed download (a fresh one is hashed as it arrives).
    follower: Option<Follower>,
    /// Where written blocks go back to the network task.
    free: mpsc::UnboundedSender<Block>,
    /// Whether an interrupted download keeps its file (then synced, for a resume).
    keep: bool,
}

impl Writer {
    pub(crate) fn new(
        file: File,
        direct: Option<File>,
        len: u64,
        follower: Option<Follower>,
        free: mpsc::UnboundedSender<Block>,
        keep: bool,
    ) -> Self {
        Self {
            file,
            direct,
            len,
            unsynced: 0,
            syncer: None,
            follower,
            free,
            keep,
        }
    }

    /// Writes every block received; at [`Message::Finish`] syncs the file and returns the
    /// follower's digest (`None` without a follower).
    pub(crate) fn run(
        mut self,
        mut receiver: mpsc::Receiver<Message>,
    ) -> std::io::Result<Option<[u8; 32]>> {
        let result = self.write_all(&mut receiver);
        match result {
            Ok(true) => self.finish(),
            Ok(false) => {
                let synced = self.stop();
                synced.and(Err(std::io::Error::new(
                    std::io::ErrorKind::Interrupted,
                    "the download stopped before it was complete",
                )))
            }
            Err(e) => {
                if let Some(f) = self.follower.take() {
                    f.cancel();
                }
                Err(e)
            }
        }
    }

    /// `Ok(true)` at `Finish`, `Ok(false)` if the channel closed without it.
    fn write_all(&mut self, receiver: &mut mpsc::Receiver<Message>) -> std::io::Result<bool> {
        let mut batch: Vec<Block> = Vec::with_capacity(BATCH);
        while let Some(message) = receiver.blocking_recv() {
            let Message::Block(block) = message else {
                return Ok(true);
            };
            // Whole blocks already waiting go to the disk in one write: when the disk is
            // what holds the download back, its requests grow (and overlap) by themselves.
            let mut finished = false;
            batch.push(block);
            while batch.len() < BATCH && batch.iter().all(Block::is_whole) {
                match receiver.try_recv() {
                    Ok(Message::Block(next)) => batch.push(next),
                    Ok(Message::Finish) => {
                        finished = true;
                        break;
                    }
                    Err(_) => break,
                }
            }
            if batch.len() > 1 && batch.iter().all(Block::is_whole) {
                self.write_whole(&batch)?;
            } else {
                for block in &batch {
                    self.write_block(block)?;
                }
            }
            for block in batch.drain(..) {
                self.recycle(block)?;
            }
            if finished {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Writes blocks that are whole pages from end to end (each [`Block::is_whole`]), in
    /// one vectored direct write where offered.
    fn write_whole(&mut self, blocks: &[Block]) -> std::io::Result<()> {
        let mut expected = self.len;
        for block in blocks {
            if block.offset() != expected {
                return Err(order_error(block.offset(), expected));
            }
            expected += block.data().len() as u64;
        }
        let direct = match self.direct.as_ref() {
            Some(d) => {
                let mut slices: Vec<IoSlice<'_>> =
                    blocks.iter().map(|b| IoSlice::new(b.data())).collect();
                write_vectored_at(d, &mut slices, self.len)
            }
            None => Err(std::io::ErrorKind::InvalidInput.into()),
        };
        match direct {
            Ok(()) => {
                self.len = expected;
                Ok(())
            }
            // `EINVAL` (or no direct handle): one block at a time, as usual.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
                for block in blocks {
                    self.write_block(block)?;
                }
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    fn write_block(&mut self, block: &Block) -> std::io::Result<()> {
        if block.offset() != self.len {
            return Err(order_error(block.offset(), self.len));
        }
        let (head, pages, tail) = block.parts();
        let mut at = self.len;
        self.buffered(head, at)?;
        at += head.len() as u64;
        if !pages.is_empty() {
            let direct = self
                .direct
                .as_ref()
                .map(|d| write_at(d, pages, at))
                .transpose();
            match direct {
                Ok(Some(())) => {}
                Ok(None) => self.buffered(pages, at)?,
                // `EINVAL`: this file system takes the flag but not the write; go on
                // through the page cache (the same bytes, written again from the start).
                Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
                    self.direct = None;
                    self.buffered(pages, at)?;
                }
                Err(e) => return Err(e),
            }
            at += pages.len() as u64;
        }
        self.buffered(tail, at)?;
        self.len = at + tail.len() as u64;
        Ok(())
    }

    /// Writes through the page cache, with a background sync every [`SYNC_EVERY`] bytes.
    fn buffered(&mut self, data: &[u8], at: u64) -> std::io::Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        write_at(&self.file, data, at)?;
        self.unsynced += data.len() as u64;
        if self.unsynced >= SYNC_EVERY {
            if self.syncer.is_none() {
                self.syncer = Syncer::start(&self.file);
            }
            if self.syncer.as_ref().is_some_and(Syncer::request) {
                self.unsynced = 0;
            }
        }
        Ok(())
    }

    /// Hands a written block to the follower, or back to the network task.
    fn recycle(&mut self, block: Block) -> std::io::Result<()> {
        let back = match &self.follower {
            None => Some(block),
            Some(f) => match f.offer(block) {
                Ok(back) => back,
                Err(_) => {
                    // The hashing thread stopped: its error says why.
                    let e = match self.follower.take().map(|f| f.finish(0)) {
                        Some(Err(e)) => e,
                        _ => std::io::Error::other("the hashing thread stopped early"),
                    };
                    return Err(e);
                }
            },
        };
        if let Some(b) = back {
            // The network task may have stopped waiting (a dropped download): no matter.
            let _ = self.free.send(b);
        }
        Ok(())
    }

    /// Every block written: sync, then the digest of a resumed file.
    fn finish(mut self) -> std::io::Result<Option<[u8; 32]>> {
        if let Some(syncer) = self.syncer.take() {
            syncer.finish()?;
        }
        self.file.sync_all()?;
        match self.follower.take() {
            Some(f) => f.finish(self.len).map(Some),
            None => Ok(None),
        }
    }

    /// Interrupted: the hash of a partial body is of no use; a kept file is synced, so that
    /// its length is the bytes received when the caller goes on.
    fn stop(&mut self) -> std::io::Result<()> {
        if let Some(f) = self.follower.take() {
            f.cancel();
        }
        if let Some(syncer) = self.syncer.take() {
            syncer.finish()?;
        }
        if self.keep {
            self.file.sync_data()?;
        }
        Ok(())
    }
}

/// A helper thread that runs `fdatasync` on request, on its own handle to the file.
struct Syncer {
    requests: std::sync::mpsc::SyncSender<()>,
    thread: std::thread::JoinHandle<std::io::Result<()>>,
}

impl Syncer {
    /// Starts the thread; `None` (and so only the final sync) if that fails.
    fn start(file: &File) -> Option<Self> {
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
