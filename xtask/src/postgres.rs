//! The throw-away PostgreSQL of `cargo xtask ci` and `cargo xtask bench`:
//! Debian's `postgresql` installed with apt-get when missing, one cluster
//! started under `target/xtask-postgres/` on a loopback port (as the
//! `postgres` user when we are root), its URL exported to the tests as
//! `FIRMADOC_TEST_POSTGRES_URL`, and stopped when the guard is dropped: at the
//! end, and also when a step fails (`?` drops it on the way out).
//!
//! The cluster itself is `test-postgres` (the same code the tests use when
//! run without xtask).

use std::process::Command;

use crate::Result;
use crate::workspace::{root, run};

/// A running cluster; dropping it stops the server and removes its directory.
#[derive(Debug)]
pub(crate) struct Postgres {
    cluster: test_postgres::Cluster,
}

impl Postgres {
    /// The server's URL (`postgres://postgres@127.0.0.1:PORT/postgres`).
    pub(crate) fn url(&self) -> &str {
        self.cluster.url()
    }

    /// Gives the tests run by `cmd` the server's URL.
    pub(crate) fn export(&self, cmd: &mut Command) {
        cmd.env(test_postgres::URL_VAR, self.url());
    }
}

/// Installs PostgreSQL if needed and starts a cluster.
pub(crate) fn start() -> Result<Postgres> {
    if test_postgres::bin_dir().is_none() {
        eprintln!("xtask: PostgreSQL is missing: installing Debian's postgresql");
        run(Command::new("apt-get").arg("update"))?;
        run(Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "postgresql"])
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    let cluster = test_postgres::Cluster::start(&root().join("target/xtask-postgres"))?;
    eprintln!("xtask: PostgreSQL up at {}", cluster.url());
    Ok(Postgres { cluster })
}
