//! Further check 2: a webhook receiver killed while it handles an event, then restarted on
//! the same durable store (`SqliteStore`), loses no acknowledged event and handles none twice.
//! The claim the dead receiver held lapses with its lease (1 s here): the retry of that
//! event is answered 503 until then, and handled after.
//!
//! The receiver runs on its own runtime, and "killing" it shuts that runtime down: the serve
//! task, every connection task and the handler in flight are dropped at once, as when the
//! process dies. The restart opens the store file again, as a new process would.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use firmadoc_client::model::WebhookDelivery;
use firmadoc_client::webhook::{
    Claim, DedupStore, MemoryStore, Receiver, SqliteStore, StoreOptions, WebhookSecret,
};
use http_transport::http::{HeaderName, HeaderValue, header::CONTENT_TYPE};
use http_transport::{Request, RetryPolicy, Transport, TransportConfig};

use crate::support::within;

const SECRET: &str = "0123456789abcdef0123456789abcdef-fault-injection";
const BLOCKER: &str = "evt-6";

type Handled = Arc<Mutex<Vec<String>>>;

/// A receiver on its own runtime.
struct Running {
    url: String,
    runtime: tokio::runtime::Runtime,
}

impl Running {
    /// Starts a receiver with `store`; the handler records each event it finishes in
    /// `handled` (the user's own durable side), except `BLOCKER`, on which it never returns
    /// when `block` is set (it flags `blocked` first).
    fn start(
        store: Arc<dyn DedupStore>,
        handled: &Handled,
        block: Option<Arc<AtomicBool>>,
    ) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        std_listener.set_nonblocking(true).unwrap();
        let url = format!(
            "http://{}/api/webhooks/incoming/custom",
            std_listener.local_addr().unwrap()
        );
        let handled = Arc::clone(handled);
        let receiver = Receiver::new(
            WebhookSecret::new(SECRET).unwrap(),
            move |d: WebhookDelivery| {
                let handled = Arc::clone(&handled);
                let block = block.clone();
                async move {
                    if let Some(flag) = block.filter(|_| d.id == BLOCKER) {
                        flag.store(true, Ordering::SeqCst);
                        std::future::pending::<()>().await;
                    }
                    handled.lock().unwrap().push(d.id);
                    Ok(())
                }
            },
        )
        .store(store);
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
            receiver.serve(listener, std::future::pending::<()>()).await
        });
        Self { url, runtime }
    }

    /// Kills the receiver: every task of its runtime is dropped.
    fn kill(self) {
        self.runtime.shutdown_background();
    }
}

fn sender() -> Transport {
    Transport::new(
        TransportConfig::default()
            .allow_plain_http(true)
            .retry_policy(RetryPolicy::never()),
    )
    .unwrap()
}

/// Sends one signed delivery; `true` if it was acknowledged (2xx).
async fn deliver(transport: &Transport, url: &str, id: &str) -> bool {
    status(transport, url, id)
        .await
        .is_some_and(|s| (200..300).contains(&s))
}

/// Sends one delivery, as the sender does, until it is acknowledged: a 503 (the event is
/// in progress, here under the dead receiver's lease) is retried after 50 ms, and counted.
async fn deliver_retrying(transport: &Transport, url: &str, id: &str, busy: &AtomicUsize) -> bool {
    loop {
        match status(transport, url, id).await {
            Some(503) => {
                busy.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Some(s) => return (200..300).contains(&s),
            None => return false,
        }
    }
}

/// Sends one signed delivery; the status, or `None` without an answer.
async fn status(transport: &Transport, url: &str, id: &str) -> Option<u16> {
    let body = format!(
        r#"{{"Id":"{id}","Attempt":1,"Notifications":[{{"Action":"F","id":"XJH29","id2":0,"date":"23/11/2026 10:00:00","comment":""}}]}}"#
    );
    let signature = WebhookSecret::new(SECRET).unwrap().sign(body.as_bytes());
    let request = Request::post(url, "/api/webhooks/incoming/custom", body.into_bytes())
        .unwrap()
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header(
            HeaderName::from_static("ms-signature"),
            HeaderValue::from_str(&signature).unwrap(),
        );
    match transport.send(&request).await {
        Ok(r) => Some(r.status().as_u16()),
        Err(_) => None,
    }
}

/// Runs the kill-and-restart scenario with stores from `open`; returns how many times each
/// event was handled and the ids acknowledged before the kill.
async fn scenario<F: std::future::Future<Output = Arc<dyn DedupStore>>>(
    open: impl Fn() -> F,
) -> (HashMap<String, usize>, Vec<String>, usize) {
    let handled: Handled = Arc::default();
    let blocked = Arc::new(AtomicBool::new(false));
    let transport = sender();

    let first = Running::start(open().await, &handled, Some(Arc::clone(&blocked)));
    let mut acknowledged = Vec::new();
    for i in 1..=5 {
        let id = format!("evt-{i}");
        assert!(deliver(&transport, &first.url, &id).await, "{id} refused");
        acknowledged.push(id);
    }
    // evt-6 is in the handler when the receiver dies.
    let in_flight = {
        let (t, url) = (transport.clone(), first.url.clone());
        tokio::spawn(async move { deliver(&t, &url, BLOCKER).await })
    };
    while !blocked.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.kill();
    assert!(
        !in_flight.await.unwrap(),
        "an event in flight at the kill was acknowledged"
    );

    // The new process: the sender retries what was not acknowledged, redelivers what it
    // is unsure of (all of it), and sends a new event.
    let second = Running::start(open().await, &handled, None);
    let busy = AtomicUsize::new(0);
    for i in 1..=7 {
        let id = format!("evt-{i}");
        assert!(
            deliver_retrying(&transport, &second.url, &id, &busy).await,
            "{id} refused after restart"
        );
    }
    second.kill();

    let mut counts = HashMap::new();
    for id in handled.lock().unwrap().iter() {
        *counts.entry(id.clone()).or_insert(0) += 1;
    }
    (counts, acknowledged, busy.into_inner())
}

#[tokio::test]
async fn webhook_restart_with_sqlite_store_loses_nothing_and_handles_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("webhook-dedup.sqlite");
    let options = StoreOptions::default().lease(Duration::from_secs(1));
    let (counts, acknowledged, busy) = within(scenario(|| async {
        Arc::new(
            SqliteStore::open_with(&path, options, firmadoc_client::webhook::system_clock())
                .await
                .unwrap(),
        ) as Arc<dyn DedupStore>
    }))
    .await;
    for i in 1..=7 {
        let id = format!("evt-{i}");
        assert_eq!(counts.get(&id), Some(&1), "{id}: {counts:?}");
    }
    assert_eq!(counts.len(), 7);
    // The dead receiver's claim on evt-6 held until its lease expired.
    assert!(busy > 0, "the retry of {BLOCKER} was never told to wait");
    assert_store_reloads(&path, &acknowledged).await;
}

/// Every id, acknowledged ones first of all, reads as done from a fresh open of the file.
async fn assert_store_reloads(path: &Path, acknowledged: &[String]) {
    let store = SqliteStore::open(path).await.unwrap();
    assert_eq!(acknowledged.len(), 5);
    for i in 1..=7 {
        assert_eq!(store.claim(&format!("evt-{i}")).await.unwrap(), Claim::Done);
    }
}

/// The control: with the in-memory store, the same scenario handles the acknowledged
/// events a second time after the restart, which is what the file store prevents (and
/// shows the scenario can tell the difference).
#[tokio::test]
async fn webhook_restart_with_memory_store_control_handles_twice() {
    let (counts, acknowledged, _) = within(scenario(|| async {
        Arc::new(MemoryStore::default()) as Arc<dyn DedupStore>
    }))
    .await;
    for id in &acknowledged {
        assert_eq!(counts.get(id), Some(&2), "{id}: {counts:?}");
    }
    assert_eq!(counts.get(BLOCKER), Some(&1));
}
