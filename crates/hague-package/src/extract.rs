//! Safe extraction into a directory, all or nothing.

use crate::archive::{self, CopyError, EntryKind};
use crate::limits::Limits;
use crate::names;
use crate::problem::{Problem, Report, Severity};
use crate::validate::check_magic;
use std::fs;
use std::io::{self, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Why an archive was not extracted. Nothing is left at the destination in every case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The archive breaks a safety rule or its data is damaged; the report says where.
    #[error("the archive was not extracted:\n{0}")]
    Refused(Report),
    /// The destination already exists.
    #[error("`{}` already exists; extract into a new directory", .0.display())]
    DestinationExists(PathBuf),
    /// The destination has no usable parent directory.
    #[error("`{}` has no parent directory; give a path such as `./out`", .0.display())]
    NoParent(PathBuf),
    /// An I/O error while reading the archive or writing files.
    #[error("extraction failed: {0}")]
    Io(#[from] io::Error),
}

/// What [`extract`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Extracted {
    /// The destination directory.
    pub dir: PathBuf,
    /// Files written.
    pub files: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Warnings (e.g. a file whose content does not match its extension).
    pub report: Report,
}

/// Extracts every file of the archive into the new directory `dest`.
///
/// The structure is checked first with the same rules as validation (names, duplicates,
/// symlinks, encryption, limits, overlaps), and nothing is written if any fails. Files
/// are then written into a temporary directory next to `dest` (`.<name>.part-*`) while
/// their sizes and CRC-32 are checked; the directory is renamed to `dest` only when every
/// entry is complete, and removed on any failure. Symlinks are never created and no path
/// can leave the temporary directory, because names with `..`, absolute paths, drive
/// letters or backslashes are refused beforehand.
pub fn extract<R: Read + Seek>(
    r: &mut R,
    dest: &Path,
    limits: &Limits,
) -> Result<Extracted, ExtractError> {
    if fs::symlink_metadata(dest).is_ok() {
        return Err(ExtractError::DestinationExists(dest.to_path_buf()));
    }
    let parent = match dest.parent() {
        Some(p) if p.as_os_str().is_empty() => Path::new("."),
        Some(p) => p,
        None => return Err(ExtractError::NoParent(dest.to_path_buf())),
    };
    let base = dest
        .file_name()
        .ok_or_else(|| ExtractError::NoParent(dest.to_path_buf()))?;
    let archive::Structure { entries, report } = archive::read_structure(r, limits)?;
    let mut report = report;
    if !report.is_valid() {
        return Err(ExtractError::Refused(report));
    }
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.part-", base.to_string_lossy()))
        .tempdir_in(parent)?;
    let mut files = 0u64;
    let mut bytes = 0u64;
    let mut buf = vec![0u8; 256 * 1024];
    let mut failed = Report::default();
    for e in &entries {
        let target = tmp.path().join(&e.name);
        // Defence in depth: the name rules already exclude anything that could escape.
        if !target.starts_with(tmp.path()) {
            failed.error(Problem::ParentSegment {
                entry: names::escape(&e.name),
            });
            continue;
        }
        match e.kind {
            EntryKind::Directory => fs::create_dir_all(&target)?,
            EntryKind::Symlink => {}
            EntryKind::File => {
                if let Some(dir) = target.parent() {
                    fs::create_dir_all(dir)?;
                }
                let file = match fs::File::create_new(&target) {
                    Ok(f) => f,
                    Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                        // Two names that the file system folds together (case, normal form).
                        failed.error(Problem::DuplicateName {
                            entry: names::escape(&e.name),
                        });
                        continue;
                    }
                    Err(err) => return Err(err.into()),
                };
                let mut out = BufWriter::with_capacity(256 * 1024, file);
                match archive::copy_entry(r, e, &mut out, &mut buf) {
                    Ok(head) => {
                        let mut magic = Report::default();
                        check_magic(&mut magic, &e.name, &head);
                        for p in magic.findings {
                            report.warning(p.problem);
                        }
                    }
                    Err(CopyError::Problem(p)) => failed.error(p),
                    Err(CopyError::Io(err)) => return Err(err.into()),
                }
                out.flush()?;
                files += 1;
                bytes += e.size;
            }
        }
    }
    if !failed.findings.is_empty() {
        return Err(ExtractError::Refused(failed));
    }
    let kept = tmp.keep();
    if let Err(err) = fs::rename(&kept, dest) {
        let _ = fs::remove_dir_all(&kept);
        return Err(err.into());
    }
    debug_assert!(
        report
            .findings
            .iter()
            .all(|f| f.severity == Severity::Warning)
    );
    Ok(Extracted {
        dir: dest.to_path_buf(),
        files,
        bytes,
        report,
    })
}
