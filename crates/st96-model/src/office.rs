//! Reading any office-to-IB document: what hague-package needs to check an import package.

use serde::{Deserialize, Serialize};

use crate::transaction::{DocumentKind, read_wrapper};
use crate::tree::Element;
use crate::vocabulary::is_known;
use crate::{COM, DGN, Error, St96Version};

/// The transaction under `dgn:HagueOfficeToIBTransaction` (the table is confirmed from WIPO's
/// "Office to IB" page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TransactionKind {
    /// `dgn:HagueApplication` (indirect application).
    Application,
    /// `dgn:HagueGrantProtectionRequest`.
    GrantProtectionRequest {
        /// `dgn:priorRefusalIndicator="true"`.
        prior_refusal: bool,
    },
    /// `dgn:HagueRefusalRequest`.
    RefusalRequest,
    /// `dgn:HagueRefusalWithdrawalRequest`.
    RefusalWithdrawalRequest,
    /// `dgn:HagueInvalidationRequest`.
    InvalidationRequest,
    /// `dgn:HagueDivision`.
    Division,
    /// `dgn:HagueSecondPartFeePayable`.
    SecondPartFeePayable,
    /// `dgn:HagueSecondPartFeePaid`.
    SecondPartFeePaid,
    /// `dgn:HagueCancellationNonPaymentRequest`.
    CancellationNonPaymentRequest,
    /// `dgn:HagueGenericOfficeCommunication`.
    GenericOfficeCommunication {
        /// `dgn:HagueGenericOfficeCommunicationCategory`, e.g. `Refusal owner change`.
        category: Option<String>,
    },
    /// Any other element, kept by local name.
    Other {
        /// The local name.
        element: String,
    },
}

impl TransactionKind {
    fn of(tx: &Element) -> Self {
        match tx.local.as_str() {
            "HagueApplication" => Self::Application,
            "HagueGrantProtectionRequest" => Self::GrantProtectionRequest {
                prior_refusal: tx
                    .attr("priorRefusalIndicator")
                    .is_some_and(|v| matches!(v.trim(), "true" | "1")),
            },
            "HagueRefusalRequest" => Self::RefusalRequest,
            "HagueRefusalWithdrawalRequest" => Self::RefusalWithdrawalRequest,
            "HagueInvalidationRequest" => Self::InvalidationRequest,
            "HagueDivision" => Self::Division,
            "HagueSecondPartFeePayable" => Self::SecondPartFeePayable,
            "HagueSecondPartFeePaid" => Self::SecondPartFeePaid,
            "HagueCancellationNonPaymentRequest" => Self::CancellationNonPaymentRequest,
            "HagueGenericOfficeCommunication" => Self::GenericOfficeCommunication {
                category: tx
                    .descendant("HagueGenericOfficeCommunicationCategory")
                    .map(|e| e.text.trim().to_owned()),
            },
            other => Self::Other {
                element: other.to_owned(),
            },
        }
    }
}

/// What a file reference says about its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum FileDetail {
    /// A supporting document; `kind` is the `com:DocumentKindCategory` next to the file name
    /// or on the nearest enclosing element, `None` when there is none (WIPO then cannot
    /// record the transaction automatically).
    Document {
        /// The `com:DocumentKindCategory` next to the file name.
        kind: Option<DocumentKind>,
    },
    /// A design view (`View` element).
    View {
        /// The enclosing `DesignIdentifier`, if any.
        design: Option<String>,
        /// `ViewIdentifier`.
        identifier: Option<String>,
        /// `ViewTypeCategory`.
        view_type: Option<String>,
    },
}

/// One `FileName` found anywhere in the transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileReference {
    /// The relative path exactly as written (nothing trimmed). Not checked here:
    /// check it with [`check_relative_path`](crate::check_relative_path).
    pub path: String,
    /// The local name of the element that holds the `FileName` (e.g. `View`, `Document`).
    pub element: String,
    /// The local names from the transaction element down to that element, joined by `/`.
    pub element_path: String,
    /// Document kind or view data.
    pub detail: FileDetail,
    /// Byte offset of the `FileName` element in the document.
    pub offset: u64,
}

/// An element this crate does not model, kept with its exact source text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownElement {
    /// Local names from the transaction element down to this one, joined by `/`.
    pub path: String,
    /// The element's namespace URI (empty when none).
    pub namespace: String,
    /// The element's exact source text, children included.
    pub xml: String,
    /// Byte offset in the document.
    pub offset: u64,
}

/// What an office-to-IB document holds, as far as packaging and tracking need it.
///
/// Nothing is lost: [`raw`](Self::raw) is the document as given, and every element outside
/// the crate's vocabulary is listed in [`unknown_elements`](Self::unknown_elements).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeDocument {
    /// `com:st96Version` on the wrapper.
    pub st96_version: St96Version,
    /// The transaction kind.
    pub kind: TransactionKind,
    /// The transaction element's local name.
    pub element: String,
    /// `com:InternationalRegistrationNumber`, where present (first one found).
    pub registration_number: Option<String>,
    /// `com:OfficeReferenceIdentifier`, where present (first one found).
    pub office_reference: Option<String>,
    /// Every file reference, in document order.
    pub file_references: Vec<FileReference>,
    /// Elements outside the crate's vocabulary, outermost only, in document order.
    pub unknown_elements: Vec<UnknownElement>,
    /// The document as given.
    pub raw: String,
}

/// Reads any office-to-IB document: the transaction kind, registration number, office
/// reference, ST.96 version, every file reference, and the elements the crate does not know.
///
/// Refuses a DOCTYPE, deep nesting, malformed UTF-8 or XML, a root other than
/// `dgn:HagueOfficeToIBTransaction` in the Design namespace, and a wrapper that does not hold
/// exactly one transaction (HWS takes one per package).
pub fn read_office_document(xml: &[u8]) -> Result<OfficeDocument, Error> {
    let (st96_version, tx) = read_wrapper(xml)?;
    let raw = crate::tree::utf8(xml)?.to_owned();
    let mut doc = OfficeDocument {
        st96_version,
        kind: TransactionKind::of(&tx),
        element: tx.local.clone(),
        registration_number: tx
            .descendant("InternationalRegistrationNumber")
            .map(|e| e.text.trim().to_owned()),
        office_reference: tx
            .descendant("OfficeReferenceIdentifier")
            .map(|e| e.text.trim().to_owned()),
        file_references: Vec::new(),
        unknown_elements: Vec::new(),
        raw,
    };
    let mut path = vec![tx.local.as_str()];
    walk(&tx, &mut path, None, None, false, &mut doc);
    Ok(doc)
}

/// Collects file references everywhere (inside unknown elements too, so that packaging sees
/// every referenced file) and the outermost unknown elements.
fn walk<'a>(
    el: &'a Element,
    path: &mut Vec<&'a str>,
    design: Option<&'a str>,
    kind: Option<&'a str>,
    inside_unknown: bool,
    doc: &mut OfficeDocument,
) {
    let design = el
        .child_text("DesignIdentifier")
        .filter(|_| el.local == "HagueDesign")
        .or(design);
    // The nearest DocumentKindCategory: next to the FileName, or on an enclosing element
    // (the wrapper of a supporting document is not public, so either is accepted).
    let kind = el.child_text("DocumentKindCategory").or(kind);
    for file in el.children_named("FileName") {
        let detail = if el.local == "View" {
            FileDetail::View {
                design: design.map(str::to_owned),
                identifier: el.child_text("ViewIdentifier").map(str::to_owned),
                view_type: el.child_text("ViewTypeCategory").map(str::to_owned),
            }
        } else {
            FileDetail::Document {
                kind: kind.map(DocumentKind::parse),
            }
        };
        doc.file_references.push(FileReference {
            path: file.text.clone(),
            element: el.local.clone(),
            element_path: path.join("/"),
            detail,
            offset: file.start as u64,
        });
    }
    for child in &el.children {
        path.push(&child.local);
        let known = (child.ns == COM || child.ns == DGN) && is_known(&child.local);
        if !known && !inside_unknown {
            doc.unknown_elements.push(UnknownElement {
                path: path.join("/"),
                namespace: child.ns.clone(),
                xml: doc
                    .raw
                    .get(child.start..child.end)
                    .unwrap_or_default()
                    .to_owned(),
                offset: child.start as u64,
            });
        }
        walk(child, path, design, kind, inside_unknown || !known, doc);
        path.pop();
    }
}
