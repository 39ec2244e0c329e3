//! Sample inputs shared by several commands (`demo`, `record`): a small
//! PDF and a Hague import package built from it. Helpers, not a command.

use crate::Result;

/// A small, complete PDF to send for signature.
pub(crate) const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// A refusal of designs 1 and 3 of DM/081234 with its decision PDF, as an
/// import package built by `hague-package`.
pub(crate) fn refusal_package() -> Result<Vec<u8>> {
    let decision = st96_model::Decision::refusal()
        .registration_number("DM/081234")
        .office_reference("ES-2026-0042")
        .notifying_office("ES")
        .decision_date(st96_model::Date::new(2026, 11, 20)?)
        .designs([1, 3])
        .document("decisions/refusal.pdf")
        .build()?;
    let xml = decision.to_xml(&st96_model::St96Version::V4_0);
    let (zip, _) = hague_package::PackageBuilder::new(
        "refusal.xml",
        hague_package::FileSource::Bytes(xml.into_bytes()),
    )?
    .file(
        "decisions/refusal.pdf",
        hague_package::FileSource::Bytes(PDF.to_vec()),
    )?
    .write_to(std::io::Cursor::new(Vec::new()))?;
    Ok(zip.into_inner())
}
