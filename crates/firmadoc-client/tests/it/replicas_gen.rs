//! Receiver replicas in separate processes, sharing one de-duplication store,
//! and a sender that spreads signed events, duplicates and forgeries across
//! them at random, kills one with SIGKILL mid-way, and retries what was not
//! acknowledged. Shared by the tests (`replicas.rs`) and the benchmark
//! (`benches/replicas.rs` includes this file).
//!
//! A replica is `examples/webhook_replica.rs` (the tests start its binary,
//! which `cargo test` builds; the benchmark starts itself again, and its `main`
//! calls the example's `serve_if_asked`). Its handler writes one row per
//! handled event into a `handled` table in the store's database (PostgreSQL,
//! or the SQLite file), in the transaction that records the event done
//! (`complete_all_in`/`complete_in`); the counts are read from that table. A
//! replica exits when its standard input closes, so none outlives its parent.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::BufRead as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use firmadoc_client::webhook::WebhookSecret;
use http_body_util::{BodyExt, Full};

use crate::delivery;

/// The replica process (`examples/webhook_replica.rs`): its environment
/// variables and secret here, its entry point for the benchmark.
#[path = "../../examples/webhook_replica.rs"]
#[allow(dead_code)] // the tests start the example's binary and use only its names
pub(crate) mod webhook_replica;

use webhook_replica::{LEASE_MS, NAME, SECRET, STORE};

/// Where the store and the handler's `handled` table live.
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    /// One PostgreSQL database (URL) for the store and the table.
    Postgres(String),
    /// A directory: `dedup.sqlite` for the store and the table.
    Sqlite(PathBuf),
}

impl Backend {
    fn env_value(&self) -> String {
        match self {
            Self::Postgres(url) => url.clone(),
            Self::Sqlite(dir) => format!("sqlite:{}", dir.display()),
        }
    }
}

/// Creates the `handled` table the replicas' handler writes.
pub(crate) async fn prepare(backend: &Backend) {
    match backend {
        Backend::Postgres(url) => {
            pg_client(url)
                .await
                .batch_execute(
                    "CREATE TABLE IF NOT EXISTS handled (id text NOT NULL, replica text NOT NULL)",
                )
                .await
                .unwrap();
        }
        Backend::Sqlite(dir) => {
            rusqlite::Connection::open(dir.join("dedup.sqlite"))
                .unwrap()
                .execute_batch(
                    "PRAGMA journal_mode = WAL;
                     CREATE TABLE IF NOT EXISTS handled (id TEXT NOT NULL, replica TEXT NOT NULL)",
                )
                .unwrap();
        }
    }
}

/// A connection to the PostgreSQL database at `url`, driven on this runtime.
async fn pg_client(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
}

/// How many times each event was handled, from the `handled` table.
pub(crate) async fn handled_counts(backend: &Backend) -> HashMap<String, u32> {
    match backend {
        Backend::Postgres(url) => pg_client(url)
            .await
            .query("SELECT id, count(*)::int4 FROM handled GROUP BY id", &[])
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.get::<_, String>(0), r.get::<_, i32>(1).unsigned_abs()))
            .collect(),
        Backend::Sqlite(dir) => {
            let conn = rusqlite::Connection::open(dir.join("dedup.sqlite")).unwrap();
            let mut stmt = conn
                .prepare("SELECT id, count(*) FROM handled GROUP BY id")
                .unwrap();
            stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        }
    }
}

/// A running replica process.
pub(crate) struct Replica {
    child: Child,
    pub(crate) addr: SocketAddr,
}

impl Replica {
    /// Starts `command` as replica `name` on `backend`, and waits until it listens.
    pub(crate) fn start(
        mut command: Command,
        name: &str,
        backend: &Backend,
        lease: Duration,
    ) -> Self {
        command
            .env(NAME, name)
            .env(STORE, backend.env_value())
            .env(LEASE_MS, lease.as_millis().to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("replica {name} exited before listening"))
                .unwrap();
            if let Some(a) = line.strip_prefix("LISTENING ") {
                break a.parse().unwrap();
            }
        };
        // Keep draining its output so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self { child, addr }
    }

    /// SIGKILL: the process dies at once, whatever it was doing.
    pub(crate) fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Closes its standard input (it stops gracefully) and waits for it.
    pub(crate) fn stop(mut self) {
        drop(self.child.stdin.take());
        self.child.wait().unwrap();
    }
}

/// The run's shape.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub(crate) events: usize,
    pub(crate) duplicates: usize,
    pub(crate) forgeries: usize,
    pub(crate) replicas: usize,
    pub(crate) workers: usize,
    /// Kill replica 0 once this many deliveries were acknowledged.
    pub(crate) kill_after: Option<usize>,
    /// Start a new replica in the killed one's place.
    pub(crate) restart: bool,
    pub(crate) lease: Duration,
}

/// What happened.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) sent: usize,
    pub(crate) requests: usize,
    /// Ids whose delivery got a 2xx (at least once).
    pub(crate) acknowledged: HashSet<String>,
    /// Ids that were in flight to the killed replica when it died (no answer).
    pub(crate) in_doubt: HashSet<String>,
    pub(crate) retried: usize,
    pub(crate) forged_refused: usize,
    pub(crate) forged_accepted: usize,
    pub(crate) handled: HashMap<String, u32>,
    pub(crate) latencies: Vec<Duration>,
    pub(crate) elapsed: Duration,
    pub(crate) killed: bool,
}

impl Outcome {
    pub(crate) fn p99(&mut self) -> Duration {
        test_support::measure::p99(&mut self.latencies)
    }

    /// Genuine events handled other than exactly once.
    pub(crate) fn not_exactly_once(&self, events: usize) -> Vec<(String, u32)> {
        (0..events)
            .map(event_id)
            .filter_map(|id| {
                let n = self.handled.get(&id).copied().unwrap_or(0);
                (n != 1).then_some((id, n))
            })
            .collect()
    }
}

fn event_id(i: usize) -> String {
    format!("evt{i:08}")
}

#[derive(Clone)]
enum Work {
    Genuine(String),
    Forged(usize),
}

struct Shared {
    addrs: RwLock<Vec<Option<SocketAddr>>>,
    acked: AtomicUsize,
    killed: AtomicBool,
    doomed: RwLock<Option<SocketAddr>>,
}

/// Runs `plan` against replicas started with `command()` on `backend`.
pub(crate) async fn run(
    plan: Plan,
    backend: &Backend,
    command: impl Fn() -> Command + Send + Sync + 'static,
) -> Outcome {
    prepare(backend).await;
    let command = Arc::new(command);
    let mut replicas: Vec<Option<Replica>> = Vec::new();
    for i in 0..plan.replicas {
        let (c, b) = (Arc::clone(&command), backend.clone());
        let r = tokio::task::spawn_blocking(move || {
            Replica::start(c(), &format!("r{i}"), &b, plan.lease)
        })
        .await
        .unwrap();
        replicas.push(Some(r));
    }
    let shared = Arc::new(Shared {
        addrs: RwLock::new(
            replicas
                .iter()
                .map(|r| r.as_ref().map(|r| r.addr))
                .collect(),
        ),
        acked: AtomicUsize::new(0),
        killed: AtomicBool::new(false),
        doomed: RwLock::new(None),
    });

    let mut work: Vec<Work> = (0..plan.events)
        .map(|i| Work::Genuine(event_id(i)))
        .collect();
    let step = (plan.events / plan.duplicates.max(1)).max(1);
    for j in 0..plan.duplicates {
        work.push(Work::Genuine(event_id((j * step) % plan.events.max(1))));
    }
    work.extend((0..plan.forgeries).map(Work::Forged));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in (1..work.len()).rev() {
        work.swap(i, rng.below(i + 1));
    }
    let sent = work.len();
    let queue = Arc::new(Mutex::new(VecDeque::from(work)));

    let started = Instant::now();
    // The killer: SIGKILL replica 0 once enough was acknowledged, maybe restart it.
    let killer = {
        let shared = Arc::clone(&shared);
        let victim = replicas[0].take();
        let (command, backend) = (Arc::clone(&command), backend.clone());
        tokio::spawn(async move {
            let Some(after) = plan.kill_after else {
                return victim;
            };
            let victim = victim?;
            while shared.acked.load(Ordering::SeqCst) < after {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            *shared.doomed.write().unwrap() = Some(victim.addr);
            shared.killed.store(true, Ordering::SeqCst);
            victim.kill();
            shared.addrs.write().unwrap()[0] = None;
            if plan.restart {
                let r = tokio::task::spawn_blocking(move || {
                    Replica::start(command(), "r0-restarted", &backend, plan.lease)
                })
                .await
                .unwrap();
                shared.addrs.write().unwrap()[0] = Some(r.addr);
                return Some(r);
            }
            None
        })
    };

    let mut tasks = Vec::new();
    for w in 0..plan.workers {
        let (queue, shared) = (Arc::clone(&queue), Arc::clone(&shared));
        tasks.push(tokio::spawn(worker(queue, shared, w as u64)));
    }
    let mut outcome = Outcome {
        sent,
        ..Outcome::default()
    };
    for t in tasks {
        let r = t.await.unwrap();
        outcome.requests += r.requests;
        outcome.acknowledged.extend(r.acked);
        outcome.in_doubt.extend(r.in_doubt);
        outcome.retried += r.retried;
        outcome.forged_refused += r.forged_refused;
        outcome.forged_accepted += r.forged_accepted;
        outcome.latencies.extend(r.latencies);
    }
    outcome.elapsed = started.elapsed();
    outcome.killed = shared.killed.load(Ordering::SeqCst);
    if let Some(r) = killer.await.unwrap() {
        replicas[0] = Some(r);
    }
    for r in replicas.into_iter().flatten() {
        tokio::task::spawn_blocking(move || r.stop()).await.unwrap();
    }
    outcome.handled = handled_counts(backend).await;
    outcome
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[derive(Default)]
struct WorkerResult {
    requests: usize,
    acked: Vec<String>,
    in_doubt: Vec<String>,
    retried: usize,
    forged_refused: usize,
    forged_accepted: usize,
    latencies: Vec<Duration>,
}

type Conn = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr) -> Option<Conn> {
    let stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    let (sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .ok()?;
    tokio::spawn(conn);
    Some(sender)
}

/// One sender connection per replica; each item is delivered until it gets a
/// final answer, to a replica picked at random for every attempt.
async fn worker(queue: Arc<Mutex<VecDeque<Work>>>, shared: Arc<Shared>, seed: u64) -> WorkerResult {
    let secret = WebhookSecret::new(SECRET).unwrap();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D ^ (seed + 1).wrapping_mul(0x9E37_79B9));
    let mut conns: HashMap<SocketAddr, Conn> = HashMap::new();
    let mut out = WorkerResult::default();
    loop {
        let Some(item) = queue.lock().unwrap().pop_back() else {
            break;
        };
        let (id, forged) = match &item {
            Work::Genuine(id) => (id.clone(), false),
            Work::Forged(n) => (format!("forged{n}"), true),
        };
        let body = delivery::body(&id);
        let signature = if forged {
            secret.sign(b"another body")
        } else {
            secret.sign(body.as_bytes())
        };
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if attempt > 1 {
                out.retried += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            assert!(attempt < 2_000, "{id} was never acknowledged");
            let live: Vec<SocketAddr> = shared
                .addrs
                .read()
                .unwrap()
                .iter()
                .flatten()
                .copied()
                .collect();
            if live.is_empty() {
                continue;
            }
            let addr = live[rng.below(live.len())];
            let usable = match conns.get_mut(&addr) {
                Some(s) => s.ready().await.is_ok(),
                None => false,
            };
            if !usable {
                conns.remove(&addr);
                let Some(s) = connect(addr).await else {
                    continue;
                };
                conns.insert(addr, s);
            }
            let Some(sender) = conns.get_mut(&addr) else {
                continue;
            };
            let req = delivery::request(&body, &signature);
            let t0 = Instant::now();
            out.requests += 1;
            let status = match sender.send_request(req).await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    match resp.into_body().collect().await {
                        Ok(_) => Some(status),
                        Err(_) => None,
                    }
                }
                Err(_) => None,
            };
            out.latencies.push(t0.elapsed());
            let Some(status) = status else {
                // No answer: the replica died with it in flight. Retry elsewhere.
                conns.remove(&addr);
                if !forged && *shared.doomed.read().unwrap() == Some(addr) {
                    out.in_doubt.push(id.clone());
                }
                continue;
            };
            match (status, forged) {
                (200..=299, false) => {
                    shared.acked.fetch_add(1, Ordering::SeqCst);
                    out.acked.push(id.clone());
                }
                (400, true) => out.forged_refused += 1,
                (_, true) => out.forged_accepted += 1,
                (500 | 503, false) => continue,
                (s, false) => panic!("genuine delivery {id} got {s}"),
            }
            break;
        }
    }
    out
}
