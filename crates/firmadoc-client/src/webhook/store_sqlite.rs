//! [`SqliteStore`]: the durable de-duplication store for one host (feature `sqlite`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension as _, params};
use tokio::sync::oneshot;

use crate::webhook::store::{
    Claim, Clock, DedupStore, StoreError, StoreFuture, StoreOptions, millis, owner_token,
    system_clock,
};

/// The schema version kept in `PRAGMA user_version`.
const SCHEMA_VERSION: i64 = 1;
/// Ids removed per pruning step (one step per batch, so pruning never stalls deliveries).
const PRUNE_CHUNK: usize = 10_000;
/// Operations committed together at most (one `fsync` for all of them).
const MAX_BATCH: usize = 512;
/// SQLite's page cache, in KiB: the store's memory does not grow with the ids stored.
const CACHE_KIB: i64 = 8 * 1024;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS webhook_dedup (
    id          TEXT PRIMARY KEY NOT NULL,
    done        INTEGER NOT NULL,  -- 0 in progress, 1 done
    owner       INTEGER NOT NULL,  -- the store instance (process) holding the claim
    lease_until INTEGER NOT NULL,  -- Unix ms: a claim in progress lapses after this
    updated_at  INTEGER NOT NULL   -- Unix ms: the claim or completion, for retention
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS webhook_dedup_updated_at ON webhook_dedup (updated_at);
";

/// The durable embedded store: a SQLite database file (SQLite is compiled in,
/// nothing to install).
///
/// * Every claim, completion and release is a transaction, committed with
///   `synchronous = FULL` in WAL mode (so `fsync`ed) before the reply: a
///   completion is on disk before the 2xx. Operations that arrive together are
///   committed together (group commit: one `fsync` for up to 512), by one
///   worker thread that owns the connection.
/// * Claims carry a lease ([`StoreOptions::lease`]): a process killed while
///   handling leaves its claim, and the retry is handled once the lease expires.
/// * Done ids older than [`StoreOptions::retention`] are pruned, a chunk at a
///   time, every [`StoreOptions::prune_interval`]; [`SqliteStore::prune`] does it now.
/// * Memory stays flat in the number of ids: they live in the file, and SQLite
///   caches at most 8 MiB of it (`cargo xtask bench` measures RSS with 10
///   million ids).
/// * Several processes may open the same file (SQLite locks it; a writer waits
///   up to 5 s for another); for receivers on several hosts use `PostgresStore`.
///
/// The table is `webhook_dedup`; `PRAGMA user_version` is 1.
pub struct SqliteStore {
    path: PathBuf,
    options: StoreOptions,
    ops: mpsc::Sender<Op>,
    clock: Clock,
    owner: i64,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

enum Op {
    Claim(String, Reply<Claim>),
    Complete(String, Reply<()>),
    Release(String, Reply<()>),
    Import(Vec<String>, Reply<usize>),
    Prune(Reply<usize>),
}

impl SqliteStore {
    /// Opens (or creates) the database at `path` with the default options.
    ///
    /// # Errors
    /// The file cannot be created or opened, is not a SQLite database (an old
    /// `FileStore` log, say: see the crate's changelog), or holds another schema.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, StoreOptions::default(), system_clock()).await
    }

    /// Opens (or creates) the database at `path` with `options`, reading time from `clock`.
    ///
    /// # Errors
    /// As [`SqliteStore::open`].
    pub async fn open_with(
        path: impl AsRef<Path>,
        options: StoreOptions,
        clock: Clock,
    ) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let (ops, rx) = mpsc::channel();
        let (ready_tx, ready_rx) = oneshot::channel();
        let worker_path = path.clone();
        let owner = owner_token();
        let worker_clock = Arc::clone(&clock);
        std::thread::Builder::new()
            .name("webhook-sqlite".into())
            .spawn(
                move || match Worker::open(&worker_path, options, worker_clock, owner) {
                    Ok(worker) => {
                        let _ = ready_tx.send(Ok(()));
                        worker.run(&rx);
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                },
            )
            .map_err(|source| StoreError::Io {
                path: path.clone(),
                source,
            })?;
        ready_rx.await.map_err(|_| StoreError::Stopped)??;
        Ok(Self {
            path,
            options,
            ops,
            clock,
            owner,
        })
    }

    /// Records `id` as done inside `tx`, your own transaction on a connection to
    /// this store's database file: commit your handler's writes (to tables of
    /// your own in the same file) and the completion together, and an event is
    /// handled **exactly once** even when the process dies between your commit
    /// and the reply (the retry then finds it done). The receiver's own
    /// completion after your handler returns is then a no-op.
    ///
    /// # Errors
    /// `tx` is on another database file, or the statement failed.
    pub fn complete_in(&self, tx: &rusqlite::Transaction<'_>, id: &str) -> Result<(), StoreError> {
        let same = tx.path().is_some_and(|p| {
            let p = Path::new(p);
            p == self.path || p.canonicalize().ok() == self.path.canonicalize().ok()
        });
        if !same {
            return Err(StoreError::Config(format!(
                "complete_in needs a transaction on the store's database {}, not on {}",
                self.path.display(),
                tx.path().unwrap_or("an in-memory database")
            )));
        }
        let now = millis(
            (self.clock)()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default(),
        );
        complete(tx, id, now, self.owner)
    }

    /// The database's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes every id older than the retention now, and returns how many.
    ///
    /// # Errors
    /// The database failed.
    pub async fn prune(&self) -> Result<usize, StoreError> {
        self.call(Op::Prune).await
    }

    /// Records `ids` as done in one transaction (ids already there are kept):
    /// to carry over the ids of an older store, such as the lines of a
    /// `FileStore` log. Returns how many were new.
    ///
    /// # Errors
    /// The database failed; nothing of this call was recorded.
    pub async fn import_done(&self, ids: Vec<String>) -> Result<usize, StoreError> {
        self.call(|reply| Op::Import(ids, reply)).await
    }

    fn call<T: Send + 'static>(
        &self,
        op: impl FnOnce(Reply<T>) -> Op,
    ) -> impl std::future::Future<Output = Result<T, StoreError>> + Send + 'static {
        let (tx, rx) = oneshot::channel();
        let sent = self.ops.send(op(tx));
        async move {
            sent.map_err(|_| StoreError::Stopped)?;
            rx.await.map_err(|_| StoreError::Stopped)?
        }
    }
}

impl DedupStore for SqliteStore {
    fn claim<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Claim> {
        Box::pin(self.call(|r| Op::Claim(id.to_owned(), r)))
    }

    fn complete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(self.call(|r| Op::Complete(id.to_owned(), r)))
    }

    fn release<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(self.call(|r| Op::Release(id.to_owned(), r)))
    }
}

/// The thread that owns the connection.
struct Worker {
    conn: Connection,
    options: StoreOptions,
    clock: Clock,
    owner: i64,
    next_prune: Instant,
}

/// One operation's answer, sent once the batch is committed.
enum Done {
    Claim(Reply<Claim>, Result<Claim, StoreError>),
    Unit(Reply<()>, Result<(), StoreError>),
    Count(Reply<usize>, Result<usize, StoreError>),
}

impl Done {
    /// Turns a success into `error` (the batch was not committed).
    fn fail(self, error: &str) -> Self {
        let e = || StoreError::Schema(format!("the transaction was not committed: {error}"));
        match self {
            Self::Claim(r, Ok(_)) => Self::Claim(r, Err(e())),
            Self::Unit(r, Ok(())) => Self::Unit(r, Err(e())),
            Self::Count(r, Ok(_)) => Self::Count(r, Err(e())),
            other => other,
        }
    }

    fn send(self) {
        match self {
            Self::Claim(r, v) => drop(r.send(v)),
            Self::Unit(r, v) => drop(r.send(v)),
            Self::Count(r, v) => drop(r.send(v)),
        }
    }
}

impl Worker {
    fn open(
        path: &Path,
        options: StoreOptions,
        clock: Clock,
        owner: i64,
    ) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(|e| not_a_database(path, e))?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| not_a_database(path, e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "the SQLite store could not switch to WAL mode");
        }
        conn.execute_batch(&format!(
            "PRAGMA synchronous = FULL; PRAGMA cache_size = -{CACHE_KIB};"
        ))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        match version {
            0 => {
                let tx = conn.unchecked_transaction()?;
                tx.execute_batch(SCHEMA)?;
                tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))?;
                tx.commit()?;
            }
            SCHEMA_VERSION => {}
            other => {
                return Err(StoreError::Schema(format!(
                    "{} has schema version {other}; this version of firmadoc-client knows {SCHEMA_VERSION}: upgrade the crate, or use another file",
                    path.display()
                )));
            }
        }
        Ok(Self {
            conn,
            options,
            clock,
            owner,
            next_prune: Instant::now(),
        })
    }

    fn now(&self) -> i64 {
        millis(
            (self.clock)()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default(),
        )
    }

    fn run(mut self, rx: &mpsc::Receiver<Op>) {
        while let Ok(first) = rx.recv() {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(op) => batch.push(op),
                    Err(_) => break,
                }
            }
            self.commit(batch);
        }
    }

    fn commit(&mut self, batch: Vec<Op>) {
        let now = self.now();
        let tx = match self.conn.transaction() {
            Ok(tx) => tx,
            Err(e) => {
                let msg = e.to_string();
                for op in batch {
                    answer_error(op, &msg);
                }
                return;
            }
        };
        // Old ids first, so that a replay older than the retention is handled anew.
        if Instant::now() >= self.next_prune {
            let mut full = false;
            match prune(&tx, now, self.options.retention) {
                Ok(n) => {
                    full = n == PRUNE_CHUNK;
                    if n > 0 {
                        tracing::debug!(removed = n, "pruned old webhook ids");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot prune old webhook ids"),
            }
            // A full chunk means more to remove: go on at the next batch.
            self.next_prune = if full {
                Instant::now()
            } else {
                Instant::now() + self.options.prune_interval
            };
        }
        let (lease, owner) = (millis(self.options.lease), self.owner);
        let mut done = Vec::with_capacity(batch.len());
        for op in batch {
            done.push(match op {
                Op::Claim(id, r) => Done::Claim(r, claim(&tx, &id, now, lease, owner)),
                Op::Complete(id, r) => Done::Unit(r, complete(&tx, &id, now, owner)),
                Op::Release(id, r) => Done::Unit(r, release(&tx, &id, owner)),
                Op::Import(ids, r) => Done::Count(r, import(&tx, &ids, now, owner)),
                Op::Prune(r) => Done::Count(r, prune_all(&tx, now, self.options.retention)),
            });
        }
        match tx.commit() {
            Ok(()) => done.into_iter().for_each(Done::send),
            Err(e) => {
                let msg = e.to_string();
                tracing::error!(error = %msg, "the SQLite store could not commit");
                for d in done {
                    d.fail(&msg).send();
                }
            }
        }
    }
}

fn answer_error(op: Op, msg: &str) {
    let e = || StoreError::Schema(format!("cannot begin a transaction: {msg}"));
    match op {
        Op::Claim(_, r) => drop(r.send(Err(e()))),
        Op::Complete(_, r) | Op::Release(_, r) => drop(r.send(Err(e()))),
        Op::Import(_, r) | Op::Prune(r) => drop(r.send(Err(e()))),
    }
}

fn not_a_database(path: &Path, e: rusqlite::Error) -> StoreError {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
        StoreError::Schema(format!(
            "{} is not a SQLite database (an old FileStore log? import its ids with SqliteStore::import_done and use another path): {e}",
            path.display()
        ))
    } else {
        StoreError::Sqlite(e)
    }
}

fn claim(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    now: i64,
    lease: i64,
    owner: i64,
) -> Result<Claim, StoreError> {
    let row: Option<(bool, i64)> = tx
        .prepare_cached("SELECT done, lease_until FROM webhook_dedup WHERE id = ?1")?
        .query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        Some((true, _)) => Ok(Claim::Done),
        Some((false, until)) if until > now => Ok(Claim::InProgress),
        _ => {
            tx.prepare_cached(
                "INSERT INTO webhook_dedup (id, done, owner, lease_until, updated_at) VALUES (?1, 0, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until, updated_at = excluded.updated_at",
            )?
            .execute(params![id, owner, now.saturating_add(lease), now])?;
            Ok(Claim::New)
        }
    }
}

fn complete(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    now: i64,
    owner: i64,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO webhook_dedup (id, done, owner, lease_until, updated_at) VALUES (?1, 1, ?2, ?3, ?3)
         ON CONFLICT (id) DO UPDATE SET done = 1, updated_at = excluded.updated_at",
    )?
    .execute(params![id, owner, now])?;
    Ok(())
}

fn release(tx: &rusqlite::Transaction<'_>, id: &str, owner: i64) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM webhook_dedup WHERE id = ?1 AND done = 0 AND owner = ?2")?
        .execute(params![id, owner])?;
    Ok(())
}

fn import(
    tx: &rusqlite::Transaction<'_>,
    ids: &[String],
    now: i64,
    owner: i64,
) -> Result<usize, StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO webhook_dedup (id, done, owner, lease_until, updated_at) VALUES (?1, 1, ?2, ?3, ?3)
         ON CONFLICT (id) DO NOTHING",
    )?;
    let mut mark = tx.prepare_cached("UPDATE webhook_dedup SET done = 1 WHERE id = ?1")?;
    let mut new = 0;
    for id in ids {
        if insert.execute(params![id, owner, now])? == 1 {
            new += 1;
        } else {
            mark.execute(params![id])?;
        }
    }
    Ok(new)
}

/// Removes up to [`PRUNE_CHUNK`] ids last touched before `now - retention`.
fn prune(
    tx: &rusqlite::Transaction<'_>,
    now: i64,
    retention: Duration,
) -> Result<usize, StoreError> {
    let cutoff = now.saturating_sub(millis(retention));
    Ok(tx
        .prepare_cached(
            "DELETE FROM webhook_dedup WHERE id IN
               (SELECT id FROM webhook_dedup WHERE updated_at < ?1 LIMIT ?2)",
        )?
        .execute(params![cutoff, PRUNE_CHUNK as i64])?)
}

fn prune_all(
    tx: &rusqlite::Transaction<'_>,
    now: i64,
    retention: Duration,
) -> Result<usize, StoreError> {
    let mut total = 0;
    loop {
        let n = prune(tx, now, retention)?;
        total += n;
        if n < PRUNE_CHUNK {
            return Ok(total);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    /// A clock the test moves by hand.
    fn manual_clock() -> (Clock, Arc<AtomicU64>) {
        let ms = Arc::new(AtomicU64::new(1_800_000_000_000));
        let m = Arc::clone(&ms);
        let clock: Clock =
            Arc::new(move || UNIX_EPOCH + Duration::from_millis(m.load(Ordering::SeqCst)));
        (clock, ms)
    }

    fn options() -> StoreOptions {
        StoreOptions::default()
            .lease(Duration::from_secs(30))
            .retention(Duration::from_secs(3600))
            .prune_interval(Duration::from_secs(3600))
    }

    #[tokio::test]
    async fn protocol_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dedup.sqlite");
        let (clock, _) = manual_clock();
        let store = SqliteStore::open_with(&path, options(), Arc::clone(&clock))
            .await
            .unwrap();
        assert_eq!(store.claim("a").await.unwrap(), Claim::New);
        assert_eq!(store.claim("a").await.unwrap(), Claim::InProgress);
        store.complete("a").await.unwrap();
        assert_eq!(store.claim("a").await.unwrap(), Claim::Done);
        let odd = "weird \"id\"\nwith a newline and ñ";
        assert_eq!(store.claim(odd).await.unwrap(), Claim::New);
        store.complete(odd).await.unwrap();
        assert_eq!(store.claim("b").await.unwrap(), Claim::New);
        store.release("b").await.unwrap();
        assert_eq!(store.claim("b").await.unwrap(), Claim::New);
        assert_eq!(store.claim("c").await.unwrap(), Claim::New); // in progress at the "crash"
        drop(store);

        let store = SqliteStore::open_with(&path, options(), clock)
            .await
            .unwrap();
        assert_eq!(store.claim("a").await.unwrap(), Claim::Done);
        assert_eq!(store.claim(odd).await.unwrap(), Claim::Done);
        // The dead process's claim still holds its lease.
        assert_eq!(store.claim("c").await.unwrap(), Claim::InProgress);
        // Releasing a done id does not forget it.
        store.release("a").await.unwrap();
        assert_eq!(store.claim("a").await.unwrap(), Claim::Done);
    }

    /// A crashed process's claim is taken over once its lease expires, and not before;
    /// a release by another process does not drop a live claim.
    #[tokio::test]
    async fn expired_lease_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dedup.sqlite");
        let (clock, ms) = manual_clock();
        let dead = SqliteStore::open_with(&path, options(), Arc::clone(&clock))
            .await
            .unwrap();
        assert_eq!(dead.claim("x").await.unwrap(), Claim::New);
        let other = SqliteStore::open_with(&path, options(), Arc::clone(&clock))
            .await
            .unwrap();
        other.release("x").await.unwrap(); // not its claim: nothing happens
        ms.fetch_add(29_999, Ordering::SeqCst);
        assert_eq!(other.claim("x").await.unwrap(), Claim::InProgress);
        ms.fetch_add(2, Ordering::SeqCst);
        assert_eq!(other.claim("x").await.unwrap(), Claim::New);
        // The new owner's claim has a fresh lease.
        assert_eq!(dead.claim("x").await.unwrap(), Claim::InProgress);
        other.complete("x").await.unwrap();
        assert_eq!(dead.claim("x").await.unwrap(), Claim::Done);
    }

    #[tokio::test]
    async fn retention_prunes_old_ids_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dedup.sqlite");
        let (clock, ms) = manual_clock();
        let store = SqliteStore::open_with(&path, options(), Arc::clone(&clock))
            .await
            .unwrap();
        for id in ["old1", "old2"] {
            assert_eq!(store.claim(id).await.unwrap(), Claim::New);
            store.complete(id).await.unwrap();
        }
        ms.fetch_add(3_000_000, Ordering::SeqCst); // 50 minutes
        assert_eq!(store.claim("young").await.unwrap(), Claim::New);
        store.complete("young").await.unwrap();
        ms.fetch_add(1_000_000, Ordering::SeqCst); // old ones now 66 minutes old
        assert_eq!(store.prune().await.unwrap(), 2);
        assert_eq!(store.claim("old1").await.unwrap(), Claim::New);
        assert_eq!(store.claim("young").await.unwrap(), Claim::Done);
        assert_eq!(store.prune().await.unwrap(), 0);
    }

    /// Pruning also runs by itself, every `prune_interval`.
    #[tokio::test]
    async fn retention_runs_by_itself() {
        let dir = tempfile::tempdir().unwrap();
        let (clock, ms) = manual_clock();
        let opts = options().prune_interval(Duration::ZERO);
        let store = SqliteStore::open_with(dir.path().join("d.sqlite"), opts, clock)
            .await
            .unwrap();
        assert_eq!(store.claim("a").await.unwrap(), Claim::New);
        store.complete("a").await.unwrap();
        ms.fetch_add(3_700_000, Ordering::SeqCst);
        // This claim's batch prunes "a" first.
        assert_eq!(store.claim("a").await.unwrap(), Claim::New);
    }

    #[tokio::test]
    async fn import_and_refusals() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("d.sqlite"))
            .await
            .unwrap();
        assert_eq!(store.claim("p").await.unwrap(), Claim::New);
        let n = store
            .import_done(vec!["a".into(), "b".into(), "a".into(), "p".into()])
            .await
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(store.claim("b").await.unwrap(), Claim::Done);
        assert_eq!(store.claim("p").await.unwrap(), Claim::Done);

        // An old FileStore log is not a database: a clear error, the file untouched.
        let log = dir.path().join("webhook-dedup.log");
        std::fs::write(&log, "\"a\"\n\"b\"\n".repeat(100)).unwrap();
        let err = SqliteStore::open(&log).await.unwrap_err();
        assert!(err.to_string().contains("not a SQLite database"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            "\"a\"\n\"b\"\n".repeat(100)
        );
        // A database of another schema version is refused.
        let other = dir.path().join("other.sqlite");
        rusqlite::Connection::open(&other)
            .unwrap()
            .execute_batch("PRAGMA user_version = 7")
            .unwrap();
        let err = SqliteStore::open(&other).await.unwrap_err();
        assert!(err.to_string().contains("schema version 7"), "{err}");
        // A directory that does not exist.
        let err = SqliteStore::open(dir.path().join("no/such/dir/d.sqlite"))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Sqlite(_)), "{err}");
    }
}
