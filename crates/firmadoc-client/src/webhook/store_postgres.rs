//! [`PostgresStore`]: one de-duplication store shared by several receivers
//! (feature `postgres`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, NoTls, Statement};

use crate::webhook::store::{
    Claim, DedupStore, StoreError, StoreFuture, StoreOptions, millis, owner_token,
};

/// Ids removed per pruning statement.
const PRUNE_CHUNK: i64 = 10_000;
/// Connections per store unless told otherwise.
pub const DEFAULT_CONNECTIONS: usize = 4;

/// Creates the table once, whichever replica starts first: the advisory lock
/// keeps concurrent `CREATE … IF NOT EXISTS` from colliding.
const SCHEMA: &str = "
BEGIN;
SELECT pg_advisory_xact_lock(7262851113);
CREATE TABLE IF NOT EXISTS firmadoc_webhook_dedup (
    id          text PRIMARY KEY,
    done        boolean NOT NULL,
    owner       bigint NOT NULL,
    lease_until timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS firmadoc_webhook_dedup_updated_at ON firmadoc_webhook_dedup (updated_at);
COMMIT;
";

/// One statement: claim a new id, or take over a claim whose lease expired, and
/// say what the row was. The inner `SELECT` sees the row as it was before the
/// statement; a row committed by another replica meanwhile reads as NULL, which
/// is answered "in progress" (the sender retries, and then sees it done).
const CLAIM: &str = "
WITH claimed AS (
    INSERT INTO firmadoc_webhook_dedup AS d (id, done, owner, lease_until, updated_at)
    VALUES ($1, false, $2, now() + $3::int8 * interval '1 millisecond', now())
    ON CONFLICT (id) DO UPDATE
        SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until, updated_at = EXCLUDED.updated_at
        WHERE NOT d.done AND d.lease_until < now()
    RETURNING 1
)
SELECT (SELECT count(*) FROM claimed)::int4, (SELECT done FROM firmadoc_webhook_dedup WHERE id = $1)";

const COMPLETE: &str = "
INSERT INTO firmadoc_webhook_dedup (id, done, owner, lease_until, updated_at)
VALUES ($1, true, $2, now(), now())
ON CONFLICT (id) DO UPDATE SET done = true, updated_at = now()";

const RELEASE: &str =
    "DELETE FROM firmadoc_webhook_dedup WHERE id = $1 AND owner = $2 AND NOT done";

const PRUNE: &str = "
DELETE FROM firmadoc_webhook_dedup WHERE id IN (
    SELECT id FROM firmadoc_webhook_dedup
    WHERE updated_at < now() - $1::int8 * interval '1 millisecond' LIMIT $2)";

/// The store for several receivers (replicas behind a load balancer) sharing
/// one PostgreSQL database, through `tokio-postgres`.
///
/// * The protocol of the module docs, each step one statement (its own
///   transaction): `INSERT … ON CONFLICT … DO UPDATE … WHERE` claims an id or
///   takes over an expired lease atomically, so two replicas never both get
///   [`Claim::New`] for a live claim; a completion is committed (and, with the
///   server's default `synchronous_commit = on`, flushed) before the 2xx.
/// * Leases are read on the database's clock (`now()`), so the replicas' clocks
///   do not matter.
/// * The store creates its table `firmadoc_webhook_dedup` (and an index) if it
///   is missing, under an advisory lock; the role needs `CREATE` on the schema
///   the first time (or create the table beforehand with the statement in this
///   file's source, and grant `SELECT, INSERT, UPDATE, DELETE`). Put it in
///   another schema with `options=-csearch_path%3Dmyschema` in the URL.
/// * Ids older than [`StoreOptions::retention`] are deleted in chunks, from a
///   background task, at most every [`StoreOptions::prune_interval`].
/// * A few connections ([`DEFAULT_CONNECTIONS`]), each pipelining the requests
///   given to it; a connection that broke is opened again on the next request.
/// * **No TLS**: the connection is plain (a Unix socket, loopback or a private
///   network). A URL that demands TLS (`sslmode=require`) is refused when the
///   store is created, rather than sending the password in clear.
///
/// The connection string is a secret (it may hold a password): it is never
/// printed, and the store's `Debug` shows only the database's name.
pub struct PostgresStore {
    inner: Arc<Inner>,
}

struct Inner {
    config: tokio_postgres::Config,
    options: StoreOptions,
    owner: i64,
    slots: Vec<RwLock<Arc<Conn>>>,
    reconnecting: tokio::sync::Mutex<()>,
    next: AtomicUsize,
    next_prune: Mutex<Instant>,
}

struct Conn {
    client: Client,
    claim: Statement,
    complete: Statement,
    release: Statement,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("dbname", &self.inner.config.get_dbname())
            .field("connection_string", &"[redacted]")
            .field("connections", &self.inner.slots.len())
            .field("options", &self.inner.options)
            .finish()
    }
}

impl PostgresStore {
    /// Connects with the default options and [`DEFAULT_CONNECTIONS`] connections,
    /// and creates the table if it is missing. `url` is a libpq connection
    /// string: `postgres://user:password@host:port/dbname` or `host=… dbname=…`.
    ///
    /// # Errors
    /// The string cannot be parsed or demands TLS, the server cannot be reached
    /// or refuses the login, or the table cannot be created.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, StoreOptions::default(), DEFAULT_CONNECTIONS).await
    }

    /// As [`PostgresStore::connect`], with `options` and `connections` (at least 1).
    ///
    /// # Errors
    /// As [`PostgresStore::connect`].
    pub async fn connect_with(
        url: &str,
        options: StoreOptions,
        connections: usize,
    ) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| {
            StoreError::Config(format!(
                "the PostgreSQL connection string cannot be parsed ({e}); write it as postgres://user:password@host:port/dbname"
            ))
        })?;
        if config.get_ssl_mode() == SslMode::Require {
            return Err(StoreError::Config(
                "the PostgreSQL connection string demands TLS (sslmode=require), which this store does not speak; \
                 reach the database over a Unix socket, loopback or a private network, with sslmode=disable or prefer"
                    .into(),
            ));
        }
        let first = open(&config, true).await?;
        let mut slots = vec![RwLock::new(Arc::new(first))];
        for _ in 1..connections.max(1) {
            slots.push(RwLock::new(Arc::new(open(&config, false).await?)));
        }
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                options,
                owner: owner_token(),
                slots,
                reconnecting: tokio::sync::Mutex::new(()),
                next: AtomicUsize::new(0),
                next_prune: Mutex::new(Instant::now()),
            }),
        })
    }

    /// Records `id` as done inside `tx`, your own transaction on the same
    /// database: commit your handler's writes and the completion together, and
    /// an event is handled **exactly once** even when the replica dies between
    /// your commit and the reply (the retry then finds it done, on any replica).
    /// The receiver's own completion after your handler returns is then a no-op.
    ///
    /// # Errors
    /// The statement failed (`tx` is on another database without the table, say).
    pub async fn complete_in(
        &self,
        tx: &tokio_postgres::Transaction<'_>,
        id: &str,
    ) -> Result<(), StoreError> {
        tx.execute(COMPLETE, &[&id, &self.inner.owner]).await?;
        Ok(())
    }

    /// Deletes every id older than the retention now, and returns how many.
    ///
    /// # Errors
    /// The database failed.
    pub async fn prune(&self) -> Result<u64, StoreError> {
        self.inner.prune().await
    }
}

/// Opens a connection (creating the table first if `schema`) and prepares the statements.
async fn open(config: &tokio_postgres::Config, schema: bool) -> Result<Conn, StoreError> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "a PostgreSQL connection of the webhook store ended");
        }
    });
    if schema {
        client.batch_execute(SCHEMA).await?;
    }
    let (claim, complete, release) = tokio::try_join!(
        client.prepare(CLAIM),
        client.prepare(COMPLETE),
        client.prepare(RELEASE)
    )?;
    Ok(Conn {
        client,
        claim,
        complete,
        release,
    })
}

impl Inner {
    /// A connection, opened again if it broke.
    async fn conn(&self) -> Result<Arc<Conn>, StoreError> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len();
        let slot = &self.slots[i];
        let conn = Arc::clone(
            &slot
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        if !conn.client.is_closed() {
            return Ok(conn);
        }
        let _guard = self.reconnecting.lock().await;
        let current = Arc::clone(
            &slot
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        if !current.client.is_closed() {
            return Ok(current);
        }
        let fresh = Arc::new(open(&self.config, false).await?);
        *slot
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::clone(&fresh);
        Ok(fresh)
    }

    async fn prune(&self) -> Result<u64, StoreError> {
        let conn = self.conn().await?;
        let retention = millis(self.options.retention);
        let mut total = 0;
        loop {
            let n = conn
                .client
                .execute(PRUNE, &[&retention, &PRUNE_CHUNK])
                .await?;
            total += n;
            if n < PRUNE_CHUNK.unsigned_abs() {
                return Ok(total);
            }
        }
    }

    /// Starts a background prune when one is due.
    fn prune_if_due(self: &Arc<Self>) {
        {
            let mut next = self
                .next_prune
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            if now < *next {
                return;
            }
            *next = now + self.options.prune_interval;
        }
        let inner = Arc::clone(self);
        tokio::spawn(async move {
            match inner.prune().await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(removed = n, "pruned old webhook ids"),
                Err(e) => tracing::warn!(error = %e, "cannot prune old webhook ids"),
            }
        });
    }
}

impl DedupStore for PostgresStore {
    fn claim<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Claim> {
        Box::pin(async move {
            self.inner.prune_if_due();
            let conn = self.inner.conn().await?;
            let lease = millis(self.inner.options.lease);
            let row = conn
                .client
                .query_one(&conn.claim, &[&id, &self.inner.owner, &lease])
                .await?;
            let claimed: i32 = row.try_get(0)?;
            let done: Option<bool> = row.try_get(1)?;
            Ok(match (claimed, done) {
                (1.., _) => Claim::New,
                (_, Some(true)) => Claim::Done,
                _ => Claim::InProgress,
            })
        })
    }

    fn complete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let conn = self.inner.conn().await?;
            conn.client
                .execute(&conn.complete, &[&id, &self.inner.owner])
                .await?;
            Ok(())
        })
    }

    fn release<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let conn = self.inner.conn().await?;
            conn.client
                .execute(&conn.release, &[&id, &self.inner.owner])
                .await?;
            Ok(())
        })
    }
}
