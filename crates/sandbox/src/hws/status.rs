//! Reply bodies of the HWS API: import and service-request status documents and bulletin
//! ZIPs.
//!
//! **Inferred:** the HWS guide's Appendix D is not public. The status documents use ST.96
//! namespaces and the element names `st96-model`'s lenient status parsers look for (the
//! shapes of `fixtures/st96/status/`); bulletins are `st96-model`'s synthetic bulletins
//! packed by `hague-package`.

use std::io::Cursor;

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

/// A synthetic bulletin (or confidential copy) of `records` records, zipped.
pub(super) fn bulletin_zip(
    week: &str,
    confidential: bool,
    records: u64,
    seed: u64,
) -> Result<Vec<u8>, String> {
    let mut xml = Vec::new();
    st96_model::synth::write_bulletin(&mut xml, records, seed)
        .map_err(|e| format!("generating the bulletin failed: {e}"))?;
    let name = if confidential {
        format!("CC{week}_ST96.xml")
    } else {
        format!("HE{week}_ST96.xml")
    };
    let (zip, _) = hague_package::PackageBuilder::new(name, hague_package::FileSource::Bytes(xml))
        .and_then(|b| b.write_to(Cursor::new(Vec::new())))
        .map_err(|e| format!("packing the bulletin failed: {e}"))?;
    Ok(zip.into_inner())
}
