//! `webhook serve --store`: which de-duplication store the receiver uses.
//!
//! * `sqlite:PATH`: a SQLite database file (created if missing).
//! * `postgres`: a PostgreSQL database shared by several receivers; the
//!   connection string (it may hold a password) comes from
//!   `FIRMADOC_WEBHOOK_STORE_URL`, or from the file (mode 0600) named by
//!   `FIRMADOC_WEBHOOK_STORE_URL_FILE`, never from the command line.
//! * `memory`: in memory, lost when the receiver stops (tests).
//!
//! Without `--store`: `postgres` when one of those variables is set, else
//! SQLite at `$XDG_DATA_HOME/firmadoc/webhook-dedup.sqlite` (or
//! `~/.local/share/firmadoc/…`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cli_support::{CliError, read_secret_file};
use firmadoc_client::webhook::{DedupStore, MemoryStore, PostgresStore, SqliteStore};

/// The connection string of `--store postgres`.
pub(crate) const STORE_URL: &str = "FIRMADOC_WEBHOOK_STORE_URL";
/// A file holding it (mode 0600).
pub(crate) const STORE_URL_FILE: &str = "FIRMADOC_WEBHOOK_STORE_URL_FILE";

/// What `--store` (or its default) names.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum StoreSpec {
    Sqlite(PathBuf),
    Postgres,
    Memory,
}

const HINT: &str = "write --store sqlite:PATH, --store postgres (with FIRMADOC_WEBHOOK_STORE_URL or FIRMADOC_WEBHOOK_STORE_URL_FILE) or --store memory";

/// Reads `--store`, or picks the default.
pub(crate) fn spec(
    flag: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<StoreSpec, CliError> {
    let Some(flag) = flag else {
        if env(STORE_URL).is_some() || env(STORE_URL_FILE).is_some() {
            return Ok(StoreSpec::Postgres);
        }
        return default_sqlite(env).map(StoreSpec::Sqlite);
    };
    if flag.starts_with("postgres://") || flag.starts_with("postgresql://") {
        return Err(CliError::usage(
            "a connection string on the command line is refused: it may hold a password, and the command line is visible to every user of the machine",
            format!(
                "put it in {STORE_URL} (or a file with mode 0600 named by {STORE_URL_FILE}) and write --store postgres"
            ),
        ));
    }
    match flag {
        "postgres" | "postgresql" => Ok(StoreSpec::Postgres),
        "memory" => Ok(StoreSpec::Memory),
        other => match other.strip_prefix("sqlite:") {
            Some(path) if !path.is_empty() => Ok(StoreSpec::Sqlite(PathBuf::from(path))),
            _ => Err(CliError::usage(
                format!("unknown webhook store `{other}`"),
                HINT,
            )),
        },
    }
}

fn default_sqlite(env: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf, CliError> {
    let data = env("XDG_DATA_HOME")
        .filter(|d| Path::new(d).is_absolute())
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| Path::new(&h).join(".local/share")))
        .ok_or_else(|| {
            CliError::usage(
                "no data directory for the webhook de-duplication store (neither XDG_DATA_HOME nor HOME is set)",
                HINT,
            )
        })?;
    Ok(data.join("firmadoc").join("webhook-dedup.sqlite"))
}

/// Opens the store `spec` names.
pub(crate) async fn open(
    spec: &StoreSpec,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Arc<dyn DedupStore>, CliError> {
    Ok(match spec {
        StoreSpec::Memory => Arc::new(MemoryStore::default()),
        StoreSpec::Sqlite(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    CliError::invalid_input(
                        format!("cannot create {} for the webhook store: {e}", dir.display()),
                        HINT,
                    )
                })?;
            }
            Arc::new(SqliteStore::open(path).await.map_err(|e| {
                CliError::invalid_input(e.to_string(), "give another file with --store sqlite:PATH")
            })?)
        }
        StoreSpec::Postgres => {
            let url = match (env(STORE_URL), env(STORE_URL_FILE)) {
                (Some(url), _) => url,
                (None, Some(file)) => read_secret_file(Path::new(&file), "webhook store URL")?
                    .expose()
                    .trim()
                    .to_owned(),
                (None, None) => {
                    return Err(CliError::usage(
                        "--store postgres needs a connection string",
                        format!(
                            "set {STORE_URL}, or {STORE_URL_FILE} to a file with mode 0600 that holds it"
                        ),
                    ));
                }
            };
            Arc::new(PostgresStore::connect(&url).await.map_err(|e| {
                CliError::new(
                    cli_support::ExitStatus::Network,
                    e.to_string(),
                    "check that the database is up and the connection string is right",
                )
            })?)
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn store_flag_and_defaults() {
        let none = env_of(&[("HOME", "/home/u")]);
        assert_eq!(
            spec(None, &none).unwrap(),
            StoreSpec::Sqlite(PathBuf::from(
                "/home/u/.local/share/firmadoc/webhook-dedup.sqlite"
            ))
        );
        let xdg = env_of(&[("HOME", "/home/u"), ("XDG_DATA_HOME", "/data")]);
        assert_eq!(
            spec(None, &xdg).unwrap(),
            StoreSpec::Sqlite(PathBuf::from("/data/firmadoc/webhook-dedup.sqlite"))
        );
        let pg = env_of(&[("FIRMADOC_WEBHOOK_STORE_URL", "postgres://u:pw@h/db")]);
        assert_eq!(spec(None, &pg).unwrap(), StoreSpec::Postgres);
        assert_eq!(
            spec(Some("sqlite:/tmp/x.db"), &none).unwrap(),
            StoreSpec::Sqlite(PathBuf::from("/tmp/x.db"))
        );
        assert_eq!(spec(Some("memory"), &none).unwrap(), StoreSpec::Memory);
        assert_eq!(spec(Some("postgres"), &none).unwrap(), StoreSpec::Postgres);
        let err = spec(Some("postgres://u:hunter2@h/db"), &none).unwrap_err();
        let text = format!("{err:?}");
        assert!(text.contains(STORE_URL), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(spec(Some("sqlite:"), &none).is_err());
        assert!(spec(Some("redis://x"), &none).is_err());
        assert!(spec(None, &env_of(&[])).is_err());
    }
}
