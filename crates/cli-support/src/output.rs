//! Where `-o PATH` writes, the same way in every subcommand of every tool:
//!
//! | `PATH` is | what happens |
//! |---|---|
//! | `-` | the data is written to standard output (the report then goes to standard error) |
//! | missing | a temporary file in the same directory is written, then renamed to `PATH` when complete |
//! | a regular file | refused, unless `--force`: then replaced as above (never left half-written) |
//! | a FIFO or a character device (`/dev/null`, a terminal) | written to as a stream, never replaced |
//! | a directory, a socket, a block device | refused with a clear message; nothing is written |
//!
//! A symbolic link is followed: the file it points to is what is checked and replaced.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::CliError;

/// What kind of target a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutputKind {
    /// `-`: standard output.
    Stdout,
    /// A FIFO or a character device: written to, never replaced.
    Stream,
    /// A new file, or a regular file to replace (`--force`).
    File,
}

/// A checked `-o PATH`; see the module's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputTarget {
    path: PathBuf,
    kind: OutputKind,
    force: bool,
}

fn refused(path: &Path, what: &str, hint: &str) -> CliError {
    CliError::invalid_input(
        format!("refusing to write to {}: it is {what}", path.display()),
        hint,
    )
}

fn write_error(path: &Path, e: &std::io::Error) -> CliError {
    CliError::invalid_input(
        format!("cannot write {}: {e}", path.display()),
        "check that the directory exists and is writable, and that the disk is not full",
    )
}

impl OutputTarget {
    /// Checks `path` before anything is fetched or computed. `force` allows
    /// replacing an existing regular file.
    ///
    /// # Errors
    /// Exit 5: an existing regular file without `force`, a directory, another
    /// kind of file, or a parent directory that does not exist.
    pub fn check(path: &Path, force: bool) -> Result<Self, CliError> {
        if path.as_os_str() == "-" {
            return Ok(Self {
                path: path.to_path_buf(),
                kind: OutputKind::Stdout,
                force,
            });
        }
        if path.as_os_str().is_empty() {
            return Err(CliError::usage(
                "the output path is empty",
                "give a file name, or - for standard output",
            ));
        }
        let kind = match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let parent = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p,
                    _ => Path::new("."),
                };
                if !parent.is_dir() {
                    return Err(CliError::invalid_input(
                        format!(
                            "cannot write {}: the directory {} does not exist",
                            path.display(),
                            parent.display()
                        ),
                        "create the directory first, or choose another path",
                    ));
                }
                OutputKind::File
            }
            Err(e) => return Err(write_error(path, &e)),
            Ok(meta) if meta.is_file() => {
                if !force {
                    return Err(CliError::invalid_input(
                        format!("{} already exists; refusing to replace it", path.display()),
                        "pass --force to replace it, or choose another path (- writes to standard output)",
                    ));
                }
                OutputKind::File
            }
            Ok(meta) if meta.is_dir() => {
                return Err(refused(
                    path,
                    "a directory",
                    "give a file name inside it, e.g. DIR/name",
                ));
            }
            Ok(meta) if is_stream(&meta) => OutputKind::Stream,
            Ok(_) => {
                return Err(refused(
                    path,
                    "neither a regular file, a FIFO nor a character device",
                    "give a regular file name, a FIFO, or - for standard output",
                ));
            }
        };
        // A link is followed: the file it names is the one replaced.
        let path = if kind == OutputKind::File {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        } else {
            path.to_path_buf()
        };
        Ok(Self { path, kind, force })
    }

    /// The path (`-` for standard output).
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The kind of target.
    #[must_use]
    pub fn kind(&self) -> OutputKind {
        self.kind
    }

    /// Whether the data goes to standard output (then the report goes to standard error).
    #[must_use]
    pub fn is_stdout(&self) -> bool {
        self.kind == OutputKind::Stdout
    }

    /// The path as the `path` key of the JSON reports (`-` for standard output).
    #[must_use]
    pub fn json_path(&self) -> String {
        self.path.display().to_string()
    }

    /// How the target is named to people: the path, or `standard output`.
    #[must_use]
    pub fn display(&self) -> String {
        if self.is_stdout() {
            "standard output".to_owned()
        } else {
            self.path.display().to_string()
        }
    }

    /// Writes `bytes` to the target: atomically for a file (a temporary file in
    /// the same directory, renamed when complete; with mode `0600` when `private`),
    /// as a stream otherwise.
    ///
    /// # Errors
    /// Exit 5 when the data cannot be written; a file target is then left as it was.
    pub fn write(&self, bytes: &[u8], private: bool) -> Result<(), CliError> {
        match self.kind {
            OutputKind::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(bytes)
                    .and_then(|()| out.flush())
                    .map_err(|e| write_error(Path::new("standard output"), &e))
            }
            OutputKind::Stream => {
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&self.path)
                    .map_err(|e| write_error(&self.path, &e))?;
                f.write_all(bytes)
                    .and_then(|()| f.flush())
                    .map_err(|e| write_error(&self.path, &e))
            }
            OutputKind::File => self.write_file(bytes, private),
        }
    }

    fn write_file(&self, bytes: &[u8], private: bool) -> Result<(), CliError> {
        let dir = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".part")
            .tempfile_in(dir)
            .map_err(|e| write_error(&self.path, &e))?;
        tmp.write_all(bytes)
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| write_error(&self.path, &e))?;
        if !private {
            set_mode(tmp.path(), 0o644).map_err(|e| write_error(&self.path, &e))?;
        }
        let persisted = if self.force {
            tmp.persist(&self.path).map(drop)
        } else {
            tmp.persist_noclobber(&self.path).map(drop)
        };
        persisted.map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                CliError::invalid_input(
                    format!(
                        "{} appeared while writing; refusing to replace it",
                        self.path.display()
                    ),
                    "pass --force to replace it, or choose another path",
                )
            } else {
                write_error(&self.path, &e.error)
            }
        })
    }

    /// A place for a library that writes a file itself (atomically, to a path):
    /// the target itself for a file; a temporary file for a stream or standard
    /// output, copied there by [`Staging::finish`].
    ///
    /// # Errors
    /// Exit 5 when the temporary directory cannot be made.
    pub fn staging(&self) -> Result<Staging, CliError> {
        if self.kind == OutputKind::File {
            return Ok(Staging {
                target: self.clone(),
                path: self.path.clone(),
                dir: None,
            });
        }
        let dir = tempfile::Builder::new()
            .prefix("cli-output.")
            .tempdir()
            .map_err(|e| write_error(Path::new("a temporary directory"), &e))?;
        let path = dir.path().join("data");
        Ok(Staging {
            target: self.clone(),
            path,
            dir: Some(dir),
        })
    }
}

/// A path a library writes to; see [`OutputTarget::staging`].
#[derive(Debug)]
pub struct Staging {
    target: OutputTarget,
    path: PathBuf,
    dir: Option<tempfile::TempDir>,
}

impl Staging {
    /// Where the library writes.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Copies the staged data to a stream target; nothing to do for a file.
    /// The temporary copy is removed in every case.
    ///
    /// # Errors
    /// Exit 5 when the data cannot be copied.
    pub fn finish(self) -> Result<(), CliError> {
        if self.dir.is_none() {
            return Ok(());
        }
        let mut source =
            std::fs::File::open(&self.path).map_err(|e| write_error(&self.path, &e))?;
        let result = match self.target.kind {
            OutputKind::Stdout => {
                let mut out = std::io::stdout().lock();
                std::io::copy(&mut source, &mut out).and_then(|_| out.flush())
            }
            _ => std::fs::OpenOptions::new()
                .write(true)
                .open(&self.target.path)
                .and_then(|mut f| std::io::copy(&mut source, &mut f).and_then(|_| f.flush())),
        };
        result.map_err(|e| write_error(Path::new(&self.target.display()), &e))
    }
}

#[cfg(unix)]
fn is_stream(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt as _;
    let t = meta.file_type();
    t.is_fifo() || t.is_char_device()
}

#[cfg(not(unix))]
fn is_stream(_meta: &std::fs::Metadata) -> bool {
    false
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

/// Checks that `path` does not exist yet and that its parent does (for
/// outputs that are new directories: `bulletin extract -o DIR`).
///
/// # Errors
/// Exit 5 when `path` exists (whatever it is) or its parent is missing.
pub fn check_new_directory(path: &Path) -> Result<(), CliError> {
    if path.as_os_str().is_empty() || path.as_os_str() == "-" {
        return Err(CliError::usage(
            format!("`{}` is not a directory name", path.display()),
            "give the path of a new directory",
        ));
    }
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(CliError::invalid_input(
            format!(
                "{} already exists; refusing to write into it",
                path.display()
            ),
            "give the path of a new directory; it is created, and removed again if anything fails",
        ));
    }
    Ok(())
}
