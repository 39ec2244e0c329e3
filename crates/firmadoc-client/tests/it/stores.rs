//! The PostgreSQL store on a real server: the protocol, two replicas racing
//! for the same ids, leases taken over, retention, and what it refuses.

use std::sync::Arc;
use std::time::Duration;

use firmadoc_client::webhook::{Claim, DedupStore, PostgresStore, StoreError, StoreOptions};

use crate::pg::fresh_database;

fn options() -> StoreOptions {
    StoreOptions::default()
        .lease(Duration::from_millis(1500))
        .retention(Duration::from_secs(3600))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_protocol_leases_and_retention() {
    let Some(db) = fresh_database().await else {
        return;
    };
    // Two replicas; the table is created by whichever connects first.
    let (a, b) = tokio::join!(
        PostgresStore::connect_with(&db.url, options(), 2),
        PostgresStore::connect_with(&db.url, options(), 2)
    );
    let (a, b) = (a.unwrap(), b.unwrap());

    assert_eq!(a.claim("e1").await.unwrap(), Claim::New);
    assert_eq!(b.claim("e1").await.unwrap(), Claim::InProgress);
    assert_eq!(a.claim("e1").await.unwrap(), Claim::InProgress);
    a.complete("e1").await.unwrap();
    assert_eq!(b.claim("e1").await.unwrap(), Claim::Done);
    b.release("e1").await.unwrap(); // a done id stays done
    assert_eq!(a.claim("e1").await.unwrap(), Claim::Done);

    // A release gives the id back, but only its owner's release does.
    assert_eq!(a.claim("e2").await.unwrap(), Claim::New);
    b.release("e2").await.unwrap();
    assert_eq!(b.claim("e2").await.unwrap(), Claim::InProgress);
    a.release("e2").await.unwrap();
    assert_eq!(b.claim("e2").await.unwrap(), Claim::New);

    // A replica that died holding a claim: the claim lapses with its lease.
    assert_eq!(a.claim("e3").await.unwrap(), Claim::New);
    drop(a);
    assert_eq!(b.claim("e3").await.unwrap(), Claim::InProgress);
    tokio::time::sleep(Duration::from_millis(1700)).await;
    assert_eq!(b.claim("e3").await.unwrap(), Claim::New);
    b.complete("e3").await.unwrap();

    // Retention: ids older than it are pruned, younger ones kept.
    let short =
        PostgresStore::connect_with(&db.url, options().retention(Duration::from_secs(1)), 1)
            .await
            .unwrap();
    // e1 (done) and e2 (a claim) are over 1 s old; e3 was completed just now.
    assert_eq!(short.prune().await.unwrap(), 2);
    assert_eq!(b.claim("e3").await.unwrap(), Claim::Done);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(short.prune().await.unwrap(), 1);
    assert_eq!(short.claim("young").await.unwrap(), Claim::New);
    short.complete("young").await.unwrap();
    assert_eq!(b.claim("e1").await.unwrap(), Claim::New);
    assert_eq!(b.claim("young").await.unwrap(), Claim::Done);
}

/// Two replicas with the default connections claim the same 200 ids at once: each
/// id is won exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_concurrent_claims_have_one_winner() {
    let Some(db) = fresh_database().await else {
        return;
    };
    let a: Arc<dyn DedupStore> = Arc::new(PostgresStore::connect(&db.url).await.unwrap());
    let b: Arc<dyn DedupStore> = Arc::new(PostgresStore::connect(&db.url).await.unwrap());
    let mut set = tokio::task::JoinSet::new();
    for i in 0..200 {
        for store in [&a, &b, &a, &b] {
            let store = Arc::clone(store);
            set.spawn(async move { (i, store.claim(&format!("id{i}")).await.unwrap()) });
        }
    }
    let mut wins = vec![0; 200];
    while let Some(r) = set.join_next().await {
        let (i, claim) = r.unwrap();
        assert_ne!(claim, Claim::Done);
        wins[i] += usize::from(claim == Claim::New);
    }
    assert!(wins.iter().all(|&w| w == 1), "{wins:?}");
}

#[tokio::test]
async fn postgres_store_refusals_keep_the_password_secret() {
    let err = PostgresStore::connect("postgres://u:hunter2secret@127.0.0.1:1/db?sslmode=require")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Config(_)), "{err}");
    assert!(err.to_string().contains("sslmode=require"), "{err}");
    assert!(!err.to_string().contains("hunter2secret"));
    // Nothing listens on port 1: a typed error that does not repeat the URL.
    let err = PostgresStore::connect("postgres://u:hunter2secret@127.0.0.1:1/db")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Postgres(_)), "{err}");
    assert!(!format!("{err} {err:?}").contains("hunter2secret"));
    let err = PostgresStore::connect("postgres://u@127.0.0.1:notaport/db")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Config(_)), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_debug_is_redacted() {
    let Some(db) = fresh_database().await else {
        return;
    };
    let store = PostgresStore::connect(&db.url).await.unwrap();
    let shown = format!("{store:?}");
    assert!(shown.contains("[redacted]"), "{shown}");
    assert!(!shown.contains("127.0.0.1"), "{shown}");
}

/// A store on `db` and the handler's own connection to the same database.
async fn store_and_handler_client(
    db: &crate::pg::Database,
    options: StoreOptions,
) -> (PostgresStore, tokio_postgres::Client) {
    let store = PostgresStore::connect_with(&db.url, options, 2)
        .await
        .unwrap();
    let (client, conn) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    (store, client)
}

/// A handler that commits its rows and the completions of several events in
/// one transaction; a batch holding an id already done (a handler that
/// outlived its lease) is refused, so its rows are rolled back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_complete_all_in_commits_once_with_the_handler() {
    let Some(db) = fresh_database().await else {
        return;
    };
    let (store, mut client) = store_and_handler_client(&db, options()).await;
    client
        .batch_execute("CREATE TABLE handled (id text NOT NULL)")
        .await
        .unwrap();
    let insert = "INSERT INTO handled SELECT unnest($1::text[])";
    for id in ["a", "b", "c"] {
        assert_eq!(store.claim(id).await.unwrap(), Claim::New);
    }
    let tx = client.transaction().await.unwrap();
    tx.execute(insert, &[&vec!["a", "b"]]).await.unwrap();
    store.complete_all_in(&tx, &["b", "a", "a"]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.claim("a").await.unwrap(), Claim::Done);
    assert_eq!(store.claim("b").await.unwrap(), Claim::Done);

    let tx = client.transaction().await.unwrap();
    tx.execute(insert, &[&vec!["b", "c"]]).await.unwrap();
    let err = store.complete_all_in(&tx, &["c", "b"]).await.unwrap_err();
    assert!(matches!(err, StoreError::AlreadyDone(1)), "{err}");
    assert!(
        err.to_string().contains("roll the transaction back"),
        "{err}"
    );
    drop(tx); // rolled back: "c" is still only claimed
    assert_eq!(store.claim("c").await.unwrap(), Claim::InProgress);
    let rows: i64 = client
        .query_one("SELECT count(*) FROM handled", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 2);
    // The receiver's own completion after complete_in is skipped (see below).
    store.complete("a").await.unwrap();
    assert_eq!(store.claim("a").await.unwrap(), Claim::Done);
}

/// After `complete_in` the receiver's own completion of the same id sends no
/// statement: seen through a transaction that rolls back (a handler that
/// returns `Ok` although its writes were undone), whose claim must stay in
/// progress and lapse, not be marked done without them. A release after
/// `complete_in` still frees the rolled-back claim.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_completion_after_complete_in_is_skipped() {
    let Some(db) = fresh_database().await else {
        return;
    };
    let options = options().lease(Duration::from_secs(60));
    let (store, mut client) = store_and_handler_client(&db, options).await;
    for id in ["x", "y", "z"] {
        assert_eq!(store.claim(id).await.unwrap(), Claim::New);
    }
    let tx = client.transaction().await.unwrap();
    store.complete_in(&tx, "x").await.unwrap();
    store.complete_all_in(&tx, &["y"]).await.unwrap();
    drop(tx); // rolled back
    store.complete("x").await.unwrap();
    assert_eq!(store.claim("x").await.unwrap(), Claim::InProgress);
    store.release("y").await.unwrap();
    assert_eq!(store.claim("y").await.unwrap(), Claim::New);
    // Only once: a second completion of the same id goes to the database.
    store.complete("x").await.unwrap();
    assert_eq!(store.claim("x").await.unwrap(), Claim::Done);
    // An id never completed in a transaction is completed as usual.
    store.complete("z").await.unwrap();
    assert_eq!(store.claim("z").await.unwrap(), Claim::Done);
}
