//! Typed validation problems, their severity, and the report that renders them.

use serde::Serialize;
use std::fmt;

/// How serious a [`Finding`] is. Only errors make a package invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// WIPO would refuse the package, or opening it is unsafe.
    Error,
    /// Worth fixing, but does not make the package invalid.
    Warning,
}

/// One thing wrong with a package. Every variant that concerns a ZIP entry names it.
///
/// The `Display` text says what is wrong and how to fix it. The JSON form (see
/// [`Report::to_json`]) carries a `kind` tag with the variant name in `snake_case`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Problem {
    // ---- archive structure -------------------------------------------------------------
    /// No end-of-central-directory record: not a ZIP, or cut short.
    #[error("not a ZIP archive ({detail}); send the package as a single .zip file")]
    NotAZip {
        /// What was found instead.
        detail: String,
    },
    /// The archive ends before data it declares (truncated download or copy).
    #[error("the archive is truncated: {detail}; download or copy it again")]
    Truncated {
        /// The entry whose data is cut, when known.
        entry: Option<String>,
        /// What is missing.
        detail: String,
    },
    /// A split (multi-disk) archive.
    #[error("the archive is split across several disks; create it as a single file")]
    MultiDisk,
    /// The central directory is inconsistent with the end record or with itself.
    #[error("the central directory is damaged: {detail}; rebuild the archive")]
    CorruptCentralDirectory {
        /// What is inconsistent.
        detail: String,
    },
    /// The local header of an entry is missing or disagrees with the central directory.
    #[error("entry `{entry}`: the local header {detail}; rebuild the archive")]
    LocalHeaderMismatch {
        /// Entry name (from the central directory).
        entry: String,
        /// What disagrees.
        detail: String,
    },
    /// Two entries share bytes (an overlapping-entry zip bomb or a forged directory).
    #[error(
        "entry `{entry}` overlaps the data of entry `{other}`; every entry must have its own bytes, rebuild the archive"
    )]
    OverlappingEntries {
        /// The entry that starts inside another one.
        entry: String,
        /// The entry it overlaps.
        other: String,
    },

    // ---- entry names -------------------------------------------------------------------
    /// The name is not valid UTF-8.
    #[error("entry `{entry}`: the name is not valid UTF-8; name files with UTF-8 names")]
    NonUtf8Name {
        /// The name, decoded lossily.
        entry: String,
    },
    /// The name starts with `/`.
    #[error("entry `{entry}`: absolute path; use a path relative to the package root")]
    AbsolutePath {
        /// Entry name.
        entry: String,
    },
    /// The name starts with a drive letter such as `C:`.
    #[error("entry `{entry}`: drive letter in the path; use a path relative to the package root")]
    DriveLetter {
        /// Entry name.
        entry: String,
    },
    /// The name uses `\` as a separator.
    #[error("entry `{entry}`: backslash in the path; ZIP paths separate folders with `/`")]
    Backslash {
        /// Entry name.
        entry: String,
    },
    /// The name has a `..` segment (zip-slip).
    #[error("entry `{entry}`: `..` segment in the path; it could write outside the target folder")]
    ParentSegment {
        /// Entry name.
        entry: String,
    },
    /// The name has an empty segment (`a//b`, or an empty name) or a `.` segment.
    #[error("entry `{entry}`: empty or `.` segment in the path; remove the extra `/` or `./`")]
    EmptySegment {
        /// Entry name.
        entry: String,
    },
    /// The name holds a control character (NUL, newline, ...).
    #[error("entry `{entry}`: control character in the name; rename the file")]
    ControlCharacter {
        /// Entry name (control characters escaped).
        entry: String,
    },
    /// Two entries with the same name.
    #[error("entry `{entry}` appears more than once; keep one copy")]
    DuplicateName {
        /// Entry name.
        entry: String,
    },
    /// Two names that differ in bytes but are equal after Unicode NFC normalisation.
    #[error(
        "entry `{entry}` is the same name as `{other}` after Unicode NFC normalisation; keep one of them"
    )]
    DuplicateAfterNormalization {
        /// Entry name.
        entry: String,
        /// The earlier entry with the equivalent name.
        other: String,
    },
    /// Two names that differ only in letter case (they collide on Windows and macOS).
    #[error("entry `{entry}` differs from `{other}` only in letter case; rename one of them")]
    CaseOnlyDuplicate {
        /// Entry name.
        entry: String,
        /// The earlier entry.
        other: String,
    },
    /// A symbolic link (or Windows reparse point).
    #[error("entry `{entry}` is a symbolic link; put the file itself in the package")]
    Symlink {
        /// Entry name.
        entry: String,
    },
    /// An encrypted entry.
    #[error("entry `{entry}` is encrypted; packages must not be password-protected")]
    Encrypted {
        /// Entry name.
        entry: String,
    },
    /// A compression method other than stored (0) or deflate (8).
    #[error(
        "entry `{entry}` uses compression method {method}; only stored (0) and deflate (8) are accepted"
    )]
    UnsupportedCompression {
        /// Entry name.
        entry: String,
        /// The method number.
        method: u16,
    },

    // ---- data -------------------------------------------------------------------------
    /// The uncompressed data is not the size the directory declares.
    #[error(
        "entry `{entry}`: declared size {declared} bytes but the data holds {actual}; rebuild the archive"
    )]
    SizeMismatch {
        /// Entry name.
        entry: String,
        /// Size declared in the central directory.
        declared: u64,
        /// What the data held (`declared + 1` means "more than declared": reading stopped there).
        actual: u64,
    },
    /// The CRC-32 of the data is not the declared one.
    #[error(
        "entry `{entry}`: CRC-32 is {actual:08x} but {declared:08x} is declared; the data is damaged, rebuild the archive"
    )]
    CrcMismatch {
        /// Entry name.
        entry: String,
        /// Declared CRC-32.
        declared: u32,
        /// Computed CRC-32.
        actual: u32,
    },
    /// The compressed data cannot be decoded.
    #[error("entry `{entry}`: the compressed data is damaged ({detail}); rebuild the archive")]
    CorruptData {
        /// Entry name.
        entry: String,
        /// Decoder message.
        detail: String,
    },

    // ---- limits -----------------------------------------------------------------------
    /// More entries than [`crate::Limits::max_entries`].
    #[error("the archive has {count} entries, more than the limit of {limit}")]
    TooManyEntries {
        /// Entries declared.
        count: u64,
        /// The limit.
        limit: u64,
    },
    /// The declared uncompressed total exceeds [`crate::Limits::max_total_size`].
    #[error(
        "the archive would unpack to {total} bytes, more than the limit of {limit}; split or shrink the files, or raise the limit"
    )]
    TotalSizeExceeded {
        /// Declared total uncompressed size.
        total: u64,
        /// The limit.
        limit: u64,
    },
    /// An entry's declared ratio exceeds [`crate::Limits::max_ratio`] (zip bomb).
    #[error(
        "entry `{entry}` expands {uncompressed} bytes from {compressed} (ratio over {limit}:1); this looks like a zip bomb"
    )]
    CompressionRatioExceeded {
        /// Entry name.
        entry: String,
        /// Declared uncompressed size.
        uncompressed: u64,
        /// Declared compressed size.
        compressed: u64,
        /// The ratio limit.
        limit: u64,
    },

    // ---- content ----------------------------------------------------------------------
    /// The first bytes do not match the extension.
    #[error(
        "entry `{entry}`: the extension says {expected} but the content {}; save the file in the right format or fix its extension",
        match detected { Some(d) => format!("looks like {d}"), None => "is not a known image or PDF".to_owned() }
    )]
    ContentMismatch {
        /// Entry name.
        entry: String,
        /// Format the extension promises.
        expected: String,
        /// Format the magic bytes show, if recognised.
        detected: Option<String>,
    },

    // ---- the XML ----------------------------------------------------------------------
    /// No `.xml` entry.
    #[error("the package holds no XML file; add the ST.96 XML of the transaction")]
    NoXml,
    /// More than one `.xml` entry (case-insensitive extension).
    #[error("the package holds {} XML files ({}); it must hold exactly one", entries.len(), entries.join(", "))]
    MultipleXml {
        /// All XML entry names.
        entries: Vec<String>,
    },
    /// The XML does not parse.
    #[error("entry `{entry}`: the XML does not parse ({detail}); fix the XML")]
    XmlUnparsable {
        /// Entry name.
        entry: String,
        /// Parser message.
        detail: String,
    },
    /// The XML holds no transaction.
    #[error("entry `{entry}`: the XML holds no transaction; put one application or decision in it")]
    NoTransaction {
        /// Entry name.
        entry: String,
    },
    /// The XML holds several transactions.
    #[error(
        "entry `{entry}`: the XML holds {count} transactions; HWS takes one per package, send one package each"
    )]
    MultipleTransactions {
        /// Entry name.
        entry: String,
        /// How many.
        count: usize,
    },
    /// A path referenced in the XML is not in the archive.
    #[error(
        "`{path}` is referenced by <{element}> but is not in the package{}",
        match case_hint { Some(h) => format!("; the package has `{h}`, which differs only in letter case (paths are case-sensitive)"), None => "; add the file at exactly this path".to_owned() }
    )]
    MissingReference {
        /// The referenced relative path.
        path: String,
        /// The element that references it.
        element: String,
        /// An entry whose name differs only in case.
        case_hint: Option<String>,
    },
    /// A referenced file whose type the `st96-model` builders would not write: a supporting
    /// document that is not a `.pdf`, or a design view that is not a `.jpg`/`.jpeg`. The
    /// guide states no file types, so this is a warning (**inferred** rule).
    #[error(
        "`{path}` (<{element}>) is a {what} but not a {expected} file; the guide states no file types, but this SDK's builders only write {expected}"
    )]
    UnexpectedFileType {
        /// The path as referenced.
        path: String,
        /// The element that references it.
        element: String,
        /// `document` or `design view`.
        what: String,
        /// The expected type (`PDF`, `JPEG`).
        expected: String,
    },
    /// An entry that nothing in the XML references.
    #[error("entry `{entry}` is not referenced by the XML; remove it or reference it")]
    UnreferencedFile {
        /// Entry name.
        entry: String,
    },
    /// A document without `com:DocumentKindCategory`.
    #[error(
        "document `{path}` (<{element}>) has no DocumentKindCategory; WIPO cannot record it automatically, add the category"
    )]
    MissingDocumentKind {
        /// The document's path.
        path: String,
        /// The element that references it.
        element: String,
    },
    /// A decision with zero or several documents.
    #[error(
        "the decision <{transaction}> carries {count} documents; a decision carries exactly one"
    )]
    DecisionDocumentCount {
        /// The transaction element.
        transaction: String,
        /// How many documents it carries.
        count: usize,
    },
}

impl Problem {
    /// The entry (or referenced path) the problem concerns, if any.
    pub fn entry(&self) -> Option<&str> {
        use Problem::*;
        match self {
            Truncated { entry, .. } => entry.as_deref(),
            LocalHeaderMismatch { entry, .. }
            | OverlappingEntries { entry, .. }
            | NonUtf8Name { entry }
            | AbsolutePath { entry }
            | DriveLetter { entry }
            | Backslash { entry }
            | ParentSegment { entry }
            | EmptySegment { entry }
            | ControlCharacter { entry }
            | DuplicateName { entry }
            | DuplicateAfterNormalization { entry, .. }
            | CaseOnlyDuplicate { entry, .. }
            | Symlink { entry }
            | Encrypted { entry }
            | UnsupportedCompression { entry, .. }
            | SizeMismatch { entry, .. }
            | CrcMismatch { entry, .. }
            | CorruptData { entry, .. }
            | CompressionRatioExceeded { entry, .. }
            | ContentMismatch { entry, .. }
            | XmlUnparsable { entry, .. }
            | NoTransaction { entry }
            | MultipleTransactions { entry, .. }
            | UnreferencedFile { entry } => Some(entry),
            MissingReference { path, .. }
            | MissingDocumentKind { path, .. }
            | UnexpectedFileType { path, .. } => Some(path),
            NotAZip { .. }
            | MultiDisk
            | CorruptCentralDirectory { .. }
            | TooManyEntries { .. }
            | TotalSizeExceeded { .. }
            | NoXml
            | MultipleXml { .. }
            | DecisionDocumentCount { .. } => None,
        }
    }

    /// Whether the problem makes opening the archive unsafe or impossible (structure,
    /// names, limits, data integrity), as opposed to a content rule of HWS packages.
    pub fn is_unsafe(&self) -> bool {
        use Problem::*;
        !matches!(
            self,
            CaseOnlyDuplicate { .. }
                | ContentMismatch { .. }
                | NoXml
                | MultipleXml { .. }
                | XmlUnparsable { .. }
                | NoTransaction { .. }
                | MultipleTransactions { .. }
                | MissingReference { .. }
                | UnreferencedFile { .. }
                | MissingDocumentKind { .. }
                | UnexpectedFileType { .. }
                | DecisionDocumentCount { .. }
        )
    }
}

/// A problem with its severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong (flattened in the serialized form: `kind` and the fields).
    #[serde(flatten)]
    pub problem: Problem,
}

/// What validation found: every problem at once, in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// All findings.
    pub findings: Vec<Finding>,
}

impl Report {
    pub(crate) fn error(&mut self, problem: Problem) {
        self.findings.push(Finding {
            severity: Severity::Error,
            problem,
        });
    }

    pub(crate) fn warning(&mut self, problem: Problem) {
        self.findings.push(Finding {
            severity: Severity::Warning,
            problem,
        });
    }

    /// True when there is no error (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.errors().next().is_none()
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| &f.problem)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .map(|f| &f.problem)
    }

    /// Machine-readable form:
    /// `{"valid":bool,"errors":n,"warnings":n,"findings":[{"severity":"error","kind":"crc_mismatch","entry":...,"message":...}]}`.
    pub fn to_json(&self) -> serde_json::Value {
        let findings: Vec<serde_json::Value> = self
            .findings
            .iter()
            .map(|f| {
                let mut v = serde_json::to_value(&f.problem).unwrap_or(serde_json::Value::Null);
                if let serde_json::Value::Object(map) = &mut v {
                    map.insert(
                        "severity".into(),
                        serde_json::to_value(f.severity).unwrap_or(serde_json::Value::Null),
                    );
                    map.insert("message".into(), f.problem.to_string().into());
                }
                v
            })
            .collect();
        serde_json::json!({
            "valid": self.is_valid(),
            "errors": self.errors().count(),
            "warnings": self.warnings().count(),
            "findings": findings,
        })
    }

    /// Human-readable report, one line per finding.
    pub fn to_human(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.errors().count();
        let warnings = self.warnings().count();
        if self.findings.is_empty() {
            return writeln!(f, "package is valid: no problems found");
        }
        writeln!(
            f,
            "package is {}: {errors} error(s), {warnings} warning(s)",
            if errors == 0 { "valid" } else { "INVALID" }
        )?;
        for finding in &self.findings {
            let tag = match finding.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            writeln!(f, "  {tag}: {}", finding.problem)?;
        }
        Ok(())
    }
}
