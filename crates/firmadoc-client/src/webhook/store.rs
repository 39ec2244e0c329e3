//! De-duplication of deliveries by `Id`: the sender retries with the same
//! `Id` until it gets a 2xx, so the `Id` is the idempotency key.

use std::collections::HashMap;
use std::sync::Mutex;

/// What the store says about an `Id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Never seen: the caller now owns it and must call `complete` or `release`.
    New,
    /// Already handled: acknowledge without calling the handler again.
    Done,
    /// Being handled by another request right now: ask the sender to retry later.
    InProgress,
}

/// A store of delivery ids. Make it durable (a file, a database) to survive
/// restarts without handling an acknowledged event twice.
pub trait DedupStore: Send + Sync + std::fmt::Debug {
    /// Claims `id` for handling.
    fn claim(&self, id: &str) -> Claim;
    /// Records that `id` was handled (called before the 2xx is sent).
    ///
    /// # Errors
    /// A store that cannot record it; the delivery is then not acknowledged.
    fn complete(&self, id: &str) -> std::io::Result<()>;
    /// Gives `id` back after the handler failed, so that a retry is handled.
    fn release(&self, id: &str);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    InProgress,
    Done,
}

/// The default store: in memory, lost on restart.
#[derive(Debug, Default)]
pub struct MemoryStore(Mutex<HashMap<String, State>>);

impl MemoryStore {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, State>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl DedupStore for MemoryStore {
    fn claim(&self, id: &str) -> Claim {
        let mut map = self.map();
        match map.get(id) {
            Some(State::Done) => Claim::Done,
            Some(State::InProgress) => Claim::InProgress,
            None => {
                map.insert(id.to_owned(), State::InProgress);
                Claim::New
            }
        }
    }

    fn complete(&self, id: &str) -> std::io::Result<()> {
        self.map().insert(id.to_owned(), State::Done);
        Ok(())
    }

    fn release(&self, id: &str) {
        self.map().remove(id);
    }
}

/// A durable store: an append-only file of completed ids, one JSON string per line,
/// flushed to disk (`fsync`) before [`DedupStore::complete`] returns, so before the 2xx
/// that stops the sender's retries. The file is read back by [`FileStore::open`], so a
/// receiver killed and restarted on the same file handles no acknowledged event twice.
///
/// * Ids in progress live in memory only: a crash while the handler runs leaves the id
///   unrecorded, the sender retries, and the new process handles it.
/// * A last line without its newline is a write that a crash cut before the `fsync`, so
///   before any acknowledgement: it is dropped (the file is truncated to the last whole
///   line) when the store is opened.
/// * If recording fails, the id is given back (as after a handler error): the delivery is
///   answered 500 and its retry is handled again. Your handler may then see the event
///   twice, but never an event that was acknowledged.
/// * The window between the handler returning `Ok` and the `fsync` is the one place a
///   crash can make a handled (but not acknowledged) event be handled again on retry; make
///   the handler idempotent by `Id` if that matters.
/// * One process per file: the store does not lock the file against other processes.
pub struct FileStore {
    path: std::path::PathBuf,
    inner: Mutex<FileInner>,
}

struct FileInner {
    file: std::fs::File,
    len: u64,
    states: HashMap<String, State>,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let done = self
            .lock()
            .states
            .values()
            .filter(|s| **s == State::Done)
            .count();
        f.debug_struct("FileStore")
            .field("path", &self.path)
            .field("completed", &done)
            .finish()
    }
}

impl FileStore {
    /// Opens (or creates) the file at `path` and loads the ids recorded there.
    ///
    /// # Errors
    /// The file cannot be opened, read or repaired, or a whole line of it is not a JSON
    /// string (the file is not a de-duplication store, or was damaged: move it away).
    pub fn open(path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        use std::io::{Read as _, Seek as _};
        let path = path.as_ref().to_path_buf();
        let existed = path.exists();
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let mut states = HashMap::new();
        for (n, line) in bytes[..whole].split(|b| *b == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            let id: String = serde_json::from_slice(line).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "line {} of the webhook de-duplication file {} is not a JSON string ({e}); \
                         the file is damaged or not a store: move it away and start again",
                        n + 1,
                        path.display()
                    ),
                )
            })?;
            states.insert(id, State::Done);
        }
        if whole < bytes.len() {
            file.set_len(whole as u64)?;
            file.sync_all()?;
        }
        file.seek(std::io::SeekFrom::End(0))?;
        if !existed {
            file.sync_all()?;
            sync_parent(&path)?;
        }
        Ok(Self {
            path,
            inner: Mutex::new(FileInner {
                file,
                len: whole as u64,
                states,
            }),
        })
    }

    /// The file's path.
    #[must_use]
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FileInner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Makes a newly created file's directory entry durable.
fn sync_parent(path: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => std::path::Path::new("."),
        };
        std::fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

impl DedupStore for FileStore {
    fn claim(&self, id: &str) -> Claim {
        let mut inner = self.lock();
        match inner.states.get(id) {
            Some(State::Done) => Claim::Done,
            Some(State::InProgress) => Claim::InProgress,
            None => {
                inner.states.insert(id.to_owned(), State::InProgress);
                Claim::New
            }
        }
    }

    fn complete(&self, id: &str) -> std::io::Result<()> {
        use std::io::Write as _;
        let mut inner = self.lock();
        let mut line = serde_json::to_vec(id).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let before = inner.len;
        let written = inner
            .file
            .write_all(&line)
            .and_then(|()| inner.file.sync_data());
        if let Err(e) = written {
            // Take back a partial line, and give the id back so that the retry is handled.
            let _ = inner.file.set_len(before);
            inner.states.remove(id);
            return Err(e);
        }
        inner.len = before + line.len() as u64;
        inner.states.insert(id.to_owned(), State::Done);
        Ok(())
    }

    fn release(&self, id: &str) {
        let mut inner = self.lock();
        if inner.states.get(id) == Some(&State::InProgress) {
            inner.states.remove(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_store_keeps_completed_ids_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dedup.log");
        let store = FileStore::open(&path).unwrap();
        assert_eq!(store.claim("a"), Claim::New);
        assert_eq!(store.claim("a"), Claim::InProgress);
        store.complete("a").unwrap();
        assert_eq!(store.claim("weird \"id\"\nwith a newline"), Claim::New);
        store.complete("weird \"id\"\nwith a newline").unwrap();
        assert_eq!(store.claim("b"), Claim::New); // in progress at the "crash"
        drop(store);

        let store = FileStore::open(&path).unwrap();
        assert_eq!(store.claim("a"), Claim::Done);
        assert_eq!(store.claim("weird \"id\"\nwith a newline"), Claim::Done);
        assert_eq!(store.claim("b"), Claim::New);
        store.release("b");
        assert_eq!(store.claim("b"), Claim::New);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "\"a\"\n\"weird \\\"id\\\"\\nwith a newline\"\n"
        );
    }

    #[test]
    fn file_store_drops_a_cut_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dedup.log");
        std::fs::write(&path, "\"a\"\n\"b").unwrap();
        let store = FileStore::open(&path).unwrap();
        assert_eq!(store.claim("a"), Claim::Done);
        assert_eq!(store.claim("b"), Claim::New);
        store.complete("c").unwrap();
        drop(store);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "\"a\"\n\"c\"\n");
    }

    #[test]
    fn file_store_refuses_a_damaged_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dedup.log");
        std::fs::write(&path, "\"a\"\nnot json\n").unwrap();
        let err = FileStore::open(&path).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
