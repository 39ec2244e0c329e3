//! The report: every problem at once, human and JSON renderings.

use hague_package::hostile::{RawEntry, RawZip};
use hague_package::{Limits, Problem, Severity, validate_archive};
use std::io::Cursor;

#[test]
fn all_problems_are_reported_at_once_with_entry_names() {
    let mut bad_crc = RawEntry::stored("img/b.png", b"\x89PNG\r\n\x1a\nrest");
    bad_crc.crc32 ^= 0xFF;
    let bytes = RawZip::new(vec![
        RawEntry::stored("../up.jpg", b"\xff\xd8\xff"),
        bad_crc,
        RawEntry::stored("c.pdf", b"not a pdf"),
    ])
    .to_bytes();
    let v = validate_archive(&mut Cursor::new(&bytes), &Limits::default()).unwrap();
    let errors: Vec<&Problem> = v.report.errors().collect();
    assert_eq!(errors.len(), 3, "{}", v.report);
    assert!(matches!(errors[0], Problem::ParentSegment { entry } if entry == "../up.jpg"));
    assert!(matches!(errors[1], Problem::CrcMismatch { entry, .. } if entry == "img/b.png"));
    assert!(matches!(
        errors[2],
        Problem::ContentMismatch { entry, expected, detected: None } if entry == "c.pdf" && expected == "PDF"
    ));

    let human = v.report.to_human();
    assert!(
        human.starts_with("package is INVALID: 3 error(s), 0 warning(s)"),
        "{human}"
    );
    assert!(
        human.contains("error: entry `img/b.png`: CRC-32 is"),
        "{human}"
    );
    assert!(human.contains("`..` segment"), "{human}");

    let json = v.report.to_json();
    assert_eq!(json["valid"], false);
    assert_eq!(json["errors"], 3);
    assert_eq!(json["findings"][1]["kind"], "crc_mismatch");
    assert_eq!(json["findings"][1]["entry"], "img/b.png");
    assert_eq!(json["findings"][1]["severity"], "error");
    assert!(
        json["findings"][1]["message"]
            .as_str()
            .unwrap()
            .contains("rebuild")
    );
    // The JSON round-trips through a JSON parser.
    let text = serde_json::to_string(&json).unwrap();
    let back: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, json);
}

#[test]
fn case_only_duplicates_are_warnings() {
    let bytes = RawZip::new(vec![
        RawEntry::stored("A.jpg", b"\xff\xd8\xff"),
        RawEntry::stored("a.jpg", b"\xff\xd8\xff"),
    ])
    .to_bytes();
    let v = validate_archive(&mut Cursor::new(&bytes), &Limits::default()).unwrap();
    assert!(v.report.is_valid(), "{}", v.report);
    assert_eq!(v.report.findings.len(), 1);
    assert_eq!(v.report.findings[0].severity, Severity::Warning);
}

#[test]
fn serde_form_of_a_report_flattens_the_problem() {
    let bytes = RawZip::new(vec![RawEntry::stored("/abs.jpg", b"\xff\xd8\xff")]).to_bytes();
    let v = validate_archive(&mut Cursor::new(&bytes), &Limits::default()).unwrap();
    let value = serde_json::to_value(&v.report).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"findings": [
            {"severity": "error", "kind": "absolute_path", "entry": "/abs.jpg"}
        ]})
    );
}
