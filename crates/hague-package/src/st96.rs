//! The [`XmlInspector`] over `st96-model`.

use crate::xml::{XmlFileReference, XmlInspector, XmlSummary, XmlTransaction};
use st96_model::{FileDetail, TransactionKind};

/// Reads package XML with [`st96_model::read_office_document`].
///
/// Decisions (which must carry exactly one document) are the grant, refusal, refusal
/// withdrawal, invalidation and division requests, and a generic office communication
/// whose category names one of those (the confirmed decision document kinds of WIPO's
/// "Office to IB" page). Treating the second-part-fee and cancellation transactions as
/// non-decisions is **inferred**: WIPO lists no document kind for them.
#[derive(Debug, Clone, Copy, Default)]
pub struct St96Inspector;

/// Categories of `dgn:HagueGenericOfficeCommunicationCategory` that are decisions.
const DECISION_CATEGORIES: [&str; 9] = [
    "Grant protection",
    "Refusal",
    "Refusal withdrawal",
    "Refusal owner change",
    "Refusal withdrawal owner change",
    "Division",
    "Refusal correction",
    "Refusal correction withdrawal",
    "Invalidation",
];

fn is_decision(kind: &TransactionKind) -> bool {
    match kind {
        TransactionKind::GrantProtectionRequest { .. }
        | TransactionKind::RefusalRequest
        | TransactionKind::RefusalWithdrawalRequest
        | TransactionKind::InvalidationRequest
        | TransactionKind::Division => true,
        TransactionKind::GenericOfficeCommunication { category } => {
            category.as_deref().is_some_and(|c| {
                DECISION_CATEGORIES
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(c.trim()))
            })
        }
        _ => false,
    }
}

/// `st96-model` refuses a wrapper that does not hold exactly one transaction with a
/// message "the wrapper holds N elements"; this recovers N so the package report can say
/// "no transaction" or "N transactions" as typed problems.
fn wrapper_count(message: &str) -> Option<usize> {
    let rest = message.split("the wrapper holds ").nth(1)?;
    rest.split(' ').next()?.parse().ok()
}

impl XmlInspector for St96Inspector {
    fn inspect(&self, xml: &[u8]) -> Result<XmlSummary, String> {
        let doc = match st96_model::read_office_document(xml) {
            Ok(doc) => doc,
            Err(st96_model::Error::Unexpected { message, .. }) => {
                return match wrapper_count(&message) {
                    Some(n) if n != 1 => Ok(XmlSummary::new(
                        vec![XmlTransaction::new("(transaction)", false, 0); n],
                        Vec::new(),
                    )),
                    _ => Err(message),
                };
            }
            Err(e) => return Err(e.to_string()),
        };
        let mut documents = 0;
        let references = doc
            .file_references
            .iter()
            .map(|r| {
                let (is_document, kind) = match &r.detail {
                    FileDetail::Document { kind } => {
                        documents += 1;
                        (true, kind.as_ref().map(|k| k.as_str().to_owned()))
                    }
                    _ => (false, None),
                };
                XmlFileReference::new(r.path.clone(), r.element_path.clone(), is_document, kind)
            })
            .collect();
        Ok(XmlSummary::new(
            vec![XmlTransaction::new(
                doc.element.clone(),
                is_decision(&doc.kind),
                documents,
            )],
            references,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::wrapper_count;

    #[test]
    fn recovers_the_transaction_count() {
        assert_eq!(
            wrapper_count("the wrapper holds 2 elements; HWS takes exactly one"),
            Some(2)
        );
        assert_eq!(wrapper_count("the root element is `x`"), None);
    }
}
