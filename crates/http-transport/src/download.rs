//! Files written through a temporary "part" file that is renamed when complete.

use std::path::{Path, PathBuf};

use tempfile::TempPath;
use tokio::fs::File;
use tokio::io::{AsyncWriteExt, BufWriter};

use crate::error::Error;

/// Write buffer in front of the file: large writes keep the number of blocking
/// file-system operations (each a `spawn_blocking` in tokio) low.
const WRITE_BUFFER: usize = 1024 * 1024;

/// A temporary file next to the target. Dropping it removes the temporary file;
/// only [`PartFile::commit`] renames it to the target.
#[derive(Debug)]
pub(crate) struct PartFile {
    temp: TempPath,
    writer: BufWriter<File>,
    target: PathBuf,
}

impl PartFile {
    /// Creates `.<name>.<random>.part` in the target's directory.
    pub(crate) fn create(target: &Path) -> Result<Self, Error> {
        let name = target.file_name().ok_or_else(|| Error::InvalidRequest {
            reason: format!(
                "the download target {} has no file name; give a file path",
                target.display()
            ),
        })?;
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(name);
        prefix.push(".");
        let named = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".part")
            .tempfile_in(dir)
            .map_err(|source| Error::Io {
                context: "creating the temporary download file",
                path: Some(dir.to_path_buf()),
                source,
            })?;
        let (file, temp) = named.into_parts();
        Ok(Self {
            temp,
            writer: BufWriter::with_capacity(WRITE_BUFFER, File::from_std(file)),
            target: target.to_path_buf(),
        })
    }

    /// The writer to stream into.
    pub(crate) fn writer(&mut self) -> &mut BufWriter<File> {
        &mut self.writer
    }

    /// Flushes, syncs to disk and renames the temporary file to the target
    /// (replacing an existing file atomically on the same file system).
    pub(crate) async fn commit(self) -> Result<(), Error> {
        let Self {
            temp,
            mut writer,
            target,
        } = self;
        let io = |context, source| Error::Io {
            context,
            path: Some(temp.to_path_buf()),
            source,
        };
        writer
            .flush()
            .await
            .map_err(|e| io("flushing the temporary download file", e))?;
        let mut file = writer.into_inner();
        file.flush()
            .await
            .map_err(|e| io("flushing the temporary download file", e))?;
        file.sync_all()
            .await
            .map_err(|e| io("syncing the temporary download file to disk", e))?;
        drop(file);
        temp.persist(&target).map_err(|e| Error::Io {
            context: "renaming the temporary download file to the target",
            path: Some(target.clone()),
            source: e.error,
        })
    }
}
