//! Load test: 50,000 signed events, some duplicated, plus forged ones, over
//! concurrent connections. Every acknowledged event reaches the handler
//! exactly once, and every forged one is refused.

#[path = "load_gen.rs"]
mod load_gen;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_thousand_events_exactly_once() {
    let mut report = load_gen::run_load(50_000, 5_000, 1_000, 32).await;
    assert_eq!(report.sent, 56_000);
    assert_eq!(report.forged_accepted, 0, "a forged delivery was accepted");
    assert_eq!(report.forged_refused, 1_000);
    // Every acknowledged id (duplicates included) was handled exactly once.
    for id in &report.acknowledged {
        assert_eq!(report.handled.get(id), Some(&1), "{id}");
    }
    assert_eq!(report.acknowledged.len(), 55_000);
    assert_eq!(report.handled.len(), 50_000);
    assert!(report.handled.values().all(|&n| n == 1));
    let p99 = report.p99();
    eprintln!(
        "{} requests in {:?}, p99 {:?}",
        report.sent, report.elapsed, p99
    );
}
