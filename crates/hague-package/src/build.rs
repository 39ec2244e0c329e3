//! Deterministic package building.

use crate::magic;
use crate::names;
use crate::xml::XmlInspector;
use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// Where the bytes of a packaged file come from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileSource {
    /// A file on disk, streamed into the ZIP (never loaded whole).
    Path(PathBuf),
    /// Bytes in memory.
    Bytes(Vec<u8>),
}

/// Why a package could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A path breaks the entry-name rules.
    #[error("`{path}` cannot be a package path: {reason}")]
    UnsafePath {
        /// The path.
        path: String,
        /// The rules it breaks.
        reason: String,
    },
    /// The XML name does not end with `.xml`, or a referenced file also ends with `.xml`.
    #[error("`{path}`: {reason}")]
    XmlName {
        /// The offending name.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Two files with the same path (exactly, or after Unicode NFC normalisation).
    #[error(
        "`{path}` is given twice (possibly in another Unicode normal form); give each file once"
    )]
    DuplicatePath {
        /// The path.
        path: String,
    },
    /// The XML could not be inspected for references.
    #[error("the XML cannot be read for its file references: {detail}; fix the XML")]
    Xml {
        /// The parser's message.
        detail: String,
    },
    /// A source file cannot be read.
    #[error(
        "cannot read `{path}` for package entry `{entry}`: {source}; check that the file exists"
    )]
    Source {
        /// The package path.
        entry: String,
        /// The file on disk.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// Writing the ZIP failed.
    #[error("cannot write the package: {0}")]
    Write(#[from] io::Error),
    /// The `zip` crate refused an entry.
    #[error("cannot write the package: {0}")]
    Zip(#[from] zip::result::ZipError),
}

/// What [`PackageBuilder::write_to`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BuiltEntry {
    /// The entry name.
    pub name: String,
    /// Uncompressed size.
    pub size: u64,
    /// Whether it was stored (true) or deflated.
    pub stored: bool,
}

/// Builds an HWS import package: the XML plus each referenced file at its path.
///
/// The output is deterministic: the XML comes first, then the files in byte order of
/// their paths; every entry has the timestamp 1980-01-01 00:00:00, Unix permissions 0644,
/// no extra fields and no comment. JPEG, PNG, GIF and PDF are stored; everything else
/// (the XML, TIFF, ...) is deflated at level 6. Identical inputs therefore give identical
/// bytes for a given version of the deflate implementation (zlib-rs through `zip`).
#[derive(Debug, Clone)]
pub struct PackageBuilder {
    xml_name: String,
    xml: FileSource,
    files: BTreeMap<String, FileSource>,
    /// NFC forms of every name, to refuse names that differ only in normal form.
    normalized: HashSet<String>,
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

fn checked_path(path: &str) -> Result<(), BuildError> {
    let problems = names::check_entry_name(path);
    if !problems.is_empty() || path.ends_with('/') {
        let reason = if problems.is_empty() {
            "it names a directory".to_owned()
        } else {
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        };
        return Err(BuildError::UnsafePath {
            path: names::escape(path),
            reason,
        });
    }
    Ok(())
}

impl PackageBuilder {
    /// Starts a package with its XML, stored at `xml_name` (which must end with `.xml`).
    pub fn new(xml_name: impl Into<String>, xml: FileSource) -> Result<Self, BuildError> {
        let xml_name = xml_name.into();
        checked_path(&xml_name)?;
        if !crate::validate::is_xml_name(&xml_name) {
            return Err(BuildError::XmlName {
                path: names::escape(&xml_name),
                reason: "the package XML must have the .xml extension".into(),
            });
        }
        Ok(Self {
            normalized: HashSet::from([nfc(&xml_name)]),
            xml_name,
            xml,
            files: BTreeMap::new(),
        })
    }

    /// Starts a package from XML bytes and a directory: every file the XML references
    /// (as reported by `inspector`) is taken from `dir` joined with its relative path.
    pub fn from_xml_and_dir(
        xml_name: impl Into<String>,
        xml: Vec<u8>,
        dir: &Path,
        inspector: &dyn XmlInspector,
    ) -> Result<Self, BuildError> {
        let summary = inspector
            .inspect(&xml)
            .map_err(|detail| BuildError::Xml { detail })?;
        let mut builder = Self::new(xml_name, FileSource::Bytes(xml))?;
        for reference in summary.references {
            if builder.files.contains_key(&reference.path) {
                continue; // referenced twice: packaged once
            }
            let source = FileSource::Path(dir.join(&reference.path));
            builder = builder.file(reference.path, source)?;
        }
        Ok(builder)
    }

    /// Adds a file at a package path.
    pub fn file(mut self, path: impl Into<String>, source: FileSource) -> Result<Self, BuildError> {
        let path = path.into();
        checked_path(&path)?;
        if crate::validate::is_xml_name(&path) {
            return Err(BuildError::XmlName {
                path: names::escape(&path),
                reason:
                    "a package holds exactly one XML file; give referenced files another extension"
                        .into(),
            });
        }
        if !self.normalized.insert(nfc(&path)) {
            return Err(BuildError::DuplicatePath {
                path: names::escape(&path),
            });
        }
        self.files.insert(path, source);
        Ok(self)
    }

    /// Writes the package to `w` and returns it with the list of entries written.
    pub fn write_to<W: Write + Seek>(&self, w: W) -> Result<(W, Vec<BuiltEntry>), BuildError> {
        let mut zip = ZipWriter::new(w);
        let mut written = Vec::with_capacity(self.files.len() + 1);
        let entries = std::iter::once((&self.xml_name, &self.xml)).chain(self.files.iter());
        for (name, source) in entries {
            let stored = magic::is_precompressed(name);
            let (mut reader, size): (Box<dyn io::Read>, u64) = match source {
                FileSource::Bytes(b) => (Box::new(b.as_slice()), b.len() as u64),
                FileSource::Path(p) => {
                    let err = |source| BuildError::Source {
                        entry: names::escape(name),
                        path: p.clone(),
                        source,
                    };
                    let f = File::open(p).map_err(err)?;
                    let len = f.metadata().map_err(err)?.len();
                    (Box::new(f), len)
                }
            };
            let options = SimpleFileOptions::default()
                .compression_method(if stored {
                    CompressionMethod::Stored
                } else {
                    CompressionMethod::Deflated
                })
                .compression_level(if stored { None } else { Some(6) })
                .last_modified_time(DateTime::default())
                .unix_permissions(0o644)
                .large_file(size >= 0xFFFF_FFFF);
            zip.start_file(name.as_str(), options)?;
            let mut copied = 0u64;
            let mut buf = vec![0u8; 256 * 1024];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        return Err(BuildError::Source {
                            entry: names::escape(name),
                            path: source_path(source).unwrap_or_default(),
                            source: e,
                        });
                    }
                };
                zip.write_all(&buf[..n])?;
                copied += n as u64;
            }
            if copied != size {
                return Err(BuildError::Source {
                    entry: names::escape(name),
                    path: source_path(source).unwrap_or_default(),
                    source: io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!(
                            "the file changed while it was packaged ({size} bytes expected, {copied} read)"
                        ),
                    ),
                });
            }
            written.push(BuiltEntry {
                name: name.clone(),
                size,
                stored,
            });
        }
        let w = zip.finish()?;
        Ok((w, written))
    }

    /// Writes the package to `path` through a temporary file in the same directory,
    /// renamed into place only when complete.
    pub fn build_to_path(&self, path: &Path) -> Result<Vec<BuiltEntry>, BuildError> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".hague-package-")
            .suffix(".zip.part")
            .tempfile_in(dir)?;
        let (file, entries) = self.write_to(tmp.reopen()?)?;
        file.sync_all()?;
        drop(file);
        tmp.persist(path).map_err(|e| BuildError::Write(e.error))?;
        Ok(entries)
    }
}

fn source_path(source: &FileSource) -> Option<PathBuf> {
    match source {
        FileSource::Path(p) => Some(p.clone()),
        FileSource::Bytes(_) => None,
    }
}
