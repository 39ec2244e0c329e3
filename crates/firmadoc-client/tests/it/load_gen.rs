//! A load generator for the webhook receiver, shared by the load test and
//! the benchmark (`benches/webhook.rs` includes this file).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use firmadoc_client::model::WebhookDelivery;
use firmadoc_client::webhook::{Receiver, WebhookSecret};
use http_body_util::BodyExt;

use crate::delivery;

/// What happened.
#[derive(Debug, Default)]
pub(crate) struct LoadReport {
    pub(crate) sent: usize,
    pub(crate) acknowledged: Vec<String>,
    pub(crate) forged_refused: usize,
    pub(crate) forged_accepted: usize,
    pub(crate) handled: HashMap<String, usize>,
    pub(crate) latencies: Vec<Duration>,
    pub(crate) elapsed: Duration,
}

impl LoadReport {
    pub(crate) fn p99(&mut self) -> Duration {
        test_support::measure::p99(&mut self.latencies)
    }
}

enum Kind {
    Genuine(String),
    Forged,
}

/// Sends `events` distinct signed deliveries, `duplicates` re-sends of some
/// of them and `forged` deliveries with a bad signature, over `connections`
/// concurrent keep-alive connections. A 503 (delivery in progress) is
/// retried, as the sender does.
pub(crate) async fn run_load(
    events: usize,
    duplicates: usize,
    forged: usize,
    connections: usize,
) -> LoadReport {
    let secret = WebhookSecret::new("0123456789abcdef0123456789abcdef-load").unwrap();
    let handled: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let h2 = Arc::clone(&handled);
    let receiver = Receiver::new(secret.clone(), move |d: WebhookDelivery| {
        *h2.lock().unwrap().entry(d.id).or_insert(0) += 1;
        async { Ok(()) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(receiver.serve(listener, async move {
        let _ = stop_rx.await;
    }));

    // The work list: genuine events, duplicates of every k-th one, forged ones, interleaved.
    let mut work: Vec<Kind> = (0..events)
        .map(|i| Kind::Genuine(format!("evt{i:08}")))
        .collect();
    let step = (events / duplicates.max(1)).max(1);
    for j in 0..duplicates {
        work.push(Kind::Genuine(format!(
            "evt{:08}",
            (j * step) % events.max(1)
        )));
    }
    for _ in 0..forged {
        work.push(Kind::Forged);
    }
    // Deterministic shuffle.
    let mut seed = 0x2545_F491_4F6C_DD1D_u64;
    for i in (1..work.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        work.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    let sent = work.len();
    let work = Arc::new(Mutex::new(work));

    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let work = Arc::clone(&work);
        let secret = secret.clone();
        tasks.push(tokio::spawn(
            async move { connection(addr, work, secret).await },
        ));
    }
    let mut report = LoadReport {
        sent,
        ..LoadReport::default()
    };
    for t in tasks {
        let (acked, refused, accepted, lat) = t.await.unwrap();
        report.acknowledged.extend(acked);
        report.forged_refused += refused;
        report.forged_accepted += accepted;
        report.latencies.extend(lat);
    }
    report.elapsed = started.elapsed();
    stop_tx.send(()).unwrap();
    server.await.unwrap().unwrap();
    report.handled = handled.lock().unwrap().clone();
    report
}

type ConnResult = (Vec<String>, usize, usize, Vec<Duration>);

async fn connection(
    addr: SocketAddr,
    work: Arc<Mutex<Vec<Kind>>>,
    secret: WebhookSecret,
) -> ConnResult {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let mut out: ConnResult = (Vec::new(), 0, 0, Vec::new());
    loop {
        let Some(item) = work.lock().unwrap().pop() else {
            break;
        };
        let (id, forged) = match item {
            Kind::Genuine(id) => (id, false),
            Kind::Forged => ("forged".to_owned(), true),
        };
        let body = delivery::body(&id);
        let signature = if forged {
            "sha256=00112233".to_owned()
        } else {
            secret.sign(body.as_bytes())
        };
        loop {
            let req = delivery::request(&body, &signature);
            sender.ready().await.unwrap();
            let t0 = Instant::now();
            let resp = sender.send_request(req).await.unwrap();
            let status = resp.status();
            let _ = resp.into_body().collect().await.unwrap();
            out.3.push(t0.elapsed());
            match (status.as_u16(), forged) {
                (503, false) => {
                    tokio::task::yield_now().await;
                    continue;
                }
                (200, false) => out.0.push(id.clone()),
                (400, true) => out.1 += 1,
                (_, true) => out.2 += 1,
                (s, false) => panic!("genuine delivery {id} got {s}"),
            }
            break;
        }
    }
    out
}
