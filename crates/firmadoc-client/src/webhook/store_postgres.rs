//! [`PostgresStore`]: one de-duplication store shared by several receivers
//! (feature `postgres`).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};
use tokio_postgres::config::SslMode;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, NoTls, Statement};

use crate::webhook::store::{
    Claim, DedupStore, StoreError, StoreFuture, StoreOptions, millis, owner_token,
};

/// Ids removed per pruning statement.
const PRUNE_CHUNK: i64 = 10_000;
/// Connections per store unless told otherwise: one carries claims and
/// releases, one completions. More connections split the same load into
/// smaller batches: in `--bench stores`, 4 instead of 2 (with the handler's)
/// cost about 40 % more CPU per event.
pub const DEFAULT_CONNECTIONS: usize = 2;
/// Operations of one kind sent in one statement at most.
const MAX_BATCH: usize = 512;

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
) WITH (fillfactor = 80);
CREATE INDEX IF NOT EXISTS firmadoc_webhook_dedup_updated_at ON firmadoc_webhook_dedup (updated_at);
COMMIT;
";

/// One statement for a batch of distinct ids (sorted, so that concurrent
/// batches lock rows in the same order and never deadlock): claim the new ones,
/// take over claims whose lease expired, and say what each row was. The
/// table is read as it was before the statement, one index look-up per id (a
/// correlated sub-query, never a join that could scan the table); a row
/// committed by another replica meanwhile reads as NULL, which is answered
/// "in progress" (the sender retries, and then sees it done).
const CLAIM: &str = "
WITH input AS (SELECT unnest($1::text[]) AS id),
claimed AS (
    INSERT INTO firmadoc_webhook_dedup AS d (id, done, owner, lease_until, updated_at)
    SELECT id, false, $2, now() + $3::int8 * interval '1 millisecond', now() FROM input
    ON CONFLICT (id) DO UPDATE
        SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until, updated_at = EXCLUDED.updated_at
        WHERE NOT d.done AND d.lease_until < now()
    RETURNING d.id
)
SELECT i.id, c.id IS NOT NULL,
       (SELECT t.done FROM firmadoc_webhook_dedup t WHERE t.id = i.id)
FROM input i LEFT JOIN claimed c ON c.id = i.id";

/// Marks a batch of distinct, sorted ids done. An id already done is not
/// touched at all (not even locked), so the receiver's completion after a
/// handler's `complete_in` costs one index look-up. Only `done` changes (no
/// indexed column): the new row version stays on its page (a HOT update, the
/// table keeps 20 % free for it) and no index is written. Retention counts
/// from the claim, at most a lease before the completion.
const COMPLETE: &str = "
INSERT INTO firmadoc_webhook_dedup AS d (id, done, owner, lease_until, updated_at)
SELECT i.id, true, $2, now(), now() FROM unnest($1::text[]) AS i(id)
WHERE (SELECT t.done FROM firmadoc_webhook_dedup t WHERE t.id = i.id) IS NOT TRUE
ON CONFLICT (id) DO UPDATE SET done = true WHERE NOT d.done";

const RELEASE: &str =
    "DELETE FROM firmadoc_webhook_dedup WHERE id = ANY($1::text[]) AND owner = $2 AND NOT done";

/// The store's sessions plan index look-ups only.
const NO_SCANS: &str = "SET enable_seqscan = off; SET enable_hashjoin = off";

const PRUNE: &str = "
DELETE FROM firmadoc_webhook_dedup WHERE id IN (
    SELECT id FROM firmadoc_webhook_dedup
    WHERE updated_at < now() - $1::int8 * interval '1 millisecond' LIMIT $2)";

/// The store for several receivers (replicas behind a load balancer) sharing
/// one PostgreSQL database, through `tokio-postgres`.
///
/// * The protocol of the module docs: `INSERT … ON CONFLICT … DO UPDATE … WHERE`
///   claims an id or takes over an expired lease atomically, so two replicas
///   never both get [`Claim::New`] for a live claim; a completion is committed
///   (and flushed: `synchronous_commit = on`) before the 2xx.
/// * **Batched**: the claims (and completions, and releases) of concurrent
///   requests are sent together, one statement per batch (`unnest($1::text[])`,
///   up to 512 ids, sorted so that concurrent batches never deadlock), on
///   prepared statements. Half the connections carry claims and releases, half
///   completions, each connection one batch at a time; a batch is whatever
///   arrived while the previous one was at the server, so a lone request waits
///   for no timer.
/// * Claims and releases are committed with `synchronous_commit = off`: they
///   are not flushed to disk before the answer. This keeps exactly-once: the
///   server writes its log in order, so when a completion is flushed every
///   claim committed before it is flushed too. A claim lost in a crash *of the
///   database server* is one whose completion was never flushed, so its
///   delivery was never acknowledged and is retried (the handler's own
///   connection broke with the server too, so its transaction did not commit).
///   What the server's crash costs is the same as with flushed claims: a
///   handler with effects outside the database may see that retry again. A
///   receiver killed (SIGKILL) leaves the database intact: its claims stay and
///   lapse with their lease.
/// * Leases are read on the database's clock (`now()`), so the replicas' clocks
///   do not matter.
/// * The store creates its table `firmadoc_webhook_dedup` (and an index) if it
///   is missing, under an advisory lock; the role needs `CREATE` on the schema
///   the first time (or create the table beforehand with the statement in this
///   file's source, and grant `SELECT, INSERT, UPDATE, DELETE`). Put it in
///   another schema with `options=-csearch_path%3Dmyschema` in the URL.
/// * Ids older than [`StoreOptions::retention`] are deleted in chunks, from a
///   background task, at most every [`StoreOptions::prune_interval`].
/// * A connection that broke is opened again for the next batch (the batch it
///   broke under is answered with the error: those deliveries get a 503 and are retried).
/// * **No TLS**: the connection is plain (a Unix socket, loopback or a private
///   network). A URL that demands TLS (`sslmode=require`) is refused when the
///   store is created, rather than sending the password in clear.
///
/// For exactly-once handling, commit your handler's writes and the completion
/// together with [`PostgresStore::complete_in`] (or, for a handler that groups
/// concurrent events into one transaction, [`PostgresStore::complete_all_in`]).
///
/// The connection string is a secret (it may hold a password): it is never
/// printed, and the store's `Debug` shows only the database's name.
pub struct PostgresStore {
    shared: Arc<Shared>,
    claims: mpsc::UnboundedSender<Op>,
    completions: mpsc::UnboundedSender<Op>,
    connections: usize,
}

struct Shared {
    config: tokio_postgres::Config,
    options: StoreOptions,
    owner: i64,
    next_prune: Mutex<Instant>,
    /// Ids marked done by [`PostgresStore::complete_all_in`] in a handler's
    /// transaction, whose completion by the receiver is then skipped.
    completed_in_tx: Mutex<HashSet<String>>,
}

/// Ids remembered in [`Shared::completed_in_tx`] at most: past it the memory is
/// emptied (a forgotten id only costs a completion statement that finds it done).
const COMPLETED_IN_TX_MAX: usize = 65_536;

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

enum Op {
    Claim(String, Reply<Claim>),
    Complete(String, Reply<()>),
    Release(String, Reply<()>),
}

/// A connection and its prepared statements.
struct Conn {
    client: Client,
    claim: Statement,
    complete: Statement,
    release: Statement,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("dbname", &self.shared.config.get_dbname())
            .field("connection_string", &"[redacted]")
            .field("connections", &self.connections)
            .field("options", &self.shared.options)
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

    /// As [`PostgresStore::connect`], with `options` and `connections`: at
    /// least 2 (one for claims and releases, one for completions); an odd
    /// number gives the extra one to claims.
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
        let connections = connections.max(2);
        let completing = connections / 2;
        let mut conns = vec![open(&config, true, true).await?];
        for i in 1..connections {
            conns.push(open(&config, false, i < connections - completing).await?);
        }
        let shared = Arc::new(Shared {
            config,
            options,
            owner: owner_token(),
            next_prune: Mutex::new(Instant::now()),
            completed_in_tx: Mutex::new(HashSet::new()),
        });
        let (claims, claim_rx) = mpsc::unbounded_channel();
        let (completions, completion_rx) = mpsc::unbounded_channel();
        let (claim_rx, completion_rx) = (
            Arc::new(tokio::sync::Mutex::new(claim_rx)),
            Arc::new(tokio::sync::Mutex::new(completion_rx)),
        );
        for (i, conn) in conns.into_iter().enumerate() {
            let claiming = i < connections - completing;
            let rx = Arc::clone(if claiming { &claim_rx } else { &completion_rx });
            tokio::spawn(worker(Arc::clone(&shared), conn, rx, claiming));
        }
        Ok(Self {
            shared,
            claims,
            completions,
            connections,
        })
    }

    /// Records `id` as done inside `tx`, your own transaction on the same
    /// database: commit your handler's writes and the completion together, and
    /// an event is handled **exactly once** even when the replica dies between
    /// your commit and the reply (the retry then finds it done, on any replica).
    /// The receiver's own completion after your handler returns is then skipped:
    /// the store remembers the ids completed this way (up to 65,536 not yet
    /// seen by the receiver; past that it forgets them, and a forgotten id costs
    /// one completion statement that finds it done). If your transaction rolls
    /// back, return an error from the handler: the receiver then releases the
    /// claim (returning `Ok` leaves the claim to lapse with its lease, and the
    /// retry is handled then, as your writes were rolled back).
    ///
    /// An id already done (a handler that outlived its lease while a retry was
    /// handled elsewhere) is refused with [`StoreError::AlreadyDone`]: roll
    /// back and return the error, and the event stays handled once.
    ///
    /// # Errors
    /// The id is already done, or the statement failed (`tx` is on another
    /// database without the table, say).
    pub async fn complete_in(
        &self,
        tx: &tokio_postgres::Transaction<'_>,
        id: &str,
    ) -> Result<(), StoreError> {
        self.complete_all_in(tx, &[id]).await
    }

    /// As [`PostgresStore::complete_in`] for several ids in one statement: for
    /// a handler that groups the events of concurrent requests into one
    /// transaction (one commit, one disk flush, for all of them).
    ///
    /// # Errors
    /// As [`PostgresStore::complete_in`]: one id already done refuses them all.
    pub async fn complete_all_in(
        &self,
        tx: &tokio_postgres::Transaction<'_>,
        ids: &[&str],
    ) -> Result<(), StoreError> {
        let ids = sorted_distinct(ids.iter().copied());
        let marked = tx
            .execute_typed(
                COMPLETE,
                &[(&ids, Type::TEXT_ARRAY), (&self.shared.owner, Type::INT8)],
            )
            .await?;
        if marked < ids.len() as u64 {
            return Err(StoreError::AlreadyDone(ids.len() as u64 - marked));
        }
        let mut remembered = self.shared.completed_in_tx();
        if remembered.len() + ids.len() > COMPLETED_IN_TX_MAX {
            remembered.clear();
        }
        remembered.extend(ids.iter().map(|id| (*id).to_owned()));
        Ok(())
    }

    /// Deletes every id older than the retention now, and returns how many.
    ///
    /// # Errors
    /// The database failed.
    pub async fn prune(&self) -> Result<u64, StoreError> {
        self.shared.prune().await
    }

    fn call<T: Send + 'static>(
        &self,
        queue: &mpsc::UnboundedSender<Op>,
        op: impl FnOnce(Reply<T>) -> Op,
    ) -> StoreFuture<'static, T> {
        let (tx, rx) = oneshot::channel();
        let sent = queue.send(op(tx));
        Box::pin(async move {
            sent.map_err(|_| StoreError::Stopped)?;
            rx.await.map_err(|_| StoreError::Stopped)?
        })
    }
}

/// Opens a connection (creating the table first if `schema`), prepares the
/// statements, and turns off the flush at commit for a claiming connection.
async fn open(
    config: &tokio_postgres::Config,
    schema: bool,
    claiming: bool,
) -> Result<Conn, StoreError> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "a PostgreSQL connection of the webhook store ended");
        }
    });
    if schema {
        client.batch_execute(SCHEMA).await?;
    }
    // Every statement of the store is an index look-up per id: never let a
    // plan made while the table was small (or not yet analyzed) scan it whole.
    client.batch_execute(NO_SCANS).await?;
    if claiming {
        client.batch_execute("SET synchronous_commit = off").await?;
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

/// One connection's loop: take what is queued (up to [`MAX_BATCH`]), send it
/// as one statement per kind, answer, repeat. Ends when the store is dropped.
async fn worker(
    shared: Arc<Shared>,
    mut conn: Conn,
    queue: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Op>>>,
    claiming: bool,
) {
    let mut batch = Vec::new();
    loop {
        {
            let mut rx = queue.lock().await;
            if rx.recv_many(&mut batch, MAX_BATCH).await == 0 {
                return;
            }
        }
        if conn.client.is_closed() {
            match open(&shared.config, false, claiming).await {
                Ok(fresh) => conn = fresh,
                Err(e) => {
                    let e = Arc::new(e);
                    for op in batch.drain(..) {
                        op.fail(&e);
                    }
                    continue;
                }
            }
        }
        run(&shared, &conn, &mut batch).await;
    }
}

impl Op {
    fn fail(self, e: &Arc<StoreError>) {
        let err = || match &**e {
            StoreError::Postgres(p) => StoreError::Postgres(Arc::clone(p)),
            other => StoreError::Config(other.to_string()),
        };
        match self {
            Self::Claim(_, r) => drop(r.send(Err(err()))),
            Self::Complete(_, r) | Self::Release(_, r) => drop(r.send(Err(err()))),
        }
    }
}

/// The ids, sorted and each once.
fn sorted_distinct<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut ids: Vec<&str> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

async fn run(shared: &Shared, conn: &Conn, batch: &mut Vec<Op>) {
    let mut claims = Vec::new();
    let mut completes = Vec::new();
    let mut releases = Vec::new();
    for op in batch.drain(..) {
        match op {
            Op::Claim(id, r) => claims.push((id, r)),
            Op::Complete(id, r) => completes.push((id, r)),
            Op::Release(id, r) => releases.push((id, r)),
        }
    }
    tokio::join!(
        run_claims(shared, conn, claims),
        run_units(shared, conn, &conn.complete, completes),
        run_units(shared, conn, &conn.release, releases),
    );
}

async fn run_claims(shared: &Shared, conn: &Conn, claims: Vec<(String, Reply<Claim>)>) {
    if claims.is_empty() {
        return;
    }
    let ids = sorted_distinct(claims.iter().map(|(id, _)| id.as_str()));
    let lease = millis(shared.options.lease);
    let rows = match conn
        .client
        .query(&conn.claim, &[&ids, &shared.owner, &lease])
        .await
    {
        Ok(rows) => rows,
        Err(e) => {
            let e = Arc::new(StoreError::from(e));
            for (_, r) in claims {
                Op::Claim(String::new(), r).fail(&e);
            }
            return;
        }
    };
    let mut states: HashMap<String, Claim> = HashMap::with_capacity(rows.len());
    for row in rows {
        let parsed = (|| -> Result<(String, Claim), tokio_postgres::Error> {
            let id: String = row.try_get(0)?;
            let claimed: bool = row.try_get(1)?;
            let done: Option<bool> = row.try_get(2)?;
            Ok((
                id,
                match (claimed, done) {
                    (true, _) => Claim::New,
                    (false, Some(true)) => Claim::Done,
                    _ => Claim::InProgress,
                },
            ))
        })();
        match parsed {
            Ok((id, claim)) => {
                states.insert(id, claim);
            }
            Err(e) => tracing::error!(error = %e, "unexpected row from the claim statement"),
        }
    }
    // The first request for an id gets the row's answer; another request for
    // the same id in the same batch finds it in progress (or done).
    let mut answered = HashSet::with_capacity(claims.len());
    for (id, reply) in claims {
        let answer = match states.get(&id) {
            Some(&claim) if answered.insert(id.clone()) => Ok(claim),
            Some(Claim::New) => Ok(Claim::InProgress),
            Some(&claim) => Ok(claim),
            None => Err(StoreError::Schema(format!(
                "the claim statement did not answer for an id ({} bytes)",
                id.len()
            ))),
        };
        let _ = reply.send(answer);
    }
}

async fn run_units(
    shared: &Shared,
    conn: &Conn,
    statement: &Statement,
    ops: Vec<(String, Reply<()>)>,
) {
    if ops.is_empty() {
        return;
    }
    let ids = sorted_distinct(ops.iter().map(|(id, _)| id.as_str()));
    match conn.client.execute(statement, &[&ids, &shared.owner]).await {
        Ok(_) => {
            for (_, r) in ops {
                let _ = r.send(Ok(()));
            }
        }
        Err(e) => {
            let e = Arc::new(StoreError::from(e));
            for (_, r) in ops {
                Op::Complete(String::new(), r).fail(&e);
            }
        }
    }
}

impl Shared {
    async fn prune(&self) -> Result<u64, StoreError> {
        let (client, connection) = self.config.connect(NoTls).await?;
        let task = tokio::spawn(connection);
        client.batch_execute(NO_SCANS).await?;
        let retention = millis(self.options.retention);
        let mut total = 0;
        let result = loop {
            match client.execute(PRUNE, &[&retention, &PRUNE_CHUNK]).await {
                Ok(n) => {
                    total += n;
                    if n < PRUNE_CHUNK.unsigned_abs() {
                        break Ok(total);
                    }
                }
                Err(e) => break Err(e.into()),
            }
        };
        drop(client);
        let _ = task.await;
        result
    }

    fn completed_in_tx(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.completed_in_tx
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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
        let shared = Arc::clone(self);
        tokio::spawn(async move {
            match shared.prune().await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(removed = n, "pruned old webhook ids"),
                Err(e) => tracing::warn!(error = %e, "cannot prune old webhook ids"),
            }
        });
    }
}

impl DedupStore for PostgresStore {
    fn claim<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Claim> {
        let answer = self.call(&self.claims, |r| Op::Claim(id.to_owned(), r));
        Box::pin(async move {
            self.shared.prune_if_due();
            answer.await
        })
    }

    fn complete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        if self.shared.completed_in_tx().remove(id) {
            // Marked done in the handler's own transaction (`complete_in`).
            return Box::pin(std::future::ready(Ok(())));
        }
        self.call(&self.completions, |r| Op::Complete(id.to_owned(), r))
    }

    fn release<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        // A handler that completed in its transaction and then failed: the
        // statement below leaves a done id alone (and frees a rolled-back claim).
        self.shared.completed_in_tx().remove(id);
        self.call(&self.claims, |r| Op::Release(id.to_owned(), r))
    }
}
