//! Office decisions: refusal, grant of protection, withdrawal of refusal.

use serde::{Deserialize, Serialize};

use super::common::{
    AffectedDesigns, DocumentKind, SupportingDocument, check_designs, check_pdf,
    parse_design_number, read_documents, read_wrapper, write_documents, write_wrapper,
};
use crate::values::{check_code, check_registration_number, check_text};
use crate::{BuildError, Date, Error, St96Version};

/// Which decision this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DecisionKind {
    /// `dgn:HagueRefusalRequest`.
    Refusal,
    /// `dgn:HagueGrantProtectionRequest`, with `dgn:priorRefusalIndicator="true"` after a
    /// refusal.
    GrantProtection {
        /// Whether a refusal came first.
        prior_refusal: bool,
    },
    /// `dgn:HagueRefusalWithdrawalRequest`.
    RefusalWithdrawal,
}

impl DecisionKind {
    fn element(self) -> &'static str {
        match self {
            Self::Refusal => "HagueRefusalRequest",
            Self::GrantProtection { .. } => "HagueGrantProtectionRequest",
            Self::RefusalWithdrawal => "HagueRefusalWithdrawalRequest",
        }
    }

    /// The document kind this decision must carry, when the public list fixes one.
    fn required_document(self) -> Option<DocumentKind> {
        match self {
            Self::Refusal => Some(DocumentKind::RefusalDecision),
            Self::GrantProtection {
                prior_refusal: true,
            } => Some(DocumentKind::GrantOfProtectionAfterRefusal),
            Self::GrantProtection {
                prior_refusal: false,
            } => Some(DocumentKind::GrantOfProtectionNoPriorRefusal),
            Self::RefusalWithdrawal => None,
        }
    }
}

/// A valid office decision about an international registration. Made by [`DecisionBuilder`]
/// or read with [`Decision::from_xml`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    kind: DecisionKind,
    registration_number: String,
    office_reference: Option<String>,
    notifying_office: Option<String>,
    decision_date: Option<Date>,
    affected: AffectedDesigns,
    document: SupportingDocument,
}

impl Decision {
    /// Starts a refusal (`dgn:HagueRefusalRequest`) with one `REFUSAL_DECISION` PDF.
    pub fn refusal() -> DecisionBuilder {
        DecisionBuilder::new(DecisionKind::Refusal)
    }

    /// Starts a grant of protection (`dgn:HagueGrantProtectionRequest`); its PDF is of kind
    /// `GRANT_OF_PROTECTION_AFTER_REFUSAL` or `GRANT_OF_PROTECTION_NO_PRIOR_REFUSAL`.
    pub fn grant_protection(prior_refusal: bool) -> DecisionBuilder {
        DecisionBuilder::new(DecisionKind::GrantProtection { prior_refusal })
    }

    /// Starts a withdrawal of refusal (`dgn:HagueRefusalWithdrawalRequest`). The public list
    /// of document kinds names none for it, so give one with
    /// [`DecisionBuilder::document_of_kind`].
    pub fn refusal_withdrawal() -> DecisionBuilder {
        DecisionBuilder::new(DecisionKind::RefusalWithdrawal)
    }

    /// Which decision.
    pub fn kind(&self) -> DecisionKind {
        self.kind
    }
    /// The international registration number, e.g. `DM/081234`.
    pub fn registration_number(&self) -> &str {
        &self.registration_number
    }
    /// The office's own reference.
    pub fn office_reference(&self) -> Option<&str> {
        self.office_reference.as_deref()
    }
    /// The two-letter code of the notifying office.
    pub fn notifying_office(&self) -> Option<&str> {
        self.notifying_office.as_deref()
    }
    /// The date of the decision.
    pub fn decision_date(&self) -> Option<Date> {
        self.decision_date
    }
    /// The designs the decision affects.
    pub fn affected_designs(&self) -> &AffectedDesigns {
        &self.affected
    }
    /// The one supporting document.
    pub fn document(&self) -> &SupportingDocument {
        &self.document
    }

    /// Writes the decision as an office-to-IB document.
    pub fn to_xml(&self, version: &St96Version) -> String {
        write_wrapper(version, |w| {
            let name = format!("dgn:{}", self.kind.element());
            let attrs: &[(&str, &str)] = match self.kind {
                DecisionKind::GrantProtection {
                    prior_refusal: true,
                } => &[("dgn:priorRefusalIndicator", "true")],
                _ => &[],
            };
            w.open(&name, attrs);
            w.opt_leaf(
                "com:OfficeReferenceIdentifier",
                self.office_reference.as_deref(),
            );
            w.leaf(
                "com:InternationalRegistrationNumber",
                &self.registration_number,
            );
            w.opt_leaf(
                "com:RecordNotifyingOfficeCode",
                self.notifying_office.as_deref(),
            );
            if let Some(d) = self.decision_date {
                w.leaf("com:DecisionDate", &d.to_string());
            }
            w.open("dgn:AffectedDesign", &[]);
            match &self.affected {
                AffectedDesigns::All => w.leaf("dgn:AllDesignsIndicator", "true"),
                AffectedDesigns::Listed(list) => {
                    w.open("dgn:DesignIdentifierBag", &[]);
                    for n in list {
                        w.leaf("dgn:DesignIdentifier", &n.to_string());
                    }
                    w.close("dgn:DesignIdentifierBag");
                }
            }
            w.close("dgn:AffectedDesign");
            write_documents(w, std::slice::from_ref(&self.document));
            w.close(&name);
        })
    }

    /// Reads a decision back from an office-to-IB document, with the builder's checks.
    ///
    /// Elements this model does not know are not kept here; use
    /// [`read_office_document`](crate::read_office_document) to see them.
    pub fn from_xml(bytes: &[u8]) -> Result<Self, Error> {
        let (_, tx) = read_wrapper(bytes)?;
        let kind = match tx.local.as_str() {
            "HagueRefusalRequest" => DecisionKind::Refusal,
            "HagueRefusalWithdrawalRequest" => DecisionKind::RefusalWithdrawal,
            "HagueGrantProtectionRequest" => DecisionKind::GrantProtection {
                prior_refusal: tx
                    .attr("priorRefusalIndicator")
                    .is_some_and(|v| matches!(v.trim(), "true" | "1")),
            },
            other => {
                return Err(Error::Unexpected {
                    expected: "decision",
                    message: format!(
                        "the transaction is `{other}`, not a refusal, grant of protection or \
                         withdrawal of refusal"
                    ),
                });
            }
        };
        let mut b = DecisionBuilder::new(kind);
        b.registration_number = tx
            .child_text("InternationalRegistrationNumber")
            .map(str::to_owned);
        b.office_reference = tx
            .child("OfficeReferenceIdentifier")
            .map(|e| e.text.clone());
        b.notifying_office = tx
            .child_text("RecordNotifyingOfficeCode")
            .map(str::to_owned);
        if let Some(d) = tx.child_text("DecisionDate") {
            b.decision_date = Some(Date::parse(d)?);
        }
        if let Some(aff) = tx.child("AffectedDesign") {
            if aff
                .child_text("AllDesignsIndicator")
                .is_some_and(|v| v == "true" || v == "1")
            {
                b.affected = Some(AffectedDesigns::All);
            } else if let Some(bag) = aff.child("DesignIdentifierBag") {
                let mut list = Vec::new();
                for id in bag.children_named("DesignIdentifier") {
                    list.push(parse_design_number(&id.text)?);
                }
                b.affected = Some(AffectedDesigns::Listed(list));
            }
        }
        for (path, kind) in read_documents(&tx) {
            b.documents.push((path, kind));
        }
        Ok(b.build()?)
    }
}

/// Builds a [`Decision`]; [`build`](Self::build) refuses what cannot make a valid
/// transaction.
#[derive(Debug, Clone)]
#[must_use]
pub struct DecisionBuilder {
    kind: DecisionKind,
    registration_number: Option<String>,
    office_reference: Option<String>,
    notifying_office: Option<String>,
    decision_date: Option<Date>,
    affected: Option<AffectedDesigns>,
    documents: Vec<(String, Option<DocumentKind>)>,
}

impl DecisionBuilder {
    fn new(kind: DecisionKind) -> Self {
        Self {
            kind,
            registration_number: None,
            office_reference: None,
            notifying_office: None,
            decision_date: None,
            affected: None,
            documents: Vec::new(),
        }
    }

    /// The international registration number, e.g. `DM/081234` (required).
    pub fn registration_number(mut self, irn: impl Into<String>) -> Self {
        self.registration_number = Some(irn.into());
        self
    }
    /// The office's own reference (`com:OfficeReferenceIdentifier`).
    pub fn office_reference(mut self, reference: impl Into<String>) -> Self {
        self.office_reference = Some(reference.into());
        self
    }
    /// The two-letter code of the notifying office (`RecordNotifyingOfficeCode`).
    pub fn notifying_office(mut self, code: impl Into<String>) -> Self {
        self.notifying_office = Some(code.into());
        self
    }
    /// The date of the decision (`DecisionDate`).
    pub fn decision_date(mut self, date: Date) -> Self {
        self.decision_date = Some(date);
        self
    }
    /// The decision affects all designs.
    pub fn all_designs(mut self) -> Self {
        self.affected = Some(AffectedDesigns::All);
        self
    }
    /// The decision affects the listed designs (numbered from 1).
    pub fn designs(mut self, numbers: impl IntoIterator<Item = u32>) -> Self {
        self.affected = Some(AffectedDesigns::Listed(numbers.into_iter().collect()));
        self
    }
    /// Attaches the supporting PDF, with the kind this decision requires.
    pub fn document(mut self, path: impl Into<String>) -> Self {
        self.documents.push((path.into(), None));
        self
    }
    /// Attaches the supporting PDF with an explicit kind.
    pub fn document_of_kind(mut self, path: impl Into<String>, kind: DocumentKind) -> Self {
        self.documents.push((path.into(), Some(kind)));
        self
    }

    /// Checks everything and makes the decision.
    pub fn build(self) -> Result<Decision, BuildError> {
        let registration_number = self
            .registration_number
            .ok_or(BuildError::Missing("the international registration number"))?;
        check_registration_number(&registration_number)?;
        if let Some(r) = &self.office_reference {
            check_text("the office reference", r)?;
        }
        if let Some(code) = &self.notifying_office {
            check_code("notifying office code", code)?;
        }
        let affected = match self.affected {
            None => {
                return Err(BuildError::Missing(
                    "the affected designs (call all_designs() or designs([...]))",
                ));
            }
            Some(AffectedDesigns::All) => AffectedDesigns::All,
            Some(AffectedDesigns::Listed(list)) => AffectedDesigns::Listed(check_designs(&list)?),
        };
        let mut docs = self.documents;
        if docs.len() != 1 {
            return Err(BuildError::DocumentCount(docs.len()));
        }
        let (path, kind) = docs.remove(0);
        check_pdf(&path)?;
        let required = self.kind.required_document();
        let kind = kind.map(|k| DocumentKind::parse(k.as_str()));
        let kind = match (kind, required) {
            (None, Some(req)) => req,
            (None, None) => {
                return Err(BuildError::DocumentKind {
                    kind: String::new(),
                    reason: "the public list names no document kind for a withdrawal of \
                             refusal; give one with document_of_kind"
                        .into(),
                });
            }
            (Some(k), Some(req)) if k != req => {
                return Err(BuildError::DocumentKind {
                    kind: k.as_str().to_owned(),
                    reason: format!("this decision's document must be `{req}`"),
                });
            }
            (Some(k), _) if !k.is_decision_kind() || k.as_str().trim().is_empty() => {
                return Err(BuildError::DocumentKind {
                    kind: k.as_str().to_owned(),
                    reason: "a decision carries a decision document kind (REFUSAL_DECISION, \
                             GRANT_OF_PROTECTION_..., DIVISION, INVALIDATION, REFUSAL_...)"
                        .into(),
                });
            }
            (Some(k), _) => k,
        };
        Ok(Decision {
            kind: self.kind,
            registration_number,
            office_reference: self.office_reference,
            notifying_office: self.notifying_office,
            decision_date: self.decision_date,
            affected,
            document: SupportingDocument { path, kind },
        })
    }
}
