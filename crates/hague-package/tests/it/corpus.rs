//! The hostile-archive corpus: each case gets its specific typed problem, and extraction
//! never writes outside its target.

use hague_package::hostile::{Check, corpus};
use hague_package::{
    ExtractError, Limits, ValidationOptions, XmlSummary, extract, validate_archive,
    validate_package,
};
use std::io::Cursor;
use std::path::Path;

fn no_xml_rules(_: &[u8]) -> Result<XmlSummary, String> {
    Ok(XmlSummary::default())
}

#[test]
fn every_hostile_case_gets_its_typed_problem() {
    let cases = corpus();
    assert!(cases.len() >= 20);
    for case in cases {
        let mut r = Cursor::new(&case.bytes);
        let validation = match case.check {
            Check::Archive => validate_archive(&mut r, &Limits::default()).unwrap(),
            Check::Package => {
                validate_package(&mut r, &ValidationOptions::default(), &no_xml_rules).unwrap()
            }
        };
        assert!(!validation.report.is_valid(), "{}: accepted", case.name);
        let json = validation.report.to_json();
        let found = json["findings"].as_array().unwrap().iter().any(|f| {
            f["kind"] == case.expected_kind
                && f["severity"] == "error"
                && case.expected_entry.is_none_or(|e| f["entry"] == e)
        });
        assert!(
            found,
            "{}: expected {} on {:?}, got:\n{}",
            case.name, case.expected_kind, case.expected_entry, validation.report
        );
    }
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            out.push(p.strip_prefix(dir).unwrap().display().to_string());
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn extraction_never_writes_outside_the_target() {
    for case in corpus() {
        let sandbox = tempfile::tempdir().unwrap();
        let jail = sandbox.path().join("jail");
        std::fs::create_dir(&jail).unwrap();
        let out = jail.join("out");
        let result = extract(&mut Cursor::new(&case.bytes), &out, &Limits::default());
        let written = files_under(sandbox.path());
        if case.unsafe_to_extract {
            assert!(
                matches!(result, Err(ExtractError::Refused(_))),
                "{}: {result:?}",
                case.name
            );
            assert_eq!(written, vec!["jail".to_owned()], "{}", case.name);
        } else {
            let extracted = result.unwrap();
            assert!(
                written
                    .iter()
                    .all(|p| p == "jail" || p.starts_with("jail/out")),
                "{}: {written:?}",
                case.name
            );
            assert!(extracted.files >= 1);
        }
    }
    assert!(!Path::new("/tmp/evil.txt").exists());
}

#[test]
fn lying_size_is_caught_without_decompressing_past_the_declared_size() {
    // Real deflate bomb body (8 MiB of zeros) under a 1 MiB declared size and a
    // permissive ratio: reading stops at declared size + 1.
    use hague_package::hostile::{RawEntry, RawZip};
    let mut e = RawEntry::deflated("z.tif", &vec![0u8; 8 << 20]);
    e.size = 1 << 20;
    let bytes = RawZip::new(vec![e]).to_bytes();
    let limits = Limits::default().with_max_ratio(100_000);
    let v = validate_archive(&mut Cursor::new(&bytes), &limits).unwrap();
    let json = v.report.to_json();
    let f = &json["findings"][0];
    assert_eq!(f["kind"], "size_mismatch");
    assert_eq!(f["declared"], 1 << 20);
    assert_eq!(f["actual"], (1 << 20) + 1);
}

#[test]
fn total_size_and_entry_limits_are_configurable() {
    use hague_package::hostile::{RawEntry, RawZip};
    let bytes = RawZip::new(vec![
        RawEntry::stored("a.bin", &[1; 600]),
        RawEntry::stored("b.bin", &[2; 600]),
    ])
    .to_bytes();
    let ok = validate_archive(&mut Cursor::new(&bytes), &Limits::default()).unwrap();
    assert!(ok.report.is_valid(), "{}", ok.report);
    let small = Limits::default().with_max_total_size(1000);
    let v = validate_archive(&mut Cursor::new(&bytes), &small).unwrap();
    assert_eq!(
        v.report.to_json()["findings"][0]["kind"],
        "total_size_exceeded"
    );
    let few = Limits::default().with_max_entries(1);
    let v = validate_archive(&mut Cursor::new(&bytes), &few).unwrap();
    assert_eq!(
        v.report.to_json()["findings"][0]["kind"],
        "too_many_entries"
    );
}
