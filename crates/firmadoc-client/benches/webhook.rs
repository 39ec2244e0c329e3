//! Webhook receiver throughput: verified events per second and p99 latency,
//! driven over loopback by the load generator of the tests.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    unreachable_pub
)]

#[path = "../tests/it/delivery.rs"]
mod delivery;
#[path = "../tests/it/load_gen.rs"]
mod load_gen;

fn main() {
    let events: usize = std::env::var("WEBHOOK_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut report = rt.block_on(load_gen::run_load(events, events / 10, events / 50, 32));
    let lost = report
        .acknowledged
        .iter()
        .filter(|id| report.handled.get(*id) != Some(&1))
        .count();
    let rate = report.sent as f64 / report.elapsed.as_secs_f64();
    let p99 = report.p99();
    println!(
        "webhook receiver: {} requests in {:.2?}",
        report.sent, report.elapsed
    );
    println!("  verified events/s: {rate:.0} (target >= 20000)");
    println!("  p99 latency: {p99:.2?}");
    println!(
        "  lost acknowledged events: {lost} (target 0); forged accepted: {}",
        report.forged_accepted
    );
}
