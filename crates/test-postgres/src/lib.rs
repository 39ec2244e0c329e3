#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

/// The variable that gives the tests a running server's URL (set by `cargo xtask ci`).
pub const URL_VAR: &str = "FIRMADOC_TEST_POSTGRES_URL";
/// Set to `skip` to skip the PostgreSQL tests explicitly where none is installed.
pub const SKIP_VAR: &str = "FIRMADOC_TEST_POSTGRES";

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No PostgreSQL server programs were found.
    #[error(
        "PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin, pg_config --bindir or PATH): \
         run `apt-get install postgresql`, or `cargo xtask ci` (which installs it), or set {URL_VAR} to a server's URL; \
         {SKIP_VAR}=skip skips the PostgreSQL tests explicitly"
    )]
    NotInstalled,
    /// A file or command failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A PostgreSQL program exited with an error.
    #[error("`{command}` failed: {output}")]
    Command {
        /// The command.
        command: String,
        /// Its standard error and output (and the server log, for a start).
        output: String,
    },
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
    let what = what.into();
    move |source| Error::Io { what, source }
}

/// Where a test's PostgreSQL comes from.
#[derive(Debug)]
pub enum Postgres {
    /// A server given by [`URL_VAR`].
    Url(String),
    /// A cluster this process started (stopped when dropped).
    Own(Cluster),
    /// Skipped explicitly with `FIRMADOC_TEST_POSTGRES=skip`.
    Skipped,
}

impl Postgres {
    /// The server's URL, or `None` when skipped.
    #[must_use]
    pub fn url(&self) -> Option<&str> {
        match self {
            Self::Url(u) => Some(u),
            Self::Own(c) => Some(c.url()),
            Self::Skipped => None,
        }
    }
}

/// The server at [`URL_VAR`] if set; else a cluster started under `parent`;
/// else, where PostgreSQL is not installed, [`Postgres::Skipped`] if
/// `FIRMADOC_TEST_POSTGRES=skip`, or [`Error::NotInstalled`].
///
/// # Errors
/// PostgreSQL is missing (and no skip was asked), or the cluster does not start.
pub fn from_env_or_start(parent: &Path) -> Result<Postgres, Error> {
    if let Some(url) = std::env::var(URL_VAR).ok().filter(|u| !u.is_empty()) {
        return Ok(Postgres::Url(url));
    }
    match Cluster::start(parent) {
        Err(Error::NotInstalled)
            if std::env::var(SKIP_VAR).is_ok_and(|v| v.eq_ignore_ascii_case("skip")) =>
        {
            eprintln!("test-postgres: SKIPPED (PostgreSQL not installed and {SKIP_VAR}=skip)");
            Ok(Postgres::Skipped)
        }
        other => other.map(Postgres::Own),
    }
}

/// The directory of `initdb`, `pg_ctl` and `postgres`: the newest
/// `/usr/lib/postgresql/N/bin`, else `pg_config --bindir`, else the one on `PATH`.
#[must_use]
pub fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((n, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let from = |cmd: &mut Command| {
        cmd.output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
    };
    if let Some(dir) =
        from(Command::new("pg_config").arg("--bindir")).filter(|d| d.join("initdb").exists())
    {
        return Some(dir);
    }
    from(Command::new("sh").args(["-c", "command -v initdb"]))
        .and_then(|p| p.parent().map(Path::to_path_buf))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn id_of(flag: &str) -> Result<u32, Error> {
    let out = Command::new("id")
        .args([flag, "postgres"])
        .output()
        .map_err(io("cannot run `id`"))?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| Error::Command {
            command: format!("id {flag} postgres"),
            output: "no `postgres` user: the postgresql package creates it; reinstall it".into(),
        })
}

/// A running throw-away cluster; dropping it stops the server and removes its directory.
#[derive(Debug)]
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    url: String,
    as_postgres: bool,
    running: bool,
}

impl Cluster {
    /// Starts a new cluster in a new directory under `parent` (created if
    /// needed), on a free loopback port, with `trust` authentication for the
    /// `postgres` superuser.
    ///
    /// # Errors
    /// PostgreSQL is not installed, the directory cannot be made, or `initdb`
    /// or `pg_ctl start` fails.
    pub fn start(parent: &Path) -> Result<Self, Error> {
        let bin = bin_dir().ok_or(Error::NotInstalled)?;
        let as_postgres = is_root();
        let dir = make_dir(parent, as_postgres)?;
        let mut cluster = Self {
            bin,
            dir,
            url: String::new(),
            as_postgres,
            running: false,
        };
        let data = cluster.dir.join("data");
        cluster.run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "--auth=trust".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--no-sync".as_ref(),
            ],
        )?;
        let log = cluster.dir.join("server.log");
        let mut last = None;
        for _ in 0..3 {
            let port = free_port()?;
            let opts = format!(
                "-p {port} -h 127.0.0.1 -k {} -c max_connections=200",
                cluster.dir.display()
            );
            match cluster.run(
                "pg_ctl",
                &[
                    "-D".as_ref(),
                    data.as_os_str(),
                    "-l".as_ref(),
                    log.as_os_str(),
                    "-w".as_ref(),
                    "-t".as_ref(),
                    "60".as_ref(),
                    "-o".as_ref(),
                    opts.as_ref(),
                    "start".as_ref(),
                ],
            ) {
                Ok(_) => {
                    cluster.running = true;
                    cluster.url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
                    return Ok(cluster);
                }
                Err(Error::Command { command, output }) => {
                    let log = std::fs::read_to_string(&log).unwrap_or_default();
                    last = Some(Error::Command {
                        command,
                        output: format!("{output}\nserver log:\n{log}"),
                    });
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(Error::NotInstalled))
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The cluster's directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stops the server (`pg_ctl stop -m immediate`) and removes the directory.
    ///
    /// # Errors
    /// `pg_ctl stop` failed (the directory is kept for a look).
    pub fn stop(&mut self) -> Result<(), Error> {
        if self.running {
            let data = self.dir.join("data");
            self.run(
                "pg_ctl",
                &[
                    "-D".as_ref(),
                    data.as_os_str(),
                    "-m".as_ref(),
                    "immediate".as_ref(),
                    "-w".as_ref(),
                    "stop".as_ref(),
                ],
            )?;
            self.running = false;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        Ok(())
    }

    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) -> Result<Output, Error> {
        let path = self.bin.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        cmd.args(args).current_dir(&self.dir);
        let describe = format!(
            "{}{} {}",
            if self.as_postgres {
                "runuser -u postgres -- "
            } else {
                ""
            },
            path.display(),
            args.iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let out = cmd
            .output()
            .map_err(io(format!("cannot run `{describe}`")))?;
        if out.status.success() {
            Ok(out)
        } else {
            Err(Error::Command {
                command: describe,
                output: format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stderr),
                    String::from_utf8_lossy(&out.stdout)
                ),
            })
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Err(e) = self.stop() {
            eprintln!("test-postgres: {e}");
        }
    }
}

/// Makes a fresh directory under `parent` that the `postgres` user owns (when
/// root) and can reach; under the temporary directory if it cannot reach `parent`.
#[allow(clippy::disallowed_methods)] // a unique directory name, not logic
fn make_dir(parent: &Path, as_postgres: bool) -> Result<PathBuf, Error> {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let name = format!("pg-{}-{stamp}", std::process::id());
    let make = |parent: &Path| -> Result<PathBuf, Error> {
        std::fs::create_dir_all(parent)
            .map_err(io(format!("cannot create {}", parent.display())))?;
        let dir = parent.join(&name);
        std::fs::create_dir(&dir).map_err(io(format!("cannot create {}", dir.display())))?;
        let dir = dir
            .canonicalize()
            .map_err(io(format!("cannot resolve {}", dir.display())))?;
        if as_postgres {
            std::os::unix::fs::chown(&dir, Some(id_of("-u")?), Some(id_of("-g")?))
                .map_err(io(format!("cannot chown {} to postgres", dir.display())))?;
        }
        Ok(dir)
    };
    let dir = make(parent)?;
    if !as_postgres || reachable(&dir) {
        return Ok(dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let dir = make(&std::env::temp_dir().join("test-postgres"))?;
    if reachable(&dir) {
        Ok(dir)
    } else {
        Err(Error::Command {
            command: format!("runuser -u postgres -- test -w {}", dir.display()),
            output: "the postgres user cannot write the cluster directory".into(),
        })
    }
}

fn reachable(dir: &Path) -> bool {
    Command::new("runuser")
        .args(["-u", "postgres", "--", "test", "-w"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success())
}

fn free_port() -> Result<u16, Error> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(io("cannot find a free port"))?;
    Ok(l.local_addr()
        .map_err(io("cannot find a free port"))?
        .port())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A real start and stop: `psql` (of the same installation) reaches the server.
    #[test]
    fn starts_answers_and_stops() {
        if bin_dir().is_none() && std::env::var(SKIP_VAR).is_ok_and(|v| v == "skip") {
            eprintln!("SKIPPED: PostgreSQL not installed and {SKIP_VAR}=skip");
            return;
        }
        let parent = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-postgres");
        let mut cluster = Cluster::start(&parent).unwrap();
        let out = Command::new(bin_dir().unwrap().join("psql"))
            .args([cluster.url(), "-tAc", "SELECT 40 + 2"])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "42", "{out:?}");
        let dir = cluster.dir().to_path_buf();
        assert!(dir.join("data/PG_VERSION").exists());
        cluster.stop().unwrap();
        assert!(!dir.exists());
        let again = Command::new(bin_dir().unwrap().join("psql"))
            .args([cluster.url(), "-tAc", "SELECT 1"])
            .output()
            .unwrap();
        assert!(
            !again.status.success(),
            "the server still answers after stop"
        );
    }
}
