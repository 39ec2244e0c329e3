//! De-duplication of deliveries by `Id`: the sender retries with the same
//! `Id` until it gets a 2xx, so the `Id` is the idempotency key.
//!
//! The protocol every store follows, for one delivery:
//!
//! 1. [`DedupStore::claim`]: a new `Id` is recorded *in progress* under a lease
//!    ([`StoreOptions::lease`]) and the caller runs the handler; an `Id` already
//!    done is acknowledged without the handler; an `Id` in progress under a live
//!    lease (another request or replica is handling it) is answered 503, and the
//!    sender retries later.
//! 2. After the handler returned `Ok`, [`DedupStore::complete`] records the `Id` as
//!    done, durably, before the 2xx is sent.
//! 3. After the handler failed, [`DedupStore::release`] gives the `Id` back so that
//!    the retry is handled.
//!
//! A process that dies between 1 and 2 leaves its claim in progress; once the
//! lease has expired, the next claim of that `Id` takes it over and the retry is
//! handled. Done ids are pruned after [`StoreOptions::retention`] (30 days by
//! default): a delivery retried after that would be handled again.
//!
//! Stores: [`MemoryStore`] (tests, one process, lost on restart), `SqliteStore`
//! (feature `sqlite`, the durable default for one host) and `PostgresStore`
//! (feature `postgres`, several receivers sharing one database).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

/// What the store says about an `Id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Never seen (or a dead claim whose lease expired): the caller now owns it
    /// and must call `complete` or `release`.
    New,
    /// Already handled: acknowledge without calling the handler again.
    Done,
    /// Being handled by another request right now: ask the sender to retry later.
    InProgress,
}

/// A store that could not answer: the delivery is not acknowledged (503 or
/// 500), so the sender retries it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A file or directory of the store.
    #[error(
        "the de-duplication store cannot use {path}: {source}; check that the directory exists and is writable"
    )]
    Io {
        /// The path.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The SQLite database.
    #[cfg(feature = "sqlite")]
    #[error("the SQLite de-duplication store failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The PostgreSQL database (unreachable, refused the login, or failed a statement).
    #[cfg(feature = "postgres")]
    #[error(
        "the PostgreSQL de-duplication store failed: {0}; check that the server is up and the connection string is right"
    )]
    /// Shared by the requests of one batch, which all get the same error.
    Postgres(std::sync::Arc<tokio_postgres::Error>),
    /// The store's database was written by something else (another schema).
    #[error("the de-duplication store's database is not usable: {0}")]
    Schema(String),
    /// A connection string or option the store cannot use.
    #[error("invalid de-duplication store configuration: {0}")]
    Config(String),
    /// `complete_in` found ids already done: another request handled them
    /// (after this one's lease expired). Roll the transaction back.
    #[error(
        "{0} id(s) were already handled elsewhere (this handler outlived its lease); roll the transaction back so the event is not handled twice"
    )]
    AlreadyDone(u64),
    /// The store's worker stopped (the process is shutting down).
    #[error("the de-duplication store has stopped")]
    Stopped,
}

#[cfg(feature = "postgres")]
impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        Self::Postgres(std::sync::Arc::new(e))
    }
}

/// The boxed future the store's methods return.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A store of delivery ids. Make it durable (`SqliteStore`, `PostgresStore`) to
/// survive restarts without handling an acknowledged event twice.
///
/// The methods are async so that a networked store fits; [`MemoryStore`]'s are
/// ready at once.
pub trait DedupStore: Send + Sync + std::fmt::Debug {
    /// Claims `id` for handling (step 1 of the protocol in the module docs).
    ///
    /// # Errors
    /// The store cannot answer; the delivery is then answered 503.
    fn claim<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Claim>;
    /// Records that `id` was handled (called before the 2xx is sent).
    ///
    /// # Errors
    /// A store that cannot record it; the delivery is then not acknowledged.
    fn complete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()>;
    /// Gives `id` back after the handler failed, so that a retry is handled.
    ///
    /// # Errors
    /// The store cannot record it; the claim then lapses when its lease expires.
    fn release<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()>;
}

/// The durable stores' settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// How long a claim in progress blocks other claims of the same `Id`. A
    /// process that dies while handling leaves its claim; the retry is handled
    /// once the lease has expired. Default 30 s: FirmaDocumentos' sender (ASP.NET
    /// WebHooks) retries after 1 and then 4 more minutes, so the first retry
    /// after a crash is handled. Your handler must finish well within it: a
    /// handler still running when its lease expires may see a retry handled
    /// beside it.
    pub lease: Duration,
    /// How long a done `Id` is kept. Default 30 days, far beyond the sender's
    /// 5 minutes of retries; a delivery replayed after that is handled again.
    /// Counted from the completion (`SqliteStore`) or from the claim
    /// (`PostgresStore`, whose completion writes no index), at most a lease apart.
    pub retention: Duration,
    /// How often old ids are pruned (at most). Default 10 minutes.
    pub prune_interval: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            retention: Duration::from_secs(30 * 24 * 3600),
            prune_interval: Duration::from_secs(600),
        }
    }
}

impl StoreOptions {
    /// Sets [`StoreOptions::lease`].
    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Sets [`StoreOptions::retention`].
    #[must_use]
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// Sets [`StoreOptions::prune_interval`].
    #[must_use]
    pub fn prune_interval(mut self, interval: Duration) -> Self {
        self.prune_interval = interval;
        self
    }
}

/// The clock the stores read (injected in tests); [`system_clock`] by default.
pub type Clock = std::sync::Arc<dyn Fn() -> std::time::SystemTime + Send + Sync>;

/// The system clock.
#[must_use]
#[allow(clippy::disallowed_methods)] // the default of an injected clock
pub fn system_clock() -> Clock {
    std::sync::Arc::new(std::time::SystemTime::now)
}

/// Milliseconds (since the Unix epoch, or of a duration), saturating, for the stores' columns.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    InProgress,
    Done,
}

/// An in-memory store, lost on restart: for tests and for receivers that may
/// handle an event twice after a restart. It keeps every id (no retention).
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
    fn claim<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Claim> {
        let mut map = self.map();
        let claim = match map.get(id) {
            Some(State::Done) => Claim::Done,
            Some(State::InProgress) => Claim::InProgress,
            None => {
                map.insert(id.to_owned(), State::InProgress);
                Claim::New
            }
        };
        Box::pin(std::future::ready(Ok(claim)))
    }

    fn complete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        self.map().insert(id.to_owned(), State::Done);
        Box::pin(std::future::ready(Ok(())))
    }

    fn release<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        let mut map = self.map();
        if map.get(id) == Some(&State::InProgress) {
            map.remove(id);
        }
        Box::pin(std::future::ready(Ok(())))
    }
}

/// A 64-bit token naming one store instance (one process) as the owner of its
/// claims, so that `release` never drops another replica's claim.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn owner_token() -> i64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: the process id and the time still tell processes apart.
        let t = system_clock()()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        bytes = (u64::from(std::process::id()) << 32 ^ t.as_nanos() as u64).to_le_bytes();
    }
    i64::from_le_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_store_protocol() {
        let store = MemoryStore::default();
        assert_eq!(store.claim("a").await.unwrap(), Claim::New);
        assert_eq!(store.claim("a").await.unwrap(), Claim::InProgress);
        store.release("a").await.unwrap();
        assert_eq!(store.claim("a").await.unwrap(), Claim::New);
        store.complete("a").await.unwrap();
        assert_eq!(store.claim("a").await.unwrap(), Claim::Done);
        // Releasing a done id does not forget it.
        store.release("a").await.unwrap();
        assert_eq!(store.claim("a").await.unwrap(), Claim::Done);
    }

    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    #[test]
    fn owner_tokens_differ() {
        assert_ne!(owner_token(), owner_token());
    }
}
