//! Archives made by independent writers (Python `zipfile`, Info-ZIP `zip`): valid ones
//! validate clean; damage at known offsets is found.

use crate::support::{jpeg, run_python};
use hague_package::{Limits, Problem, validate_archive};
use std::io::Cursor;

const MAKE: &str = r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr(zipfile.ZipInfo("p.xml", (2024, 5, 6, 7, 8, 10)), b"<x>" + b"a" * 5000 + b"</x>", zipfile.ZIP_DEFLATED)
    z.writestr("img/1.jpg", bytes.fromhex(sys.argv[2]), zipfile.ZIP_STORED)
    z.writestr("img/", b"")
"#;

fn python_zip() -> (Vec<u8>, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("py.zip");
    let img = jpeg(3000, 42);
    run_python(MAKE, &[path.as_os_str(), hex::encode(&img).as_ref()]);
    (std::fs::read(path).unwrap(), img)
}

#[test]
fn python_made_package_validates_clean() {
    let (zip, _) = python_zip();
    let v = validate_archive(&mut Cursor::new(&zip), &Limits::default()).unwrap();
    assert!(v.report.is_valid(), "{}", v.report);
    assert!(v.report.findings.is_empty(), "{}", v.report);
    let names: Vec<&str> = v.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["p.xml", "img/1.jpg", "img/"]);
}

#[test]
fn info_zip_made_package_validates_clean() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("img")).unwrap();
    std::fs::write(dir.path().join("img/a.jpg"), jpeg(5000, 1)).unwrap();
    std::fs::write(dir.path().join("t.xml"), b"<x>".repeat(1000)).unwrap();
    let status = std::process::Command::new("zip")
        .current_dir(dir.path())
        .args(["-qrX", "out.zip", "t.xml", "img"])
        .status()
        .unwrap();
    assert!(status.success());
    let zip = std::fs::read(dir.path().join("out.zip")).unwrap();
    let v = validate_archive(&mut Cursor::new(&zip), &Limits::default()).unwrap();
    assert!(v.report.findings.is_empty(), "{}", v.report);
}

#[test]
fn a_flipped_data_byte_is_a_crc_mismatch_on_that_entry() {
    let (mut zip, img) = python_zip();
    // Locate the stored image body independently of our reader: find its bytes.
    let at = zip
        .windows(img.len())
        .position(|w| w == img.as_slice())
        .unwrap();
    zip[at + 1000] ^= 0x55;
    let v = validate_archive(&mut Cursor::new(&zip), &Limits::default()).unwrap();
    let errors: Vec<&Problem> = v.report.errors().collect();
    assert!(
        matches!(errors.as_slice(), [Problem::CrcMismatch { entry, declared, .. }]
            if entry == "img/1.jpg" && *declared == crc32fast_hash(&img)),
        "{}",
        v.report
    );
}

/// CRC-32 computed by Python's zlib (an independent implementation).
fn crc32fast_hash(bytes: &[u8]) -> u32 {
    run_python(
        "import sys, zlib; print(zlib.crc32(bytes.fromhex(sys.argv[1])))",
        &[hex::encode(bytes).as_ref()],
    )
    .trim()
    .parse()
    .unwrap()
}
