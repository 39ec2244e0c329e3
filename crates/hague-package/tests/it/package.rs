//! Package rules over the XML: builders' output and hand-written fixtures build, validate
//! clean and extract back to the exact files; faulty ones get their typed problems.

use crate::support::{jpeg, noise, workspace};
use hague_package::{
    FileSource, PackageBuilder, Problem, Severity, St96Inspector, ValidationOptions, XmlInspector,
    extract, validate_package,
};
use st96_model::{
    Address, Applicant, Decision, Design, DocumentKind, LocalizedText, PartyName, St96Version, View,
};
use std::fs;
use std::io::Cursor;
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    fs::read(workspace().join("fixtures/packages").join(name)).unwrap()
}

/// Content for a referenced path, with the right signature for its extension.
fn content_for(path: &str, seed: u64) -> Vec<u8> {
    if path.ends_with(".pdf") {
        let mut v = b"%PDF-1.4\n".to_vec();
        v.extend(noise(2000, seed));
        v
    } else {
        jpeg(5000, seed)
    }
}

/// Writes every referenced file under `dir`; returns (path, bytes).
fn materialise(xml: &[u8], dir: &Path) -> Vec<(String, Vec<u8>)> {
    let summary = St96Inspector.inspect(xml).unwrap();
    let mut out = Vec::new();
    for (i, r) in summary.references.iter().enumerate() {
        let bytes = content_for(&r.path, i as u64 + 1);
        let p = dir.join(&r.path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, &bytes).unwrap();
        out.push((r.path.clone(), bytes));
    }
    out
}

/// Builds from a directory, validates, extracts and compares every file.
fn round_trip(xml: &[u8], expected_files: usize) {
    let src = tempfile::tempdir().unwrap();
    let files = materialise(xml, src.path());
    assert_eq!(files.len(), expected_files);
    let builder = PackageBuilder::from_xml_and_dir(
        "transaction.xml",
        xml.to_vec(),
        src.path(),
        &St96Inspector,
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let zip = out.path().join("package.zip");
    builder.build_to_path(&zip).unwrap();

    let v = validate_package(
        &mut fs::File::open(&zip).unwrap(),
        &ValidationOptions::default(),
        &St96Inspector,
    )
    .unwrap();
    assert!(v.report.findings.is_empty(), "{}", v.report);
    assert_eq!(v.entries.len(), expected_files + 1);

    let dest = out.path().join("extracted");
    extract(
        &mut fs::File::open(&zip).unwrap(),
        &dest,
        &hague_package::Limits::default(),
    )
    .unwrap();
    assert_eq!(fs::read(dest.join("transaction.xml")).unwrap(), xml);
    for (path, bytes) in &files {
        assert_eq!(&fs::read(dest.join(path)).unwrap(), bytes, "{path}");
    }
}

#[test]
fn hand_written_application_fixture_round_trips() {
    round_trip(&fixture("application-views.xml"), 5);
}

#[test]
fn hand_written_refusal_fixture_round_trips() {
    round_trip(&fixture("refusal.xml"), 1);
}

#[test]
fn application_builder_output_round_trips() {
    let view = |id: &str, path: &str| View {
        identifier: id.into(),
        path: path.into(),
        view_type: Some("Front".into()),
    };
    let app = st96_model::Application::builder()
        .office_reference("ES-2026-1")
        .applicant(Applicant {
            name: PartyName::Organization("Muebles Ejemplo S.L.".into()),
            address: Address {
                lines: vec!["Calle Mayor 1".into()],
                city: "Madrid".into(),
                postal_code: Some("28013".into()),
                country: "ES".into(),
            },
        })
        .designate("US")
        .design(Design {
            identifier: 1,
            product: vec![LocalizedText {
                language: "en".into(),
                text: "Chair".into(),
            }],
            views: vec![
                view("1.1", "views/1/1.1.jpg"),
                view("1.2", "views/1/1.2.jpg"),
            ],
        })
        .document("docs/dm1.pdf", DocumentKind::InternationalDesignApplication)
        .build()
        .unwrap();
    round_trip(app.to_xml(&St96Version::V4_0).as_bytes(), 3);
}

#[test]
fn decision_builder_output_round_trips() {
    let refusal = Decision::refusal()
        .registration_number("DM/081234")
        .notifying_office("ES")
        .all_designs()
        .document("refusal/DM081234.pdf")
        .build()
        .unwrap();
    round_trip(refusal.to_xml(&St96Version::V7_0).as_bytes(), 1);
}

fn kinds(v: &hague_package::Validation) -> Vec<(Severity, String)> {
    v.report.to_json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let sev = if f["severity"] == "error" {
                Severity::Error
            } else {
                Severity::Warning
            };
            (sev, f["kind"].as_str().unwrap().to_owned())
        })
        .collect()
}

fn package(xml: &[u8], files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut b = PackageBuilder::new("t.xml", FileSource::Bytes(xml.to_vec())).unwrap();
    for (p, bytes) in files {
        b = b.file(*p, FileSource::Bytes(bytes.clone())).unwrap();
    }
    b.write_to(Cursor::new(Vec::new())).unwrap().0.into_inner()
}

fn check(zip: &[u8], options: ValidationOptions) -> hague_package::Validation {
    validate_package(&mut Cursor::new(zip), &options, &St96Inspector).unwrap()
}

#[test]
fn missing_file_gets_a_case_hint_and_the_stray_file_is_unreferenced() {
    let xml = fixture("refusal.xml");
    let zip = package(&xml, &[("refusal/Decision.PDF", content_for("x.pdf", 1))]);
    let v = check(&zip, ValidationOptions::default());
    let errors: Vec<&Problem> = v.report.errors().collect();
    assert!(
        matches!(errors.as_slice(), [
            Problem::MissingReference { path, case_hint: Some(hint), .. },
            Problem::UnreferencedFile { entry },
        ] if path == "refusal/decision.pdf" && hint == "refusal/Decision.PDF" && entry == hint),
        "{}",
        v.report
    );
    assert!(v.report.to_human().contains("differs only in letter case"));
    // The stray file can be a warning instead.
    let v = check(
        &zip,
        ValidationOptions::default().with_unreferenced(Severity::Warning),
    );
    assert_eq!(
        kinds(&v),
        [
            (Severity::Error, "missing_reference".to_owned()),
            (Severity::Warning, "unreferenced_file".to_owned())
        ]
    );
}

#[test]
fn missing_file_without_a_near_match_has_no_hint() {
    let zip = package(&fixture("refusal.xml"), &[]);
    let v = check(&zip, ValidationOptions::default());
    assert!(matches!(
        v.report.errors().collect::<Vec<_>>().as_slice(),
        [Problem::MissingReference {
            case_hint: None,
            ..
        }]
    ));
}

#[test]
fn decision_with_two_documents_and_a_document_without_kind() {
    // Both rules are inferred (the guide states neither): warnings, the package is valid.
    let zip = package(
        &fixture("bad-refusal-two-documents.xml"),
        &[
            ("a.pdf", content_for("a.pdf", 1)),
            ("b.pdf", content_for("b.pdf", 2)),
        ],
    );
    let v = check(&zip, ValidationOptions::default());
    assert!(v.report.is_valid(), "{}", v.report);
    let warnings: Vec<&Problem> = v.report.warnings().collect();
    assert!(
        matches!(warnings.as_slice(), [
            Problem::DecisionDocumentCount { transaction, count: 2 },
            Problem::MissingDocumentKind { path, .. },
        ] if transaction == "HagueRefusalRequest" && path == "b.pdf"),
        "{}",
        v.report
    );
}

#[test]
fn transaction_counts_and_unparsable_xml() {
    let cases = [
        ("bad-two-transactions.xml", "multiple_transactions"),
        ("bad-no-transaction.xml", "no_transaction"),
        ("bad-malformed.xml", "xml_unparsable"),
    ];
    for (name, kind) in cases {
        let v = check(&package(&fixture(name), &[]), ValidationOptions::default());
        assert_eq!(
            kinds(&v),
            [(Severity::Error, kind.to_owned())],
            "{name}: {}",
            v.report
        );
    }
}

#[test]
fn no_xml_at_all() {
    let zip = hague_package::hostile::RawZip::new(vec![hague_package::hostile::RawEntry::stored(
        "a.jpg",
        hague_package::hostile::JPEG_HEAD,
    )])
    .to_bytes();
    let v = check(&zip, ValidationOptions::default());
    assert_eq!(kinds(&v), [(Severity::Error, "no_xml".to_owned())]);
}

#[test]
fn references_resolve_from_the_xml_folder_and_file_types_are_warned() {
    use hague_package::{FileSource, PackageBuilder};
    use std::io::Cursor;
    let xml = fixture("refusal.xml");
    let text = String::from_utf8(xml.clone()).unwrap();
    // The fixture's one reference, found by the inspector.
    let summary =
        hague_package::XmlInspector::inspect(&hague_package::St96Inspector, &xml).unwrap();
    let path = summary.references[0].path.clone();
    // XML in a folder, the file at the relative path from that folder: valid.
    let (zip, _) = PackageBuilder::new("pkg/refusal.xml", FileSource::Bytes(xml.clone()))
        .unwrap()
        .file(
            format!("pkg/{path}"),
            FileSource::Bytes(content_for(&path, 1)),
        )
        .unwrap()
        .write_to(Cursor::new(Vec::new()))
        .unwrap();
    let v = check(&zip.into_inner(), ValidationOptions::default());
    assert!(v.report.is_valid(), "{}", v.report);
    // The file at the top instead: missing from the XML's folder (and unreferenced).
    let (zip, _) = PackageBuilder::new("pkg/refusal.xml", FileSource::Bytes(xml))
        .unwrap()
        .file(path.clone(), FileSource::Bytes(content_for(&path, 1)))
        .unwrap()
        .write_to(Cursor::new(Vec::new()))
        .unwrap();
    let v = check(&zip.into_inner(), ValidationOptions::default());
    assert!(
        v.report
            .errors()
            .any(|p| matches!(p, Problem::MissingReference { .. }))
    );
    // A document that is not a PDF: a warning, as the builders refuse it.
    let renamed = text.replace(&path, "refusal/decision.docx");
    let (zip, _) = PackageBuilder::new("refusal.xml", FileSource::Bytes(renamed.into_bytes()))
        .unwrap()
        .file(
            "refusal/decision.docx",
            FileSource::Bytes(b"PK-ish".to_vec()),
        )
        .unwrap()
        .write_to(Cursor::new(Vec::new()))
        .unwrap();
    let v = check(&zip.into_inner(), ValidationOptions::default());
    assert!(v.report.is_valid(), "{}", v.report);
    assert!(
        v.report.warnings().any(
            |p| matches!(p, Problem::UnexpectedFileType { expected, .. } if expected == "PDF")
        ),
        "{}",
        v.report
    );
}
