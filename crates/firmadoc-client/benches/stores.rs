//! The de-duplication stores under load: 3 receiver replicas (separate
//! processes) on one PostgreSQL database beside a single replica, events/s and
//! p99 over loopback, one replica killed mid-way in the 3-replica run; and the
//! SQLite store's memory (RSS) before and after holding 10 million ids.
//!
//! The replicas are this benchmark's binary started again as
//! `examples/webhook_replica.rs` (its `serve_if_asked`), so they run in the
//! bench profile too. Besides events/s and p99 it prints the CPU time spent
//! per event by the sender (this process), the replicas (its children) and
//! PostgreSQL (the postmaster and its backends, from `/proc`): on a shared
//! machine the wall-clock rate is pessimistic, and 2 cores divided by the CPU
//! time per event is the rate this machine could reach idle.
//!
//! The SQLite memory figure: 10 million ids are filled with
//! `SqliteStore::import_done` (the store's bulk path, 100,000 ids per
//! transaction, ids in ascending order). The RSS is that of a fresh process
//! (this binary again) that opens the store and serves 20,000 claims and
//! completions from 64 concurrent tasks and 1,000 look-ups spread over the ids
//! stored, as in normal operation: with none, a tenth, and all of them stored.
//!
//! PostgreSQL: `FIRMADOC_TEST_POSTGRES_URL` (set by `cargo xtask bench`), or a
//! throw-away cluster started here. Sizes: `STORES_BENCH_EVENTS` (default
//! 100,000), `STORES_BENCH_IDS` (default 10,000,000), `STORES_BENCH_WORKERS`
//! (concurrent sender connections, default 192).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    unreachable_pub,
    dead_code
)]

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "../tests/it/delivery.rs"]
mod delivery;
#[path = "../tests/it/replicas_gen.rs"]
mod replicas_gen;

use firmadoc_client::webhook::{Claim, DedupStore as _, SqliteStore};
use replicas_gen::{Backend, Plan};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    replicas_gen::webhook_replica::serve_if_asked();
    let events = env_usize("STORES_BENCH_EVENTS", 100_000);
    let ids = env_usize("STORES_BENCH_IDS", 10_000_000);
    let workers = env_usize("STORES_BENCH_WORKERS", 192);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rss_child_if_asked(&rt);
    rt.block_on(async {
        // SQLite first, so that its RSS figures are not those of a process
        // that already served the PostgreSQL runs. A size of 0 skips a part.
        if ids > 0 {
            sqlite_rss(ids).await;
        }
        if events > 0 {
            postgres(events, workers).await;
        }
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

/// CPU seconds (user + system) from `/proc/PID/stat`: the process's own, and
/// that of its children it has waited for.
fn cpu_secs(pid: &str) -> (f64, f64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name (which may hold spaces) in parentheses.
    let fields: Vec<f64> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or("")
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    let tick = 100.0; // USER_HZ, the unit of /proc times on Linux
    let at = |i: usize| fields.get(i).copied().unwrap_or(0.0) / tick;
    // Fields 14-17 of stat(5), counted here from field 3.
    (at(11) + at(12), at(13) + at(14))
}

/// The CPU seconds of the PostgreSQL server whose postmaster is `pm`: its own,
/// its exited backends' (reaped), and its live children's.
fn postgres_cpu(pm: &str) -> f64 {
    let (own, reaped) = cpu_secs(pm);
    let mut live = 0.0;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1));
        if ppid == Some(pm) {
            live += cpu_secs(&pid).0;
        }
    }
    own + reaped + live
}

/// The postmaster's pid, from `postmaster.pid` in the server's data directory.
async fn postmaster_pid(client: &tokio_postgres::Client) -> Option<String> {
    let row = client.query_one("SHOW data_directory", &[]).await.ok()?;
    let dir: String = row.get(0);
    let pid = std::fs::read_to_string(std::path::Path::new(&dir).join("postmaster.pid")).ok()?;
    pid.lines().next().map(|l| l.trim().to_owned())
}

async fn postgres(events: usize, workers: usize) {
    let target =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-postgres");
    let server = test_postgres::from_env_or_start(&target).unwrap();
    let base = server.url().expect("PostgreSQL is needed").to_owned();
    let command = || Command::new(std::env::current_exe().unwrap());
    let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let pm = postmaster_pid(&client).await;
    if pm.is_none() {
        println!("(PostgreSQL's CPU time cannot be read: its data directory is not visible here)");
    }
    let settings = client
        .query_one(
            "SELECT current_setting('server_version'), current_setting('fsync'), \
             current_setting('synchronous_commit'), current_setting('shared_buffers')",
            &[],
        )
        .await
        .unwrap();
    println!(
        "postgres {} (fsync {}, synchronous_commit {}, shared_buffers {}), {workers} concurrent senders (each with a keep-alive connection per replica)",
        settings.get::<_, String>(0),
        settings.get::<_, String>(1),
        settings.get::<_, String>(2),
        settings.get::<_, String>(3)
    );
    for (label, replicas, kill) in [("single replica", 1, false), ("3 replicas", 3, true)] {
        let url = fresh_database(&base, &format!("bench_{}", replicas)).await;
        let pg_before = pm.as_deref().map(postgres_cpu);
        let (self_before, children_before) = cpu_secs("self");
        let plan = Plan {
            events,
            duplicates: events / 10,
            forgeries: events / 50,
            replicas,
            workers,
            kill_after: kill.then_some(events / 2),
            restart: false,
            lease: Duration::from_secs(2),
        };
        let mut outcome = replicas_gen::run(plan, &Backend::Postgres(url), command).await;
        // The replicas are stopped and waited for; let the server reap their backends.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (self_after, children_after) = cpu_secs("self");
        let pg = match (pg_before, pm.as_deref().map(postgres_cpu)) {
            (Some(a), Some(b)) => b - a,
            _ => f64::NAN,
        };
        let per_event = |secs: f64| secs * 1e6 / outcome.sent as f64;
        let (sender, receivers, server) = (
            per_event(self_after - self_before),
            per_event(children_after - children_before),
            per_event(pg),
        );
        let total = sender + receivers + server;
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
            "  {label} CPU µs/event: {total:.1} (sender {sender:.1}, receivers {receivers:.1}, postgres {server:.1})"
        );
        println!(
            "  {label} CPU-bound rate on 2 idle cores: {:.0} events/s",
            2e6 / total
        );
        println!(
            "  {label} not exactly once: {lost}; forged accepted: {}",
            outcome.forged_accepted
        );
    }
}

/// 20,000 claims and completions of new ids by 64 concurrent requests (the
/// store commits what arrives together in one transaction), then 1,000
/// look-ups of ids spread over the `stored` ones (each reads as done).
async fn work(store: &Arc<SqliteStore>, prefix: &str, stored: usize) {
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..64 {
        let (store, prefix) = (Arc::clone(store), prefix.to_owned());
        tasks.spawn(async move {
            for i in (t..20_000).step_by(64) {
                let id = format!("{prefix}{i}");
                assert_eq!(store.claim(&id).await.unwrap(), Claim::New);
                store.complete(&id).await.unwrap();
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap();
    }
    for i in (0..stored).step_by((stored / 1000).max(1)) {
        assert_eq!(
            store.claim(&format!("{i:032x}")).await.unwrap(),
            Claim::Done
        );
    }
}

/// Stores the ids `from..to` (32 hex digits each) as done, 100,000 per transaction.
async fn fill(store: &SqliteStore, from: usize, to: usize) {
    let chunk = 100_000;
    let mut n = from;
    while n < to {
        let batch: Vec<String> = (n..(n + chunk).min(to))
            .map(|i| format!("{i:032x}"))
            .collect();
        n += batch.len();
        store.import_done(batch).await.unwrap();
    }
}

/// Set in the child process that measures the store's RSS: `STORED:PATH`.
const RSS_CHILD: &str = "STORES_BENCH_RSS_CHILD";

/// The measuring child: opens the store at PATH (holding STORED ids), serves
/// [`work`], prints its RSS, and exits.
fn rss_child_if_asked(rt: &tokio::runtime::Runtime) {
    let Ok(arg) = std::env::var(RSS_CHILD) else {
        return;
    };
    let (stored, path) = arg.split_once(':').unwrap();
    let stored: usize = stored.parse().unwrap();
    rt.block_on(async {
        let store = Arc::new(SqliteStore::open(path).await.unwrap());
        work(&store, &format!("child{stored}-"), stored).await;
    });
    println!("RSS_KIB {}", test_support::measure::rss_kb());
    std::process::exit(0);
}

/// The RSS (MiB) of a fresh process that opens the store holding `stored`
/// ids and serves [`work`]: the store's memory in normal operation, without
/// what filling it cost this process.
fn rss_in_child(path: &std::path::Path, stored: usize) -> f64 {
    let out = Command::new(std::env::current_exe().unwrap())
        .env(RSS_CHILD, format!("{stored}:{}", path.display()))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let kib: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("RSS_KIB "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("the RSS child failed: {text}"));
    kib / 1024.0
}

async fn sqlite_rss(ids: usize) {
    let dir =
        tempfile::tempdir_in(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
            .unwrap();
    let path = dir.path().join("dedup.sqlite");
    let store = SqliteStore::open(&path).await.unwrap();
    let before = tokio::task::block_in_place(|| rss_in_child(&path, 0));
    let t = Instant::now();
    fill(&store, 0, ids / 10).await;
    let tenth = tokio::task::block_in_place(|| rss_in_child(&path, ids / 10));
    fill(&store, ids / 10, ids).await;
    let filled = t.elapsed();
    let after = tokio::task::block_in_place(|| rss_in_child(&path, ids));
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "sqlite store: {ids} ids imported in {filled:.2?}, file {} MiB; RSS of a process that opens it and serves 20,000 claims + completions and 1,000 look-ups",
        size >> 20
    );
    println!(
        "  sqlite RSS before: {before:.1} MiB, after {} ids: {tenth:.1} MiB, after {ids} ids: {after:.1} MiB",
        ids / 10
    );
}
