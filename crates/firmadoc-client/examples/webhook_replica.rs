//! One webhook receiver replica whose handler records every event **exactly
//! once**: it writes a row per event into a `handled` table in the store's own
//! database, in the same transaction that marks the event done
//! (`complete_all_in` / `complete_in`), so a replica killed between its commit
//! and its reply does not make the retry handle the event again.
//!
//! On PostgreSQL the handler groups the events of concurrent requests into one
//! transaction (one commit, one disk flush for all of them), as the store does
//! with its claims and completions. On SQLite it commits each event.
//!
//! The multi-process tests (`tests/it/replicas.rs`) and `--bench stores` start
//! it; by hand:
//!
//! ```text
//! FIRMADOC_WEBHOOK_REPLICA=r0 FIRMADOC_WEBHOOK_REPLICA_STORE=postgres://postgres@127.0.0.1:5432/db \
//!   cargo run -p firmadoc-client --example webhook_replica
//! ```
//!
//! `FIRMADOC_WEBHOOK_REPLICA_STORE` is a PostgreSQL URL or `sqlite:DIR` (the
//! database is `DIR/dedup.sqlite`); the `handled` table must exist. It prints
//! `LISTENING ADDR` and serves on loopback until its standard input closes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fixture: a panic is its failure report

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use firmadoc_client::model::WebhookDelivery;
use firmadoc_client::webhook::{
    DedupStore, HandlerError, PostgresStore, Receiver, SqliteStore, StoreOptions, WebhookSecret,
    system_clock,
};
use tokio::sync::{mpsc, oneshot};

/// The webhook secret the tests' sender signs with.
pub(crate) const SECRET: &str = "0123456789abcdef0123456789abcdef-replicas";
/// The replica's name (recorded with each event it handles).
pub(crate) const NAME: &str = "FIRMADOC_WEBHOOK_REPLICA";
/// The store: a PostgreSQL URL, or `sqlite:DIR`.
pub(crate) const STORE: &str = "FIRMADOC_WEBHOOK_REPLICA_STORE";
/// The claims' lease, in milliseconds (2,000 by default).
pub(crate) const LEASE_MS: &str = "FIRMADOC_WEBHOOK_REPLICA_LEASE_MS";

/// The store's connections (at least 2, default 2: one claiming, one
/// completing); the handler gets half as many for its grouped transactions.
pub(crate) const CONNECTIONS: &str = "FIRMADOC_WEBHOOK_REPLICA_CONNECTIONS";

/// Events written in one handler transaction at most (PostgreSQL).
const MAX_BATCH: usize = 512;

fn main() {
    if !serve_if_asked() {
        eprintln!(
            "set {NAME} (the replica's name) and {STORE} (a PostgreSQL URL or sqlite:DIR) to run a replica"
        );
        std::process::exit(2);
    }
}

/// If this process was started as a replica (`FIRMADOC_WEBHOOK_REPLICA` set),
/// serves until standard input closes, then exits; otherwise returns `false`.
pub(crate) fn serve_if_asked() -> bool {
    let Ok(name) = std::env::var(NAME) else {
        return false;
    };
    let store = std::env::var(STORE).unwrap_or_else(|_| panic!("{STORE} is not set"));
    let lease = std::env::var(LEASE_MS)
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(2), Duration::from_millis);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(replica(name, &store, lease));
    std::process::exit(0);
}

type Done = oneshot::Sender<Result<(), String>>;

/// The handler's side: one row per handled event, committed with the completion.
enum Handled {
    /// Events queued for the next grouped transaction.
    Postgres(mpsc::UnboundedSender<(String, Done)>),
    Sqlite(Arc<SqliteStore>, Mutex<rusqlite::Connection>),
}

impl Handled {
    async fn record(self: Arc<Self>, id: String, replica: Arc<str>) -> Result<(), HandlerError> {
        match &*self {
            Self::Postgres(queue) => {
                let (tx, rx) = oneshot::channel();
                queue.send((id, tx))?;
                rx.await??;
            }
            Self::Sqlite(..) => {
                let this = Arc::clone(&self);
                tokio::task::spawn_blocking(move || -> Result<(), HandlerError> {
                    let Self::Sqlite(store, conn) = &*this else {
                        return Ok(());
                    };
                    let mut conn = conn.lock().unwrap();
                    let tx = conn.transaction()?;
                    tx.execute(
                        "INSERT INTO handled (id, replica) VALUES (?1, ?2)",
                        rusqlite::params![id, &*replica],
                    )?;
                    store.complete_in(&tx, &id)?;
                    tx.commit()?;
                    Ok(())
                })
                .await??;
            }
        }
        Ok(())
    }
}

/// One handler connection's loop: what is queued goes into one transaction
/// (the `handled` rows and the completions), committed once.
async fn group_commit(
    url: String,
    store: Arc<PostgresStore>,
    queue: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<(String, Done)>>>,
    replica: Arc<str>,
) {
    let (mut client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let insert = client
        .prepare("INSERT INTO handled (id, replica) SELECT unnest($1::text[]), $2")
        .await
        .unwrap();
    let mut batch = Vec::new();
    loop {
        if queue.lock().await.recv_many(&mut batch, MAX_BATCH).await == 0 {
            return;
        }
        let ids: Vec<&str> = batch.iter().map(|(id, _)| id.as_str()).collect();
        let result: Result<(), HandlerError> = async {
            let tx = client.transaction().await?;
            tx.execute(&insert, &[&ids, &&*replica]).await?;
            store.complete_all_in(&tx, &ids).await?;
            tx.commit().await?;
            Ok(())
        }
        .await;
        let result = result.map_err(|e| e.to_string());
        for (_, done) in batch.drain(..) {
            let _ = done.send(result.clone());
        }
    }
}

async fn replica(name: String, store: &str, lease: Duration) {
    let options = StoreOptions::default().lease(lease);
    let replica_name: Arc<str> = Arc::from(name.as_str());
    let (store, handled): (Arc<dyn DedupStore>, Handled) = match store.strip_prefix("sqlite:") {
        None => {
            let url = store.to_owned();
            let connections = std::env::var(CONNECTIONS)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(2);
            let store = Arc::new(
                PostgresStore::connect_with(&url, options, connections)
                    .await
                    .unwrap(),
            );
            let (tx, rx) = mpsc::unbounded_channel();
            let rx = Arc::new(tokio::sync::Mutex::new(rx));
            for _ in 0..connections.div_ceil(2) {
                tokio::spawn(group_commit(
                    url.clone(),
                    Arc::clone(&store),
                    Arc::clone(&rx),
                    Arc::clone(&replica_name),
                ));
            }
            (store as Arc<dyn DedupStore>, Handled::Postgres(tx))
        }
        Some(dir) => {
            let path = PathBuf::from(dir).join("dedup.sqlite");
            let store = Arc::new(
                SqliteStore::open_with(&path, options, system_clock())
                    .await
                    .unwrap(),
            );
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.busy_timeout(Duration::from_secs(10)).unwrap();
            conn.execute_batch("PRAGMA synchronous = FULL").unwrap();
            (
                Arc::clone(&store) as Arc<dyn DedupStore>,
                Handled::Sqlite(store, Mutex::new(conn)),
            )
        }
    };
    let handled = Arc::new(handled);
    let receiver = Receiver::new(
        WebhookSecret::new(SECRET).unwrap(),
        move |d: WebhookDelivery| Arc::clone(&handled).record(d.id, Arc::clone(&replica_name)),
    )
    .store(store);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("LISTENING {}", listener.local_addr().unwrap());
    let (eof_tx, eof_rx) = oneshot::channel::<()>();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        let _ = eof_tx.send(());
    });
    receiver
        .serve(listener, async move {
            let _ = eof_rx.await;
        })
        .await
        .unwrap();
}
