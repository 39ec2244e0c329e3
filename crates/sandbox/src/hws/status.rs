//! Reply bodies of the HWS API: import and service-request status documents.
//!
//! **Inferred:** the HWS guide's Appendix D is not public. The status documents use ST.96
//! namespaces and the element names `st96-model`'s lenient status parsers look for (the
//! shapes of `fixtures/st96/status/`).

use st96_model::{COM, DGN};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `dgn:HagueImportStatus`.
pub(super) fn import_xml(import_id: &str, status: &str, srn: Option<&str>) -> String {
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<dgn:HagueImportStatus xmlns:com=\"{COM}\" xmlns:dgn=\"{DGN}\">\n  <dgn:ImportIdentifier>{}</dgn:ImportIdentifier>\n  <dgn:ImportStatus>{}</dgn:ImportStatus>\n",
        esc(import_id),
        esc(status)
    );
    if let Some(srn) = srn {
        x.push_str(&format!(
            "  <dgn:ServiceRequestNumber>{}</dgn:ServiceRequestNumber>\n",
            esc(srn)
        ));
    }
    x.push_str("</dgn:HagueImportStatus>\n");
    x
}

/// `dgn:HagueServiceRequestStatus`.
pub(super) fn request_xml(
    request_id: &str,
    status: &str,
    srn: &str,
    irn: Option<&str>,
    publication: Option<&str>,
) -> String {
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<dgn:HagueServiceRequestStatus xmlns:com=\"{COM}\" xmlns:dgn=\"{DGN}\">\n  <com:RequestIdentifier>{}</com:RequestIdentifier>\n  <dgn:ProcessingStatus>{}</dgn:ProcessingStatus>\n  <dgn:ServiceRequestNumber>{}</dgn:ServiceRequestNumber>\n",
        esc(request_id),
        esc(status),
        esc(srn)
    );
    if let Some(irn) = irn {
        x.push_str(&format!(
            "  <com:InternationalRegistrationNumber>{}</com:InternationalRegistrationNumber>\n",
            esc(irn)
        ));
    }
    if let Some(p) = publication {
        x.push_str(&format!(
            "  <dgn:ExpectedPublicationDate>{}</dgn:ExpectedPublicationDate>\n",
            esc(p)
        ));
    }
    x.push_str("</dgn:HagueServiceRequestStatus>\n");
    x
}
