//! `hague package build` and `hague package validate`, with hague-package's hostile corpus.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{fixture, hague, run};

/// `hague package build` of the refusal fixture to `target`, with `extra` flags (its
/// referenced PDF written under `dir` first).
pub(crate) fn build_to(dir: &Path, target: &Path, extra: &[&str]) -> Command {
    let files = dir.join("files");
    std::fs::create_dir_all(files.join("refusal")).unwrap();
    std::fs::write(
        files.join("refusal/decision.pdf"),
        b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
    )
    .unwrap();
    let mut c = hague();
    c.args(["package", "build"])
        .arg(fixture("packages/refusal.xml"))
        .arg("--files")
        .arg(&files)
        .arg("-o")
        .arg(target)
        .args(extra);
    c
}

/// Writes the refusal fixture's referenced PDF under `dir` and builds the package.
pub(crate) fn valid_package(dir: &Path) -> PathBuf {
    let out = dir.join("refusal.zip");
    let stdout = run(&mut build_to(dir, &out, &[])).ok();
    assert!(stdout.contains("refusal/decision.pdf"), "{stdout}");
    out
}

#[test]
fn build_then_validate() {
    let dir = tempfile::tempdir().unwrap();
    let zip = valid_package(dir.path());
    // Read back with the `zip` crate (an independent reader): the XML and the PDF.
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let mut names: Vec<String> = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["refusal.xml", "refusal/decision.pdf"]);
    let mut xml = String::new();
    archive
        .by_name("refusal.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert_eq!(
        xml,
        std::fs::read_to_string(fixture("packages/refusal.xml")).unwrap()
    );

    let text = run(hague().args(["package", "validate"]).arg(&zip)).ok();
    assert!(text.contains("valid (2 entries"), "{text}");
    let json = run(hague().args(["package", "validate", "--json"]).arg(&zip)).json();
    assert_eq!(json["valid"], true);
    assert_eq!(json["errors"], 0);
}

#[test]
fn build_refuses_a_missing_referenced_file() {
    let dir = tempfile::tempdir().unwrap();
    let line = run(hague()
        .args(["package", "build"])
        .arg(fixture("packages/refusal.xml"))
        .arg("--files")
        .arg(dir.path())
        .arg("-o")
        .arg(dir.path().join("out.zip")))
    .fails(5);
    assert!(line.contains("cannot build the package"), "{line}");
    assert!(!dir.path().join("out.zip").exists(), "no partial package");
}

#[test]
fn an_invalid_package_exits_5_with_one_line_per_problem() {
    // A decision with two documents, the second without DocumentKindCategory: two problems
    // of the package rules, plus the files it references are absent.
    let dir = tempfile::tempdir().unwrap();
    let xml = std::fs::read(fixture("packages/bad-refusal-two-documents.xml")).unwrap();
    let zip = dir.path().join("bad.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&zip).unwrap());
    w.start_file("bad.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut w, &xml).unwrap();
    w.finish().unwrap();

    let r = run(hague().args(["package", "validate"]).arg(&zip));
    let stdout = r.stdout.clone();
    let line = r.fails(5);
    assert!(line.contains("is invalid"), "{line}");
    assert!(stdout.contains("INVALID"), "{stdout}");
    // The guide's rule (files at the path the XML gives) is an error; the inferred ones
    // (one document per decision, a category per document) are warnings.
    for (severity, kind) in [
        ("warning: ", "decision_document_count"),
        ("warning: ", "missing_document_kind"),
        ("error: ", "missing_reference"),
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(severity) && l.contains(kind)),
            "a {severity}line for {kind}: {stdout}"
        );
    }

    let r = run(hague().args(["package", "validate", "--json"]).arg(&zip));
    assert_eq!(r.code, 5);
    let report: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(report["valid"], false);
    let err: serde_json::Value = serde_json::from_str(r.stderr.trim()).unwrap();
    assert_eq!(err["error"]["exit_code"], 5);
}

#[test]
fn every_hostile_archive_is_refused_with_one_line_per_problem() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = hague_package::hostile::corpus();
    assert!(corpus.len() >= 20, "the corpus has {} cases", corpus.len());
    for case in corpus {
        let path = dir.path().join(format!("{}.zip", case.name));
        std::fs::write(&path, &case.bytes).unwrap();
        let r = run(hague().args(["package", "validate"]).arg(&path));
        assert_ne!(r.code, 0, "{} accepted: {}", case.name, r.stdout);
        assert_eq!(r.code, 5, "{}: {}", case.name, r.stderr);
        let problems: Vec<&str> = r
            .stdout
            .lines()
            .filter(|l| l.starts_with("error: ") || l.starts_with("warning: "))
            .collect();
        assert!(
            problems
                .iter()
                .any(|l| l.starts_with(&format!("error: {}: ", case.expected_kind))),
            "{}: no line for {}: {}",
            case.name,
            case.expected_kind,
            r.stdout
        );
        if let Some(entry) = case.expected_entry {
            assert!(
                problems
                    .iter()
                    .any(|l| l.contains(case.expected_kind) && l.contains(entry)),
                "{}: the line names {entry}: {}",
                case.name,
                r.stdout
            );
        }
        // One problem per line: every problem line starts with its severity and kind.
        let findings = r
            .stdout
            .lines()
            .filter(|l| !l.contains(": INVALID (") && !l.is_empty())
            .count();
        assert_eq!(findings, problems.len(), "{}: {}", case.name, r.stdout);
        let error = r.fails(5);
        assert!(error.contains("is invalid"), "{}: {error}", case.name);
    }
}
