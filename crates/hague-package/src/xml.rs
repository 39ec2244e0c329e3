//! What the package checks need to know about the ST.96 XML, and the seam to the parser.
//!
//! The package rules (one transaction, every referenced file present, documents carry a
//! `DocumentKindCategory`, a decision carries one document) only need a summary of the
//! XML: its transactions and the files it references. [`XmlInspector`] produces that
//! summary; [`St96Inspector`] is the implementation over `st96-model`, and tests or other
//! front ends may supply their own.

/// One transaction found in the XML.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct XmlTransaction {
    /// The transaction element's local name, e.g. `HagueRefusalRequest`.
    pub element: String,
    /// Whether it is a decision (which must carry exactly one document) rather than an
    /// application.
    pub is_decision: bool,
    /// How many supporting documents it carries.
    pub documents: usize,
}

impl XmlTransaction {
    /// A transaction summary.
    pub fn new(element: impl Into<String>, is_decision: bool, documents: usize) -> Self {
        Self {
            element: element.into(),
            is_decision,
            documents,
        }
    }
}

/// One file the XML references.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct XmlFileReference {
    /// The relative path, exactly as written in the XML.
    pub path: String,
    /// The element that holds the path (e.g. `View/FileName`).
    pub element: String,
    /// Whether the file is a supporting document (which needs a category) rather than a
    /// design view.
    pub is_document: bool,
    /// The `com:DocumentKindCategory`, when given.
    pub document_kind: Option<String>,
}

impl XmlFileReference {
    /// A reference summary.
    pub fn new(
        path: impl Into<String>,
        element: impl Into<String>,
        is_document: bool,
        document_kind: Option<String>,
    ) -> Self {
        Self {
            path: path.into(),
            element: element.into(),
            is_document,
            document_kind,
        }
    }
}

/// What an [`XmlInspector`] reports about a package XML.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct XmlSummary {
    /// The transactions (a valid package has exactly one).
    pub transactions: Vec<XmlTransaction>,
    /// Every referenced file, in document order.
    pub references: Vec<XmlFileReference>,
}

impl XmlSummary {
    /// A summary.
    pub fn new(transactions: Vec<XmlTransaction>, references: Vec<XmlFileReference>) -> Self {
        Self {
            transactions,
            references,
        }
    }
}

/// Reads a package XML into an [`XmlSummary`]. `Err` carries the parser's message.
pub trait XmlInspector {
    /// Inspects the XML bytes.
    fn inspect(&self, xml: &[u8]) -> Result<XmlSummary, String>;
}

impl<F> XmlInspector for F
where
    F: Fn(&[u8]) -> Result<XmlSummary, String>,
{
    fn inspect(&self, xml: &[u8]) -> Result<XmlSummary, String> {
        self(xml)
    }
}
