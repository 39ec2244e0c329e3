//! Load and fault: receiver replicas in separate processes share one store;
//! 50,000 signed events + 5,000 duplicates + 1,000 forgeries spread across
//! them at random; one replica killed with SIGKILL mid-way.

use std::process::Command;
use std::time::Duration;

#[path = "replicas_gen.rs"]
mod replicas_gen;

use replicas_gen::{Backend, Outcome, Plan};

/// The replica process: `examples/webhook_replica.rs`, which `cargo test`
/// builds beside this test binary (`target/<profile>/examples/`).
fn replica_command() -> Command {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let replica = profile_dir
        .join("examples")
        .join(format!("webhook_replica{}", std::env::consts::EXE_SUFFIX));
    assert!(
        replica.exists(),
        "{} is missing: `cargo test -p firmadoc-client` builds it (a run limited with --test does not); \
         run `cargo build -p firmadoc-client --example webhook_replica` first",
        replica.display()
    );
    Command::new(replica)
}

const PLAN: Plan = Plan {
    events: 50_000,
    duplicates: 5_000,
    forgeries: 1_000,
    replicas: 3,
    workers: 48,
    kill_after: Some(25_000),
    restart: false,
    lease: Duration::from_secs(2),
};

fn check(outcome: &mut Outcome, plan: Plan) {
    let p99 = outcome.p99();
    eprintln!(
        "{} deliveries, {} requests ({} retries) in {:?}, p99 {p99:?}; {} in flight at the kill",
        outcome.sent,
        outcome.requests,
        outcome.retried,
        outcome.elapsed,
        outcome.in_doubt.len()
    );
    assert!(outcome.killed, "the replica was never killed");
    assert_eq!(outcome.forged_accepted, 0, "a forgery was accepted");
    assert_eq!(outcome.forged_refused, plan.forgeries);
    // Every event, including every one whose delivery failed at the kill, was
    // retried until acknowledged.
    assert_eq!(outcome.acknowledged.len(), plan.events);
    // Each was handled exactly once across the replicas, those in flight at
    // the kill included (the handler's row and the completion commit together).
    let wrong = outcome.not_exactly_once(plan.events);
    assert!(wrong.is_empty(), "handled other than once: {wrong:?}");
    assert_eq!(
        outcome.handled.len(),
        plan.events,
        "an unknown id was handled"
    );
    assert!(
        !outcome.in_doubt.is_empty(),
        "no delivery was in flight at the kill"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_postgres_replicas_one_killed_exactly_once() {
    let Some(db) = crate::pg::fresh_database().await else {
        return;
    };
    let backend = Backend::Postgres(db.url.clone());
    let mut outcome = replicas_gen::run(PLAN, &backend, replica_command).await;
    check(&mut outcome, PLAN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_replica_killed_and_restarted_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let plan = Plan {
        replicas: 1,
        workers: 32,
        restart: true,
        ..PLAN
    };
    let backend = Backend::Sqlite(dir.path().to_path_buf());
    let mut outcome = replicas_gen::run(plan, &backend, replica_command).await;
    check(&mut outcome, plan);
}
