//! Pieces shared by every office-to-IB transaction: document kinds, affected designs,
//! supporting documents, and the `dgn:HagueOfficeToIBTransaction` wrapper.

use serde::{Deserialize, Serialize};

use crate::tree::{self, Element};
use crate::write::XmlOut;
use crate::{BuildError, COM, DGN, Error, St96Version, XSI, check_relative_path};

/// A `com:DocumentKindCategory` value (the list is confirmed from WIPO's "Office to IB" page).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DocumentKind {
    /// `REFUSAL_DECISION`.
    RefusalDecision,
    /// `GRANT_OF_PROTECTION_AFTER_REFUSAL`.
    GrantOfProtectionAfterRefusal,
    /// `GRANT_OF_PROTECTION_NO_PRIOR_REFUSAL`.
    GrantOfProtectionNoPriorRefusal,
    /// `DIVISION`.
    Division,
    /// `INVALIDATION`.
    Invalidation,
    /// `REFUSAL_CORRECTION`.
    RefusalCorrection,
    /// `REFUSAL_WITHDRAWAL_CORRECTION`.
    RefusalWithdrawalCorrection,
    /// `REFUSAL_OWNERSHIP_CHANGE`.
    RefusalOwnershipChange,
    /// `REFUSAL_WITHDRAWAL_CHANGE`.
    RefusalWithdrawalChange,
    /// `INTERNATIONAL_DESIGN_APPLICATION` (the DM/1 form).
    InternationalDesignApplication,
    /// `POWER_OF_ATTORNEY`.
    PowerOfAttorney,
    /// `MISCELLANEOUS`.
    Miscellaneous,
    /// `REPRODUCTION_SHEETS` (design images).
    ReproductionSheets,
    /// Any other value, kept as written.
    Other(String),
}

impl DocumentKind {
    const TABLE: [(&'static str, Self); 13] = [
        ("REFUSAL_DECISION", Self::RefusalDecision),
        (
            "GRANT_OF_PROTECTION_AFTER_REFUSAL",
            Self::GrantOfProtectionAfterRefusal,
        ),
        (
            "GRANT_OF_PROTECTION_NO_PRIOR_REFUSAL",
            Self::GrantOfProtectionNoPriorRefusal,
        ),
        ("DIVISION", Self::Division),
        ("INVALIDATION", Self::Invalidation),
        ("REFUSAL_CORRECTION", Self::RefusalCorrection),
        (
            "REFUSAL_WITHDRAWAL_CORRECTION",
            Self::RefusalWithdrawalCorrection,
        ),
        ("REFUSAL_OWNERSHIP_CHANGE", Self::RefusalOwnershipChange),
        ("REFUSAL_WITHDRAWAL_CHANGE", Self::RefusalWithdrawalChange),
        (
            "INTERNATIONAL_DESIGN_APPLICATION",
            Self::InternationalDesignApplication,
        ),
        ("POWER_OF_ATTORNEY", Self::PowerOfAttorney),
        ("MISCELLANEOUS", Self::Miscellaneous),
        ("REPRODUCTION_SHEETS", Self::ReproductionSheets),
    ];

    /// Reads a category value; unknown values are kept in `Other`.
    pub fn parse(value: &str) -> Self {
        let value = value.trim();
        Self::TABLE
            .iter()
            .find(|(s, _)| *s == value)
            .map_or_else(|| Self::Other(value.to_owned()), |(_, k)| k.clone())
    }

    /// The category value as written in the XML.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(s) => s,
            known => Self::TABLE
                .iter()
                .find(|(_, k)| k == known)
                .map_or("", |(s, _)| s),
        }
    }

    /// Whether a decision may carry this kind (the confirmed decision list, or `Other`).
    pub fn is_decision_kind(&self) -> bool {
        !matches!(
            self,
            Self::InternationalDesignApplication
                | Self::PowerOfAttorney
                | Self::Miscellaneous
                | Self::ReproductionSheets
        )
    }

    /// Whether an indirect application may carry this kind as a supporting document.
    pub fn is_application_kind(&self) -> bool {
        matches!(
            self,
            Self::InternationalDesignApplication | Self::PowerOfAttorney | Self::Miscellaneous
        )
    }
}

impl std::fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which designs of the international registration a decision affects.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AffectedDesigns {
    /// All designs (`dgn:AllDesignsIndicator`).
    All,
    /// The listed design numbers (`dgn:DesignIdentifierBag/dgn:DesignIdentifier`), ascending
    /// and without repeats.
    Listed(Vec<u32>),
}

/// A supporting document: its path inside the package and its kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SupportingDocument {
    /// The relative path written in `com:FileName`.
    pub path: String,
    /// The `com:DocumentKindCategory`.
    pub kind: DocumentKind,
}

/// Checks a supporting document's path (safe, relative, ending in `.pdf`).
pub(crate) fn check_pdf(path: &str) -> Result<(), BuildError> {
    check_relative_path(path)?;
    if !path.to_ascii_lowercase().ends_with(".pdf") {
        return Err(BuildError::Path {
            path: path.to_owned(),
            reason: "supporting documents are PDF files; the name must end in `.pdf`",
        });
    }
    Ok(())
}

/// Checks that no path appears twice.
pub(crate) fn check_unique<'a>(paths: impl Iterator<Item = &'a str>) -> Result<(), BuildError> {
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        if !seen.insert(p) {
            return Err(BuildError::DuplicatePath(p.to_owned()));
        }
    }
    Ok(())
}

/// Reads a `DesignIdentifier` as a design number.
pub(crate) fn parse_design_number(text: &str) -> Result<u32, BuildError> {
    text.trim().parse::<u32>().map_err(|_| BuildError::Value {
        field: "design number",
        value: text.to_owned(),
        reason: "design numbers are whole numbers from 1",
    })
}

/// Normalises and checks a list of design numbers.
pub(crate) fn check_designs(list: &[u32]) -> Result<Vec<u32>, BuildError> {
    let mut v = list.to_vec();
    v.sort_unstable();
    v.dedup();
    if v.is_empty() {
        return Err(BuildError::Missing(
            "the list of affected designs (give at least one, or use all_designs())",
        ));
    }
    if v.first() == Some(&0) {
        return Err(BuildError::Value {
            field: "design number",
            value: "0".into(),
            reason: "designs are numbered from 1",
        });
    }
    Ok(v)
}

/// Writes the wrapper and lets `body` write the transaction inside it.
pub(crate) fn write_wrapper(version: &St96Version, body: impl FnOnce(&mut XmlOut)) -> String {
    let mut w = XmlOut::new();
    let location = version.schema_location();
    w.open(
        "dgn:HagueOfficeToIBTransaction",
        &[
            ("com:st96Version", version.as_str()),
            ("xmlns:com", COM),
            ("xmlns:dgn", DGN),
            ("xmlns:xsi", XSI),
            ("xsi:schemaLocation", &location),
        ],
    );
    body(&mut w);
    w.close("dgn:HagueOfficeToIBTransaction");
    w.out
}

/// Parses an office-to-IB document and returns its version and its one transaction element.
pub(crate) fn read_wrapper(bytes: &[u8]) -> Result<(St96Version, Element), Error> {
    let root = tree::parse(bytes)?;
    if root.local != "HagueOfficeToIBTransaction" {
        return Err(Error::Unexpected {
            expected: "office-to-IB",
            message: format!(
                "the root element is `{}`; office-to-IB documents start with \
                 `dgn:HagueOfficeToIBTransaction`",
                root.local
            ),
        });
    }
    if root.ns != DGN {
        return Err(Error::WrongNamespace {
            offset: root.start as u64,
            element: root.local,
            found: root.ns,
            expected: DGN.into(),
        });
    }
    let version = root
        .attr("st96Version")
        .map(St96Version::parse)
        .ok_or_else(|| Error::Unexpected {
            expected: "office-to-IB",
            message: "the root element has no `com:st96Version` attribute; add \
                      com:st96Version=\"V4_0\" (or V7_0)"
                .into(),
        })?;
    let mut root = root;
    if root.children.len() != 1 {
        return Err(Error::Unexpected {
            expected: "office-to-IB",
            message: format!(
                "the wrapper holds {} elements; HWS takes exactly one transaction per package",
                root.children.len()
            ),
        });
    }
    let tx = root.children.remove(0);
    Ok((version, tx))
}

/// Reads `com:DocumentBag/com:Document` children into supporting documents (inferred
/// structure; see docs/st96.md).
pub(crate) fn read_documents(tx: &Element) -> Vec<(String, Option<DocumentKind>)> {
    let mut out = Vec::new();
    for bag in tx.children_named("DocumentBag") {
        for doc in bag.children_named("Document") {
            if let Some(path) = doc.child("FileName") {
                out.push((
                    path.text.clone(),
                    doc.child_text("DocumentKindCategory")
                        .map(DocumentKind::parse),
                ));
            }
        }
    }
    out
}

/// Writes the documents in `com:DocumentBag/com:Document` (inferred structure).
pub(crate) fn write_documents(w: &mut XmlOut, docs: &[SupportingDocument]) {
    if docs.is_empty() {
        return;
    }
    w.open("com:DocumentBag", &[]);
    for d in docs {
        w.open("com:Document", &[]);
        w.leaf("com:DocumentKindCategory", d.kind.as_str());
        w.leaf("com:FileName", &d.path);
        w.close("com:Document");
    }
    w.close("com:DocumentBag");
}
