//! HWS test inputs: the guide's kind of import package (one ST.96 refusal of
//! DM/081234 with its decision PDF), built by `hague-package`.

use hague_package::{FileSource, PackageBuilder};

/// The ST.96 refusal (`HagueRefusalRequest`) that names its decision PDF as
/// `refusal/decision.pdf`.
pub const REFUSAL_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<dgn:HagueOfficeToIBTransaction com:st96Version="V4_0"
  xmlns:com="http://www.wipo.int/standards/XMLSchema/ST96/Common"
  xmlns:dgn="http://www.wipo.int/standards/XMLSchema/ST96/Design">
  <dgn:HagueRefusalRequest>
    <com:InternationalRegistrationNumber>DM/081234</com:InternationalRegistrationNumber>
    <com:DocumentBag><com:Document>
      <com:DocumentKindCategory>REFUSAL_DECISION</com:DocumentKindCategory>
      <com:FileName>refusal/decision.pdf</com:FileName>
    </com:Document></com:DocumentBag>
  </dgn:HagueRefusalRequest>
</dgn:HagueOfficeToIBTransaction>"#;

/// A ZIP of [`REFUSAL_XML`] as `refusal.xml` and `pdf` stored as `pdf_name`
/// (`refusal/decision.pdf` for a valid package; another name for one whose
/// reference does not resolve).
///
/// # Panics
/// When `hague-package` refuses the names (it does not, for these).
pub fn refusal_package(pdf_name: &str, pdf: &[u8]) -> Vec<u8> {
    let (zip, _) = PackageBuilder::new("refusal.xml", FileSource::Bytes(REFUSAL_XML.into()))
        .and_then(|b| b.file(pdf_name, FileSource::Bytes(pdf.to_vec())))
        .and_then(|b| b.write_to(std::io::Cursor::new(Vec::new())))
        .unwrap_or_else(|e| panic!("build the refusal package: {e}"));
    zip.into_inner()
}

/// The HWS guide's kind of package: [`refusal_package`] with a small PDF
/// (magic-correct, not a real document) as `refusal/decision.pdf`.
pub fn valid_package() -> Vec<u8> {
    refusal_package(
        "refusal/decision.pdf",
        b"%PDF-1.7\n%fake but magic-correct\n",
    )
}
