//! The de-duplication stores under load: 3 receiver replicas (separate
//! processes) on one PostgreSQL database beside a single replica, events/s and
//! p99 over loopback, one replica killed mid-way in the 3-replica run; and the
//! SQLite store's memory (RSS) before and after holding 10 million ids.
//!
//! PostgreSQL: `FIRMADOC_TEST_POSTGRES_URL` (set by `cargo xtask bench`), or a
//! throw-away cluster started here. Sizes: `STORES_BENCH_EVENTS` (default
//! 100,000), `STORES_BENCH_IDS` (default 10,000,000).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    unreachable_pub,
    dead_code
)]

use std::process::Command;
use std::time::{Duration, Instant};

#[path = "../tests/it/replicas_gen.rs"]
mod replicas_gen;

use firmadoc_client::webhook::{Claim, DedupStore, SqliteStore};
use replicas_gen::{Backend, Plan};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    replicas_gen::replica_main_if_asked();
    let events = env_usize("STORES_BENCH_EVENTS", 100_000);
    let ids = env_usize("STORES_BENCH_IDS", 10_000_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        postgres(events).await;
        sqlite_rss(ids).await;
    });
}

async fn fresh_database(base: &str, name: &str) -> String {
    let (client, conn) = tokio_postgres::connect(base, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        client.batch_execute(&sql).await.unwrap();
    }
    let head = base.rsplit_once('/').map_or(base, |(h, _)| h);
    format!("{head}/{name}")
}

async fn postgres(events: usize) {
    let target =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-postgres");
    let server = test_postgres::from_env_or_start(&target).unwrap();
    let base = server.url().expect("PostgreSQL is needed").to_owned();
    let command = || Command::new(std::env::current_exe().unwrap());
    for (label, replicas, kill) in [("single replica", 1, false), ("3 replicas", 3, true)] {
        let url = fresh_database(&base, &format!("bench_{}", replicas)).await;
        let plan = Plan {
            events,
            duplicates: events / 10,
            forgeries: events / 50,
            replicas,
            workers: 48,
            kill_after: kill.then_some(events / 2),
            restart: false,
            lease: Duration::from_secs(2),
        };
        let mut outcome = replicas_gen::run(plan, &Backend::Postgres(url), command).await;
        let lost = outcome.not_exactly_once(events).len();
        let rate = outcome.sent as f64 / outcome.elapsed.as_secs_f64();
        let p99 = outcome.p99();
        println!(
            "postgres {label}: {} deliveries in {:.2?}{}",
            outcome.sent,
            outcome.elapsed,
            if kill {
                ", one replica SIGKILLed mid-way"
            } else {
                ""
            }
        );
        println!("  {label} events/s: {rate:.0}");
        println!("  {label} p99: {p99:.2?}");
        println!(
            "  {label} not exactly once: {lost}; forged accepted: {}",
            outcome.forged_accepted
        );
    }
}

/// 20,000 claims and completions of new ids.
async fn work(store: &dyn DedupStore, prefix: &str) {
    for i in 0..20_000 {
        let id = format!("{prefix}{i}");
        assert_eq!(store.claim(&id).await.unwrap(), Claim::New);
        store.complete(&id).await.unwrap();
    }
}

async fn sqlite_rss(ids: usize) {
    let dir =
        tempfile::tempdir_in(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
            .unwrap();
    let store = SqliteStore::open(dir.path().join("dedup.sqlite"))
        .await
        .unwrap();
    work(&store, "warm").await;
    let before = rss_kib();
    let t = Instant::now();
    let chunk = 100_000;
    let mut n = 0;
    while n < ids {
        let batch: Vec<String> = (n..(n + chunk).min(ids))
            .map(|i| format!("{i:032x}"))
            .collect();
        n += batch.len();
        store.import_done(batch).await.unwrap();
    }
    let filled = t.elapsed();
    work(&store, "after").await;
    // Ids from the middle of the 10 million read as done.
    for i in (0..ids).step_by((ids / 1000).max(1)) {
        assert_eq!(
            store.claim(&format!("{i:032x}")).await.unwrap(),
            Claim::Done
        );
    }
    let after = rss_kib();
    let size = std::fs::metadata(store.path())
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "sqlite store: {ids} ids imported in {filled:.2?}, file {} MiB",
        size >> 20
    );
    println!(
        "  sqlite RSS before: {:.1} MiB, after {ids} ids: {:.1} MiB",
        before as f64 / 1024.0,
        after as f64 / 1024.0
    );
}
