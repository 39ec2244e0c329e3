//! A PostgreSQL database for a test: a fresh database on the server that
//! `cargo xtask ci` started (`FIRMADOC_TEST_POSTGRES_URL`), or on a throw-away
//! cluster this test starts itself (`test-postgres`). Where PostgreSQL is not
//! installed the test fails with a hint, unless `FIRMADOC_TEST_POSTGRES=skip`
//! asks to skip it (printed). No mock stands in.

use std::path::Path;

/// Keeps the server (when the test started its own) until dropped.
pub(crate) struct Database {
    pub(crate) url: String,
    _server: test_postgres::Postgres,
}

/// A new, empty database, or `None` when skipped explicitly.
pub(crate) async fn fresh_database() -> Option<Database> {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let server = match test_postgres::from_env_or_start(&target.join("postgres")) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let base = server.url()?.to_owned();
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let name = format!("t_{}_{n}", std::process::id());
    let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL: {e}"));
    let task = tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    drop(client);
    let _ = task.await;
    Some(Database {
        url: with_database(&base, &name),
        _server: server,
    })
}

/// `base` (a `postgres://…/db?…` URL) with another database name.
fn with_database(base: &str, name: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (base, String::new()),
    };
    let authority_end = head.find("://").map_or(0, |i| {
        i + 3 + head[i + 3..].find('/').unwrap_or(head.len() - i - 3)
    });
    format!("{}/{name}{query}", &head[..authority_end])
}

#[test]
fn database_name_is_replaced() {
    assert_eq!(
        with_database("postgres://u@127.0.0.1:5/postgres", "t1"),
        "postgres://u@127.0.0.1:5/t1"
    );
    assert_eq!(
        with_database("postgres://u@h:5?sslmode=disable", "t1"),
        "postgres://u@h:5/t1?sslmode=disable"
    );
}
