//! The crate's error types.

use std::io;

/// What went wrong while reading ST.96 XML: an office-to-IB document, a status reply or a
/// bulletin.
///
/// Every variant that comes from the bytes carries the byte offset where the problem was seen,
/// counted from the start of the input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A `<!DOCTYPE` or `<!ENTITY` declaration. ST.96 never needs one, and it is refused rather
    /// than expanded, so no entity expansion attack can work.
    #[error(
        "a DOCTYPE or entity declaration at byte {offset}: ST.96 XML never needs one and this \
         reader refuses it instead of expanding it; remove the declaration"
    )]
    DoctypeRefused {
        /// Byte offset of the `<!`.
        offset: u64,
    },
    /// Elements nest deeper than [`MAX_DEPTH`](crate::MAX_DEPTH).
    #[error(
        "elements nest deeper than {limit} levels at byte {offset}: real ST.96 records stay far \
         below that, so the input is refused as hostile or broken"
    )]
    TooDeep {
        /// Byte offset of the element that went too deep.
        offset: u64,
        /// The fixed limit.
        limit: usize,
    },
    /// One bulletin record is larger than the configured limit.
    #[error(
        "the record starting at byte {offset} is larger than the limit of {limit} bytes; if the \
         file is trusted, raise the limit with `BulletinReader::with_max_record_bytes`"
    )]
    RecordTooLarge {
        /// Byte offset where the record starts.
        offset: u64,
        /// The limit in force.
        limit: usize,
    },
    /// Bytes that are not UTF-8.
    #[error("malformed UTF-8 at byte {offset}: ST.96 files are UTF-8; re-encode the file as UTF-8")]
    InvalidUtf8 {
        /// Byte offset of the first invalid byte.
        offset: u64,
    },
    /// The XML declaration names an encoding other than UTF-8, or the input starts with a
    /// UTF-16 byte order mark.
    #[error(
        "the document declares encoding `{encoding}` at byte {offset}: only UTF-8 is read; \
         re-encode the file as UTF-8"
    )]
    UnsupportedEncoding {
        /// Byte offset of the declaration.
        offset: u64,
        /// The declared encoding.
        encoding: String,
    },
    /// An element is not in the namespace it must be in.
    #[error(
        "element `{element}` at byte {offset} is in namespace `{found}`, expected `{expected}`; \
         declare the ST.96 namespace (for example `xmlns:dgn=\"{expected}\"`)"
    )]
    WrongNamespace {
        /// Byte offset of the element.
        offset: u64,
        /// The element's local name.
        element: String,
        /// The namespace found (empty when none).
        found: String,
        /// The namespace required.
        expected: String,
    },
    /// The bytes are not well-formed XML.
    #[error("malformed XML at byte {offset}: {message}")]
    Malformed {
        /// Byte offset where the parser stopped.
        offset: u64,
        /// What the parser reported.
        message: String,
    },
    /// The document is well-formed but is not the expected ST.96 document.
    #[error("not a valid ST.96 {expected} document: {message}")]
    Unexpected {
        /// What was expected (for example `office-to-IB`).
        expected: &'static str,
        /// What was wrong and how to fix it.
        message: String,
    },
    /// The document parsed, but the transaction in it breaks a rule the builders enforce.
    #[error("the transaction in the document is not valid: {0}")]
    Invalid(#[from] BuildError),
    /// Reading from the underlying source failed.
    #[error("I/O error while reading after byte {offset}: {source}")]
    Io {
        /// Bytes read successfully before the failure.
        offset: u64,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
}

/// Why a builder refused to make a transaction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A required value was not given.
    #[error("{0} is missing; set it on the builder")]
    Missing(&'static str),
    /// A decision must carry exactly one supporting document.
    #[error(
        "a decision carries exactly one supporting document, but {0} were given; attach exactly \
         one PDF"
    )]
    DocumentCount(usize),
    /// A document kind that this transaction cannot carry.
    #[error("document kind `{kind}` cannot be used here: {reason}")]
    DocumentKind {
        /// The kind given.
        kind: String,
        /// Which kinds are allowed.
        reason: String,
    },
    /// A file path that is not a safe relative path inside the package.
    #[error("file path `{path}` is refused: {reason}")]
    Path {
        /// The path as given.
        path: String,
        /// Why.
        reason: &'static str,
    },
    /// Two files at the same path.
    #[error("file path `{0}` is used twice; every file in a package needs its own path")]
    DuplicatePath(String),
    /// A value that does not have the required form.
    #[error("{field} `{value}` is not valid: {reason}")]
    Value {
        /// Which field.
        field: &'static str,
        /// The value given.
        value: String,
        /// What form is required.
        reason: &'static str,
    },
}
