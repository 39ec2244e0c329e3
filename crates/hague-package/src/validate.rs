//! Validation of a package from any source: structure, names, limits, data, content, XML.

use crate::archive::{self, CopyError, Entry, EntryKind};
use crate::limits::Limits;
use crate::magic;
use crate::names;
use crate::problem::{Problem, Report, Severity};
use crate::xml::XmlInspector;
use std::collections::{BTreeSet, HashMap};
use std::io::{self, Read, Seek};
use unicode_normalization::UnicodeNormalization;

/// Options of [`validate_package`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationOptions {
    /// Size, ratio and count limits.
    pub limits: Limits,
    /// How a file that the XML does not reference is reported. Default: error.
    pub unreferenced: Severity,
}

impl Default for ValidationOptions {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            unreferenced: Severity::Error,
        }
    }
}

impl ValidationOptions {
    /// Sets the limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
    /// Sets how unreferenced files are reported.
    pub fn with_unreferenced(mut self, severity: Severity) -> Self {
        self.unreferenced = severity;
        self
    }
}

/// An entry as listed after validation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct EntryInfo {
    /// Entry name.
    pub name: String,
    /// File, directory or symlink.
    pub kind: EntryKind,
    /// Declared uncompressed size.
    pub size: u64,
    /// Declared compressed size.
    pub compressed_size: u64,
    /// Compression method.
    pub method: u16,
    /// Declared CRC-32.
    pub crc32: u32,
}

impl From<&Entry> for EntryInfo {
    fn from(e: &Entry) -> Self {
        Self {
            name: e.name.clone(),
            kind: e.kind,
            size: e.size,
            compressed_size: e.compressed_size,
            method: e.method,
            crc32: e.crc32,
        }
    }
}

/// The result of validation: the report and the entries.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Validation {
    /// Every problem found.
    pub report: Report,
    /// The entries of the central directory, in directory order.
    pub entries: Vec<EntryInfo>,
}

/// Whether a name has the `.xml` extension (case-insensitive).
pub(crate) fn is_xml_name(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("xml"))
}

/// Checks the archive as a ZIP only: structure, names, duplicates, symlinks, encryption,
/// limits, overlaps, sizes, CRC-32 and magic bytes. Streams every entry once through a
/// fixed buffer; memory does not grow with the archive.
///
/// `Err` only for I/O errors of the reader itself; every fault of the archive is a
/// [`Problem`] in the report.
pub fn validate_archive<R: Read + Seek>(r: &mut R, limits: &Limits) -> io::Result<Validation> {
    let (validation, _) = scan(r, limits, false)?;
    Ok(validation)
}

/// Checks an HWS import package: everything [`validate_archive`] checks, plus the package
/// rules (exactly one XML that parses, one transaction, every referenced file present with
/// a case hint, unreferenced files, document categories, one document per decision).
pub fn validate_package<R: Read + Seek>(
    r: &mut R,
    options: &ValidationOptions,
    inspector: &dyn XmlInspector,
) -> io::Result<Validation> {
    let (mut validation, xml) = scan(r, &options.limits, true)?;
    let xml_names: Vec<String> = validation
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::File && is_xml_name(&e.name))
        .map(|e| e.name.clone())
        .collect();
    let report = &mut validation.report;
    match xml_names.as_slice() {
        [] => report.error(Problem::NoXml),
        [_] => {}
        many => report.error(Problem::MultipleXml {
            entries: many.iter().map(|n| names::escape(n)).collect(),
        }),
    }
    let Some((xml_name, xml_bytes)) = xml else {
        return Ok(validation);
    };
    if xml_names.len() != 1 {
        return Ok(validation);
    }
    let summary = match inspector.inspect(&xml_bytes) {
        Ok(s) => s,
        Err(detail) => {
            report.error(Problem::XmlUnparsable {
                entry: names::escape(&xml_name),
                detail,
            });
            return Ok(validation);
        }
    };
    match summary.transactions.len() {
        0 => report.error(Problem::NoTransaction {
            entry: names::escape(&xml_name),
        }),
        1 => {}
        count => report.error(Problem::MultipleTransactions {
            entry: names::escape(&xml_name),
            count,
        }),
    }
    if summary.transactions.len() != 1 {
        // References cannot be attributed to "the" transaction: fix the count first.
        return Ok(validation);
    }
    for t in &summary.transactions {
        // Inferred (the guide says one application or decision per ZIP, not how many
        // documents a decision carries): a warning.
        if t.is_decision && t.documents != 1 {
            report.warning(Problem::DecisionDocumentCount {
                transaction: t.element.clone(),
                count: t.documents,
            });
        }
    }
    let files: Vec<&str> = validation
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::File)
        .map(|e| e.name.as_str())
        .collect();
    let present: BTreeSet<&str> = files.iter().copied().collect();
    let mut folded: HashMap<String, &str> = HashMap::new();
    for f in &files {
        folded
            .entry(f.nfc().collect::<String>().to_lowercase())
            .or_insert(f);
    }
    // The guide: "Esos archivos deben ubicarse en la ruta relativa indicada en el XML": a
    // path is relative to the XML file's own folder in the package.
    let base = xml_name.rsplit_once('/').map_or("", |(dir, _)| dir);
    let resolved: Vec<String> = summary
        .references
        .iter()
        .map(|r| {
            if base.is_empty() {
                r.path.clone()
            } else {
                format!("{base}/{}", r.path)
            }
        })
        .collect();
    let mut referenced: BTreeSet<&str> = BTreeSet::new();
    for (reference, path) in summary.references.iter().zip(&resolved) {
        referenced.insert(path.as_str());
        if let Some((what, expected, ok)) = expected_type(reference) {
            if !ok {
                report.warning(Problem::UnexpectedFileType {
                    path: names::escape(&reference.path),
                    element: reference.element.clone(),
                    what: what.to_owned(),
                    expected: expected.to_owned(),
                });
            }
        }
        if !present.contains(path.as_str()) {
            let key = path.nfc().collect::<String>().to_lowercase();
            report.error(Problem::MissingReference {
                path: names::escape(&reference.path),
                element: reference.element.clone(),
                case_hint: folded.get(&key).map(|n| names::escape(n)),
            });
        }
        // Inferred (the guide names no category): a warning.
        if reference.is_document && reference.document_kind.as_deref().is_none_or(str::is_empty) {
            report.warning(Problem::MissingDocumentKind {
                path: names::escape(&reference.path),
                element: reference.element.clone(),
            });
        }
    }
    for f in files {
        if f != xml_name && !referenced.contains(f) {
            let p = Problem::UnreferencedFile {
                entry: names::escape(f),
            };
            match options.unreferenced {
                Severity::Error => report.error(p),
                Severity::Warning => report.warning(p),
            }
        }
    }
    Ok(validation)
}

/// The file type the `st96-model` builders require of a reference (documents `.pdf`,
/// design views `.jpg`/`.jpeg`), and whether its name has it. `None` for references the
/// builders do not constrain.
fn expected_type(
    reference: &crate::xml::XmlFileReference,
) -> Option<(&'static str, &'static str, bool)> {
    let lower = reference.path.to_ascii_lowercase();
    if reference.is_document {
        Some(("document", "PDF", lower.ends_with(".pdf")))
    } else if reference.element.contains("View") {
        Some((
            "design view",
            "JPEG",
            lower.ends_with(".jpg") || lower.ends_with(".jpeg"),
        ))
    } else {
        None
    }
}

/// An entry name with its bytes.
type NamedBytes = (String, Vec<u8>);

/// The shared pass: structure, then every readable file's data once. When `want_xml` is
/// set and there is exactly one XML file, its bytes are kept (bounded by the XML limit).
fn scan<R: Read + Seek>(
    r: &mut R,
    limits: &Limits,
    want_xml: bool,
) -> io::Result<(Validation, Option<NamedBytes>)> {
    let archive::Structure {
        entries,
        mut report,
    } = archive::read_structure(r, limits)?;
    let xml_count = entries
        .iter()
        .filter(|e| e.kind == EntryKind::File && is_xml_name(&e.name))
        .count();
    let mut xml = None;
    let mut buf = vec![0u8; 256 * 1024];
    for e in entries
        .iter()
        .filter(|e| e.readable && e.kind != EntryKind::Symlink)
    {
        let keep = want_xml && xml_count == 1 && is_xml_name(&e.name);
        if keep && e.size > limits.max_xml_size {
            report.error(Problem::XmlUnparsable {
                entry: names::escape(&e.name),
                detail: format!(
                    "it is {} bytes, over the XML size limit of {}",
                    e.size, limits.max_xml_size
                ),
            });
            continue;
        }
        let result = if keep {
            let mut bytes = Vec::with_capacity(usize::try_from(e.size).unwrap_or(0));
            archive::copy_entry(r, e, &mut bytes, &mut buf).map(|head| (head, Some(bytes)))
        } else {
            archive::copy_entry(r, e, &mut io::sink(), &mut buf).map(|head| (head, None))
        };
        match result {
            Ok((head, bytes)) => {
                check_magic(&mut report, &e.name, &head);
                if let Some(bytes) = bytes {
                    xml = Some((e.name.clone(), bytes));
                }
            }
            Err(CopyError::Problem(p)) => report.error(p),
            Err(CopyError::Io(err)) => return Err(err),
        }
    }
    let entries = entries.iter().map(EntryInfo::from).collect();
    Ok((Validation { report, entries }, xml))
}

/// Reports a file whose first bytes do not match its extension.
pub(crate) fn check_magic(report: &mut Report, name: &str, head: &[u8]) {
    if let Some(expected) = magic::expected_for(name) {
        let detected = magic::detect(head);
        if detected != Some(expected) {
            report.error(Problem::ContentMismatch {
                entry: names::escape(name),
                expected: expected.to_owned(),
                detected: detected.map(str::to_owned),
            });
        }
    }
}
